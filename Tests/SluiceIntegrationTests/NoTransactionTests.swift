import Foundation
import Testing

/// `-- sluice:no-transaction`: dirty state, progress, resume, refusal and `resolve` (SPEC §5).
@Suite struct NoTransactionTests {
    let header = "-- sluice:no-transaction\n"

    @Test func aFailedStatementLeavesItDirtyAndAFixedFileResumesThere() async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder.tables(1...1, extra: [
                "0002_idx.up.sql": header + "CREATE INDEX CONCURRENTLY IF NOT EXISTS t1_a ON t1 (id);\nCREATE INDEX CONCURRENTLY t1_b ON t1 (nosuchcolumn);\nCREATE TABLE after_idx (id int);\n",
                "0002_idx.down.sql": header + "DROP INDEX CONCURRENTLY IF EXISTS t1_b;\nDROP INDEX CONCURRENTLY IF EXISTS t1_a;\nDROP TABLE IF EXISTS after_idx;\n",
            ])
            let failed = try await CLI.run(["apply", "--dir", folder.path], database: db)
            #expect(failed.status == 1, "\(failed)")
            #expect(failed.stderr.contains("0002_idx.up.sql:3"), "\(failed)")
            #expect(failed.stderr.contains("42703"))
            #expect(try await db.scalar("SELECT state || ' ' || statements_done || '/' || cardinality(statement_hashes) FROM sluice.revisions WHERE version = '2'") == "dirty 1/3")
            #expect(try await CLI.run(["status", "--dir", folder.path], database: db).stdout.contains("DIRTY 1/3"))
            #expect(try await CLI.run(["rollback", "--to", "0", "--yes", "--dir", folder.path], database: db).status == 3, "rollback refuses while dirty")

            try folder.write("0002_idx.up.sql", header + "CREATE INDEX CONCURRENTLY IF NOT EXISTS t1_a ON t1 (id);\nCREATE INDEX CONCURRENTLY t1_b ON t1 (id);\nCREATE TABLE after_idx (id int);\n")
            let resumed = try await CLI.run(["apply", "--dir", folder.path], database: db)
            #expect(resumed.status == 0, "\(resumed)")
            #expect(resumed.stdout.contains("resume 0002_idx"))
            #expect(try await db.scalar("SELECT state || ' ' || statements_done FROM sluice.revisions WHERE version = '2'") == "applied 3")
            #expect(try await db.tableExists("t1_b"))
            #expect(try await db.tableExists("after_idx"))

            let down = try await CLI.run(["rollback", "--to", "1", "--yes", "--dir", folder.path], database: db)
            #expect(down.status == 0, "\(down)")
            #expect(try await !db.tableExists("t1_a"))
        }
    }

    @Test func changedFinishedStatementsAreRefusedUntilResolve() async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder.tables(1...1, extra: [
                "0002_idx.up.sql": header + "CREATE INDEX CONCURRENTLY t1_a ON t1 (id);\nSELECT nosuchfunction();\n",
                "0002_idx.down.sql": header + "DROP INDEX CONCURRENTLY IF EXISTS t1_a;\n",
            ])
            #expect(try await CLI.run(["apply", "--dir", folder.path], database: db).status == 1)
            try folder.write("0002_idx.up.sql", header + "CREATE INDEX CONCURRENTLY t1_other ON t1 (id);\nSELECT 1;\n")
            let refused = try await CLI.run(["apply", "--dir", folder.path], database: db)
            #expect(refused.status == 3, "\(refused)")
            #expect(refused.stderr.contains("sluice resolve 2"))

            let notDirty = try await CLI.run(["resolve", "1", "--mark", "applied"], database: db)
            #expect(notDirty.status == 2, "\(notDirty)")
            let resolved = try await CLI.run(["resolve", "2", "--mark", "reverted"], database: db)
            #expect(resolved.status == 0, "\(resolved)")
            try await db.connect().execute("DROP INDEX t1_a")
            let after = try await CLI.run(["apply", "--dir", folder.path], database: db)
            #expect(after.status == 0, "\(after)")
            #expect(try await db.tableExists("t1_other"))
            #expect(try await db.count("SELECT count(*) FROM sluice.events WHERE kind = 'resolve'") == 1)
        }
    }

    @Test func concurrentlyInsideATransactionFailsCleanly() async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder.tables(1...1, extra: [
                "0002_idx.up.sql": "CREATE INDEX CONCURRENTLY t1_a ON t1 (id);\n",
                "0002_idx.down.sql": "DROP INDEX t1_a;\n",
            ])
            let result = try await CLI.run(["apply", "--dir", folder.path], database: db)
            #expect(result.status == 1, "\(result)")
            #expect(result.stderr.contains("25001"), "active_sql_transaction: \(result)")
            #expect(try await db.count("SELECT count(*) FROM sluice.revisions") == 1)
        }
    }
}
