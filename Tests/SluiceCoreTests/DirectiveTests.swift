import SluiceCore
import Testing

@Suite("Directives at the top of the up section")
struct DirectiveTests {
    private func up(_ text: String, requireDown: Bool = true) throws -> Migration {
        let folder = try Folders.parse(Folders.entries([
            "0005_change.up.sql": text,
            "0005_change.down.sql": "SELECT 1;\n",
        ]), requireDown: requireDown)
        return try #require(folder.migrations.first)
    }

    @Test func allDirectivesTogether() throws {
        let m = try up("""
            -- Build the index without blocking writes.
            -- sluice:no-transaction
            -- sluice:lock-timeout 5s

            -- sluice:statement-timeout 10m
            CREATE INDEX CONCURRENTLY orders_created_at_idx ON orders (created_at);

            """)
        #expect(m.up.directives == Directives(noTransaction: true, lockTimeout: .seconds(5), statementTimeout: .seconds(600)))
        #expect(m.up.directives.written == ["no-transaction", "lock-timeout 5s", "statement-timeout 10m"])
    }

    @Test("each directive alone", arguments: [
        ("-- sluice:no-transaction", Directives(noTransaction: true)),
        ("-- sluice:lock-timeout 5s", Directives(lockTimeout: .seconds(5))),
        ("-- sluice:lock-timeout 1h30m", Directives(lockTimeout: .seconds(5400))),
        ("-- sluice:statement-timeout 10m", Directives(statementTimeout: .seconds(600))),
        ("-- sluice:statement-timeout 0", Directives(statementTimeout: .zero)),
        ("--sluice:no-transaction", Directives(noTransaction: true)),
        ("  -- sluice:lock-timeout   250ms  ", Directives(lockTimeout: .milliseconds(250))),
        ("--\tsluice:NO-TRANSACTION", Directives(noTransaction: true)),
        // Comments that mention sluice: without being a directive are left alone.
        ("-- see sluice: docs/lint.md", Directives()),
        ("-- the sluice:no-transaction marker is not needed here", Directives()),
        ("-- sluice:", Directives()),
    ])
    func single(_ line: String, _ expected: Directives) throws {
        let m = try up(line + "\nSELECT 1;\n")
        #expect(m.up.directives == expected)
    }

    @Test func irreversibleNeedsNoDown() throws {
        let folder = try Folders.parse(Folders.entries([
            "0001_init.up.sql": "CREATE TABLE a (id int);\n", "0001_init.down.sql": "DROP TABLE a;\n",
            "0002_drop_legacy.up.sql": "-- sluice:irreversible\nDROP TABLE legacy;\n",
        ]))
        let m = try #require(folder.migration(Version.v("2")))
        #expect(m.up.directives.irreversible)
        #expect(m.down == nil)
        #expect(m.isIrreversible)
    }

    @Test func irreversibleInDbmateSection() throws {
        let folder = try Folders.parse(Folders.entries([
            "20240101000000_drop.sql": "-- migrate:up\n-- sluice:irreversible\nDROP TABLE legacy;\n",
        ]))
        #expect(folder.migrations.first?.isIrreversible == true)
    }

    @Test func directivesInDbmateAndGooseSections() throws {
        let dbmate = try Folders.parse(Folders.entries([
            "20240101000000_idx.sql": "-- migrate:up\n-- sluice:no-transaction\n-- sluice:lock-timeout 3s\nCREATE INDEX CONCURRENTLY i ON t (c);\n-- migrate:down\nDROP INDEX i;\n",
        ]))
        #expect(dbmate.migrations.first?.up.directives == Directives(noTransaction: true, lockTimeout: .seconds(3)))
        let goose = try Folders.parse(Folders.entries([
            "00001_idx.sql": "-- +goose Up\n-- sluice:statement-timeout 2m\nCREATE INDEX i ON t (c);\n-- +goose Down\nDROP INDEX i;\n",
        ]))
        #expect(goose.migrations.first?.up.directives == Directives(statementTimeout: .seconds(120)))
    }

    @Test func aDirectiveBelowTheFirstStatementIsJustAComment() throws {
        let m = try up("CREATE TABLE a (id int);\n-- sluice:no-transaction\n")
        #expect(m.up.directives == Directives())
    }

