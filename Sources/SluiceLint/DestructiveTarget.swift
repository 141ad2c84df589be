import Foundation

/// What a statement would destroy, read from its parse tree: the rehearsal counts the data
/// behind each target on the clone before the statement runs.
public enum DestructiveTarget: Sendable, Equatable {
    /// `DROP TABLE [schema.]name`.
    case dropTable(schema: String?, name: String)
    /// `TRUNCATE [schema.]name`.
    case truncate(schema: String?, name: String)
    /// `DROP SCHEMA name` (with CASCADE it takes its tables along).
    case dropSchema(name: String)
    /// `ALTER TABLE … DROP COLUMN column`.
    case dropColumn(schema: String?, table: String, column: String)
    /// `ALTER TABLE … ALTER COLUMN column TYPE type`. `type` is rebuilt from the parse tree
    /// as quoted names and integer modifiers (`"pg_catalog"."varchar"(5)`), safe to put in
    /// SQL; nil when it cannot be rebuilt that way. `using` is true when a USING clause
    /// converts the values (they are not counted then).
    case alterType(schema: String?, table: String, column: String, type: String?, using: Bool)

    /// The targets of every statement in `sql` (one or more statements); empty when the
    /// parser rejects the text.
    public static func find(in sql: String) -> [DestructiveTarget] {
        guard let stmts = StatementInfo.parseTree(sql)?["stmts"]?.items else { return [] }
        var targets: [DestructiveTarget] = []
        for entry in stmts {
            guard let stmt = entry["stmt"] else { continue }
            if let drop = stmt["DropStmt"] {
                let objects = drop["objects"]?.items ?? []
                switch drop["removeType"]?.string {
                case "OBJECT_TABLE":
                    for object in objects {
                        let names = qualifiedName(object)
                        guard let name = names.last else { continue }
                        targets.append(.dropTable(schema: names.count > 1 ? names[names.count - 2] : nil, name: name))
                    }
                case "OBJECT_SCHEMA":
                    for object in objects { if let name = Node.string(object) { targets.append(.dropSchema(name: name)) } }
                default: break
                }
            } else if let truncate = stmt["TruncateStmt"] {
                for relation in truncate["relations"]?.items ?? [] {
                    guard let range = relation["RangeVar"], let name = range["relname"]?.string else { continue }
                    targets.append(.truncate(schema: range["schemaname"]?.string, name: name))
                }
            } else if let alter = stmt["AlterTableStmt"], alter["objtype"]?.string == "OBJECT_TABLE" {
                guard let relation = alter["relation"], let table = relation["relname"]?.string else { continue }
                let schema = relation["schemaname"]?.string
                for command in alter["cmds"]?.items ?? [] {
                    guard let cmd = command["AlterTableCmd"], let column = cmd["name"]?.string else { continue }
                    switch cmd["subtype"]?.string {
                    case "AT_DropColumn":
                        targets.append(.dropColumn(schema: schema, table: table, column: column))
                    case "AT_AlterColumnType":
                        let def = cmd["def"]?["ColumnDef"]
                        let type = def?["typeName"].flatMap(typeText)
                        targets.append(.alterType(schema: schema, table: table, column: column, type: type, using: def?["raw_default"] != nil))
                    default: break
                    }
                }
            }
        }
        return targets
    }

    /// `"pg_catalog"."numeric"(10,2)[]` from a TypeName node; nil for modifiers that are not integers.
    static func typeText(_ node: ParseNode) -> String? {
        let names = (node["names"]?.items ?? []).compactMap(Node.string)
        guard !names.isEmpty else { return nil }
        var text = names.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ".")
        if let typmods = node["typmods"]?.items, !typmods.isEmpty {
            var values: [String] = []
            for mod in typmods {
                guard let const = mod["A_Const"], let ival = const["ival"] else { return nil }
                values.append(String(ival["ival"]?.int ?? 0))
            }
            text += "(" + values.joined(separator: ",") + ")"
        }
        if let bounds = node["arrayBounds"]?.items { text += String(repeating: "[]", count: bounds.count) }
        return text
    }

    /// The names of a `List` node; none for anything else (`Node.strings(inList:)` also
    /// accepts a bare `String` node, which is not a qualified table name here).
    private static func qualifiedName(_ node: ParseNode) -> [String] {
        node["List"] == nil ? [] : Node.strings(inList: node)
    }
}
