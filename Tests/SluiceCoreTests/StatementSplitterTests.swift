import SluiceCore
import SluiceLint
import Testing

@Suite("StatementSplitter")
struct StatementSplitterTests {
    /// Each statement's text must start at the line it reports.
    private func expectTextStartsAtItsLine(_ statements: [SQLStatement], in sql: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let lines = SQLText.lines(sql)
        for s in statements {
            guard s.line >= 1, s.line <= lines.count else {
                Issue.record("line \(s.line) is outside the text", sourceLocation: sourceLocation)
                continue
            }
            let firstLine = s.text.split(separator: "\n", omittingEmptySubsequences: false)[0]
            #expect(lines[s.line - 1].contains(firstLine), "`\(firstLine)` is not on line \(s.line)", sourceLocation: sourceLocation)
        }
    }

    @Test func functionBodiesWithSemicolons() {
        let sql = """
            CREATE FUNCTION set_updated_at() RETURNS trigger AS $$
            BEGIN
                NEW.updated_at = now();
                RETURN NEW;
            END;
            $$ LANGUAGE plpgsql;

            CREATE TRIGGER users_updated_at BEFORE UPDATE ON users
                FOR EACH ROW EXECUTE FUNCTION set_updated_at();

            """
        let statements = StatementSplitter.split(sql)
        #expect(statements.count == 2)
        #expect(statements.first?.text == """
            CREATE FUNCTION set_updated_at() RETURNS trigger AS $$
            BEGIN
                NEW.updated_at = now();
                RETURN NEW;
            END;
            $$ LANGUAGE plpgsql
            """)
        #expect(statements.last?.text == "CREATE TRIGGER users_updated_at BEFORE UPDATE ON users\n    FOR EACH ROW EXECUTE FUNCTION set_updated_at()")
        #expect(statements.map(\.line) == [1, 8])
    }

    @Test func taggedDollarQuotes() {
        let sql = "CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $body$ BEGIN RETURN 'a;$$;b'; END; $body$;\nSELECT f();\n"
        let statements = StatementSplitter.split(sql)
        #expect(statements.map(\.text) == ["CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $body$ BEGIN RETURN 'a;$$;b'; END; $body$", "SELECT f()"])
        #expect(statements.map(\.line) == [1, 2])
    }

    @Test func doBlock() {
        let sql = """
            DO $$
            BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN
                CREATE TYPE mood AS ENUM ('sad', 'ok');
              END IF;
            END
            $$;
            ALTER TABLE people ADD COLUMN current_mood mood;
            """
        let statements = StatementSplitter.split(sql)
        #expect(statements.count == 2)
        #expect(statements.first?.text.hasPrefix("DO $$") == true)
        #expect(statements.first?.text.hasSuffix("END\n$$") == true)
        #expect(statements.last?.text == "ALTER TABLE people ADD COLUMN current_mood mood")
        #expect(statements.map(\.line) == [1, 8])
    }

    @Test func beginAtomicBody() {
        let sql = "CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT a + b;\nEND;\nSELECT add(1, 2);\n"
        let statements = StatementSplitter.split(sql)
        #expect(statements.count == 2)
        #expect(statements.last?.text == "SELECT add(1, 2)")
        #expect(statements.last?.line == 5)
    }

    @Test func commentsWithSemicolons() {
        let sql = """
            -- create the table; then index it
            CREATE TABLE a (id int); /* not; a; statement */
            CREATE INDEX a_id_idx ON a (id); -- trailing; comment
            """
        let statements = StatementSplitter.split(sql)
        #expect(statements.count == 2)
        #expect(statements.first?.text.contains("CREATE TABLE a (id int)") == true)
        #expect(statements.last?.text.contains("CREATE INDEX a_id_idx ON a (id)") == true)
        #expect(statements.allSatisfy { !$0.text.hasSuffix(";") })
        expectTextStartsAtItsLine(statements, in: sql)
    }

    @Test func stringLiteralsWithSemicolons() {
        let sql = "INSERT INTO settings (k, v) VALUES ('sep', ';'), ('x', 'a;b');\nINSERT INTO t VALUES (E'it''s;\\n');\nSELECT \"odd;name\" FROM t;\n"
        let statements = StatementSplitter.split(sql)
        #expect(statements.map(\.text) == [
            "INSERT INTO settings (k, v) VALUES ('sep', ';'), ('x', 'a;b')",
            "INSERT INTO t VALUES (E'it''s;\\n')",
            "SELECT \"odd;name\" FROM t",
        ])
        #expect(statements.map(\.line) == [1, 2, 3])
    }

    @Test func linesAcrossMultiLineStatements() {
        let sql = """


            CREATE TABLE orders (
                id bigserial PRIMARY KEY,
                user_id bigint NOT NULL
            );

            CREATE INDEX orders_user_id_idx
                ON orders (user_id);
            ALTER TABLE orders ADD COLUMN total numeric; ALTER TABLE orders ADD COLUMN note text;


            INSERT INTO orders (user_id)
            VALUES (1),
                   (2);
            """
        let statements = StatementSplitter.split(sql)
        #expect(statements.map(\.line) == [3, 8, 10, 10, 13])
        #expect(statements[3].text == "ALTER TABLE orders ADD COLUMN note text")
        #expect(statements[4].text == "INSERT INTO orders (user_id)\nVALUES (1),\n       (2)")
        expectTextStartsAtItsLine(statements, in: sql)
    }

    @Test func linesCountBytesNotCharactersCorrectly() {
        let sql = "INSERT INTO t VALUES ('héllo; wörld 🎉');\nSELECT 'ünïcode';\n\nSELECT 3;"
        let statements = StatementSplitter.split(sql)
        #expect(statements.map(\.text) == ["INSERT INTO t VALUES ('héllo; wörld 🎉')", "SELECT 'ünïcode'", "SELECT 3"])
        #expect(statements.map(\.line) == [1, 2, 4])
    }

    @Test func linesWithCRLF() {
        let sql = "CREATE TABLE a (\r\n  id int\r\n);\r\nCREATE TABLE b (id int);\r\n"
        let statements = StatementSplitter.split(sql)
        #expect(statements.map(\.line) == [1, 4])
        #expect(statements.last?.text == "CREATE TABLE b (id int)")
    }

    @Test("trailing comments and blank text add no statement", arguments: [
        ("SELECT 1;\n-- the end\n", 1),
        ("SELECT 1;\n/* the end; really */\n\n", 1),
        ("SELECT 1;\n\n   \n", 1),
        ("SELECT 1;;\n", 1),
        ("", 0),
        ("   \n\n", 0),
        ("-- only a comment; nothing else\n", 0),
        ("/* block */ -- and line\n", 0),
    ])
    func noExtraStatements(_ sql: String, _ count: Int) {
        #expect(StatementSplitter.split(sql).count == count)
    }

    @Test func lastStatementWithoutSemicolon() {
        let statements = StatementSplitter.split("SELECT 1;\nSELECT 2")
        #expect(statements.map(\.text) == ["SELECT 1", "SELECT 2"])
        #expect(statements.map(\.line) == [1, 2])
    }

    @Test func syntaxErrorsStillSplit() {
        let sql = "CREATE TABLE a (id int);\nCREATE TABEL b (id int);\nINSERT INTO a VALUES (';');\n"
        let statements = StatementSplitter.split(sql)
        #expect(statements.map(\.text) == ["CREATE TABLE a (id int)", "CREATE TABEL b (id int)", "INSERT INTO a VALUES (';')"])
        #expect(statements.map(\.line) == [1, 2, 3])
    }

    @Test func syntaxErrorsKeepDollarBodiesWhole() {
        let sql = "CREATE TABEL a (id int);\nCREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN PERFORM 1; END $$;\nSELECT 2;"
        let statements = StatementSplitter.split(sql)
        #expect(statements.map(\.text) == [
            "CREATE TABEL a (id int)",
            "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN PERFORM 1; END $$",
            "SELECT 2",
        ])
        #expect(statements.map(\.line) == [1, 2, 3])
    }

    @Test func aMistypedStatementIsNotDropped() {
        // A statement with no SQL keyword in it (a typo in its only keyword) must still reach the
        // server, which reports the real error; dropping it would let a no-transaction migration
        // be recorded as applied without ever running it.
        let statements = StatementSplitter.split("SELEC 1;\nSELECT 2;\n")
        #expect(statements.map(\.text) == ["SELEC 1", "SELECT 2"])
        #expect(statements.map(\.line) == [1, 2])
        #expect(StatementSplitter.split("VACUM;").map(\.text) == ["VACUM"])
    }

    @Test func hashIsTheSHA256OfTheText() {
        let statements = StatementSplitter.split("SELECT 1;\n  SELECT 2;")
        #expect(statements.map(\.hash) == [Checksum.sha256("SELECT 1"), Checksum.sha256("SELECT 2")])
    }

    @Test func goldenSectionFromAGooseFile() throws {
        let folder = try Folders.parse(Folders.entries(["00001_set_updated_at.sql": FolderParserLayoutTests.gooseFunction]))
        let up = try #require(folder.migrations.first).up
        let statements = StatementSplitter.split(up.sql)
        #expect(statements.count == 1, "StatementBegin/End wrap one statement")
        let statement = try #require(statements.first)
        #expect(statement.text.contains("$$ LANGUAGE plpgsql"))
        #expect(up.lineOffset + statement.line <= 3, "the statement starts at or before its CREATE line")
    }

    @Test func parserVersionIsKnown() {
        #expect(!StatementSplitter.parserVersion.isEmpty)
    }
}
