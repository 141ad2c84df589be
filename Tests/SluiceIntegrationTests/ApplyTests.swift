import Foundation
import Testing

/// `sluice apply / plan / status / history` end to end through the binary.
@Suite struct ApplyTests {
    @Test func appliesTheExampleFolderThenDoesNothing() async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder.examples()
            let plan = try await CLI.run(["plan", "--dir", folder.path], database: db)
            #expect(plan.status == 0, "\(plan)")
            #expect(plan.stdout.contains("apply 0001_create_users"))

            let first = try await CLI.run(["apply", "--dir", folder.path], database: db)
            #expect(first.status == 0, "\(first)")
            #expect(first.stdout.contains("[3/6] apply 0003_index_orders_user_id"))
            #expect(try await db.count("SELECT count(*) FROM sluice.revisions WHERE state = 'applied'") == 6)
            #expect(try await db.count("SELECT count(*) FROM sluice.revisions WHERE down_sql IS NULL") == 0)
            #expect(try await db.tableExists("orders"))
            #expect(try await db.scalar("SELECT indisvalid FROM pg_index WHERE indexrelid = 'orders_user_id_idx'::regclass") == "t")
            #expect(try await db.count("SELECT count(*) FROM order_statuses") > 0)

            let again = try await CLI.run(["apply", "--dir", folder.path], database: db)
            #expect(again.status == 0)
            #expect(again.stdout.contains("nothing to apply"))
            #expect(try await db.count("SELECT count(*) FROM sluice.events WHERE kind = 'apply'") == 1)

            let status = try await CLI.run(["status", "--dir", folder.path, "--format", "json"], database: db)
            #expect(status.status == 0)
            let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
            #expect((json?["applied"] as? [Any])?.count == 6)
            #expect((json?["pending"] as? [Any])?.count == 0)

