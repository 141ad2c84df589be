/// The schema as a Graphviz graph: a node per table (its columns, keys marked) and an edge per
/// foreign key, with what a version added or changed highlighted. Pure: the dashboard runs
/// `dot -Tsvg` on the text.
public enum SchemaDiagram {
    /// What happened to a table at the version shown.
    public enum Mark: String, Sendable { case added, altered, unchanged }

    public struct Table: Sendable, Equatable {
        public var name: String
        public var mark: Mark
        public var columns: [(name: String, type: String, key: Bool, mark: Mark)]

        public static func == (a: Table, b: Table) -> Bool {
            a.name == b.name && a.mark == b.mark && a.columns.map(\.name) == b.columns.map(\.name) && a.columns.map(\.mark) == b.columns.map(\.mark)
        }
    }

    /// Tables with their marks, sorted by name, from a snapshot and the changes that led to it.
    public static func tables(_ snapshot: SchemaSnapshot, changes: [SchemaDiff.Change]) -> [Table] {
        let addedTables = Set(changes.filter { $0.object == .table && $0.action == .added }.map(\.name))
        let touched = Set(changes.filter { [.column, .index, .constraint].contains($0.object) || ($0.object == .table && $0.action == .altered) }
            .map { tableName(of: $0.name, in: snapshot) ?? $0.name })
        let addedColumns = Set(changes.filter { $0.object == .column && $0.action == .added }.map(\.name))
        let alteredColumns = Set(changes.filter { $0.object == .column && $0.action == .altered }.map(\.name))
        return snapshot.tables.keys.sorted().map { name in
            let table = snapshot.tables[name]!
            let keys = primaryKeyColumns(table)
            let mark: Mark = addedTables.contains(name) ? .added : touched.contains(name) ? .altered : .unchanged
            let columns = table.columns.map { column -> (String, String, Bool, Mark) in
                let qualified = "\(name).\(column.name)"
                let columnMark: Mark = mark == .added || addedColumns.contains(qualified) ? .added : alteredColumns.contains(qualified) ? .altered : .unchanged
                return (column.name, column.type, keys.contains(column.name), columnMark)
            }
            return Table(name: name, mark: mark, columns: columns)
        }
    }

    /// Foreign keys as (from table, to table): the targets the catalog recorded, when the
    /// snapshot holds them.
    public static func foreignKeys(_ snapshot: SchemaSnapshot) -> [(from: String, to: String)] {
        var edges: [(String, String)] = []
        for (name, table) in snapshot.tables.sorted(by: { $0.key < $1.key }) {
            for (_, target) in table.foreignKeys.sorted(by: { $0.key < $1.key }) where snapshot.tables[target] != nil {
                edges.append((name, target))
            }
        }
        return edges
    }

    /// The DOT text: HTML-like labels, added tables green, altered ones amber.
    public static func dot(_ snapshot: SchemaSnapshot, changes: [SchemaDiff.Change]) -> String {
        var lines = [
            "digraph schema {",
            "  graph [rankdir=LR, bgcolor=\"transparent\", fontname=\"Helvetica\", nodesep=0.4, ranksep=0.8];",
            "  node [shape=plaintext, fontname=\"Helvetica\", fontsize=10];",
            "  edge [color=\"#6b7280\", arrowsize=0.7];",
        ]
        for table in tables(snapshot, changes: changes) {
            let header = table.mark == .added ? "#bbf7d0" : table.mark == .altered ? "#fde68a" : "#e5e7eb"
            var rows = ["<tr><td bgcolor=\"\(header)\" align=\"left\"><b>\(html(table.name))</b>\(table.mark == .unchanged ? "" : " <i>(\(table.mark.rawValue))</i>")</td></tr>"]
            for column in table.columns {
                let color = column.mark == .added ? " bgcolor=\"#dcfce7\"" : column.mark == .altered ? " bgcolor=\"#fef3c7\"" : ""
                rows.append("<tr><td align=\"left\"\(color)>\(column.key ? "<font color=\"#6b7280\">PK </font>" : "")\(html(column.name)) <font color=\"#6b7280\">\(html(column.type))</font></td></tr>")
            }
            lines.append("  \(quote(table.name)) [id=\(quote("table-" + table.name)), label=<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"3\">\(rows.joined())</table>>];")
        }
        for edge in foreignKeys(snapshot) {
            lines.append("  \(quote(edge.from)) -> \(quote(edge.to));")
        }
        lines.append("}")
        return lines.joined(separator: "\n")
    }

    static func primaryKeyColumns(_ table: SchemaSnapshot.Table) -> Set<String> {
        guard let pk = table.constraints.values.first(where: { $0.hasPrefix("PRIMARY KEY") }),
              let open = pk.range(of: "PRIMARY KEY ("),
              let close = pk[open.upperBound...].firstIndex(of: ")") else { return [] }
        return Set(pk[open.upperBound..<close].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "\"", with: "") })
    }

    /// `public.orders.user_id` → `public.orders` when that table exists.
    static func tableName(of qualified: String, in snapshot: SchemaSnapshot) -> String? {
        var parts = qualified.split(separator: ".").map(String.init)
        while parts.count > 1 {
            parts.removeLast()
            let candidate = parts.joined(separator: ".")
            if snapshot.tables[candidate] != nil { return candidate }
        }
        return nil
    }

    static func quote(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    public static func html(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
