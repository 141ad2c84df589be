import Foundation
import Glibc
import SluiceCore
import SluicePostgres
import Testing

/// SPEC §4 and §4b against the real server: clones under each strategy, failures found on
/// the clone before production is touched, verify-down, the report, drift, the sweep.
@Suite struct RehearsalTests {
    static let strategies = ["template", "dump", "schema"]

    /// Rehearsal on, with `strategy`.
    static func env(_ strategy: String, _ extra: [String: String] = [:]) -> [String: String] {
        ["SLUICE_REHEARSAL_ENABLED": "true", "SLUICE_REHEARSAL_STRATEGY": strategy].merging(extra) { _, new in new }
    }

    static func json(_ result: CLIResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result)")
    }

    /// Drops a scratch database a test kept.
    static func dropScratch(_ name: String) async throws {
        let admin = try await Connection.connect(ConnectionSettings(url: try TestServer.adminURL()))
        try await admin.execute("DROP DATABASE IF EXISTS \(try admin.quoteIdentifier(name)) WITH (FORCE)")
    }

    static func databaseExists(_ name: String) async throws -> Bool {
        let admin = try await Connection.connect(ConnectionSettings(url: try TestServer.adminURL()))
        return try await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]).scalar != nil
    }

    /// The scratch database named in an error message.
    static func scratchName(in text: String) -> String? {
        text.firstMatch(of: /sluice_scratch_\d{14}_[0-9a-f]{6}/).map { String($0.output) }
    }

    @Test(arguments: strategies)
    func eachStrategyClonesFaithfully(strategy: String) async throws {
        let role = "sluice_owner_" + UUID().uuidString.prefix(8).lowercased()
        let admin = try await Connection.connect(ConnectionSettings(url: try TestServer.adminURL()))
        try await admin.execute("CREATE ROLE \(role)")
        do { try await clonesFaithfully(strategy: strategy, role: role) } catch {
            _ = try? await admin.execute("DROP ROLE IF EXISTS \(role)")
            throw error
        }
        try await admin.execute("DROP ROLE IF EXISTS \(role)")
    }

    func clonesFaithfully(strategy: String, role: String) async throws {
        try await withTestDatabase { db in
            do {
                let conn = try await db.connect()
                try await conn.execute("""
                    CREATE EXTENSION pgcrypto;
                    CREATE TYPE mood AS ENUM ('ok', 'meh');
                    CREATE SEQUENCE invoice_no START 1000;
                    SELECT nextval('invoice_no') FROM generate_series(1, 17);
                    CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, token text DEFAULT encode(gen_random_bytes(4), 'hex'), m mood);
                    INSERT INTO customers (m) SELECT 'ok' FROM generate_series(1, 250);
                    CREATE INDEX customers_m ON customers (m);
                    CREATE TABLE owned (id int PRIMARY KEY REFERENCES customers (id));
                    INSERT INTO owned SELECT id FROM customers WHERE id <= 40;
                    ALTER TABLE owned OWNER TO \(role);
                    CREATE VIEW busy AS SELECT m, count(*) FROM customers GROUP BY m;
                    """)
            }
            // A plan that changes nothing, so the clone can be compared with production.
            let folder = try TempFolder(["0001_noop.up.sql": "SELECT 1;\n", "0001_noop.down.sql": "SELECT 1;\n"])
            let result = try await CLI.run(["rehearse", "--dir", folder.path, "--keep", "--format", "json"], database: db, env: Self.env(strategy))
            #expect(result.status == 0, "\(result)")
            let report = try Self.json(result)
            let clone = try #require(report["clone"] as? [String: Any], "\(result)")
            let scratch = try #require(clone["database"] as? String)
            #expect(clone["strategy"] as? String == strategy)
            #expect(clone["kept"] as? Bool == true)
            #expect((clone["bytes"] as? Int ?? 0) > 0)
            let copy = TestDatabase(name: scratch, url: try TestServer.url(database: scratch))
            do {
                let original = try await CatalogReader.snapshot(try await db.connect(), excluding: "sluice")
                let cloned = try await CatalogReader.snapshot(try await copy.connect(), excluding: "sluice")
                #expect(cloned == original, "\(SchemaDiff(from: original, to: cloned).changes)")
                #expect(try await copy.scalar("SELECT extversion FROM pg_extension WHERE extname = 'pgcrypto'") != nil)
                #expect(try await copy.scalar("SELECT tableowner FROM pg_tables WHERE tablename = 'owned'") == role)
                let rows = strategy == "schema" ? [0, 0] : [250, 40]
                #expect(try await copy.count("SELECT count(*) FROM customers") == rows[0])
                #expect(try await copy.count("SELECT count(*) FROM owned") == rows[1])
                if strategy != "schema" {
                    #expect(try await copy.scalar("SELECT last_value FROM invoice_no") == "1016")
                    #expect(try await copy.scalar("SELECT sum(length(token)) FROM customers") == db.scalar("SELECT sum(length(token)) FROM customers"))
                }
                // Production is untouched: no revision, no Sluice tables even.
                #expect(try await db.tableExists("sluice.revisions") == false)
                try await Self.dropScratch(scratch)
            } catch {
                try? await Self.dropScratch(scratch)
                throw error
            }
        }
    }

    @Test(arguments: ["dump", "template"])
    func aMigrationThatFailsOnlyOnProductionDataStopsInRehearsal(strategy: String) async throws {
        try await withTestDatabase { db in
            try await db.connect().execute("""
                CREATE TABLE accounts (id int PRIMARY KEY, email text);
                INSERT INTO accounts VALUES (1, 'a@x'), (2, NULL), (3, 'a@x');
                """)
            let folder = try TempFolder([
                "0001_unique_email.up.sql": "CREATE UNIQUE INDEX accounts_email ON accounts (email);\n",
                "0001_unique_email.down.sql": "DROP INDEX accounts_email;\n",
                "0002_email_required.up.sql": "ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;\n",
                "0002_email_required.down.sql": "ALTER TABLE accounts ALTER COLUMN email DROP NOT NULL;\n",
            ])
            // The unique index over duplicates fails on the clone: production keeps its state.
            let first = try await CLI.run(["apply", "--dir", folder.path], database: db, env: Self.env(strategy))
            #expect(first.status == 1, "\(first)")
            #expect(first.stderr.contains("rehearsal failed") && first.stderr.contains("0001_unique_email.up.sql:1") && first.stderr.contains("23505"), "\(first)")
            #expect(first.stderr.contains("Production was not touched"), "\(first)")
            #expect(try await db.count("SELECT count(*) FROM sluice.revisions") == 0)
            #expect(try await db.scalar("SELECT to_regclass('accounts_email')") == nil)
            let event = try #require(try await db.scalar("SELECT details FROM sluice.events WHERE kind = 'rehearsal' AND outcome = 'failed'"))
            let stored = try #require(try JSONSerialization.jsonObject(with: Data(event.utf8)) as? [String: Any])
            #expect((stored["failure"] as? [String: Any])?["sqlState"] as? String == "23505", "\(event)")
            #expect((stored["failure"] as? [String: Any])?["location"] as? String == "0001_unique_email.up.sql:1", "\(event)")
            let kept = try #require(Self.scratchName(in: first.stderr), "the kept scratch database is named")
            #expect(try await Self.databaseExists(kept), "rehearsal.keep_failed keeps it for inspection")
            try await Self.dropScratch(kept)

            // Fix the duplicates; now SET NOT NULL over a null fails, again before production.
            try await db.connect().execute("UPDATE accounts SET email = 'c@x' WHERE id = 3")
            let second = try await CLI.run(["apply", "--dir", folder.path], database: db, env: Self.env(strategy, ["SLUICE_REHEARSAL_KEEP_FAILED": "false"]))
            #expect(second.status == 1, "\(second)")
            #expect(second.stderr.contains("0002_email_required.up.sql:1") && second.stderr.contains("23502"), "\(second)")
            #expect(try await db.count("SELECT count(*) FROM sluice.revisions") == 0, "0001 passed the rehearsal but the plan as a whole did not")
            #expect(try await db.scalar("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attname = 'email'") == "f")
            if let name = Self.scratchName(in: second.stderr) {
                #expect(try await Self.databaseExists(name) == false, "keep_failed: false drops it")
            }

            // With the data fixed the same plan passes its rehearsal and runs on production.
            try await db.connect().execute("UPDATE accounts SET email = 'b@x' WHERE id = 2")
            let third = try await CLI.run(["apply", "--dir", folder.path], database: db, env: Self.env(strategy))
            #expect(third.status == 0, "\(third)")
            #expect(third.stdout.contains("rehearsal of apply") && third.stdout.contains("passed"), "\(third)")
            #expect(try await db.count("SELECT count(*) FROM sluice.revisions") == 2)
            #expect(try await db.scalar("SELECT outcome FROM sluice.events WHERE kind = 'rehearsal' ORDER BY id DESC LIMIT 1") == "passed")

            // Each revision carries the schema after it (read on the clone), not only the newest.
            func schema(at version: String) async throws -> SchemaSnapshot.Table? {
                let json = try #require(try await db.scalar("SELECT schema_snapshot::text FROM sluice.revisions WHERE version = $1", [version]))
                return try JSONDecoder().decode(SchemaSnapshot.self, from: Data(json.utf8)).tables["public.accounts"]
            }
            let one = try #require(try await schema(at: "1"))
            #expect(one.indexes["accounts_email"] != nil && one.columns.first { $0.name == "email" }?.nullable == true)
            #expect(try await schema(at: "2")?.columns.first { $0.name == "email" }?.nullable == false)
        }
    }

    @Test func verifyDownFindsABrokenDownBeforeAnyApply() async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder([
                "0001_widgets.up.sql": "CREATE TABLE widgets (id int PRIMARY KEY);\n",
                "0001_widgets.down.sql": "DROP TABLE widget;\n",
            ])
            let result = try await CLI.run(["apply", "--dir", folder.path], database: db, env: Self.env("schema", ["SLUICE_REHEARSAL_KEEP_FAILED": "false"]))
            #expect(result.status == 1, "\(result)")
            #expect(result.stderr.contains("down of 0001_widgets failed at 0001_widgets.down.sql:1") && result.stderr.contains("42P01"), "\(result)")
            #expect(result.stdout.contains("FAILED: down 1 0001_widgets"), "\(result)")
            #expect(try await db.tableExists("widgets") == false, "production untouched")
            #expect(try await db.count("SELECT count(*) FROM sluice.revisions") == 0)

            #expect(result.stderr.contains("rehearsal failed in verify-down (down)") && result.stderr.contains("rehearsal.verify_down: false"), "\(result)")

            // A down that runs but leaves the up's table behind: the up fails when run again.
            let leaky = try TempFolder(["0001_gadgets.up.sql": "CREATE TABLE gadgets (id int);\n", "0001_gadgets.down.sql": "SELECT 1; -- forgets the table\n"])
            let again = try await CLI.run(["apply", "--dir", leaky.path], database: db, env: Self.env("schema", ["SLUICE_REHEARSAL_KEEP_FAILED": "false"]))
            #expect(again.status == 1 && again.stderr.contains("rehearsal failed in verify-down (up again)") && again.stderr.contains("42P07"), "\(again)")
            #expect(again.stderr.contains("does not fully undo the up"), "\(again)")
            #expect(try await db.tableExists("gadgets") == false)

            // Without verify_down the broken down is not exercised.
            let lax = try await CLI.run(["rehearse", "--dir", folder.path, "--format", "json"], database: db, env: Self.env("schema", ["SLUICE_REHEARSAL_VERIFY_DOWN": "false"]))
            #expect(lax.status == 0, "\(lax)")
        }
    }

    @Test func theReportNamesLocksAndTheDataADropDestroys() async throws {
        try await withTestDatabase { db in
            try await db.connect().execute("""
                CREATE TABLE events (id int PRIMARY KEY, payload text);
                INSERT INTO events SELECT g, CASE WHEN g % 3 = 0 THEN NULL ELSE 'p' END FROM generate_series(1, 42) g;
                CREATE TABLE big (n bigint);
                INSERT INTO big VALUES (1), (5000000000), (NULL), (7);
                """)
            let folder = try TempFolder([
                "0001_flag.up.sql": "ALTER TABLE events ADD COLUMN flagged boolean;\n",
                "0001_flag.down.sql": "ALTER TABLE events DROP COLUMN flagged;\n",
                "0002_drop_payload.up.sql": "ALTER TABLE events DROP COLUMN payload;\n",
                "0002_drop_payload.down.sql": "ALTER TABLE events ADD COLUMN payload text;\n",
                "0003_drop_events.up.sql": "DROP TABLE events;\n",
                "0003_drop_events.down.sql": "CREATE TABLE events (id int PRIMARY KEY, flagged boolean, payload text);\n",
                "0004_narrow.up.sql": "ALTER TABLE big ALTER COLUMN n TYPE integer;\n",
                "0004_narrow.down.sql": "ALTER TABLE big ALTER COLUMN n TYPE bigint;\n",
            ])
            let result = try await CLI.run(["rehearse", "--dir", folder.path, "--format", "json"], database: db, env: Self.env("dump"))
            #expect(result.status == 1, "0004 fails on 5000000000: \(result)")
            let report = try Self.json(result)
            let steps = try #require(report["steps"] as? [[String: Any]])
            let flag = try #require(steps.first { $0["verb"] as? String == "apply" && $0["version"] as? String == "1" })
            let locks = try #require(flag["locks"] as? [[String: Any]])
            let lock = try #require(locks.first { $0["relation"] as? String == "public.events" }, "\(locks)")
            #expect(lock["mode"] as? String == "AccessExclusiveLock")
            #expect(lock["blocksReads"] as? Bool == true && lock["blocksWrites"] as? Bool == true)
            #expect((flag["changes"] as? [[String: Any]])?.contains { $0["action"] as? String == "added" && $0["name"] as? String == "public.events.flagged" } == true, "\(flag)")

            let dropColumn = try #require(steps.first { $0["verb"] as? String == "apply" && $0["version"] as? String == "2" })
            let columnLoss = try #require((dropColumn["destroys"] as? [[String: Any]])?.first, "\(dropColumn)")
            #expect(columnLoss["kind"] as? String == "droppedColumn" && columnLoss["target"] as? String == "public.events.payload")
            #expect(columnLoss["rows"] as? Int == 28, "42 rows, every third payload null")

            let dropTable = try #require(steps.first { $0["verb"] as? String == "apply" && $0["version"] as? String == "3" })
            let tableLoss = try #require((dropTable["destroys"] as? [[String: Any]])?.first, "\(dropTable)")
            #expect(tableLoss["kind"] as? String == "droppedTable" && tableLoss["target"] as? String == "public.events" && tableLoss["rows"] as? Int == 42)

            let failure = try #require(report["failure"] as? [String: Any])
            #expect(failure["version"] as? String == "4" && failure["sqlState"] as? String == "22003", "\(failure)")
            let narrowing = try #require((failure["destroys"] as? [[String: Any]])?.first, "\(failure)")
            #expect(narrowing["kind"] as? String == "narrowedColumn" && narrowing["rows"] as? Int == 1, "only 5000000000 does not fit: \(narrowing)")
            if let kept = Self.scratchName(in: result.stderr) { try await Self.dropScratch(kept) }
        }
    }

    @Test func aRollbackIsRehearsedWithWhatItsDownsDestroy() async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder([
                "0001_notes.up.sql": "CREATE TABLE notes (id int PRIMARY KEY);\nINSERT INTO notes SELECT generate_series(1, 5);\n",
                "0001_notes.down.sql": "DROP TABLE notes;\n",
            ])
            #expect(try await CLI.run(["apply", "--dir", folder.path], database: db).status == 0)
            let result = try await CLI.run(["rollback", "--to", "0", "--yes"], database: db, env: Self.env("template"))
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout.contains("rehearsal of rollback") && result.stdout.contains("DESTROYS: drops table public.notes with 5 row(s)"), "\(result)")
            let details = try #require(try await db.scalar("SELECT details FROM sluice.events WHERE kind = 'rehearsal' AND outcome = 'passed'"))
            #expect(details.contains("droppedTable") && details.contains("\"kind\""), "\(details)")
            #expect(try await db.tableExists("notes") == false)
        }
    }

    @Test func driftBehindSluicesBackIsReportedAndRefusedUnderRefuse() async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder.tables(1...2)
            #expect(try await CLI.run(["apply", "--dir", folder.path], database: db).status == 0)
            // Behind Sluice's back, with psql.
            let psql = try await Self.psql(db, "ALTER TABLE t1 ADD COLUMN sneaky text; CREATE INDEX t2_id_desc ON t2 (id DESC);")
            #expect(psql.status == 0, "\(psql)")
            try folder.write("0003_t3.up.sql", "CREATE TABLE t3 (id int PRIMARY KEY);\n")
            try folder.write("0003_t3.down.sql", "DROP TABLE t3;\n")

            let refused = try await CLI.run(["apply", "--dir", folder.path], database: db, env: ["SLUICE_POLICY_ON_SCHEMA_DRIFT": "refuse"])
            #expect(refused.status == 3, "\(refused)")
            #expect(refused.stderr.contains("added column public.t1.sneaky: text") && refused.stderr.contains("added index public.t2.t2_id_desc"), "\(refused)")
            #expect(try await db.tableExists("t3") == false)
            let event = try #require(try await db.scalar("SELECT details FROM sluice.events WHERE kind = 'drift' AND outcome = 'refused'"))
            #expect(event.contains("public.t1.sneaky"), "\(event)")

            // warn (the default): reported, and the plan goes on.
            let warned = try await CLI.run(["apply", "--dir", folder.path, "--format", "json"], database: db)
            #expect(warned.status == 0, "\(warned)")
            #expect(try await db.scalar("SELECT count(*) FROM sluice.events WHERE kind = 'drift' AND outcome = 'warn'") == "1")
            #expect(try await db.tableExists("t3"))

            // Accepting drift records the live schema: a later change is drift again, the accepted one not.
            try await db.connect().execute("ALTER TABLE t3 ADD COLUMN later int")
            #expect(try await CLI.run(["resolve", "--accept-drift"], database: db).status == 0)
            try folder.write("0004_t4.up.sql", "CREATE TABLE t4 (id int PRIMARY KEY);\n")
            try folder.write("0004_t4.down.sql", "DROP TABLE t4;\n")
            let clean = try await CLI.run(["apply", "--dir", folder.path], database: db, env: ["SLUICE_POLICY_ON_SCHEMA_DRIFT": "refuse"])
            #expect(clean.status == 0, "\(clean)")

            // A drift that only warns is recorded once, however often apply runs with nothing to do.
            _ = try await Self.psql(db, "ALTER TABLE t4 ADD COLUMN x int;")
            for _ in 0..<2 {
                let idle = try await CLI.run(["apply", "--dir", folder.path], database: db)
                #expect(idle.status == 0 && idle.stdout.contains("schema drift: 1 change(s)"), "\(idle)")
            }
            #expect(try await db.scalar("SELECT count(*) FROM sluice.events WHERE kind = 'drift' AND outcome = 'warn' AND details::text LIKE '%public.t4.x%'") == "1")
            let status = try await CLI.run(["status", "--dir", folder.path], database: db)
            #expect(status.stdout.contains("added column public.t4.x: integer"), "\(status)")
        }
    }

    @Test func scratchDatabasesOlderThanTheTTLAreSwept() async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder([
                "0001_bad.up.sql": "CREATE TABLE x (id int);\nSELECT 1/0;\n",
                "0001_bad.down.sql": "DROP TABLE x;\n",
            ])
            let failed = try await CLI.run(["rehearse", "--dir", folder.path], database: db, env: Self.env("schema"))
            #expect(failed.status == 1, "\(failed)")
            let kept = try #require(Self.scratchName(in: failed.stderr))
            #expect(try await Self.databaseExists(kept))
            // Age it by two hours (its name carries its creation time), as a sweep with a one-hour
            // ttl would find it later. Two hours, not years: the other tests' rehearsals sweep
            // with the default 24h ttl and must not take this test's databases away.
            let twoHoursAgo = Date().addingTimeInterval(-7200)
            let aged = ScratchName.at(twoHoursAgo, suffix: String(kept.suffix(6)))
            let admin = try await Connection.connect(ConnectionSettings(url: try TestServer.adminURL()))
            try await admin.execute("ALTER DATABASE \(kept) RENAME TO \(aged)")
            let fresh = ScratchName.fresh()
            try await admin.execute("CREATE DATABASE \(fresh)")
            // Old but in use (another runner's rehearsal, someone inspecting a kept clone): left alone.
            let busy = ScratchName.at(twoHoursAgo, suffix: String(UUID().uuidString.prefix(6)).lowercased())
            try await admin.execute("CREATE DATABASE \(busy)")
            let inspector = try await Connection.connect(ConnectionSettings(url: try TestServer.url(database: busy)))

            try folder.write("0001_bad.up.sql", "CREATE TABLE x (id int);\n")
            let passed = try await CLI.run(["rehearse", "--dir", folder.path, "--format", "json"], database: db, env: Self.env("schema", ["SLUICE_REHEARSAL_TTL": "1h"]))
            #expect(passed.status == 0, "\(passed)")
            #expect(try await Self.databaseExists(aged) == false, "older than rehearsal.ttl: swept")
            #expect(try await Self.databaseExists(fresh), "younger than rehearsal.ttl: kept")
            #expect(try await Self.databaseExists(busy), "a scratch database with a session on it is not dropped")
            _ = try await inspector.query("SELECT 1")
            try await Self.dropScratch(busy)
            let used = try #require((try Self.json(passed)["clone"] as? [String: Any])?["database"] as? String)
            #expect(try await Self.databaseExists(used) == false, "a passed rehearsal drops its clone")
            try await Self.dropScratch(fresh)
        }
    }

    /// Runs `psql -c sql` on the test database (the password comes from PGPASSFILE).
    static func psql(_ db: TestDatabase, _ sql: String) async throws -> CLIResult {
        let bindir = ProcessInfo.processInfo.environment["SLUICE_PG_BINDIR"].map { $0 + "/psql" } ?? "/usr/bin/psql"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: FileManager.default.isExecutableFile(atPath: bindir) ? bindir : "/usr/bin/psql")
        process.arguments = ["--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-d", db.url, "-c", sql]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: CLIResult(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self)))
            }
        }
    }

    @Test func clientProgramsOlderThanTheServerAreAClearError() async throws {
        try await withTestDatabase { db in
            let fake = try TempFolder()
            try fake.write("pg_dump", "#!/bin/sh\necho 'pg_dump (PostgreSQL) 11.22'\n")
            chmod(fake.path + "/pg_dump", 0o755)
            let folder = try TempFolder.tables(1...1)
            let result = try await CLI.run(["apply", "--dir", folder.path], database: db, env: Self.env("dump", ["SLUICE_PG_BINDIR": fake.path]))
            #expect(result.status == 2, "\(result)")
            #expect(result.stderr.contains("no pg_dump of version 15 or later") && result.stderr.contains("version 11") && result.stderr.contains("postgresql-client-15"), "\(result)")
            #expect(try await db.tableExists("t1") == false)
        }
    }

    @Test func aMigratorThatIsNotSuperuserClonesObjectsOwnedByOthers() async throws {
        let role = "sluice_migrator_" + UUID().uuidString.prefix(8).lowercased()
        let password = UUID().uuidString
        let admin = try await Connection.connect(ConnectionSettings(url: try TestServer.adminURL()))
        try await admin.execute("CREATE ROLE \(role) LOGIN CREATEDB PASSWORD '\(password)'")
        do {
            try await withTestDatabase { db in
                try await db.connect().execute("""
                    GRANT CREATE, CONNECT ON DATABASE \(db.name) TO \(role); GRANT CREATE, USAGE ON SCHEMA public TO \(role);
                    CREATE TABLE audit (id int PRIMARY KEY); INSERT INTO audit VALUES (1), (2); GRANT SELECT ON audit TO \(role);
                    """)
                var components = URLComponents(string: db.url)!
                components.user = role
                let folder = try TempFolder.tables(1...1)
                let env = Self.env("dump", ["SLUICE_DATABASE_URL": components.string!, "PGPASSWORD": password])
                let result = try await CLI.run(["apply", "--dir", folder.path], env: env, removeEnv: ["PGPASSFILE"])
                #expect(result.status == 0, "audit is owned by a role the migrator cannot become: copied without owners: \(result)")
                #expect(try await db.tableExists("t1"))
                #expect(!result.output.contains(password), "the password never shows")

                try await db.connect().execute("REVOKE SELECT ON audit FROM \(role)")
                try folder.write("0002_t2.up.sql", "CREATE TABLE t2 (id int);\n")
                try folder.write("0002_t2.down.sql", "DROP TABLE t2;\n")
                let unreadable = try await CLI.run(["apply", "--dir", folder.path], env: env, removeEnv: ["PGPASSFILE"])
                #expect(unreadable.status == 1, "\(unreadable)")
                #expect(unreadable.stderr.contains("permission denied for table audit") && unreadable.stderr.contains("SELECT on every table"), "\(unreadable)")
                #expect(try await db.tableExists("t2") == false)
            }
        } catch {
            _ = try? await admin.execute("DROP ROLE IF EXISTS \(role)")
            throw error
        }
        // The role owns the state tables it made in the (dropped) test database only.
        _ = try? await admin.execute("DROP ROLE IF EXISTS \(role)")
    }

    @Test func templateRefusesWhileOthersAreConnected() async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder.tables(1...1)
            let other = try await db.connect()
            let result = try await CLI.run(["apply", "--dir", folder.path], database: db, env: Self.env("template"))
            #expect(result.status == 1, "\(result)")
            #expect(result.stderr.contains("other session(s) are connected") && result.stderr.contains("rehearsal.strategy dump"), "\(result)")
            #expect(try await db.tableExists("t1") == false)
            _ = try await other.query("SELECT 1")
            #expect(try await CLI.run(["apply", "--dir", folder.path, "--no-rehearse"], database: db, env: Self.env("template")).status == 0)
        }
    }
}