    @Test func allowIsNotAMigrationDirective() throws {
        let m = try up("-- sluice:allow destructive\nDROP TABLE legacy;\n")
        #expect(m.up.directives == Directives())
    }

    @Test("unknown directives and bad durations are errors naming file:line", arguments: [
        ("-- sluice:foo\nSELECT 1;\n", "0005_change.up.sql:1", "sluice:foo"),
        ("-- first line\n-- sluice:no-transactions\nSELECT 1;\n", "0005_change.up.sql:2", "sluice:no-transactions"),
        ("-- sluice:lock-timeout 5x\nSELECT 1;\n", "0005_change.up.sql:1", "5x"),
        ("\n\n-- sluice:statement-timeout ten minutes\nSELECT 1;\n", "0005_change.up.sql:3", "ten minutes"),
        ("-- sluice:lock-timeout\nSELECT 1;\n", "0005_change.up.sql:1", "lock-timeout"),
        ("-- sluice:lock-timeout 5\nSELECT 1;\n", "0005_change.up.sql:1", "lock-timeout"),
    ])
    func badDirective(_ text: String, _ location: String, _ mention: String) throws {
        let error = try #require(Folders.error(Folders.entries([
            "0005_change.up.sql": text, "0005_change.down.sql": "SELECT 1;\n",
        ])))
        #expect(error.status == .badInput)
        #expect(error.message.contains(location), "\(error.message)")
        #expect(error.fullText.contains(mention))
        #expect(error.file == "0005_change.up.sql")
    }

    @Test("lines in single files count from the top of the file", arguments: [
        ("20240101000000_x.sql", "-- migrate:up\n-- sluice:foo\nSELECT 1;\n-- migrate:down\nSELECT 1;\n", "20240101000000_x.sql:2"),
        ("20240101000000_x.sql", "-- a comment\n\n-- migrate:up\n\n-- sluice:lock-timeout 5x\nSELECT 1;\n-- migrate:down\nSELECT 1;\n", "20240101000000_x.sql:5"),
        ("00001_x.sql", "-- +goose Up\n-- +goose StatementBegin\n-- sluice:bogus\nSELECT 1;\n-- +goose StatementEnd\n-- +goose Down\nSELECT 1;\n", "00001_x.sql:3"),
        ("20240101000000_x.sql", "-- migrate:up\nSELECT 1;\n-- migrate:down\n-- sluice:nope\nSELECT 1;\n", "20240101000000_x.sql:4"),
    ])
    func singleFileDirectiveLines(_ name: String, _ text: String, _ location: String) throws {
        let error = try #require(Folders.error([FolderEntry(name: name, text: text)]))
        #expect(error.status == .badInput)
        #expect(error.message.contains(location), "\(error.message)")
    }

    @Test func requireDownFalseMakesAMissingDownIrreversible() throws {
        let folder = try Folders.parse(Folders.entries([
            "0001_a.up.sql": "CREATE TABLE a (id int);\n",
            "0002_b.up.sql": "CREATE TABLE b (id int);\n", "0002_b.down.sql": "DROP TABLE b;\n",
        ]), requireDown: false)
        #expect(folder.migrations.map(\.isIrreversible) == [true, false])

        let dbmate = try Folders.parse(Folders.entries([
            "20240101000000_a.sql": "-- migrate:up\nCREATE TABLE a (id int);\n",
        ]), requireDown: false)
        #expect(dbmate.migrations.first?.isIrreversible == true)
    }

    @Test func missingDownIsAnErrorByDefault() throws {
        let dbmate = try #require(Folders.error(Folders.entries([
            "20240101000000_a.sql": "-- migrate:up\nCREATE TABLE a (id int);\n",
        ])))
        #expect(dbmate.status == .badInput)
        #expect(dbmate.fullText.contains("20240101000000_a.sql"))
        #expect(dbmate.fullText.contains("-- migrate:down"))
        let goose = try #require(Folders.error(Folders.entries([
            "00001_a.sql": "-- +goose Up\nCREATE TABLE a (id int);\n",
        ])))
        #expect(goose.fullText.contains("00001_a.sql"))
        #expect(goose.fullText.contains("-- +goose Down"))
    }
}
