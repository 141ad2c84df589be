import Foundation
import SluiceCore
import SluicePostgres
import Testing

/// The catalog snapshot read from a real database, its fingerprint, and the diff of a change
/// made behind Sluice's back (the groundwork of SPEC §4b).
@Suite struct CatalogSnapshotTests {
    @Test func theExampleSchemaIsReadAndAChangeShowsInTheDiff() async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder.examples()
            #expect(try await CLI.run(["apply", "--dir", folder.path], database: db).status == 0)
            let conn = try await db.connect()
            try await conn.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto; CREATE TYPE mood AS ENUM ('ok', 'meh')")
            let before = try await CatalogReader.snapshot(conn, excluding: "sluice")

            #expect(before.tables["sluice.revisions"] == nil, "Sluice's own tables are not part of the managed schema")
            let orders = try #require(before.tables["public.orders"])
            #expect(orders.columns.map(\.name).prefix(2) == ["id", "user_id"])
            #expect(orders.indexes["orders_user_id_idx"]?.contains("CREATE INDEX orders_user_id_idx ON public.orders") == true)
            #expect(orders.constraints.values.contains { $0.hasPrefix("FOREIGN KEY (user_id) REFERENCES users(id)") }, "\(orders.constraints)")
            #expect(Set(orders.foreignKeys.values) == ["public.users"], "\(orders.foreignKeys)")
            #expect(before.views["public.order_totals"] != nil)
            #expect(before.functions["public.touch_updated_at()"]?.contains("RETURNS trigger") == true)
            #expect(before.enums["public.mood"] == ["ok", "meh"])
            #expect(before.extensions["pgcrypto"] != nil)
            #expect(!before.functions.keys.contains { $0.contains("gen_random_uuid") }, "an extension's functions belong to the extension")
            #expect(try await CatalogReader.snapshot(conn, excluding: "sluice").fingerprint == before.fingerprint, "stable")

            try await conn.execute("""
                ALTER TABLE orders ADD COLUMN note text DEFAULT 'none';
                DROP VIEW order_totals;
                ALTER TABLE orders ALTER COLUMN amount TYPE numeric(14,2);
                ALTER TYPE mood ADD VALUE 'great';
                """)
            let after = try await CatalogReader.snapshot(conn, excluding: "sluice")
            #expect(after.fingerprint != before.fingerprint)
            let diff = SchemaDiff(from: before, to: after).changes.map(\.description)
            #expect(diff.contains("added column public.orders.note: text"), "\(diff)")
            #expect(diff.contains("altered column public.orders.amount: type numeric(12,2) → numeric(14,2)"), "\(diff)")
            #expect(diff.contains("dropped view public.order_totals"), "\(diff)")
            #expect(diff.contains("altered enum public.mood: ok, meh → ok, meh, great"), "\(diff)")
            #expect(diff.count == 4, "\(diff)")
        }
    }

    @Test func foreignKeyTargetsComeFromTheCatalogWhateverTheirNames() async throws {
        try await withTestDatabase { db in
            let conn = try await db.connect()
            try await conn.execute("""
                CREATE SCHEMA "Other Schema";
                CREATE TABLE "Odd Name" (id int PRIMARY KEY);
                CREATE TABLE "Other Schema"."REFERENCES" (id int PRIMARY KEY);
                CREATE TABLE orders (id int PRIMARY KEY,
                    a int CONSTRAINT orders_odd_fkey REFERENCES "Odd Name"(id),
                    "REFERENCES_id" int CONSTRAINT orders_other_fkey REFERENCES "Other Schema"."REFERENCES"(id));
                """)
            let snapshot = try await CatalogReader.snapshot(conn, excluding: "sluice")
            let orders = try #require(snapshot.tables["public.orders"])
            #expect(orders.foreignKeys == ["orders_odd_fkey": "public.Odd Name", "orders_other_fkey": "Other Schema.REFERENCES"])
            #expect(orders.constraints["orders_odd_fkey"] == "FOREIGN KEY (a) REFERENCES \"Odd Name\"(id)", "the definition is kept as PostgreSQL prints it")
            #expect(snapshot.tables["public.Odd Name"]?.foreignKeys == [:], "a primary key is no foreign key")
            let edges = SchemaDiagram.foreignKeys(snapshot).map { "\($0.from) -> \($0.to)" }
            #expect(edges == ["public.orders -> public.Odd Name", "public.orders -> Other Schema.REFERENCES"], "by constraint name")
        }
    }

    @Test func applyRecordsTheSchemaAndStatusShowsChangesMadeBehindItsBack() async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder.examples()
            #expect(try await CLI.run(["apply", "--dir", folder.path], database: db).status == 0)
            #expect(try await db.scalar("SELECT schema_snapshot IS NOT NULL FROM sluice.revisions WHERE version = '6'") == "t", "the newest revision carries the schema")
            let clean = try await CLI.run(["status", "--dir", folder.path], database: db)
            #expect(!clean.stdout.contains("schema drift"), "\(clean)")

            try await db.connect().execute("ALTER TABLE users ADD COLUMN nickname text; DROP VIEW order_totals")
            let drifted = try await CLI.run(["status", "--dir", folder.path, "--format", "json"], database: db)
            let json = try JSONSerialization.jsonObject(with: Data(drifted.stdout.utf8)) as? [String: Any]
            #expect((json?["schemaDrift"] as? [String]) == ["added column public.users.nickname: text", "dropped view public.order_totals"], "\(drifted)")

            // Sluice's own changes are not drift: the run records the schema it leaves.
            try await db.connect().execute("ALTER TABLE users DROP COLUMN nickname; CREATE VIEW order_totals AS SELECT user_id, sum(amount) AS total FROM orders GROUP BY user_id")
            #expect(try await CLI.run(["rollback", "--to", "5", "--yes", "--dir", folder.path], database: db).status == 0)
            let after = try await CLI.run(["status", "--dir", folder.path], database: db)
            #expect(!after.stdout.contains("schema drift"), "\(after)")
        }
    }
}
