/// One parsed statement: its node kind (`IndexStmt`) and body, where it starts, what it allows.
struct Statement: Equatable {
    var kind: String
    var body: ParseNode
    var location: Int
    var line: Int
    var column: Int
    var allowed: [(name: String, line: Int)]

    func allows(_ rule: String) -> Bool { allowed.contains { $0.name == rule } }

    static func == (a: Statement, b: Statement) -> Bool { a.location == b.location && a.kind == b.kind }
}
