import SluiceLint
import Testing

/// What the rehearsal counts before a statement runs, read from the parse tree.
@Suite struct DestructiveTargetTests {
    @Test func dropsTruncatesAndAlterations() {
        let targets = DestructiveTarget.find(in: """
            DROP TABLE IF EXISTS app.orders, items CASCADE;
            TRUNCATE audit;
            DROP SCHEMA old CASCADE;
            ALTER TABLE public.users DROP COLUMN nickname, ALTER COLUMN score TYPE numeric(10, 2),
              ALTER COLUMN code SET DATA TYPE varchar(5)[], ALTER COLUMN born TYPE date USING born::date;
            DROP INDEX users_email;
            CREATE TABLE keep (id int);
            """)
        #expect(targets == [
            .dropTable(schema: "app", name: "orders"),
            .dropTable(schema: nil, name: "items"),
            .truncate(schema: nil, name: "audit"),
            .dropSchema(name: "old"),
            .dropColumn(schema: "public", table: "users", column: "nickname"),
            .alterType(schema: "public", table: "users", column: "score", type: "\"pg_catalog\".\"numeric\"(10,2)", using: false),
            .alterType(schema: "public", table: "users", column: "code", type: "\"pg_catalog\".\"varchar\"(5)[]", using: false),
            .alterType(schema: "public", table: "users", column: "born", type: "\"date\"", using: true),
            .dropObject(kind: "index", name: "users_email"),
        ])
    }

    /// What `rollback` lists before it asks: every object a down drops, from the parse tree —
    /// not a guess from how the text starts (a comment, a `WITH`, a lower-case keyword or a
    /// `DROP` inside a string cannot fool it).
    @Test func whatADownDestroysInWords() {
        let sql = """
            -- Undo 0005
            DROP TRIGGER users_touch ON public.users;
            drop function touch_updated_at(), app.f(integer, text);
            DROP MATERIALIZED VIEW IF EXISTS totals;
            DROP VIEW order_totals, "Odd View";
            DROP INDEX CONCURRENTLY app.orders_user_idx;
            DROP TYPE mood;
            ALTER TABLE users DROP CONSTRAINT users_email_key, DROP COLUMN updated_at;
            WITH gone AS (SELECT 1) DELETE FROM app.order_statuses;
            TRUNCATE audit;
            DROP TABLE "Odd Name";
            SELECT 'DROP TABLE users';
            INSERT INTO log VALUES ('drop');
            """
        #expect(DestructiveTarget.find(in: sql).map(\.summary) == [
            "drops trigger users_touch on public.users",
            "drops function touch_updated_at()",
            "drops function app.f(pg_catalog.int4, text)",
            "drops materialized view totals",
            "drops view order_totals",
            "drops view Odd View",
            "drops index app.orders_user_idx",
            "drops type mood",
            "drops constraint users_email_key on users",
            "drops column users.updated_at",
            "deletes rows from app.order_statuses",
            "truncates table audit",
            "drops table Odd Name",
        ])
        #expect(DestructiveTarget.find(in: "ALTER TABLE t ALTER COLUMN c TYPE varchar(5)").map(\.summary) == ["changes the type of column t.c to pg_catalog.varchar(5)"])
    }

    @Test func quotedNamesAndUnparsableText() {
        #expect(DestructiveTarget.find(in: "DROP TABLE \"Weird\"\"Name\";") == [.dropTable(schema: nil, name: "Weird\"Name")])
        #expect(DestructiveTarget.find(in: "ALTER TABLE t ALTER COLUMN c TYPE \"my type\";") == [.alterType(schema: nil, table: "t", column: "c", type: "\"my type\"", using: false)])
        #expect(DestructiveTarget.find(in: "DROP TABLE (").isEmpty)
        #expect(DestructiveTarget.find(in: "SELECT 1").isEmpty)
    }
}
