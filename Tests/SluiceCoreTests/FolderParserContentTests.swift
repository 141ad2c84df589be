import SluiceCore
import Testing

@Suite("FolderParser: what real files contain")
struct FolderParserContentTests {
    @Test func emptyDownFileIsANoOpDown() throws {
        let folder = try Folders.parse(Folders.entries([
            "0001_seed.up.sql": "INSERT INTO roles VALUES ('admin');\n",
            "0001_seed.down.sql": "",
            "0002_note.up.sql": "COMMENT ON TABLE roles IS 'roles';\n",
            "0002_note.down.sql": "-- nothing to undo\n/* really */\n",
        ]))
        for m in folder.migrations {
            let down = try #require(m.down, "\(m.name): an empty down file is a no-op down")
            #expect(down.isEmpty)
            #expect(!m.isIrreversible)
        }
    }

    static let doBlock = """
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'order_status') THEN
                CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped');
            END IF;
        END
        $$;
        -- migrate:down would not be a marker here: this is a paired file
        ALTER TABLE orders ADD COLUMN status order_status NOT NULL DEFAULT 'new';

        """

    @Test func doBlocksAreKeptWhole() throws {
        let folder = try Folders.parse(Folders.entries([
            "0003_order_status.up.sql": Self.doBlock,
            "0003_order_status.down.sql": "ALTER TABLE orders DROP COLUMN status;\nDROP TYPE IF EXISTS order_status;\n",
        ]))
        #expect(folder.migrations.first?.up.sql == Self.doBlock)
    }

    @Test func dbmateDoBlock() throws {
        let text = """
            -- migrate:up
            DO $$
            BEGIN
              RAISE NOTICE 'up; still up';
            END
            $$;
            -- migrate:down
            DO $$ BEGIN RAISE NOTICE 'down'; END $$;

            """
        let folder = try Folders.parse(Folders.entries(["20240101000000_notice.sql": text]))
        let m = try #require(folder.migrations.first)
        #expect(m.up.sql.contains("RAISE NOTICE 'up; still up';\nEND\n$$;"))
        #expect(m.down?.sql.contains("RAISE NOTICE 'down'") == true)
    }

    @Test func byteOrderMarkAtFileStart() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let up = bom + Array("-- sluice:no-transaction\nCREATE INDEX CONCURRENTLY a_idx ON a (id);\n".utf8)
        let single = bom + Array("-- migrate:up\nCREATE TABLE b (id int);\n-- migrate:down\nDROP TABLE b;\n".utf8)

        let paired = try Folders.parse([
            FolderEntry(name: "0001_idx.up.sql", bytes: up),
            FolderEntry(name: "0001_idx.down.sql", bytes: bom + Array("DROP INDEX CONCURRENTLY a_idx;\n".utf8)),
        ])
        let m = try #require(paired.migrations.first)
        #expect(m.up.directives.noTransaction, "a BOM must not hide the directive on line 1")
        #expect(!m.up.sql.hasPrefix("\u{FEFF}"))
        #expect(m.checksum == Checksum.sha256(up), "checksums are over the file's bytes, BOM included")

        let dbmate = try Folders.parse([FolderEntry(name: "20240101000000_b.sql", bytes: single)])
        #expect(dbmate.layout == .dbmate)
        #expect(dbmate.migrations.first?.up.sql.contains("CREATE TABLE b") == true)
        #expect(dbmate.migrations.first?.down?.sql.contains("DROP TABLE b") == true)
    }

    @Test func crlfDbmateFile() throws {
        let text = "-- migrate:up\r\nCREATE TABLE users (id int);\r\n\r\n-- migrate:down\r\nDROP TABLE users;\r\n"
        let folder = try Folders.parse(Folders.entries(["20240101000000_users.sql": text]))
        let m = try #require(folder.migrations.first)
        #expect(folder.layout == .dbmate)
        #expect(m.up.sql.contains("CREATE TABLE users"))
        #expect(!m.up.sql.contains("DROP TABLE"))
        #expect(m.down?.sql.contains("DROP TABLE users;") == true)
        #expect(m.up.lineOffset == 1)
        #expect(m.down?.lineOffset == 4)
    }

    @Test func crlfGooseFile() throws {
        let text = "-- +goose NO TRANSACTION\r\n-- +goose Up\r\nCREATE INDEX CONCURRENTLY i ON t (c);\r\n-- +goose Down\r\nDROP INDEX CONCURRENTLY i;\r\n"
        let folder = try Folders.parse(Folders.entries(["00001_i.sql": text]))
        let m = try #require(folder.migrations.first)
        #expect(m.up.directives.noTransaction)
        #expect(!m.up.sql.contains("DROP INDEX"))
    }

    @Test func crlfDirectivesInPairedFile() throws {
        let folder = try Folders.parse(Folders.entries([
            "0001_idx.up.sql": "-- sluice:no-transaction\r\n-- sluice:lock-timeout 5s\r\nCREATE INDEX CONCURRENTLY i ON t (c);\r\n",
            "0001_idx.down.sql": "DROP INDEX CONCURRENTLY i;\r\n",
        ]))
        let m = try #require(folder.migrations.first)
        #expect(m.up.directives == Directives(noTransaction: true, lockTimeout: .seconds(5)))
    }

    @Test func crlfBadDirectiveIsStillFound() throws {
        let error = try #require(Folders.error(Folders.entries([
            "0001_a.up.sql": "-- sluice:lock-timeout soon\r\nSELECT 1;\r\n",
            "0001_a.down.sql": "SELECT 1;\r\n",
        ])))
        #expect(error.fullText.contains("0001_a.up.sql:1"))
    }
}
