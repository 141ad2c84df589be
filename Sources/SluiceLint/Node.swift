/// Reading libpg_query's JSON nodes.
enum Node {
    static func string(_ node: ParseNode) -> String? {
        guard let value = node["String"] else { return nil }
        return (value["sval"] ?? value["str"])?.string
    }

    static func strings(inList node: ParseNode) -> [String] {
        guard let list = node["List"] else { return string(node).map { [$0] } ?? [] }
        return (list["items"]?.items ?? []).compactMap(string)
    }

    static func defName(_ node: ParseNode) -> String? {
        node["DefElem"]?["defname"]?.string
    }

    static func transactionKind(_ statement: Statement) -> String? { statement.body["kind"]?.string }

    /// The names of every function called in an expression tree, outermost first.
    static func calls(in node: ParseNode?) -> [String] {
        var names: [String] = []
        switch node {
        case .object(let members)?:
            if let call = node?["FuncCall"], let name = (call["funcname"]?.items ?? []).compactMap(string).last {
                names.append(name)
            }
            for member in members.sorted(by: { $0.key < $1.key }) { names += calls(in: member.value) }
        case .array(let values)?:
            for value in values { names += calls(in: value) }
        default: break
        }
        return names
    }
}
