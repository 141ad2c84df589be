import Foundation
import Testing

/// `sluice lint` end to end (exit codes, JSON, --latest, --git-base) and the gate of SPEC §7.
@Suite struct LintCommandTests {
    static let bad = [
        "0002_orders_index.up.sql": "-- a comment\nCREATE INDEX orders_user ON orders (user_id);\n",
        "0002_orders_index.down.sql": "DROP INDEX orders_user;\n",
    ]

    static func json(_ result: CLIResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result)")
    }

    @Test func exitCodesTextAndJSON() async throws {
        let folder = try TempFolder.tables(1...1)
        let clean = try await CLI.run(["lint", "--dir", folder.path])
        #expect(clean.status == 0, "\(clean)")
        #expect(clean.stdout.contains("0 error(s), 0 warning(s) in 1 migration(s)"), "\(clean)")

        for (name, text) in Self.bad { try folder.write(name, text) }
        let text = try await CLI.run(["lint", "--dir", folder.path])
        #expect(text.status == 3, "\(text)")
        #expect(text.stdout.contains("0002_orders_index.up.sql:2:1: error: [create-index-non-concurrently] CREATE INDEX on orders without CONCURRENTLY"), "\(text)")
        #expect(text.stdout.contains("  hint: use CREATE INDEX CONCURRENTLY"), "\(text)")

        let json = try await CLI.run(["lint", "--dir", folder.path, "--format", "json"])
        #expect(json.status == 3)
        let report = try Self.json(json)
        #expect(report["errors"] as? Int == 1 && report["warnings"] as? Int == 0 && report["migrations"] as? Int == 2, "\(report)")
        let finding = try #require((report["findings"] as? [[String: Any]])?.first)
        #expect(finding["rule"] as? String == "create-index-non-concurrently")
        #expect(finding["severity"] as? String == "error")
        #expect(finding["file"] as? String == "0002_orders_index.up.sql")
        #expect(finding["line"] as? Int == 2 && finding["column"] as? Int == 1)
        #expect(finding["version"] as? String == "2")
        #expect((finding["hint"] as? String)?.isEmpty == false && (finding["message"] as? String)?.isEmpty == false)

        // Silenced on its statement: clean again.
        try folder.write("0002_orders_index.up.sql", "CREATE INDEX orders_user ON orders (user_id); -- sluice:allow create-index-non-concurrently\n")
        #expect(try await CLI.run(["lint", "--dir", folder.path]).status == 0)

        // Warnings alone do not fail.
        try folder.write("0003_drop_view.up.sql", "DROP VIEW IF EXISTS old_report;\n")
        try folder.write("0003_drop_view.down.sql", "CREATE VIEW old_report AS SELECT 1;\n")
        let warned = try await CLI.run(["lint", "--dir", folder.path])
        #expect(warned.status == 0 && warned.stdout.contains("warning: [drop-view]"), "\(warned)")

        // Unreadable: not text → 2; no folder → 2.
        try Data([0xFF, 0xFE, 0x00, 0x41]).write(to: URL(fileURLWithPath: folder.path + "/0004_binary.up.sql"))
        let binary = try await CLI.run(["lint", "--dir", folder.path])
        #expect(binary.status == 2 && binary.stderr.contains("0004_binary.up.sql is not UTF-8 text"), "\(binary)")
        #expect(try await CLI.run(["lint", "--dir", folder.path + "/nope"]).status == 2)
    }

    @Test func latestLintsOnlyTheNewest() async throws {
        let folder = try TempFolder.tables(3...3, extra: Self.bad)
        let all = try await CLI.run(["lint", "--dir", folder.path])
        #expect(all.status == 3, "\(all)")
        let latest = try await CLI.run(["lint", "--dir", folder.path, "--latest", "1", "--format", "json"])
        #expect(latest.status == 0, "only 0003 is linted: \(latest)")
        #expect(try Self.json(latest)["migrations"] as? Int == 1)
        #expect(try await CLI.run(["lint", "--dir", folder.path, "--latest", "0"]).status == 2, "bad usage")
    }

    @Test func gitBaseLintsOnlyWhatWasAddedSinceTheRef() async throws {
        let git = try await GitFixture()
        let base = try await git.commit(Self.bad, message: "An old migration that predates lint")
        try await git.commit(GitFixture.table(3, "invoices"), message: "Add invoices")
        // A new file not committed yet counts too (a developer running lint before committing).
        try "DROP TABLE invoices;\n".write(toFile: "\(git.work)/migrations/0004_drop_invoices.up.sql", atomically: true, encoding: .utf8)
        try "CREATE TABLE invoices (id int);\n".write(toFile: "\(git.work)/migrations/0004_drop_invoices.down.sql", atomically: true, encoding: .utf8)

        let result = try await CLI.run(["lint", "--dir", git.work + "/migrations", "--git-base", base, "--format", "json"])
        let report = try Self.json(result)
        let files = Set((report["findings"] as? [[String: Any]] ?? []).compactMap { $0["file"] as? String })
        #expect(files == ["0004_drop_invoices.up.sql"], "the old index migration is not linted: \(result)")
        #expect(report["migrations"] as? Int == 2, "0003 and 0004 were added since the base")
        #expect(result.status == 3)

        let unknown = try await CLI.run(["lint", "--dir", git.work + "/migrations", "--git-base", "no-such-ref"])
        #expect(unknown.status == 2 && unknown.stderr.contains("--git-base no-such-ref"), "\(unknown)")
    }

    @Test func theGateRefusesBeforeRehearsalAndWarnGoesOn() async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder.tables(1...1)
            try folder.write("0002_orders.up.sql", "CREATE TABLE orders (id int PRIMARY KEY, user_id int);\n")
            try folder.write("0002_orders.down.sql", "DROP TABLE orders;\n")
            #expect(try await CLI.run(["apply", "--dir", folder.path], database: db).status == 0)
            for (name, text) in Self.bad { try folder.write(name.replacingOccurrences(of: "0002", with: "0003"), text) }

            let refused = try await CLI.run(["apply", "--dir", folder.path], database: db,
                                            env: ["SLUICE_POLICY_LINT": "refuse", "SLUICE_REHEARSAL_ENABLED": "true", "SLUICE_REHEARSAL_STRATEGY": "template"])
            #expect(refused.status == 3, "\(refused)")
            #expect(refused.stderr.contains("0003_orders_index.up.sql:2:1: error: [create-index-non-concurrently]"), "\(refused)")
            #expect(try await db.scalar("SELECT to_regclass('orders_user')") == nil)
            #expect(try await db.scalar("SELECT outcome FROM sluice.events WHERE kind = 'lint'") == "refused")
            #expect(try await db.count("SELECT count(*) FROM sluice.events WHERE kind = 'rehearsal'") == 0, "refused before any clone")
            let details = try #require(try await db.scalar("SELECT details::text FROM sluice.events WHERE kind = 'lint'"))
            #expect(details.contains("create-index-non-concurrently"), "\(details)")

            let warned = try await CLI.run(["apply", "--dir", folder.path], database: db, env: ["SLUICE_POLICY_LINT": "warn"])
            #expect(warned.status == 0, "\(warned)")
            #expect(warned.stdout.contains("lint: 0003_orders_index.up.sql:2:1: error: [create-index-non-concurrently]"), "\(warned)")
            #expect(try await db.scalar("SELECT to_regclass('orders_user')") == "orders_user")
            #expect(try await db.scalar("SELECT outcome FROM sluice.events WHERE kind = 'lint' ORDER BY id DESC LIMIT 1") == "warn")
        }
    }
}
