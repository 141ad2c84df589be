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
        guard let tree = StatementInfo.parseTree(sql), let stmts = tree["stmts"] as? [[String: Any]] else { return [] }
        var targets: [DestructiveTarget] = []
        for entry in stmts {
            guard let stmt = entry["stmt"] as? [String: Any] else { continue }
            if let drop = stmt["DropStmt"] as? [String: Any] {
                let objects = drop["objects"] as? [Any] ?? []
                switch drop["removeType"] as? String {
                case "OBJECT_TABLE":
                    for object in objects {
                        let names = strings(inList: object)
                        guard let name = names.last else { continue }
                        targets.append(.dropTable(schema: names.count > 1 ? names[names.count - 2] : nil, name: name))
                    }
                case "OBJECT_SCHEMA":
                    for object in objects { if let name = string(object) { targets.append(.dropSchema(name: name)) } }
                default: break
                }
            } else if let truncate = stmt["TruncateStmt"] as? [String: Any] {
                for relation in truncate["relations"] as? [Any] ?? [] {
                    guard let range = (relation as? [String: Any])?["RangeVar"] as? [String: Any], let name = range["relname"] as? String else { continue }
                    targets.append(.truncate(schema: range["schemaname"] as? String, name: name))
                }
            } else if let alter = stmt["AlterTableStmt"] as? [String: Any], (alter["objtype"] as? String) == "OBJECT_TABLE" {
                guard let relation = alter["relation"] as? [String: Any], let table = relation["relname"] as? String else { continue }
                let schema = relation["schemaname"] as? String
                for command in alter["cmds"] as? [Any] ?? [] {
                    guard let cmd = (command as? [String: Any])?["AlterTableCmd"] as? [String: Any], let column = cmd["name"] as? String else { continue }
                    switch cmd["subtype"] as? String {
                    case "AT_DropColumn":
                        targets.append(.dropColumn(schema: schema, table: table, column: column))
                    case "AT_AlterColumnType":
                        let def = (cmd["def"] as? [String: Any])?["ColumnDef"] as? [String: Any]
                        let type = (def?["typeName"] as? [String: Any]).flatMap(typeText)
                        targets.append(.alterType(schema: schema, table: table, column: column, type: type, using: def?["raw_default"] != nil))
                    default: break
                    }
                }
            }
        }
        return targets
    }

    /// `"pg_catalog"."numeric"(10,2)[]` from a TypeName node; nil for modifiers that are not integers.
    static func typeText(_ node: [String: Any]) -> String? {
        let names = (node["names"] as? [Any] ?? []).compactMap(string)
        guard !names.isEmpty else { return nil }
        var text = names.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ".")
        if let typmods = node["typmods"] as? [Any], !typmods.isEmpty {
            var values: [String] = []
            for mod in typmods {
                guard let const = (mod as? [String: Any])?["A_Const"] as? [String: Any],
                      let ival = const["ival"] as? [String: Any] else { return nil }
                values.append(String((ival["ival"] as? Int) ?? 0))
            }
            text += "(" + values.joined(separator: ",") + ")"
        }
        if let bounds = node["arrayBounds"] as? [Any] { text += String(repeating: "[]", count: bounds.count) }
        return text
    }

    private static func string(_ node: Any) -> String? {
        guard let value = (node as? [String: Any])?["String"] as? [String: Any] else { return nil }
        return (value["sval"] ?? value["str"]) as? String
    }

    private static func strings(inList node: Any) -> [String] {
        guard let list = (node as? [String: Any])?["List"] as? [String: Any] else { return [] }
        return (list["items"] as? [Any] ?? []).compactMap(string)
    }
}
