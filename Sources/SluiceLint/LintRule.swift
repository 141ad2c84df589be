/// A lint rule: a stable kebab-case name, a severity, what it means and what to do instead
/// (SPEC §7). The catalogue is `LintRule.all`; docs/lint.md shows each with examples.
public struct LintRule: Sendable, Hashable {
    public enum Severity: String, Sendable, Codable, Comparable {
        case warning, error
        public static func < (a: Self, b: Self) -> Bool { a == .warning && b == .error }
    }

    public enum Category: String, Sendable, Codable {
        case syntax, destructive, locking, transaction, folder
    }

    public var name: String
    public var severity: Severity
    public var category: Category
    /// One line: what is wrong.
    public var summary: String
    /// One line: what to do instead.
    public var hint: String

    public static let syntaxError = LintRule(name: "syntax-error", severity: .error, category: .syntax,
        summary: "PostgreSQL's parser rejects this statement",
        hint: "fix the SQL; the message and position are PostgreSQL's own")
    public static let unknownRule = LintRule(name: "unknown-rule", severity: .warning, category: .syntax,
        summary: "`-- sluice:allow` names a rule that does not exist, so it silences nothing",
        hint: "use a rule name from `sluice lint` output or docs/lint.md")

    // Destructive (checked in up sections: a down is expected to undo its up).
    public static let dropTable = LintRule(name: "drop-table", severity: .error, category: .destructive,
        summary: "DROP TABLE destroys the table and every row in it",
        hint: "deploy code that no longer uses the table first, then add `-- sluice:allow drop-table` to the statement")
    public static let dropColumn = LintRule(name: "drop-column", severity: .error, category: .destructive,
        summary: "DROP COLUMN destroys the column's data, and running code that still selects it breaks",
        hint: "stop reading and writing the column in a deploy first, then add `-- sluice:allow drop-column`")
    public static let dropSchema = LintRule(name: "drop-schema", severity: .error, category: .destructive,
        summary: "DROP SCHEMA destroys everything in the schema (with CASCADE, all its tables and data)",
        hint: "drop the objects one by one in reviewed migrations, or add `-- sluice:allow drop-schema`")
    public static let dropIndex = LintRule(name: "drop-index", severity: .warning, category: .destructive,
        summary: "DROP INDEX takes an ACCESS EXCLUSIVE lock, and queries that used the index may slow down",
        hint: "use DROP INDEX CONCURRENTLY in a `-- sluice:no-transaction` migration, after checking pg_stat_user_indexes shows it unused")
    public static let dropView = LintRule(name: "drop-view", severity: .warning, category: .destructive,
        summary: "DROP VIEW breaks every query and view that still uses it",
        hint: "make sure nothing reads the view any more, then add `-- sluice:allow drop-view`")
    public static let truncate = LintRule(name: "truncate", severity: .error, category: .destructive,
        summary: "TRUNCATE deletes every row, under an ACCESS EXCLUSIVE lock",
        hint: "delete in batches with a WHERE clause, or add `-- sluice:allow truncate` if emptying the table is the point")
    public static let deleteWithoutWhere = LintRule(name: "delete-without-where", severity: .error, category: .destructive,
        summary: "DELETE without WHERE deletes every row of the table",
        hint: "add the WHERE clause you meant, or `-- sluice:allow delete-without-where`")
    public static let columnTypeChange = LintRule(name: "column-type-change", severity: .error, category: .destructive,
        summary: "changing a column's type rewrites the table under an ACCESS EXCLUSIVE lock and may fail on, or change, existing values",
        hint: "add a new column, backfill it in batches, switch the code over, then drop the old one; `sluice rehearse` counts the rows that would not convert")
    public static let renameTable = LintRule(name: "rename-table", severity: .error, category: .destructive,
        summary: "renaming a table breaks every running query that uses the old name",
        hint: "create the new table (or a view under the new name), move the code over, then drop the old name later")
    public static let renameColumn = LintRule(name: "rename-column", severity: .error, category: .destructive,
        summary: "renaming a column breaks running code that uses the old name",
        hint: "add the new column, write both, backfill, switch reads, then drop the old column")

