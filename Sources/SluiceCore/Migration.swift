/// How a folder names and splits its migrations (SPEC §1).
public enum Layout: String, Sendable, Codable, CaseIterable {
    /// golang-migrate: `{version}_{title}.up.sql` and `{version}_{title}.down.sql`.
    case paired
    /// dbmate: one file with `-- migrate:up` and `-- migrate:down` sections.
    case dbmate
    /// goose: one file with `-- +goose Up` and `-- +goose Down` sections.
    case goose
    /// Flyway: `V{version}__{title}.sql`, `U{version}__{title}.sql`, `R__{title}.sql`.
    case flyway
}

/// Per-migration settings written as SQL comments at the top of a section.
public struct Directives: Sendable, Equatable, Codable {
    public var noTransaction = false
    public var lockTimeout: Duration?
    public var statementTimeout: Duration?
    public var irreversible = false

    public init(noTransaction: Bool = false, lockTimeout: Duration? = nil, statementTimeout: Duration? = nil, irreversible: Bool = false) {
        self.noTransaction = noTransaction
        self.lockTimeout = lockTimeout
        self.statementTimeout = statementTimeout
        self.irreversible = irreversible
    }

    /// The directives as they would be written, for display and for the revision row.
    public var written: [String] {
        var out: [String] = []
        if noTransaction { out.append("no-transaction") }
        if let lockTimeout { out.append("lock-timeout \(DurationParser.format(lockTimeout))") }
        if let statementTimeout { out.append("statement-timeout \(DurationParser.format(statementTimeout))") }
        if irreversible { out.append("irreversible") }
        return out
    }
}

/// The SQL of one direction of a migration and where it sits in its file.
public struct Section: Sendable, Equatable {
    /// The file this section was read from.
    public var file: String
    public var sql: String
    /// Lines in the file before the section's first line (add to a 1-based line in `sql`).
    public var lineOffset: Int
    public var directives: Directives

    public init(file: String, sql: String, lineOffset: Int = 0, directives: Directives = .init()) {
        self.file = file
        self.sql = sql
        self.lineOffset = lineOffset
        self.directives = directives
    }

    /// True when the section holds nothing but comments and white space.
    public var isEmpty: Bool { SQLText.isBlank(sql) }

    /// The 1-based line in the file of a 1-based character position in `sql`.
    public func fileLine(forPosition position: Int) -> Int {
        lineOffset + 1 + SQLText.newlines(in: sql, before: position)
    }
}

/// One versioned migration: an up section and, unless irreversible, a down section.
public struct Migration: Sendable, Equatable, Identifiable {
    public var version: Version
    public var title: String
    public var layout: Layout
    public var up: Section
    /// nil when the migration has no down (irreversible); an empty section is a no-op down.
    public var down: Section?
    /// SHA-256 of the bytes of the file holding the up section.
    public var checksum: String

    public init(version: Version, title: String, layout: Layout, up: Section, down: Section?, checksum: String) {
        self.version = version
        self.title = title
        self.layout = layout
        self.up = up
        self.down = down
        self.checksum = checksum
    }

    public var id: Version { version }
    public var file: String { up.file }
    /// The up file's name without `.up.sql` / `.sql` (`0007_add_orders`, `V1.10__more`): used in progress lines.
    public var name: String { SQLText.stem(up.file) }
    public var isIrreversible: Bool { down == nil }
}

/// A Flyway repeatable migration (`R__{title}.sql`): re-run whenever its checksum changes.
public struct RepeatableMigration: Sendable, Equatable {
    public var title: String
    public var section: Section
    public var checksum: String

    public init(title: String, section: Section, checksum: String) {
        self.title = title
        self.section = section
        self.checksum = checksum
    }
}

/// A parsed migrations folder.
public struct MigrationFolder: Sendable {
    /// nil for a folder without any migration.
    public var layout: Layout?
    /// Ascending by version.
    public var migrations: [Migration]
    /// Flyway repeatables, in title order.
    public var repeatables: [RepeatableMigration]
    /// Files that are not migrations and were left alone (README, another tool's files).
    public var ignored: [String]
    /// Checksums of every `.sql` file, by name: what `sluice.sum` records.
    public var fileChecksums: [String: String]
    /// The parsed `sluice.sum`, when the folder has one.
    public var sum: SumFile?

    public init(layout: Layout?, migrations: [Migration], repeatables: [RepeatableMigration], ignored: [String], fileChecksums: [String: String], sum: SumFile?) {
        self.layout = layout
        self.migrations = migrations
        self.repeatables = repeatables
        self.ignored = ignored
        self.fileChecksums = fileChecksums
        self.sum = sum
    }

    public func migration(_ version: Version) -> Migration? {
        migrations.first { $0.version == version }
    }
}

/// A file of a folder as the I/O layer hands it over: its name and its bytes.
public struct FolderEntry: Sendable {
    public var name: String
    public var bytes: [UInt8]

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    public init(name: String, text: String) {
        self.init(name: name, bytes: Array(text.utf8))
    }
}
