/// A model of the managed schema as read from `pg_catalog` (SPEC §4b): what a revision
/// records after it is applied, what drift compares, and what diffs are made of.
/// Keys are qualified names (`public.orders`); every collection is keyed, so two
/// snapshots of the same schema are equal and have the same fingerprint.
public struct SchemaSnapshot: Sendable, Codable, Equatable {
    public struct Column: Sendable, Codable, Equatable {
        public var name: String
        public var type: String
        public var nullable: Bool
        public var defaultValue: String?

        public init(name: String, type: String, nullable: Bool, defaultValue: String?) {
            self.name = name
            self.type = type
            self.nullable = nullable
            self.defaultValue = defaultValue
        }
    }

    public struct Table: Sendable, Codable, Equatable {
        /// In column order.
        public var columns: [Column]
        /// Index name → `CREATE INDEX …` as PostgreSQL prints it.
        public var indexes: [String: String]
        /// Constraint name → its definition (`PRIMARY KEY (id)`, `FOREIGN KEY …`).
        public var constraints: [String: String]
        /// Foreign-key constraint name → the table it references, named as ``SchemaSnapshot/tables``
        /// keys are (`public.Odd Name`), read from the catalog (`pg_constraint.confrelid`).
        /// Not part of the fingerprint: the constraint's definition already is.
        public var foreignKeys: [String: String]

        public init(columns: [Column] = [], indexes: [String: String] = [:], constraints: [String: String] = [:],
                    foreignKeys: [String: String] = [:]) {
            self.columns = columns
            self.indexes = indexes
            self.constraints = constraints
            self.foreignKeys = foreignKeys
        }

        private enum CodingKeys: String, CodingKey { case columns, indexes, constraints, foreignKeys }

        /// Snapshots recorded before `foreignKeys` existed decode with none.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            columns = try c.decode([Column].self, forKey: .columns)
            indexes = try c.decode([String: String].self, forKey: .indexes)
            constraints = try c.decode([String: String].self, forKey: .constraints)
            foreignKeys = try c.decodeIfPresent([String: String].self, forKey: .foreignKeys) ?? [:]
        }
    }

    public var tables: [String: Table]
    /// View name → definition (materialized views included, marked in the key's value).
    public var views: [String: String]
    /// `schema.name(argument types)` → `CREATE OR REPLACE FUNCTION …`.
    public var functions: [String: String]
    /// Sequence name → `type increment start`.
    public var sequences: [String: String]
    /// Enum type name → labels in order.
    public var enums: [String: [String]]
    /// Extension name → installed version.
    public var extensions: [String: String]

    public init(tables: [String: Table] = [:], views: [String: String] = [:], functions: [String: String] = [:],
                sequences: [String: String] = [:], enums: [String: [String]] = [:], extensions: [String: String] = [:]) {
        self.tables = tables
        self.views = views
        self.functions = functions
        self.sequences = sequences
        self.enums = enums
        self.extensions = extensions
    }

    /// A stable SHA-256 over a canonical rendering: equal snapshots, equal fingerprints.
    public var fingerprint: String {
        var lines: [String] = []
        for (name, table) in tables.sorted(by: { $0.key < $1.key }) {
            lines.append("table \(name)")
            for c in table.columns { lines.append("  column \(c.name) \(c.type) \(c.nullable ? "null" : "not null") default \(c.defaultValue ?? "-")") }
            for (n, d) in table.indexes.sorted(by: { $0.key < $1.key }) { lines.append("  index \(n) \(d)") }
            for (n, d) in table.constraints.sorted(by: { $0.key < $1.key }) { lines.append("  constraint \(n) \(d)") }
        }
        for (n, d) in views.sorted(by: { $0.key < $1.key }) { lines.append("view \(n) \(d)") }
        for (n, d) in functions.sorted(by: { $0.key < $1.key }) { lines.append("function \(n) \(d)") }
        for (n, d) in sequences.sorted(by: { $0.key < $1.key }) { lines.append("sequence \(n) \(d)") }
        for (n, l) in enums.sorted(by: { $0.key < $1.key }) { lines.append("enum \(n) \(l.joined(separator: ","))") }
        for (n, v) in extensions.sorted(by: { $0.key < $1.key }) { lines.append("extension \(n) \(v)") }
        return Checksum.sha256(lines.joined(separator: "\n"))
    }
}