            let history = try await CLI.run(["history", "--limit", "5", "--format", "json"], database: db)
            let events = try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]]
            #expect(events?.first?["kind"] as? String == "apply")
            #expect((events?.first?["versions"] as? [String]) == ["1", "2", "3", "4", "5", "6"])
        }
    }

    @Test func recordsTheDownAsAppliedAndWhoAppliedIt() async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder.tables(1...2)
            #expect(try await CLI.run(["apply", "--dir", folder.path], database: db).status == 0)
            let conn = try await db.connect()
            let row = try await conn.query("SELECT down_sql, checksum, applied_by_user, applied_by_role, applied_by_host, file FROM sluice.revisions WHERE version = '2'").records[0]
            #expect(row["down_sql"] == "DROP TABLE t2;\n")
            #expect(row.string("checksum").count == 64)
            #expect(row.string("applied_by_role") == "postgres")
            #expect(!row.string("applied_by_host").isEmpty)
            #expect(row["file"] == "0002_t2.up.sql")
        }
    }

    @Test func everyStateTableAndColumnHasAComment() async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder.tables(1...1)
            #expect(try await CLI.run(["apply", "--dir", folder.path], database: db).status == 0)
            let missing = try await db.connect().query("""
                SELECT c.relname || '.' || coalesce(a.attname, '') FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'sluice'
                LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                WHERE c.relkind = 'r' AND obj_description(c.oid, 'pg_class') IS NULL
                   OR (c.relkind = 'r' AND a.attnum IS NOT NULL AND col_description(c.oid, a.attnum) IS NULL)
                """)
            #expect(missing.rows.isEmpty, "uncommented: \(missing.rows)")
            #expect(try await db.count("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'sluice' AND c.relkind = 'r'") == 6)
        }
    }

    @Test func aQuotedCustomSchemaWorks() async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder.tables(1...2)
            let env = ["SLUICE_DATABASE_SCHEMA": "Migr\"ation State"]
            let result = try await CLI.run(["apply", "--dir", folder.path], database: db, env: env)
            #expect(result.status == 0, "\(result)")
            #expect(try await db.count("SELECT count(*) FROM \"Migr\"\"ation State\".revisions") == 2)
            #expect(try await CLI.run(["status", "--dir", folder.path], database: db, env: env).stdout.contains("pending:  0"))
        }
    }

    @Test func aSyntaxErrorNamesFileLineAndSQLStateAndKeepsEarlierMigrations() async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder.tables(1...1, extra: [
                "0002_broken.up.sql": "-- a comment line\nCREATE TABLE half (id int);\nCREATE TABLE oops (id int,,);\n",
                "0002_broken.down.sql": "DROP TABLE oops; DROP TABLE half;\n",
                "0003_later.up.sql": "CREATE TABLE later (id int);\n",
                "0003_later.down.sql": "DROP TABLE later;\n",
            ])
            let result = try await CLI.run(["apply", "--dir", folder.path], database: db)
            #expect(result.status == 1, "\(result)")
            #expect(result.stderr.contains("0002_broken.up.sql:3"), "\(result)")
            #expect(result.stderr.contains("42601"))
            #expect(try await db.tableExists("t1"))
            #expect(try await !db.tableExists("half"), "the failing migration's transaction was rolled back")
            #expect(try await !db.tableExists("later"), "the plan stops at the failure")
            #expect(try await db.count("SELECT count(*) FROM sluice.revisions") == 1)
            #expect(try await db.scalar("SELECT error->>'sqlstate' FROM sluice.events WHERE kind = 'failure'") == "42601")
        }
    }

    @Test func driftIsRefusedNamingTheFile() async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder.tables(1...2)
            #expect(try await CLI.run(["apply", "--dir", folder.path], database: db).status == 0)
            try folder.write("0002_t2.up.sql", "CREATE TABLE t2 (id bigint PRIMARY KEY);\n")
            try folder.write("0003_t3.up.sql", "CREATE TABLE t3 (id int);\n")
            try folder.write("0003_t3.down.sql", "DROP TABLE t3;\n")
            let result = try await CLI.run(["apply", "--dir", folder.path], database: db)
            #expect(result.status == 3, "\(result)")
            #expect(result.stderr.contains("0002_t2.up.sql"))
            #expect(result.stderr.contains("drift"))
            #expect(try await !db.tableExists("t3"), "a refused plan touches nothing")
            let status = try await CLI.run(["status", "--dir", folder.path], database: db)
            #expect(status.stdout.contains("drifted:  1"))
        }
    }

    @Test func outOfOrderIsRefusedUnlessAllowed() async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder.tables(1...1, extra: ["0003_t3.up.sql": "CREATE TABLE t3 (id int);", "0003_t3.down.sql": "DROP TABLE t3;"])
            #expect(try await CLI.run(["apply", "--dir", folder.path], database: db).status == 0)
            try folder.write("0002_t2.up.sql", "CREATE TABLE t2 (id int);")
            try folder.write("0002_t2.down.sql", "DROP TABLE t2;")
            let refused = try await CLI.run(["apply", "--dir", folder.path], database: db)
            #expect(refused.status == 3, "\(refused)")
            #expect(refused.stderr.contains("0002_t2.up.sql"))
            #expect(refused.stderr.contains("out-of-order"))
            let allowed = try await CLI.run(["apply", "--dir", folder.path], database: db, env: ["SLUICE_POLICY_OUT_OF_ORDER": "allow"])
            #expect(allowed.status == 0, "\(allowed)")
            #expect(try await db.tableExists("t2"))
        }
    }

    @Test func dryRunChangesNothing() async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder.tables(1...3)
            let result = try await CLI.run(["apply", "--dry-run", "--dir", folder.path, "--format", "json"], database: db)
            #expect(result.status == 0, "\(result)")
            let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            #expect((json?["plan"] as? [Any])?.count == 3)
            #expect(try await db.scalar("SELECT to_regnamespace('sluice') IS NULL") == "t", "dry run creates nothing, not even Sluice's schema")
        }
    }

    @Test func flywayRepeatablesRunAfterVersionsAndAgainWhenChanged() async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder([
                "V1__users.sql": "CREATE TABLE users (id int, name text);",
                "V1.10__more.sql": "ALTER TABLE users ADD COLUMN c2 int;",
                "V1.9__less.sql": "ALTER TABLE users ADD COLUMN c1 int;",
                "R__views.sql": "CREATE OR REPLACE VIEW user_names AS SELECT name FROM users;",
                "README.md": "# not a migration",
            ])
            let env = ["SLUICE_POLICY_REQUIRE_DOWN": "false"]
            let first = try await CLI.run(["apply", "--dir", folder.path], database: db, env: env)
            #expect(first.status == 0, "\(first)")
            #expect(first.stdout.contains("[2/4] apply V1.9__less"))
            #expect(first.stdout.contains("[3/4] apply V1.10__more"))
            #expect(first.stdout.contains("[4/4] repeatable R__views"))
            #expect(try await CLI.run(["apply", "--dir", folder.path], database: db, env: env).stdout.contains("nothing to apply"))
            try folder.write("R__views.sql", "CREATE OR REPLACE VIEW user_names AS SELECT name, c1 FROM users;")
            let second = try await CLI.run(["apply", "--dir", folder.path], database: db, env: env)
            #expect(second.stdout.contains("[1/1] repeatable R__views"), "\(second)")
            #expect(try await db.count("SELECT count(*) FROM information_schema.columns WHERE table_name = 'user_names'") == 2)
            let rollback = try await CLI.run(["rollback", "--to", "1", "--yes", "--dir", folder.path], database: db, env: env)
            #expect(rollback.status == 3, "Flyway folders without downs are irreversible: \(rollback)")
        }
    }

    @Test func dbmateAndGooseFilesApply() async throws {
        try await withTestDatabase { db in
            let dbmate = try TempFolder([
                "20240101120000_users.sql": "-- migrate:up\nCREATE TABLE users (id int);\n\n-- migrate:down\nDROP TABLE users;\n",
                "20240102120000_idx.sql": "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY users_id ON users (id);\n-- migrate:down\nDROP INDEX users_id;\n",
            ])
            let result = try await CLI.run(["apply", "--dir", dbmate.path], database: db)
            #expect(result.status == 0, "\(result)")
            #expect(try await db.tableExists("users_id"))
            let goose = try TempFolder([
                "00001_fn.sql": """
                    -- +goose Up
                    -- +goose StatementBegin
                    CREATE FUNCTION add_one(i int) RETURNS int AS $$
                    BEGIN
                      RETURN i + 1;
                    END;
                    $$ LANGUAGE plpgsql;
                    -- +goose StatementEnd

                    -- +goose Down
                    DROP FUNCTION add_one(int);
                    """,
            ])
            let schemaEnv = ["SLUICE_DATABASE_SCHEMA": "goose_state"]
            let gooseResult = try await CLI.run(["apply", "--dir", goose.path], database: db, env: schemaEnv)
            #expect(gooseResult.status == 0, "\(gooseResult)")
            #expect(try await db.scalar("SELECT add_one(41)") == "42")
            #expect(try await CLI.run(["rollback", "--to", "0", "--yes", "--dir", goose.path], database: db, env: schemaEnv).status == 0)
            #expect(try await db.scalar("SELECT to_regprocedure('add_one(int)') IS NULL") == "t")
        }
    }

    @Test func aWrappingBeginCommitIsAbsorbedAndAStrayCommitIsRefused() async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder.tables(1...1, extra: [
                "0002_wrapped.up.sql": "BEGIN;\nCREATE TABLE wrapped (id int);\nCOMMIT;\n",
                "0002_wrapped.down.sql": "begin;\nDROP TABLE wrapped;\ncommit;\n",
                "0003_wrapped_fail.up.sql": "BEGIN;\nCREATE TABLE half (id int);\nSELECT 1/0;\nCOMMIT;\n",
                "0003_wrapped_fail.down.sql": "DROP TABLE half;\n",
            ])
            let result = try await CLI.run(["apply", "--dir", folder.path], database: db)
            #expect(result.status == 1, "\(result)")
            #expect(result.stderr.contains("0003_wrapped_fail.up.sql:3"), "\(result)")
            #expect(try await db.tableExists("wrapped"))
            #expect(try await !db.tableExists("half"), "the wrapped migration rolled back as a whole")
            #expect(try await db.count("SELECT count(*) FROM sluice.revisions") == 2)

            let stray = try TempFolder.tables(1...1, extra: [
                "0002_stray.up.sql": "CREATE TABLE a (id int);\nCOMMIT;\nCREATE TABLE b (id int);\n",
                "0002_stray.down.sql": "DROP TABLE b; DROP TABLE a;\n",
            ])
            let env = ["SLUICE_DATABASE_SCHEMA": "other_state"]
            let refused = try await CLI.run(["apply", "--dir", stray.path], database: db, env: env)
            #expect(refused.status == 2, "\(refused)")
            #expect(refused.stderr.contains("0002_stray.up.sql:2"))
            #expect(try await db.scalar("SELECT count(*) FROM other_state.revisions") == "0", "bad input stops the plan before its first migration")
            #expect(try await !db.tableExists("a"))
        }
    }

    @Test func newCreatesTheNextVersionAndKeepsTheSumCurrent() async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder.tables(6...7)
            #expect(try await CLI.run(["hash", "--dir", folder.path]).status == 0)
            let created = try await CLI.run(["new", "Add orders index", "--dir", folder.path])
            #expect(created.status == 0, "\(created)")
            #expect(created.stdout.contains("0008_add_orders_index.up.sql"))
            #expect(created.stdout.contains("0008_add_orders_index.down.sql"))
            let plan = try await CLI.run(["plan", "--dir", folder.path], database: db)
            #expect(plan.status == 0, "the sum still matches: \(plan)")
            #expect(plan.stdout.contains("apply 0008_add_orders_index"))
        }
    }
}
