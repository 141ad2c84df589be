/// What changed between two schema snapshots: the diff the rehearsal report, drift and the
/// dashboard show. Pure.
public struct SchemaDiff: Sendable, Codable, Equatable {
    public struct Change: Sendable, Codable, Equatable, CustomStringConvertible {
        public enum Action: String, Sendable, Codable { case added, dropped, altered }
        public enum Object: String, Sendable, Codable { case table, column, index, constraint, view, function, sequence, `enum`, `extension` }

        public var action: Action
        public var object: Object
        /// Qualified name; for columns, indexes and constraints `table.name`.
        public var name: String
        /// For `altered`: what differs, e.g. `type integer → bigint`.
        public var detail: String?

        public init(action: Action, object: Object, name: String, detail: String? = nil) {
            self.action = action
            self.object = object
            self.name = name
            self.detail = detail
        }

        public var description: String { "\(action.rawValue) \(object.rawValue) \(name)" + (detail.map { ": \($0)" } ?? "") }
    }

    public var changes: [Change]
    public var isEmpty: Bool { changes.isEmpty }

    /// The changes that take `old` to `new`, in a stable order.
    public init(from old: SchemaSnapshot, to new: SchemaSnapshot) {
        var changes: [Change] = []
        Self.compare(old.tables, new.tables, .table, into: &changes) { name, a, b in
            var inner: [Change] = []
            Self.compareColumns(name, a.columns, b.columns, into: &inner)
            Self.compare(a.indexes, b.indexes, .index, prefix: name, into: &inner) { _, x, y in x == y ? [] : [Change(action: .altered, object: .index, name: "", detail: "\(x) → \(y)")] }
            Self.compare(a.constraints, b.constraints, .constraint, prefix: name, into: &inner) { _, x, y in x == y ? [] : [Change(action: .altered, object: .constraint, name: "", detail: "\(x) → \(y)")] }
            return inner
        }
        Self.compareValues(old.views, new.views, .view, into: &changes)
        Self.compareValues(old.functions, new.functions, .function, into: &changes)
        Self.compareValues(old.sequences, new.sequences, .sequence, into: &changes)
        Self.compare(old.enums, new.enums, .enum, into: &changes) { _, a, b in
            a == b ? [] : [Change(action: .altered, object: .enum, name: "", detail: "\(a.joined(separator: ", ")) → \(b.joined(separator: ", "))")]
        }
        Self.compare(old.extensions, new.extensions, .extension, into: &changes) { _, a, b in
            a == b ? [] : [Change(action: .altered, object: .extension, name: "", detail: "version \(a) → \(b)")]
        }
        self.changes = changes
    }

    /// Added and dropped keys; `altered` for kept keys whose values differ (as `inner` says).
    /// Inner changes with an empty name are about the key itself and get its name.
    private static func compare<V>(_ old: [String: V], _ new: [String: V], _ object: Change.Object, prefix: String? = nil,
                                   into changes: inout [Change], inner: (String, V, V) -> [Change]) {
        let qualified = { (name: String) in prefix.map { "\($0).\(name)" } ?? name }
        for name in Set(old.keys).union(new.keys).sorted() {
            switch (old[name], new[name]) {
            case (nil, _?): changes.append(Change(action: .added, object: object, name: qualified(name)))
            case (_?, nil): changes.append(Change(action: .dropped, object: object, name: qualified(name)))
            case (let a?, let b?):
                for var change in inner(qualified(name), a, b) {
                    if change.name.isEmpty { change.name = qualified(name) }
                    changes.append(change)
                }
            default: break
            }
        }
    }

    private static func compareValues(_ old: [String: String], _ new: [String: String], _ object: Change.Object, into changes: inout [Change]) {
        compare(old, new, object, into: &changes) { _, a, b in a == b ? [] : [Change(action: .altered, object: object, name: "", detail: "definition changed")] }
    }

    private static func compareColumns(_ table: String, _ old: [SchemaSnapshot.Column], _ new: [SchemaSnapshot.Column], into changes: inout [Change]) {
        let before = Dictionary(old.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let after = Dictionary(new.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for column in old where after[column.name] == nil { changes.append(Change(action: .dropped, object: .column, name: "\(table).\(column.name)")) }
        for column in new {
            guard let was = before[column.name] else { changes.append(Change(action: .added, object: .column, name: "\(table).\(column.name)", detail: column.type)); continue }
            var what: [String] = []
            if was.type != column.type { what.append("type \(was.type) → \(column.type)") }
            if was.nullable != column.nullable { what.append(column.nullable ? "drop not null" : "set not null") }
            if was.defaultValue != column.defaultValue { what.append("default \(was.defaultValue ?? "none") → \(column.defaultValue ?? "none")") }
            if !what.isEmpty { changes.append(Change(action: .altered, object: .column, name: "\(table).\(column.name)", detail: what.joined(separator: ", "))) }
        }
    }
}
