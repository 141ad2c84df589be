import Foundation

/// What a rehearsal on a scratch clone found (SPEC §4): per step, its duration, the locks
/// it held, the schema it changed and the data it destroyed. Pure data: stored as JSON with
/// the `rehearsal` event, rendered as text for people.
public struct RehearsalReport: Sendable, Codable, Equatable {
    public struct Clone: Sendable, Codable, Equatable {
        public var strategy: String
        public var database: String
        public var milliseconds: Int
        /// `pg_database_size` of the clone when it was ready.
        public var bytes: Int64
        /// Whether the scratch database was kept (a failure with `keep_failed`, or `--keep`).
        public var kept: Bool

        public init(strategy: String, database: String, milliseconds: Int, bytes: Int64, kept: Bool = false) {
            self.strategy = strategy
            self.database = database
            self.milliseconds = milliseconds
            self.bytes = bytes
            self.kept = kept
        }
    }

    /// A relation lock a migration held just before its commit (`pg_locks`).
    public struct Lock: Sendable, Codable, Equatable {
        public var relation: String
        /// `AccessExclusiveLock`, `ShareLock`, …
        public var mode: String
        /// Created by this migration: nobody else can see it yet, so the lock blocks no one.
        public var created: Bool

        public init(relation: String, mode: String, created: Bool = false) {
            self.relation = relation
            self.mode = mode
            self.created = created
        }

        /// Readers (`SELECT`, ACCESS SHARE) wait for it.
        public var blocksReads: Bool { !created && mode == "AccessExclusiveLock" }
        /// Writers (`INSERT`/`UPDATE`/`DELETE`, ROW EXCLUSIVE) wait for it.
        public var blocksWrites: Bool {
            !created && ["AccessExclusiveLock", "ExclusiveLock", "ShareRowExclusiveLock", "ShareLock"].contains(mode)
        }

