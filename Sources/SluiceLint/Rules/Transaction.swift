import Foundation
extension LintRule {
    /// Sluice runs each migration in one transaction unless it is marked `-- sluice:no-transaction`.
    static let transactionRules: [LintRule] = [concurrentlyInTransaction, transactionControl]

    public static let concurrentlyInTransaction = LintRule(name: "concurrently-in-transaction", severity: .error, category: .transaction,
        summary: "this statement cannot run inside a transaction block, and the migration runs in one",
        hint: "put `-- sluice:no-transaction` at the top of the migration (and keep it to such statements)",
        check: .statement(["DropStmt", "IndexStmt", "ReindexStmt", "VacuumStmt",
                           "CreatedbStmt", "DropdbStmt", "AlterSystemStmt", "CreateTableSpaceStmt", "DropTableSpaceStmt"]) { s in
            guard s.inTransaction else { return [] }
            switch s.kind {
            case "DropStmt":
                guard s.body["removeType"]?.string == "OBJECT_INDEX", s.body["concurrent"]?.bool == true else { return [] }
                return ["DROP INDEX CONCURRENTLY cannot run inside a transaction block, and the migration runs in one"]
            case "IndexStmt":
                return s.body["concurrent"]?.bool == true ? ["CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and the migration runs in one"] : []
            case "ReindexStmt":
                let concurrent = (s.body["params"]?.items ?? []).contains { Node.defName($0) == "concurrently" }
                return concurrent ? ["REINDEX CONCURRENTLY cannot run inside a transaction block"] : []
            case "VacuumStmt":
                return s.body["is_vacuumcmd"]?.bool == true ? ["VACUUM cannot run inside a transaction block"] : []
            default:
                return ["\(s.kind.replacingOccurrences(of: "Stmt", with: "")) cannot run inside a transaction block"]
            }
        })
    public static let transactionControl = LintRule(name: "transaction-control", severity: .error, category: .transaction,
        summary: "BEGIN/COMMIT/ROLLBACK written in a migration: Sluice runs each migration in its own transaction",
        hint: "remove them; for statements that cannot run in a transaction use `-- sluice:no-transaction`",
        check: .section { rule, s in
            let found = s.transactionStatements
            guard !found.isEmpty else { return [] }
            // Sluice absorbs one BEGIN … COMMIT wrapping the whole section; anything else is refused.
            let wrapping = found.count == 2 && s.statements.first == found[0] && s.statements.last == found[1]
                && Node.transactionKind(found[0]) == "TRANS_STMT_BEGIN" && Node.transactionKind(found[1]) == "TRANS_STMT_COMMIT"
            return found.filter { !$0.allows(rule.name) }.map { statement in
                LintFinding(rule, file: s.section.file, line: statement.line, column: statement.column, version: s.version,
                            message: wrapping ? "a BEGIN … COMMIT around the whole migration: Sluice runs it in its own transaction and ignores these" : nil,
                            severity: wrapping ? .warning : .error)
            }
        })
}
