import SluiceCore
import Testing

@Suite("FolderParser: the layouts of SPEC §1")
struct FolderParserLayoutTests {
    // MARK: golang-migrate

    static let createUsersUp = """
        CREATE TABLE users (
            id bigserial PRIMARY KEY,
            email text NOT NULL UNIQUE,
            created_at timestamptz NOT NULL DEFAULT now()
        );

        """
    static let createUsersDown = "DROP TABLE IF EXISTS users;\n"

    @Test func golangMigratePairs() throws {
        let folder = try Folders.parse(Folders.entries([
            "000002_add_orders.down.sql": "DROP TABLE IF EXISTS orders;\n",
            "000001_create_users.up.sql": Self.createUsersUp,
            "000002_add_orders.up.sql": "CREATE TABLE orders (id bigserial PRIMARY KEY, user_id bigint NOT NULL REFERENCES users);\n",
            "000001_create_users.down.sql": Self.createUsersDown,
        ]))
        #expect(folder.layout == .paired)
        #expect(folder.migrations.map(\.version.canonical) == ["1", "2"])
        #expect(folder.migrations.map(\.title) == ["create_users", "add_orders"])
        #expect(folder.migrations.map(\.name) == ["000001_create_users", "000002_add_orders"])
        let users = try #require(folder.migrations.first)
        #expect(users.layout == .paired)
        #expect(users.file == "000001_create_users.up.sql")
        #expect(users.up.sql == Self.createUsersUp)
        #expect(users.up.lineOffset == 0)
        #expect(users.up.directives == Directives())
        let down = try #require(users.down)
        #expect(down.file == "000001_create_users.down.sql")
        #expect(down.sql == Self.createUsersDown)
        #expect(!down.isEmpty)
        #expect(!users.isIrreversible)
        #expect(users.checksum == Checksum.sha256(Self.createUsersUp))
        #expect(folder.fileChecksums.count == 4)
        #expect(folder.fileChecksums["000001_create_users.down.sql"] == Checksum.sha256(Self.createUsersDown))
        #expect(folder.ignored.isEmpty)
        #expect(folder.repeatables.isEmpty)
        #expect(folder.sum == nil)
        #expect(folder.migration(Version.v("1"))?.title == "create_users")
    }

    @Test func timestampVersionsSortAsIntegers() throws {
        let folder = try Folders.parse(Folders.entries([
            "20261124093000_b.up.sql": "SELECT 2;", "20261124093000_b.down.sql": "SELECT 2;",
            "9_a.up.sql": "SELECT 1;", "9_a.down.sql": "SELECT 1;",
        ]))
        #expect(folder.migrations.map(\.version.text) == ["9", "20261124093000"])
    }

    @Test func emptyFolder() throws {
        let folder = try Folders.parse([])
        #expect(folder.layout == nil)
        #expect(folder.migrations.isEmpty)
    }

    // MARK: dbmate

    static let dbmateUsers = """
        -- migrate:up
        create table users (
          id integer,
          name varchar(255)
        );

        -- migrate:down
        drop table users;

        """

    @Test func dbmateSingleFile() throws {
        let folder = try Folders.parse(Folders.entries([
            "20231114093000_create_users.sql": Self.dbmateUsers,
            "20231115100000_add_email.sql": "-- migrate:up\nalter table users add column email text;\n\n-- migrate:down\nalter table users drop column email;\n",
        ]))
        #expect(folder.layout == .dbmate)
        #expect(folder.migrations.map(\.version.text) == ["20231114093000", "20231115100000"])
        let users = try #require(folder.migrations.first)
        #expect(users.layout == .dbmate)
        #expect(users.title == "create_users")
        #expect(users.up.file == "20231114093000_create_users.sql")
        #expect(users.up.sql.contains("create table users"))
        #expect(!users.up.sql.contains("drop table"))
        #expect(!users.up.sql.contains("migrate:"))
        let down = try #require(users.down)
        #expect(down.file == "20231114093000_create_users.sql")
        #expect(down.sql.contains("drop table users;"))
        #expect(!down.sql.contains("create table"))
        #expect(users.checksum == Checksum.sha256(Self.dbmateUsers))
        #expect(!users.up.directives.noTransaction)
    }

