/// A table as a statement names it: `[schema.]name`.
struct TableName: Hashable {
    var schema: String?
    var name: String

    init(_ range: ParseNode) {
        schema = range["schemaname"]?.string
        name = range["relname"]?.string ?? ""
    }

    init(names: [String]) {
        name = names.last ?? ""
        schema = names.count > 1 ? names[names.count - 2] : nil
    }

    var display: String { schema.map { "\($0).\(name)" } ?? name }

    func same(as other: TableName) -> Bool {
        name == other.name && (schema == nil || other.schema == nil || schema == other.schema
                               || (schema == "public" && other.schema == nil) || (other.schema == "public" && schema == nil))
    }
}
