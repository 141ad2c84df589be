import Foundation
import SluicePostgres
import Testing

/// SIGKILL in the middle of a plan never leaves a half-applied migration or a wrong
/// revision row, and a plain re-run finishes the plan (SPEC §5).
@Suite struct CrashSafetyTests {
    static let count = 24

    /// The advisory lock migration `v` passes through: the test holds it to stop a run
    /// exactly there, so every kill lands where the test says, however loaded the machine.
    static func gate(_ v: Int) -> Int { 7000 + v }

    /// Every fourth migration is no-transaction with several statements; the rest are
    /// transactional. Each passes through its gate.
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
                    SELECT pg_advisory_lock(\(gate(v))), pg_advisory_unlock(\(gate(v)));
                    INSERT INTO n\(v) SELECT g FROM generate_series(1, 20000) g WHERE NOT EXISTS (SELECT 1 FROM n\(v));
                    CREATE INDEX CONCURRENTLY IF NOT EXISTS n\(v)_idx ON n\(v) (id);
                    SELECT 1;
                    """
                files["\(name).down.sql"] = "-- sluice:no-transaction\nSELECT pg_advisory_lock(\(gate(v))), pg_advisory_unlock(\(gate(v)));\nDROP TABLE IF EXISTS n\(v);\n"
            } else {
                files["\(name).up.sql"] = "CREATE TABLE c\(v) (id int);\nSELECT pg_advisory_xact_lock(\(gate(v)));\nINSERT INTO applied_log (version) VALUES (\(v));\n"
                files["\(name).down.sql"] = "DROP TABLE c\(v);\nSELECT pg_advisory_xact_lock(\(gate(v)));\nDELETE FROM applied_log WHERE version = \(v);\n"
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
                    let indexes = try await db.connect().query("SELECT indexrelid::regclass::text, indisvalid FROM pg_index WHERE indrelid = 'n\(v)'::regclass").rows
                    #expect(indexes.allSatisfy { $0[1] == "t" }, "migration \(v): \(indexes)")
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

    /// Starts `args` while the test holds the gate of migration `v`, waits until the run is
    /// blocked there, SIGKILLs it, lets the server notice, and opens the gate again.
    func kill(_ args: [String], _ db: TestDatabase, at v: Int, holding extra: (Connection) async throws -> Void = { _ in }) async throws {
        let gate = try await db.connect()
        try await gate.execute("SELECT pg_advisory_lock(\(Self.gate(v)))")
        try await extra(gate)
        let running = try CLI.start(args, database: db)
        let conn = try await db.connect()
        var blocked = false
        for _ in 0..<3000 where running.process.isRunning && !blocked {
            blocked = try await conn.query("""
                SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND objid = $1::oid
                """, [String(Self.gate(v))]).scalar == "t"
            if !blocked { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(blocked, "the run reached migration \(v)")
        let rc = Foundation.kill(running.process.processIdentifier, SIGKILL)
        #expect(rc == 0)
        let result = try await CLI.finish(running)
        #expect(result.status == 9, "killed in the middle: \(result)")
        // The server aborts the killed session's statement (client_connection_check_interval).
        for _ in 0..<500 {
            let left = try await conn.query("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'sluice %'").scalar
            if left == "0" { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        try await gate.execute("SELECT pg_advisory_unlock(\(Self.gate(v)))")
    }

    static let applied = "(SELECT count(*) FROM sluice.revisions WHERE state = 'applied')"

    @Test func killedAtSeveralPointsThenAPlainRerunFinishes() async throws {
        try await withTestDatabase { db in
            let folder = try Self.folder()
            let apply = ["apply", "--dir", folder.path]
            // In transactional migrations.
            for v in [3, 9] {
                try await kill(apply, db, at: v)
                try await checkInvariants(db)
                #expect(try await db.count(Self.applied) == v, "0…\(v - 1) applied, \(v) rolled back")
            }
            // In a no-transaction migration, after its first statement: it stays dirty.
            try await kill(apply, db, at: 12)
            try await checkInvariants(db)
            #expect(try await db.scalar("SELECT state || ' ' || statements_done FROM sluice.revisions WHERE version = '12'") == "dirty 1")
            // In the middle of an index build: the run is held at migration 16's gate while the
            // test opens a transaction whose snapshot keeps CREATE INDEX CONCURRENTLY waiting
            // (and so INVALID); then the gate opens, the build starts and waits, and it is killed.
            let gate = try await db.connect()
            try await gate.execute("SELECT pg_advisory_lock(\(Self.gate(16)))")
            let running = try CLI.start(apply, database: db)
            let conn = try await db.connect()
            for _ in 0..<3000 where running.process.isRunning {
                if try await conn.query("SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND objid = $1::oid", [String(Self.gate(16))]).scalar == "t" { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            let reader = try await db.connect()
            try await reader.execute("BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM n16")
            try await gate.execute("SELECT pg_advisory_unlock(\(Self.gate(16)))")
            var building = false
            for _ in 0..<3000 where running.process.isRunning && !building {
                building = try await conn.query("SELECT count(*) > 0 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'CREATE INDEX CONCURRENTLY IF NOT EXISTS n16_idx%' AND wait_event_type IS NOT NULL").scalar == "t"
                if !building { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(building, "the index build is under way")
            Foundation.kill(running.process.processIdentifier, SIGKILL)
            _ = try await CLI.finish(running)
            // Only once the server has ended the killed session may the index build's wait end.
            for _ in 0..<500 where try await conn.query("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'CREATE INDEX CONCURRENTLY%' AND pid <> pg_backend_pid()").scalar != "0" {
                try await Task.sleep(for: .milliseconds(10))
            }
            try await reader.execute("COMMIT")
            try await checkInvariants(db)
            #expect(try await db.scalar("SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass('n16_idx')") == "t", "the cut-off build left an INVALID index")
            // Later, in transactional migrations again.
            try await kill(apply, db, at: 21)
            try await checkInvariants(db)
            #expect(try await db.scalar("SELECT state FROM sluice.revisions WHERE version = '16'") == "applied", "the next run resumed migration 16")
            #expect(try await db.scalar("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('n16_idx')") == "t", "and rebuilt the INVALID index")

            let rerun = try await CLI.run(apply, database: db)
            #expect(rerun.status == 0, "\(rerun)")
            #expect(try await db.count(Self.applied) == Self.count + 1)
            try await checkInvariants(db)
            #expect(try await db.count("SELECT count(*) FROM pg_index WHERE NOT indisvalid") == 0)
        }
    }

    @Test func killedDuringRollbackThenARerunFinishes() async throws {
        try await withTestDatabase { db in
            let folder = try Self.folder()
            #expect(try await CLI.run(["apply", "--dir", folder.path], database: db).status == 0)
            let rollback = ["rollback", "--to", "0", "--yes", "--dir", folder.path]
            try await kill(rollback, db, at: 15)
            try await checkInvariants(db)
            #expect(try await db.count("SELECT count(*) FROM sluice.revisions") == 16, "0…15 still applied; 16…24 taken down")
            try await kill(rollback, db, at: 8)
            try await checkInvariants(db)
            let rerun = try await CLI.run(rollback, database: db)
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
