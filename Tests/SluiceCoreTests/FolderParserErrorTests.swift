import SluiceCore
import Testing

/// A folder that must be refused, and the file names its error must mention.
struct BadFolder: Sendable, CustomTestStringConvertible {
    var name: String
    var entries: [FolderEntry]
    var mentions: [String]
    var requireDown = true

    var testDescription: String { name }

    static let all: [BadFolder] = [
        BadFolder(name: "duplicate paired versions 0001 and 1", entries: Folders.entries([
            "0001_a.up.sql": "CREATE TABLE a (id int);", "0001_a.down.sql": "DROP TABLE a;",
            "1_b.up.sql": "CREATE TABLE b (id int);", "1_b.down.sql": "DROP TABLE b;",
        ]), mentions: ["0001_a.up.sql", "1_b.up.sql"]),
        BadFolder(name: "duplicate dbmate versions 001 and 1", entries: Folders.entries([
            "001_x.sql": "-- migrate:up\nCREATE TABLE x (id int);\n-- migrate:down\nDROP TABLE x;\n",
            "1_y.sql": "-- migrate:up\nCREATE TABLE y (id int);\n-- migrate:down\nDROP TABLE y;\n",
        ]), mentions: ["001_x.sql", "1_y.sql"]),
        BadFolder(name: "duplicate Flyway versions 1.1 and 1_1", entries: Folders.entries([
            "V1.1__a.sql": "SELECT 1;", "V1_1__b.sql": "SELECT 2;",
        ]), mentions: ["V1.1__a.sql", "V1_1__b.sql"], requireDown: false),
        BadFolder(name: "schema.sql matches no layout", entries: Folders.paired([1]) + Folders.entries([
            "schema.sql": "CREATE TABLE a (id int);",
        ]), mentions: ["schema.sql"]),
        BadFolder(name: "a Flyway callback beforeMigrate.sql", entries: Folders.entries([
            "V1__init.sql": "SELECT 1;", "beforeMigrate.sql": "SET search_path TO app;",
        ]), mentions: ["beforeMigrate.sql"], requireDown: false),
        BadFolder(name: "single .sql file with no markers", entries: Folders.entries([
            "0001_init.sql": "CREATE TABLE a (id int);\n",
        ]), mentions: ["0001_init.sql"]),
        BadFolder(name: "single file with only a down marker", entries: Folders.entries([
            "0001_init.sql": "-- migrate:down\nDROP TABLE a;\n",
        ]), mentions: ["0001_init.sql"]),
        BadFolder(name: "an up without a down", entries: Folders.paired([1]) + Folders.entries([
            "0002_add_orders.up.sql": "CREATE TABLE orders (id int);",
        ]), mentions: ["0002_add_orders.up.sql", "0002_add_orders.down.sql"]),
        BadFolder(name: "a down without an up", entries: Folders.paired([1]) + Folders.entries([
            "0002_add_orders.down.sql": "DROP TABLE orders;",
        ]), mentions: ["0002_add_orders.down.sql"]),
        BadFolder(name: "a Flyway undo without a version", entries: Folders.entries([
            "V1__init.sql": "SELECT 1;", "U2__gone.sql": "SELECT 2;",
        ]), mentions: ["U2__gone.sql"], requireDown: false),
        BadFolder(name: "paired and Flyway mixed", entries: Folders.paired([1]) + Folders.entries([
            "V2__orders.sql": "CREATE TABLE orders (id int);",
        ]), mentions: ["0001_m1", "V2__orders.sql", "paired", "flyway"], requireDown: false),
        BadFolder(name: "paired and dbmate mixed", entries: Folders.paired([1]) + Folders.entries([
            "0002_orders.sql": "-- migrate:up\nCREATE TABLE orders (id int);\n-- migrate:down\nDROP TABLE orders;\n",
        ]), mentions: ["0002_orders.sql"]),
        BadFolder(name: "dbmate and goose mixed", entries: Folders.entries([
            "0001_a.sql": "-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 1;\n",
            "0002_b.sql": "-- +goose Up\nSELECT 2;\n-- +goose Down\nSELECT 2;\n",
        ]), mentions: ["0001_a.sql", "0002_b.sql"]),
        BadFolder(name: "non-UTF-8 bytes", entries: Folders.paired([1]) + [
            FolderEntry(name: "0002_latin1.up.sql", bytes: Array("INSERT INTO t VALUES ('caf".utf8) + [0xE9] + Array("');".utf8)),
            FolderEntry(name: "0002_latin1.down.sql", text: "DELETE FROM t;"),
        ], mentions: ["0002_latin1.up.sql"]),
        BadFolder(name: "two downs for one version", entries: Folders.entries([
            "0001_a.up.sql": "SELECT 1;", "0001_a.down.sql": "SELECT 1;", "1_b.down.sql": "SELECT 1;",
        ]), mentions: ["0001_a.down.sql", "1_b.down.sql"]),
        BadFolder(name: "two up markers in one file", entries: Folders.entries([
            "0001_a.sql": "-- migrate:up\nSELECT 1;\n-- migrate:up\nSELECT 2;\n-- migrate:down\nSELECT 1;\n",
        ]), mentions: ["0001_a.sql"]),
    ]
}