    @Test func dbmateSectionLinesMapToTheFile() throws {
        let folder = try Folders.parse(Folders.entries(["20231114093000_create_users.sql": Self.dbmateUsers]))
        let users = try #require(folder.migrations.first)
        // Line 1 is `-- migrate:up`, the up SQL starts on line 2; `-- migrate:down` is line 7.
        #expect(users.up.lineOffset == 1)
        #expect(users.up.fileLine(forPosition: 1) == 2)
        #expect(fileLine(of: "name varchar", in: users.up) == 4)
        #expect(fileLine(of: ");", in: users.up) == 5)
        let down = try #require(users.down)
        #expect(down.lineOffset == 7)
        #expect(fileLine(of: "drop table", in: down) == 8)
    }

    @Test func dbmateTransactionFalseMeansNoTransaction() throws {
        let folder = try Folders.parse(Folders.entries([
            "20240102000000_index_users_email.sql": """
                -- migrate:up transaction:false
                CREATE INDEX CONCURRENTLY users_email_idx ON users (email);

                -- migrate:down
                DROP INDEX CONCURRENTLY users_email_idx;

                """,
        ]))
        let m = try #require(folder.migrations.first)
        #expect(m.up.directives.noTransaction)
        #expect(m.down?.directives.noTransaction == false)
        #expect(m.up.sql.contains("CREATE INDEX CONCURRENTLY"))
    }

    @Test func dbmateEmptyDownSectionIsANoOpDown() throws {
        let folder = try Folders.parse(Folders.entries([
            "20240103000000_seed.sql": "-- migrate:up\nINSERT INTO settings VALUES ('a', 1);\n\n-- migrate:down\n",
        ]))
        let m = try #require(folder.migrations.first)
        let down = try #require(m.down, "an empty down section is a deliberate no-op down, not a missing one")
        #expect(down.isEmpty)
        #expect(!m.isIrreversible)
    }

    // MARK: goose

    static let gooseFunction = """
        -- +goose Up
        -- +goose StatementBegin
        CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger AS $$
        BEGIN
            NEW.updated_at = now();
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql;
        -- +goose StatementEnd

        -- +goose Down
        -- +goose StatementBegin
        DROP FUNCTION IF EXISTS set_updated_at();
        -- +goose StatementEnd

        """

    @Test func gooseWithStatementBlocks() throws {
        let folder = try Folders.parse(Folders.entries([
            "00001_set_updated_at.sql": Self.gooseFunction,
            "00002_users.sql": "-- +goose Up\nCREATE TABLE users (id int);\n\n-- +goose Down\nDROP TABLE users;\n",
        ]))
        #expect(folder.layout == .goose)
        #expect(folder.migrations.map(\.version.canonical) == ["1", "2"])
        let fn = try #require(folder.migrations.first)
        #expect(fn.layout == .goose)
        #expect(fn.up.sql.contains("NEW.updated_at = now();\n    RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;"), "the whole $$ body stays in the up section")
        #expect(!fn.up.sql.contains("DROP FUNCTION"))
        #expect(fn.up.lineOffset == 1)
        #expect(fileLine(of: "CREATE OR REPLACE", in: fn.up) == 3)
        let down = try #require(fn.down)
        #expect(down.sql.contains("DROP FUNCTION IF EXISTS set_updated_at();"))
        #expect(!down.sql.contains("CREATE OR REPLACE"))
        #expect(down.lineOffset == 11)
        #expect(fileLine(of: "DROP FUNCTION", in: down) == 13)
        #expect(!fn.up.directives.noTransaction)
    }

    @Test func gooseNoTransaction() throws {
        let folder = try Folders.parse(Folders.entries([
            "20240105120000_concurrent_index.sql": """
                -- +goose NO TRANSACTION
                -- +goose Up
                CREATE INDEX CONCURRENTLY orders_user_id_idx ON orders (user_id);

                -- +goose Down
                DROP INDEX CONCURRENTLY IF EXISTS orders_user_id_idx;

                """,
        ]))
        let m = try #require(folder.migrations.first)
        #expect(m.layout == .goose)
        #expect(m.up.directives.noTransaction)
        #expect(m.down?.directives.noTransaction == true)
        #expect(!m.up.sql.contains("NO TRANSACTION"))
    }