/// A scratch-style name made now (the sweep must leave it alone).
enum ScratchName {
    static func fresh() -> String {
        at(Date(), suffix: String(UUID().uuidString.prefix(6)).lowercased())
    }

    static func at(_ date: Date, suffix: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMddHHmmss"
        return "sluice_scratch_" + formatter.string(from: date) + "_" + suffix.replacingOccurrences(of: "-", with: "0")
    }
}

/// The daemon's cycle rehearses before production (SPEC §3 step 4).
@Suite struct DaemonRehearsalTests {
    @Test(arguments: ["template", "dump"])
    func aCycleRehearsesFirstAndAFailedRehearsalLeavesProductionAlone(strategy: String) async throws {
        try await withTestDatabase { db in
            let git = try await GitFixture()
            try await git.commit(GitFixture.table(1, "users"), message: "Add users")
            let daemon = try DaemonProcess(git, db, env: RehearsalTests.env(strategy, ["SLUICE_REHEARSAL_KEEP_FAILED": "false"]))
            try await daemon.ready(db: db)
            let first = try await daemon.cycle(db)
            #expect(first.status == 0, "the daemon's kept connection does not stop a template clone: \(first)")
            #expect(try await db.tableExists("users"))
            #expect(try await db.scalar("SELECT outcome FROM sluice.events WHERE kind = 'rehearsal' ORDER BY id DESC LIMIT 1") == "passed")

            try await db.connect().execute("INSERT INTO users VALUES (1), (2)")
            try await git.commit(["0002_users_name.up.sql": "ALTER TABLE users ADD COLUMN name text;\nALTER TABLE users ALTER COLUMN name SET NOT NULL;\n",
                            "0002_users_name.down.sql": "ALTER TABLE users DROP COLUMN name;\n"], message: "Require a name")
            let failed = try await daemon.cycle(db)
            #expect(failed.status == 1, "\(failed)")
            #expect(failed.stdout.contains("rehearsal failed") && failed.stdout.contains("23502"), "\(failed)")
            #expect(try await db.scalar("SELECT count(*) FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'name'") == "0", "production untouched")
            #expect(try await db.scalar("SELECT outcome FROM sluice.events WHERE kind = 'rehearsal' ORDER BY id DESC LIMIT 1") == "failed")

            let stillAlive = try await daemon.http("/healthz")
            #expect(stillAlive.0 == 200, "a failed cycle never kills the daemon")
            _ = try await daemon.stop()
        }
    }
}