@Suite("FolderParser: folders it refuses")
struct FolderParserErrorTests {
    @Test("a bad folder is an exit-2 error naming its files", arguments: BadFolder.all)
    func refused(_ bad: BadFolder) throws {
        let error = try #require(Folders.error(bad.entries, requireDown: bad.requireDown), "the folder was accepted")
        #expect(error.status == .badInput)
        #expect(error.file != nil)
        for name in bad.mentions {
            #expect(error.fullText.contains(name), "\(name) not named in: \(error.description)")
        }
        #expect(error.hint?.isEmpty == false, "says what to do")
    }

    @Test func severalProblemsAreReportedAtOnce() throws {
        let entries = Folders.paired([1]) + Folders.entries([
            "schema.sql": "CREATE TABLE everything (id int);",
            "0002_orders.up.sql": "CREATE TABLE orders (id int);",
            "0003_gone.down.sql": "DROP TABLE gone;",
            "0004_bad.up.sql": "-- sluice:lock-timeout forever\nSELECT 1;",
            "0004_bad.down.sql": "SELECT 1;",
            "README.md": "not a problem",
        ]) + [FolderEntry(name: "0005_bytes.up.sql", bytes: [0xFF, 0xFE, 0x00])]
        let error = try #require(Folders.error(entries))
        #expect(error.status == .badInput)
        #expect(error.details.count == 5, "\(error.description)")
        #expect(error.message.contains("5 problems"))
        for (name, what) in [
            ("schema.sql", "no migration layout"),
            ("0002_orders.up.sql", "without a down"),
            ("0003_gone.down.sql", "without an up"),
            ("0004_bad.up.sql:1", "forever"),
            ("0005_bytes.up.sql", "UTF-8"),
        ] {
            #expect(error.details.contains { $0.contains(name) && $0.contains(what) }, "no detail for \(name) in \(error.details)")
        }
        #expect(!error.fullText.contains("README.md"))
    }

    @Test func aNonUTF8UpIsNotCalledMissing() throws {
        let error = try #require(Folders.error(Folders.paired([1]) + [
            FolderEntry(name: "0002_latin1.up.sql", bytes: Array("INSERT INTO t VALUES ('caf".utf8) + [0xE9] + Array("');".utf8)),
            FolderEntry(name: "0002_latin1.down.sql", text: "DELETE FROM t;"),
        ]))
        #expect(error.fullText.contains("0002_latin1.up.sql"))
        #expect(error.fullText.contains("UTF-8"))
        // The up file is there; it is only unreadable. Calling its down "a down without an up" sends people looking for a file that exists.
        #expect(!error.fullText.contains("without an up"), "\(error.description)")
    }

    @Test func aLoneProblemNamesTheFileInTheMessage() throws {
        let error = try #require(Folders.error(Folders.paired([1]) + Folders.entries(["0002_x.down.sql": "SELECT 1;"])))
        #expect(error.details.isEmpty)
        #expect(error.message.hasPrefix("0002_x.down.sql"))
        #expect(error.file == "0002_x.down.sql")
    }
}
