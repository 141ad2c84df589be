import Foundation
import Testing

/// SIGKILL in the middle of a plan never leaves a half-applied migration or a wrong
/// revision row, and a plain re-run finishes the plan (SPEC §5).
@Suite struct CrashSafetyTests {
    static let count = 24

    /// Every fourth migration is no-transaction with several statements; the rest are
    /// transactional. Each sleeps a little so the kills land in the middle.
    static func folder() throws -> TempFolder {
        var files: [String: String] = [
            "0000_log.up.sql": "CREATE TABLE applied_log (version int NOT NULL, at timestamptz DEFAULT clock_timestamp());\n",
            "0000_log.down.sql": "DROP TABLE applied_log;\n",
        ]
        for v in 1...count {
            let name = String(format: "%04d_m%d", v, v)
            if v % 4 == 0 {
                files["\(name).up.sql"] = """
                    -- sluice:no-transaction
                    CREATE TABLE IF NOT EXISTS n\(v) (id int);
                    SELECT pg_sleep(0.04);
                    INSERT INTO n\(v) SELECT g FROM generate_series(1, 300000) g WHERE NOT EXISTS (SELECT 1 FROM n\(v));
                    CREATE INDEX CONCURRENTLY IF NOT EXISTS n\(v)_idx ON n\(v) (id);
                    SELECT pg_sleep(0.04);
                    """
                files["\(name).down.sql"] = "-- sluice:no-transaction\nSELECT pg_sleep(0.03);\nDROP TABLE IF EXISTS n\(v);\n"
            } else {
                files["\(name).up.sql"] = "CREATE TABLE c\(v) (id int);\nSELECT pg_sleep(0.05);\nINSERT INTO applied_log (version) VALUES (\(v));\n"
                files["\(name).down.sql"] = "DROP TABLE c\(v);\nSELECT pg_sleep(0.03);\nDELETE FROM applied_log WHERE version = \(v);\n"
            }
        }
        return try TempFolder(files)
    }

    /// What must hold after any crash: each transactional migration is all or nothing
    /// together with its revision row; only no-transaction migrations are ever dirty.
    func checkInvariants(_ db: TestDatabase) async throws {
        let conn = try await db.connect()
        let rows = try await conn.query("SELECT version, state FROM sluice.revisions").records
        let states = Dictionary(uniqueKeysWithValues: rows.map { (Int($0.string("version"))!, $0.string("state")) })
        for v in 1...Self.count {
            if v % 4 == 0 {
                if states[v] == "applied" {
                    #expect(try await db.scalar("SELECT bool_and(indisvalid) FROM pg_index WHERE indrelid = 'n\(v)'::regclass") == "t")
                }
            } else {
                let exists = try await db.tableExists("c\(v)")
                #expect(exists == (states[v] == "applied"), "migration \(v): table \(exists), revision \(states[v] ?? "none")")
                #expect(states[v] != "dirty")
                if states[0] == "applied" {
                    let logged = try await db.count("SELECT count(*) FROM applied_log WHERE version = \(v)")
                    #expect(logged == (exists ? 1 : 0), "migration \(v) logged \(logged) times")
                }
            }
        }
        let applied = states.filter { $0.value == "applied" }.keys.sorted()
        #expect(applied == Array(0..<applied.count), "applied versions form a prefix: \(applied)")
    }