    @Test func gooseEmptyDownSection() throws {
        let folder = try Folders.parse(Folders.entries([
            "00003_seed.sql": "-- +goose Up\nINSERT INTO roles VALUES ('admin');\n-- +goose Down\n",
        ]))
        let m = try #require(folder.migrations.first)
        let down = try #require(m.down)
        #expect(down.isEmpty)
    }

    // MARK: Flyway

    @Test func flywayVersionsRepeatablesAndUndo() throws {
        let folder = try Folders.parse(Folders.entries([
            "V1__init.sql": "CREATE TABLE users (id int);\n",
            "U1__init.sql": "DROP TABLE users;\n",
            "V1_1__add_email.sql": "ALTER TABLE users ADD COLUMN email text;\n",
            "V1.10__add_index.sql": "CREATE INDEX users_email_idx ON users (email);\n",
            "V1.9__add_name.sql": "ALTER TABLE users ADD COLUMN name text;\n",
            "V2__orders.sql": "CREATE TABLE orders (id int);\n",
            "R__views.sql": "CREATE OR REPLACE VIEW user_emails AS SELECT email FROM users;\n",
            "R__functions.sql": "CREATE OR REPLACE FUNCTION one() RETURNS int LANGUAGE sql AS 'SELECT 1';\n",
        ]), requireDown: false)
        #expect(folder.layout == .flyway)
        #expect(folder.migrations.map(\.version.text) == ["1", "1_1", "1.9", "1.10", "2"])
        #expect(folder.migrations.map(\.title) == ["init", "add_email", "add_name", "add_index", "orders"])
        let initial = try #require(folder.migrations.first)
        #expect(initial.layout == .flyway)
        #expect(initial.file == "V1__init.sql")
        #expect(initial.down?.file == "U1__init.sql")
        #expect(initial.down?.sql == "DROP TABLE users;\n")
        #expect(folder.migrations.dropFirst().allSatisfy { $0.isIrreversible }, "require_down: false — no U file means irreversible")
        #expect(folder.repeatables.map(\.title) == ["functions", "views"])
        #expect(folder.repeatables.map(\.section.file) == ["R__functions.sql", "R__views.sql"])
        #expect(folder.repeatables[1].checksum == Checksum.sha256("CREATE OR REPLACE VIEW user_emails AS SELECT email FROM users;\n"))
        #expect(folder.fileChecksums.keys.sorted() == [
            "R__functions.sql", "R__views.sql", "U1__init.sql", "V1.10__add_index.sql", "V1.9__add_name.sql", "V1_1__add_email.sql", "V1__init.sql", "V2__orders.sql",
        ])
    }

    @Test func flywayUndoMatchesAVersionWrittenDifferently() throws {
        let folder = try Folders.parse(Folders.entries([
            "V1_1__x.sql": "SELECT 1;", "U1.1__x.sql": "SELECT 2;",
        ]))
        #expect(folder.migrations.first?.down?.file == "U1.1__x.sql")
    }

    @Test func flywayMissingUndoNeedsRequireDownFalse() throws {
        let error = try #require(Folders.error(Folders.entries(["V1__init.sql": "CREATE TABLE a (id int);"])))
        #expect(error.status == .badInput)
        #expect(error.fullText.contains("V1__init.sql"))
        #expect(error.fullText.contains("U1__init.sql"), "the hint names the file to add")
    }

    // MARK: files that are not migrations

    @Test func otherToolsFilesAreIgnoredAndListed() throws {
        var entries = Folders.paired([1, 2])
        entries += Folders.entries([
            "README.md": "# Migrations\n\nRun `sluice apply`.\n",
            "atlas.sum": "h1:abc=\n0001_a.sql h1:def=\n",
            ".golangci.yml": "linters:\n  enable: [govet]\n",
        ])
        let folder = try Folders.parse(entries)
        #expect(folder.ignored == [".golangci.yml", "README.md", "atlas.sum"])
        #expect(folder.migrations.count == 2)
        #expect(folder.fileChecksums["README.md"] == nil, "only .sql files are checksummed")
        #expect(folder.fileChecksums["atlas.sum"] == nil)
    }
}
