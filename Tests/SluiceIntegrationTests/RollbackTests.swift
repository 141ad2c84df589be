import Foundation
import Testing

/// `rollback --to`, holds, `release`, `baseline`, lock-timeout retries.
@Suite struct RollbackTests {
    @Test func rollbackRunsRecordedDownsNewestFirstAndHolds() async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder.examples()
            #expect(try await CLI.run(["apply", "--dir", folder.path], database: db).status == 0)
            // The recorded down runs, not the file: deleting the file must not matter.
            try folder.remove("0005_users_updated_at.down.sql")
            try folder.write("0005_users_updated_at.down.sql", "SELECT 1/0;")
            #expect(try await CLI.run(["hash", "--dir", folder.path]).status == 0)

            let dry = try await CLI.run(["rollback", "--to", "2", "--dry-run", "--dir", folder.path], database: db)
            #expect(dry.status == 0, "\(dry)")
            for drop in ["drops view order_totals", "drops trigger users_touch_updated_at on users", "drops function touch_updated_at()",
                         "drops column users.updated_at", "drops index orders_user_id_idx", "drops table order_statuses"] {
                #expect(dry.stdout.contains("       \(drop)\n"), "lists what each down drops: \(dry)")
            }
            #expect(try await db.count("SELECT count(*) FROM sluice.revisions") == 6)

            let result = try await CLI.run(["rollback", "--to", "2", "--yes", "--reason", "bad deploy", "--dir", folder.path], database: db)
            #expect(result.status == 0, "\(result)")
            let order = result.stdout.split(separator: "\n").filter { $0.hasPrefix("[") }.map { String($0.split(separator: " ")[2]) }
            #expect(order == ["0006_seed_order_statuses", "0005_users_updated_at", "0004_create_order_totals_view", "0003_index_orders_user_id"])
            #expect(try await db.count("SELECT count(*) FROM sluice.revisions") == 2)
            #expect(try await db.scalar("SELECT string_agg(version || ':' || reason, ',' ORDER BY version) FROM sluice.holds") == "3:bad deploy,4:bad deploy,5:bad deploy,6:bad deploy")
            #expect(try await !db.tableExists("order_statuses"))

            let apply = try await CLI.run(["apply", "--dir", folder.path], database: db)
            #expect(apply.status == 0)
            #expect(apply.stdout.contains("held, skipped: 0003"))
            #expect(try await db.count("SELECT count(*) FROM sluice.revisions") == 2)

