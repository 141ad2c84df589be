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
        ])
    }

    @Test func quotedNamesAndUnparsableText() {
        #expect(DestructiveTarget.find(in: "DROP TABLE \"Weird\"\"Name\";") == [.dropTable(schema: nil, name: "Weird\"Name")])
        #expect(DestructiveTarget.find(in: "ALTER TABLE t ALTER COLUMN c TYPE \"my type\";") == [.alterType(schema: nil, table: "t", column: "c", type: "\"my type\"", using: false)])
        #expect(DestructiveTarget.find(in: "DROP TABLE (").isEmpty)
        #expect(DestructiveTarget.find(in: "SELECT 1").isEmpty)
    }
}