        enum CodingKeys: String, CodingKey { case relation, mode, created, blocksReads, blocksWrites }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            relation = try c.decode(String.self, forKey: .relation)
            mode = try c.decode(String.self, forKey: .mode)
            created = try c.decodeIfPresent(Bool.self, forKey: .created) ?? false
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(relation, forKey: .relation)
            try c.encode(mode, forKey: .mode)
            try c.encode(created, forKey: .created)
            try c.encode(blocksReads, forKey: .blocksReads)
            try c.encode(blocksWrites, forKey: .blocksWrites)
        }
    }

    /// Data a statement destroys, counted on the clone just before the step ran.
    public struct Destruction: Sendable, Codable, Equatable, CustomStringConvertible {
        public enum Kind: String, Sendable, Codable {
            /// `DROP TABLE` / `DROP SCHEMA … CASCADE`: rows in the table.
            case droppedTable
            /// `TRUNCATE`: rows in the table.
            case truncatedTable
            /// `ALTER TABLE … DROP COLUMN`: non-null values in the column.
            case droppedColumn
            /// `ALTER COLUMN … TYPE`: rows whose value fails the conversion or comes out changed.
            case narrowedColumn
        }

        public var kind: Kind
        /// `schema.table` or `schema.table.column`.
        public var target: String
        public var rows: Int64
        /// For a type change: the new type.
        public var detail: String?

        public init(kind: Kind, target: String, rows: Int64, detail: String? = nil) {
            self.kind = kind
            self.target = target
            self.rows = rows
            self.detail = detail
        }

        public var description: String {
            switch kind {
            case .droppedTable: "drops table \(target) with \(rows) row(s)"
            case .truncatedTable: "truncates \(target): \(rows) row(s)"
            case .droppedColumn: "drops column \(target) with \(rows) non-null value(s)"
            case .narrowedColumn: "changes \(target) to \(detail ?? "another type"): \(rows) row(s) would fail to convert or change"
            }
        }
    }

    public struct Step: Sendable, Codable, Equatable {
        /// `apply`, `revert`, `repeatable`; verify-down adds `down` and `up again`.
        public var verb: String
        public var version: String?
        public var name: String
        public var milliseconds: Int
        /// Nil for steps outside a transaction: their locks come and go statement by statement.
        public var locks: [Lock]?
        public var changes: [SchemaDiff.Change]
        public var destroys: [Destruction]
        public var warnings: [String]

        public init(verb: String, version: String?, name: String, milliseconds: Int, locks: [Lock]?, changes: [SchemaDiff.Change], destroys: [Destruction], warnings: [String] = []) {
            self.verb = verb
            self.version = version
            self.name = name
            self.milliseconds = milliseconds
            self.locks = locks
            self.changes = changes
            self.destroys = destroys
            self.warnings = warnings
        }
    }

    /// The step that failed on the clone.
    public struct Failure: Sendable, Codable, Equatable {
        public var verb: String
        public var version: String?
        public var name: String
        /// `file:line` of the failing statement.
        public var location: String
        public var statement: String?
        public var sqlState: String?
        public var message: String
        /// What the failing step would have destroyed, counted before it ran.
        public var destroys: [Destruction]

        public init(verb: String, version: String?, name: String, location: String, statement: String?, sqlState: String?, message: String, destroys: [Destruction] = []) {
            self.destroys = destroys
            self.verb = verb
            self.version = version
            self.name = name
            self.location = location
            self.statement = statement
            self.sqlState = sqlState
            self.message = message
        }
    }

    /// `apply` (a reconcile plan) or `rollback`.
    public var kind: String
    public var clone: Clone
    public var verifyDown: Bool
    public var steps: [Step]
    public var failure: Failure?
    public var milliseconds: Int

    public init(kind: String, clone: Clone, verifyDown: Bool, steps: [Step] = [], failure: Failure? = nil, milliseconds: Int = 0) {
        self.kind = kind
        self.clone = clone
        self.verifyDown = verifyDown
        self.steps = steps
        self.failure = failure
        self.milliseconds = milliseconds
    }

    public var passed: Bool { failure == nil }

    enum CodingKeys: String, CodingKey { case kind, clone, verifyDown, steps, failure, milliseconds, passed }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(String.self, forKey: .kind)
        clone = try c.decode(Clone.self, forKey: .clone)
        verifyDown = try c.decode(Bool.self, forKey: .verifyDown)
        steps = try c.decode([Step].self, forKey: .steps)
        failure = try c.decodeIfPresent(Failure.self, forKey: .failure)
        milliseconds = try c.decode(Int.self, forKey: .milliseconds)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(clone, forKey: .clone)
        try c.encode(verifyDown, forKey: .verifyDown)
        try c.encode(steps, forKey: .steps)
        try c.encodeIfPresent(failure, forKey: .failure)
        try c.encode(milliseconds, forKey: .milliseconds)
        try c.encode(passed, forKey: .passed)
    }

    /// The report for people.
    public var text: String {
        var lines: [String] = []
        let size = Self.bytes(clone.bytes)
        lines.append("rehearsal of \(kind) on \(clone.database) (\(clone.strategy) clone, \(size), \(Self.seconds(clone.milliseconds)))\(clone.kept ? " — kept" : "")")
        for step in steps {
            let version = step.version.map { "\($0) " } ?? ""
            lines.append("  \(step.verb) \(version)\(step.name)  \(Self.seconds(step.milliseconds))")
            if let locks = step.locks {
                for lock in locks where !lock.created {
                    let blocks = lock.blocksReads ? "blocks reads and writes" : lock.blocksWrites ? "blocks writes" : "blocks neither reads nor writes"
                    lines.append("    lock \(lock.mode) on \(lock.relation): \(blocks)")
                }
            } else {
                lines.append("    locks: not captured (runs outside a transaction, statement by statement)")
            }
            for change in step.changes { lines.append("    \(change)") }
            for destruction in step.destroys { lines.append("    DESTROYS: \(destruction)") }
            for warning in step.warnings { lines.append("    warning: \(warning)") }
        }
        if let failure {
            lines.append("  FAILED: \(failure.verb) \(failure.version.map { "\($0) " } ?? "")\(failure.name) at \(failure.location): \(failure.message)\(failure.sqlState.map { " (SQLSTATE \($0))" } ?? "")")
            if let statement = failure.statement { lines.append("    statement: \(statement.prefix(200))") }
            for destruction in failure.destroys { lines.append("    DESTROYS: \(destruction)") }
        } else {
            lines.append("  passed in \(Self.seconds(milliseconds))")
        }
        return lines.joined(separator: "\n")
    }

    public static func bytes(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count), unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(count) B" : String(format: "%.1f", value) + " " + units[unit]
    }

    /// `120 ms`, `1.5 s`: how reports and the dashboard show a duration.
    public static func seconds(_ ms: Int) -> String {
        ms < 1000 ? "\(ms) ms" : String(format: "%.1f s", Double(ms) / 1000)
    }
}