            #expect(try await CLI.run(["release", "3", "4"], database: db).status == 0)
            #expect(try await CLI.run(["release", "9"], database: db).status == 2)
            #expect(try await CLI.run(["apply", "--dir", folder.path], database: db).status == 0)
            #expect(try await db.count("SELECT count(*) FROM sluice.revisions") == 4)
            #expect(try await CLI.run(["release", "--all"], database: db).status == 0)
            let last = try await CLI.run(["apply", "--dir", folder.path], database: db)
            #expect(last.status == 0, "\(last)")
            #expect(try await db.count("SELECT count(*) FROM sluice.revisions") == 6)
        }
    }

    @Test func aChangedHeldFileLiftsItsHold() async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder.tables(1...2)
            #expect(try await CLI.run(["apply", "--dir", folder.path], database: db).status == 0)
            #expect(try await CLI.run(["rollback", "--to", "1", "--yes", "--dir", folder.path], database: db).status == 0)
            try folder.write("0002_t2.up.sql", "CREATE TABLE t2 (id int PRIMARY KEY, fixed bool);\n")
            let result = try await CLI.run(["apply", "--dir", folder.path], database: db)
            #expect(result.status == 0, "\(result)")
            #expect(try await db.count("SELECT count(*) FROM information_schema.columns WHERE table_name = 't2' AND column_name = 'fixed'") == 1)
            #expect(try await db.count("SELECT count(*) FROM sluice.holds") == 0)
        }
    }

    @Test func rollbackPastAnIrreversibleMigrationIsRefused() async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder.tables(1...1, extra: [
                "0002_data.up.sql": "-- sluice:irreversible\nCREATE TABLE gone (id int);\n",
                "0003_t3.up.sql": "CREATE TABLE t3 (id int);", "0003_t3.down.sql": "DROP TABLE t3;",
            ])
            #expect(try await CLI.run(["apply", "--dir", folder.path], database: db).status == 0)
            let refused = try await CLI.run(["rollback", "--to", "1", "--yes", "--dir", folder.path], database: db)
            #expect(refused.status == 3, "\(refused)")
            #expect(refused.stderr.contains("irreversible"))
            #expect(try await db.tableExists("t3"), "a refused rollback runs no down at all")
            #expect(try await CLI.run(["rollback", "--to", "2", "--yes", "--dir", folder.path], database: db).status == 0)
            #expect(try await !db.tableExists("t3"))
        }
    }

    @Test func rollbackWithoutYesOffATerminalIsRefused() async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder.tables(1...2)
            #expect(try await CLI.run(["apply", "--dir", folder.path], database: db).status == 0)
            let result = try await CLI.run(["rollback", "--to", "1", "--dir", folder.path], database: db)
            #expect(result.status == 2, "\(result)")
            #expect(result.stderr.contains("--yes"))
            #expect(try await db.tableExists("t2"))
        }
    }

    @Test func baselineAdoptsAnExistingDatabase() async throws {
        try await withTestDatabase { db in
            try await db.connect().execute("CREATE TABLE t1 (id int PRIMARY KEY); CREATE TABLE t2 (id int PRIMARY KEY);")
            let folder = try TempFolder.tables(1...3)
            let baseline = try await CLI.run(["baseline", "2", "--dir", folder.path], database: db)
            #expect(baseline.status == 0, "\(baseline)")
            let apply = try await CLI.run(["apply", "--dir", folder.path], database: db)
            #expect(apply.status == 0, "\(apply)")
            #expect(apply.stdout.contains("[1/1] apply 0003_t3"))
            let refused = try await CLI.run(["rollback", "--to", "1", "--yes", "--dir", folder.path], database: db)
            #expect(refused.status == 3, "\(refused)")
            #expect(refused.stderr.contains("baseline"))
            #expect(try await CLI.run(["baseline", "2", "--dir", folder.path], database: db).status == 3, "baseline twice is refused")
        }
    }

    @Test func aLockTimeoutIsRetriedThenFailsCleanly() async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder.tables(1...1)
            #expect(try await CLI.run(["apply", "--dir", folder.path], database: db).status == 0)
            try folder.write("0002_alter.up.sql", "-- sluice:lock-timeout 200ms\nALTER TABLE t1 ADD COLUMN c int;\n")
            try folder.write("0002_alter.down.sql", "ALTER TABLE t1 DROP COLUMN c;\n")
            let blocker = try await db.connect()
            try await blocker.execute("BEGIN; LOCK TABLE t1 IN ACCESS SHARE MODE")
            let failed = try await CLI.run(["apply", "--dir", folder.path], database: db, env: ["SLUICE_DATABASE_LOCK_RETRIES": "1"])
            #expect(failed.status == 1, "\(failed)")
            #expect(failed.stderr.contains("55P03"))
            #expect(failed.stdout.contains("retry 1"))

            let running = try CLI.start(["apply", "--dir", folder.path], database: db, env: ["SLUICE_DATABASE_LOCK_RETRIES": "3"])
            try await Task.sleep(for: .milliseconds(700))
            try await blocker.execute("COMMIT")
            let succeeded = try await CLI.finish(running)
            #expect(succeeded.status == 0, "\(succeeded)")
            #expect(try await db.count("SELECT count(*) FROM information_schema.columns WHERE table_name = 't1' AND column_name = 'c'") == 1)
        }
    }
}