    /// Starts `args`, waits until `condition` holds on the database (or the run ends), then SIGKILLs it.
    func kill(_ args: [String], _ db: TestDatabase, when condition: String) async throws {
        let running = try CLI.start(args, database: db)
        let conn = try await db.connect()
        for _ in 0..<1000 where running.process.isRunning {
            if try await conn.query("SELECT to_regclass('sluice.revisions') IS NOT NULL").scalar == "t",
               try await conn.query("SELECT (\(condition))::text").scalar == "true" { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        let rc = Foundation.kill(running.process.processIdentifier, SIGKILL)
        let result = try await CLI.finish(running)
        #expect(rc == 0, "kill(\(running.process.processIdentifier)): errno \(errno) \(String(cString: strerror(errno))); ps: \((try? String(contentsOfFile: "/proc/\(running.process.processIdentifier)/status", encoding: .utf8))?.prefix(200) ?? "none")")
        #expect(result.status == 9, "killed in the middle: \(result)")
        try await Task.sleep(for: .milliseconds(300))
    }

    static let applied = "(SELECT count(*) FROM sluice.revisions WHERE state = 'applied')"

    @Test func killedAtSeveralPointsThenAPlainRerunFinishes() async throws {
        try await withTestDatabase { db in
            let folder = try Self.folder()
            let apply = ["apply", "--dir", folder.path]
            for threshold in [2, 7] {
                try await kill(apply, db, when: "\(Self.applied) >= \(threshold)")
                try await checkInvariants(db)
            }
            // Inside a no-transaction migration: after its first statement, and in its index build.
            try await kill(apply, db, when: "EXISTS (SELECT 1 FROM sluice.revisions WHERE state = 'dirty' AND statements_done >= 1)")
            try await checkInvariants(db)
            #expect(try await db.count("SELECT count(*) FROM sluice.revisions WHERE state = 'dirty'") == 1)
            try await kill(apply, db, when: "EXISTS (SELECT 1 FROM pg_stat_activity WHERE query ILIKE 'CREATE INDEX CONCURRENTLY%' AND state = 'active')")
            try await checkInvariants(db)
            for threshold in [16, 21] {
                try await kill(apply, db, when: "\(Self.applied) >= \(threshold)")
                try await checkInvariants(db)
            }
            let done = try await db.count("SELECT count(*) FROM sluice.revisions WHERE state = 'applied'")
            #expect(done < Self.count + 1, "the last kill landed before the end (\(done) applied)")

            let rerun = try await CLI.run(apply, database: db)
            #expect(rerun.status == 0, "\(rerun)")
            #expect(try await db.count("SELECT count(*) FROM sluice.revisions WHERE state = 'applied'") == Self.count + 1)
            try await checkInvariants(db)
            #expect(try await db.count("SELECT count(*) FROM pg_index WHERE NOT indisvalid") == 0)
        }
    }

    @Test func killedDuringRollbackThenARerunFinishes() async throws {
        try await withTestDatabase { db in
            let folder = try Self.folder()
            #expect(try await CLI.run(["apply", "--dir", folder.path], database: db).status == 0)
            try await kill(["rollback", "--to", "0", "--yes", "--dir", folder.path], db, when: "(SELECT count(*) FROM sluice.revisions) <= 15")
            try await checkInvariants(db)
            let left = try await db.count("SELECT count(*) FROM sluice.revisions")
            #expect(left > 0 && left <= 15, "the kill landed in the middle of the rollback (\(left) left)")
            let rerun = try await CLI.run(["rollback", "--to", "0", "--yes", "--dir", folder.path], database: db)
            #expect(rerun.status == 0, "\(rerun)")
            #expect(try await db.count("SELECT count(*) FROM sluice.revisions") == 0)
            #expect(try await db.count("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 0)
        }
    }

    @Test func twoAppliesAtOnceApplyEachVersionExactlyOnce() async throws {
        try await withTestDatabase { db in
            let folder = try Self.folder()
            let first = try CLI.start(["apply", "--dir", folder.path], database: db)
            let second = try CLI.start(["apply", "--dir", folder.path], database: db)
            let a = try await CLI.finish(first), b = try await CLI.finish(second)
            #expect(a.status == 0, "\(a)")
            #expect(b.status == 0, "\(b)")
            #expect(try await db.count("SELECT count(*) FROM sluice.revisions WHERE state = 'applied'") == Self.count + 1)
            #expect(try await db.count("SELECT count(*) FROM (SELECT version FROM applied_log GROUP BY version HAVING count(*) > 1) d") == 0)
            #expect(try await db.count("SELECT count(*) FROM applied_log") == Self.count - Self.count / 4)
            #expect(try await db.count("SELECT count(*) FROM sluice.events WHERE kind = 'apply'") == 1, "the second runner found nothing to do")
        }
    }
}
