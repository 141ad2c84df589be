import Foundation

/// What a statement would destroy, read from its parse tree: the rehearsal counts the data
/// behind each target on the clone before the statement runs, and `rollback` lists them
/// (``summary``) before it asks for confirmation.
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
    /// Any other `DROP kind name` (view, index, function, trigger…): nothing to count, but
    /// gone all the same. `kind` as a person says it (`materialized view`), `name` as written
    /// (`public.f(integer)`, `users_touch ON users`).
    case dropObject(kind: String, name: String)
    /// `ALTER TABLE … DROP CONSTRAINT constraint`.
    case dropConstraint(schema: String?, table: String, constraint: String)
    /// `DELETE FROM [schema.]name`.
    case delete(schema: String?, name: String)

    /// What is destroyed, in a phrase: `drops table app.orders`.
    public var summary: String {
        func qualified(_ schema: String?, _ name: String) -> String { schema.map { "\($0).\(name)" } ?? name }
        switch self {
        case .dropTable(let s, let n): return "drops table \(qualified(s, n))"
        case .truncate(let s, let n): return "truncates table \(qualified(s, n))"
        case .dropSchema(let n): return "drops schema \(n)"
        case .dropColumn(let s, let t, let c): return "drops column \(qualified(s, t)).\(c)"
        case .alterType(let s, let t, let c, let type, _):
            return "changes the type of column \(qualified(s, t)).\(c)" + (type.map { " to \($0.replacingOccurrences(of: "\"", with: ""))" } ?? "")
        case .dropObject(let kind, let n): return "drops \(kind) \(n)"
        case .dropConstraint(let s, let t, let c): return "drops constraint \(c) on \(qualified(s, t))"
        case .delete(let s, let n): return "deletes rows from \(qualified(s, n))"
        }
    }

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
                case let removeType?:
                    let kind = objectKind(removeType)
                    for object in objects { if let name = objectName(object, kind: kind) { targets.append(.dropObject(kind: kind, name: name)) } }
                case nil: break
                }
            } else if let truncate = stmt["TruncateStmt"] {
                for relation in truncate["relations"]?.items ?? [] {
                    guard let range = relation["RangeVar"], let name = range["relname"]?.string else { continue }
                    targets.append(.truncate(schema: range["schemaname"]?.string, name: name))
                }
            } else if let delete = stmt["DeleteStmt"], let range = delete["relation"], let name = range["relname"]?.string {
                targets.append(.delete(schema: range["schemaname"]?.string, name: name))
            } else if let alter = stmt["AlterTableStmt"], alter["objtype"]?.string == "OBJECT_TABLE" {
                guard let relation = alter["relation"], let table = relation["relname"]?.string else { continue }
                let schema = relation["schemaname"]?.string
                for command in alter["cmds"]?.items ?? [] {
                    guard let cmd = command["AlterTableCmd"], let column = cmd["name"]?.string else { continue }
                    switch cmd["subtype"]?.string {
                    case "AT_DropColumn":
                        targets.append(.dropColumn(schema: schema, table: table, column: column))
                    case "AT_DropConstraint":
                        targets.append(.dropConstraint(schema: schema, table: table, constraint: column))
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

    /// `OBJECT_MATVIEW` → `materialized view`, `OBJECT_FOREIGN_TABLE` → `foreign table`.
    static func objectKind(_ removeType: String) -> String {
        switch removeType {
        case "OBJECT_MATVIEW": "materialized view"
        case "OBJECT_FDW": "foreign-data wrapper"
        default: removeType.replacingOccurrences(of: "OBJECT_", with: "").replacingOccurrences(of: "_", with: " ").lowercased()
        }
    }

    /// A dropped object's name from its node: a qualified name (`List`), a bare name
    /// (`String`), a function's name and argument types (`ObjectWithArgs`), or a type
    /// (`TypeName`). Triggers, rules and policies are listed as table then name.
    static func objectName(_ node: ParseNode, kind: String) -> String? {
        if let function = node["ObjectWithArgs"] {
            let name = (function["objname"]?.items ?? []).compactMap(Node.string).joined(separator: ".")
            let args = (function["objargs"]?.items ?? []).compactMap { $0["TypeName"].flatMap(typeText)?.replacingOccurrences(of: "\"", with: "") }
            return name.isEmpty ? nil : "\(name)(\(args.joined(separator: ", ")))"
        }
        if let type = node["TypeName"] { return typeText(type)?.replacingOccurrences(of: "\"", with: "") }
        let names = Node.strings(inList: node)
        guard let last = names.last else { return nil }
        if ["trigger", "rule", "policy"].contains(kind), names.count > 1 {
            return "\(last) on \(names.dropLast().joined(separator: "."))"
        }
        return names.joined(separator: ".")
    }

    /// The names of a `List` node; none for anything else (`Node.strings(inList:)` also
    /// accepts a bare `String` node, which is not a qualified table name here).
    private static func qualifiedName(_ node: ParseNode) -> [String] {
        node["List"] == nil ? [] : Node.strings(inList: node)
    }
}
