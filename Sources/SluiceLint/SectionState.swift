import SluiceCore

/// What earlier migrations of the folder established.
struct FolderContext {
    /// `table.column` with a validated `CHECK (column IS NOT NULL)`: SET NOT NULL uses it.
    var notNullChecked = Set<String>()
    /// `table.constraint` → column, for CHECK (column IS NOT NULL) constraints not yet validated.
    var notNullChecks: [String: String] = [:]
    /// Functions created in the folder with their volatility (`v` unless declared).
    var functions: [String: Character] = [:]
}

/// What a section did to tables, for the up/down comparison.
struct SectionEffects {
    var created: [TableName] = []
    var dropped: [TableName] = []
    var allowed: Set<String> = []
    var firstLine = 1
}

/// One section being checked: what it is, and what its statements so far have established.
/// The linter records each statement (and each ALTER TABLE subcommand) here before the rules
/// check it, so a rule sees the state as of that statement.
final class SectionState {
    let section: Section
    let statements: [Statement]
    let version: String?
    let isDown: Bool
    let inTransaction: Bool
    let options: Linter.Options
    var context: FolderContext
    var effects = SectionEffects()
    /// `table.constraint` → the rule whose NOT VALID it deferred (validated later in the same
    /// transaction, the lock is held through the validation anyway).
    var notValidHere: [String: String] = [:]
    var hasDDL = false
    var setsLockTimeout = false
    var transactionStatements: [Statement] = []

    init(section: Section, statements: [Statement], version: String?, isDown: Bool, options: Linter.Options, context: FolderContext) {
        self.section = section
        self.statements = statements
        self.version = version
        self.isDown = isDown
        self.inTransaction = !section.directives.noTransaction
        self.options = options
        self.context = context
    }

    func isNew(_ table: TableName) -> Bool { effects.created.contains { $0.same(as: table) } }

    /// Statements that change no schema object (the lock-timeout rule looks for DDL).
    static let notDDL: Set<String> = [
        "TruncateStmt", "DeleteStmt", "ReindexStmt", "VacuumStmt", "ClusterStmt", "TransactionStmt", "VariableSetStmt",
        "CreatedbStmt", "DropdbStmt", "AlterSystemStmt", "CreateTableSpaceStmt", "DropTableSpaceStmt",
        "SelectStmt", "InsertStmt", "UpdateStmt", "CopyStmt", "ExplainStmt", "NotifyStmt", "DoStmt", "CallStmt", "VariableShowStmt",
    ]

    /// What the statement establishes: tables created and dropped, functions' volatility,
    /// transaction control, a lock timeout.
    func record(_ statement: Statement) {
        let body = statement.body
        if !Self.notDDL.contains(statement.kind) { hasDDL = true }
        switch statement.kind {
        case "CreateStmt", "CreateTableAsStmt":
            if let relation = body["relation"] ?? body["into"]?["rel"] { effects.created.append(TableName(relation)) }
        case "DropStmt" where body["removeType"]?.string == "OBJECT_TABLE":
            effects.dropped += (body["objects"]?.items ?? []).map { TableName(names: Node.strings(inList: $0)) }
        case "CreateFunctionStmt":
            guard let name = (body["funcname"]?.items ?? []).compactMap(Node.string).last else { break }
            let volatility = (body["options"]?.items ?? []).compactMap { option -> String? in
                guard let def = option["DefElem"], def["defname"]?.string == "volatility", let arg = def["arg"] else { return nil }
                return Node.string(arg)
            }.first
            context.functions[name] = volatility.flatMap(\.first) ?? "v"
        case "TransactionStmt":
            transactionStatements.append(statement)
        case "VariableSetStmt":
            if body["name"]?.string == "lock_timeout" { setsLockTimeout = true }
        default: break
        }
    }

    /// What an ALTER TABLE subcommand establishes: NOT NULL checks, constraints left NOT VALID.
    func record(command cmd: ParseNode, table: TableName) {
        switch cmd["subtype"]?.string {
        case "AT_ValidateConstraint":
            let key = "\(table.name).\(cmd["name"]?.string ?? "")"
            if let checked = context.notNullChecks[key] { context.notNullChecked.insert("\(table.name).\(checked)") }
        case "AT_AddConstraint":
            guard let constraint = cmd["def"]?["Constraint"] else { break }
            let notValid = constraint["skip_validation"]?.bool == true
            let name = constraint["conname"]?.string
            if constraint["contype"]?.string == "CONSTR_CHECK", let name, let checked = Self.notNullColumn(constraint["raw_expr"]) {
                if notValid { context.notNullChecks["\(table.name).\(name)"] = checked } else { context.notNullChecked.insert("\(table.name).\(checked)") }
            }
            if notValid, let name {
                notValidHere["\(table.name).\(name)"] = constraint["contype"]?.string == "CONSTR_FOREIGN"
                    ? LintRule.addForeignKeyWithoutNotValid.name : LintRule.addCheckWithoutNotValid.name
            }
        default: break
        }
    }

    /// `col` for a `col IS NOT NULL` expression.
    static func notNullColumn(_ node: ParseNode?) -> String? {
        guard let test = node?["NullTest"], test["nulltesttype"]?.string == "IS_NOT_NULL", let ref = test["arg"]?["ColumnRef"] else { return nil }
        return (ref["fields"]?.items ?? []).compactMap(Node.string).last
    }
}

/// What a rule's check sees: one statement (or one ALTER TABLE subcommand of it) and the
/// section's state as of that statement.
struct StatementView {
    let statement: Statement
    let state: SectionState
    /// For ALTER TABLE subcommands: the `AlterTableCmd` node, its table, and whether this
    /// migration created that table (the rules about existing data do not apply then).
    var command: ParseNode?
    var table = TableName(names: [])
    var fresh = false

    var kind: String { statement.kind }
    var body: ParseNode { statement.body }
    var isDown: Bool { state.isDown }
    var inTransaction: Bool { state.inTransaction }
    /// The subcommand's `name` (a column or constraint), `""` when it has none.
    var name: String { command?["name"]?.string ?? "" }
}