    // Locking hazards.
    public static let createIndexNonConcurrently = LintRule(name: "create-index-non-concurrently", severity: .error, category: .locking,
        summary: "CREATE INDEX without CONCURRENTLY on an existing table blocks all writes to it while the index builds",
        hint: "use CREATE INDEX CONCURRENTLY in a migration marked `-- sluice:no-transaction`")
    public static let addColumnVolatileDefault = LintRule(name: "add-column-volatile-default", severity: .error, category: .locking,
        summary: "ADD COLUMN with a volatile default (random(), clock_timestamp(), a serial, …) rewrites the whole table under an ACCESS EXCLUSIVE lock",
        hint: "add the column without a default (or with a constant one), then backfill in batches and set the default afterwards")
    public static let setNotNull = LintRule(name: "set-not-null", severity: .warning, category: .locking,
        summary: "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock",
        hint: "first ADD CONSTRAINT … CHECK (col IS NOT NULL) NOT VALID, then VALIDATE CONSTRAINT (in a later migration), then SET NOT NULL uses it")
    public static let addForeignKeyWithoutNotValid = LintRule(name: "add-foreign-key-without-not-valid", severity: .warning, category: .locking,
        summary: "adding a FOREIGN KEY validates every row while writes to both tables are blocked",
        hint: "ADD CONSTRAINT … FOREIGN KEY … NOT VALID, then VALIDATE CONSTRAINT in a later migration (it takes a weaker lock)")
    public static let addCheckWithoutNotValid = LintRule(name: "add-check-without-not-valid", severity: .warning, category: .locking,
        summary: "adding a CHECK constraint scans every row under an ACCESS EXCLUSIVE lock",
        hint: "ADD CONSTRAINT … CHECK (…) NOT VALID, then VALIDATE CONSTRAINT in a later migration")
    public static let addUniqueWithoutIndex = LintRule(name: "add-unique-without-index", severity: .warning, category: .locking,
        summary: "adding a UNIQUE or PRIMARY KEY constraint builds its index while the table is locked",
        hint: "CREATE UNIQUE INDEX CONCURRENTLY first (no-transaction migration), then ADD CONSTRAINT … UNIQUE USING INDEX")
    public static let enumAddValueInTransaction = LintRule(name: "enum-add-value-in-transaction", severity: .error, category: .locking,
        summary: "ALTER TYPE … ADD VALUE cannot run inside a transaction block on PostgreSQL before 12",
        hint: "put it in a migration marked `-- sluice:no-transaction`")
    public static let vacuumFull = LintRule(name: "vacuum-full", severity: .error, category: .locking,
        summary: "VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock (and cannot run in a transaction)",
        hint: "leave it to autovacuum, or use pg_repack outside migrations")
    public static let cluster = LintRule(name: "cluster", severity: .error, category: .locking,
        summary: "CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock",
        hint: "run it by hand in a maintenance window, or use pg_repack, not in a migration")
    public static let missingLockTimeout = LintRule(name: "missing-lock-timeout", severity: .warning, category: .locking,
        summary: "a migration with DDL and no lock timeout can queue behind a long query and block every query after it",
        hint: "set database.lock_timeout (default 5s), or `-- sluice:lock-timeout 5s` in the migration")

    // Transaction hazards.
    public static let concurrentlyInTransaction = LintRule(name: "concurrently-in-transaction", severity: .error, category: .transaction,
        summary: "this statement cannot run inside a transaction block, and the migration runs in one",
        hint: "put `-- sluice:no-transaction` at the top of the migration (and keep it to such statements)")
    public static let transactionControl = LintRule(name: "transaction-control", severity: .error, category: .transaction,
        summary: "BEGIN/COMMIT/ROLLBACK written in a migration: Sluice runs each migration in its own transaction",
        hint: "remove them; for statements that cannot run in a transaction use `-- sluice:no-transaction`")

    // Folder hazards.
    public static let missingDown = LintRule(name: "missing-down", severity: .error, category: .folder,
        summary: "the migration has no down, so it cannot be rolled back",
        hint: "add the down, or mark the up `-- sluice:irreversible` (or set policy.require_down: false for a folder that never had downs)")
    public static let versionConflict = LintRule(name: "version-conflict", severity: .error, category: .folder,
        summary: "two files claim the same version",
        hint: "give one of them the next free version (`sluice new` picks it)")
    public static let sumMismatch = LintRule(name: "sum-mismatch", severity: .error, category: .folder,
        summary: "the file does not match sluice.sum",
        hint: "run `sluice hash` and commit sluice.sum with the change (after a merge, re-run it)")
    public static let downDoesNotUndo = LintRule(name: "down-does-not-undo", severity: .warning, category: .folder,
        summary: "the down does not undo what the up did to tables",
        hint: "drop in the down every table the up creates, and re-create every table the up drops (or mark the up `-- sluice:irreversible`)")
    public static let invalidFolder = LintRule(name: "invalid-folder", severity: .error, category: .folder,
        summary: "the migrations folder has a problem every command would refuse",
        hint: "fix the file as the message says")

    public static let all: [LintRule] = [
        syntaxError, unknownRule,
        dropTable, dropColumn, dropSchema, dropIndex, dropView, truncate, deleteWithoutWhere, columnTypeChange, renameTable, renameColumn,
        createIndexNonConcurrently, addColumnVolatileDefault, setNotNull, addForeignKeyWithoutNotValid, addCheckWithoutNotValid,
        addUniqueWithoutIndex, enumAddValueInTransaction, vacuumFull, cluster, missingLockTimeout,
        concurrentlyInTransaction, transactionControl,
        missingDown, versionConflict, sumMismatch, downDoesNotUndo, invalidFolder,
    ]

    public static let byName: [String: LintRule] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
}

/// One finding: a rule broken at a place in a file.
public struct LintFinding: Sendable, Codable, Equatable {
    public var rule: String
    public var severity: LintRule.Severity
    public var file: String
    /// 1-based; 0 when the finding is about the whole file or folder.
    public var line: Int
    public var column: Int
    public var version: String?
    public var message: String
    public var hint: String

    public init(_ rule: LintRule, file: String, line: Int = 0, column: Int = 0, version: String? = nil, message: String? = nil, severity: LintRule.Severity? = nil) {
        self.rule = rule.name
        self.severity = severity ?? rule.severity
        self.file = file
        self.line = line
        self.column = column
        self.version = version
        self.message = message ?? rule.summary
        self.hint = rule.hint
    }

    /// `file:line:column: severity: [rule] message`, like a compiler.
    public var located: String {
        var place = file.isEmpty ? "(folder)" : file
        if line > 0 { place += ":\(line)" + (column > 0 ? ":\(column)" : "") }
        return "\(place): \(severity.rawValue): [\(rule)] \(message)"
    }
}
