import Foundation
import SluiceCore

/// `BEGIN` / `COMMIT` written inside a transactional migration. Many golang-migrate
/// folders wrap each file in `BEGIN; … COMMIT;`; Sluice already runs each migration in a
/// transaction with its revision row, so a leading `BEGIN` and a trailing `COMMIT` are
/// blanked out (positions and line numbers stay the same). Any other transaction control
/// would commit part of a migration apart from its revision row, and is refused.
public enum TransactionControl {
    /// The section's SQL with a wrapping BEGIN/COMMIT blanked out; an error naming the file
    /// and line when a transaction statement sits anywhere else.
    public static func unwrap(_ section: Section) throws(SluiceError) -> String {
        guard mayContain(section.sql) else { return section.sql }
        let statements = StatementSplitter.split(section.sql)
        var bytes = Array(section.sql.utf8)
        for (index, statement) in statements.enumerated() {
            guard let kind = kind(of: statement.text) else { continue }
            let first = index == 0, last = index == statements.count - 1
            if first && ["TRANS_STMT_BEGIN", "TRANS_STMT_START"].contains(kind) || last && kind == "TRANS_STMT_COMMIT" {
                for i in statement.range where bytes[i] != UInt8(ascii: "\n") { bytes[i] = UInt8(ascii: " ") }
                continue
            }
            let line = section.lineOffset + statement.line
            throw SluiceError(
                .badInput, "\(section.file):\(line): `\(statement.text.prefix(40))` inside a migration would commit part of it apart from its revision row",
                hint: "remove it (Sluice runs each migration in a transaction), or mark the migration `-- sluice:no-transaction` to manage transactions yourself",
                file: section.file)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A cheap test before parsing: does any transaction keyword appear at all?
    static func mayContain(_ sql: String) -> Bool {
        let lower = sql.lowercased()
        return ["begin", "commit", "end", "start", "rollback", "abort", "prepare"].contains { lower.contains($0) }
    }

    /// `TRANS_STMT_BEGIN`, `TRANS_STMT_COMMIT`, … for a transaction statement; nil otherwise.
    static func kind(of statement: String) -> String? {
        guard let stmts = StatementInfo.parseTree(statement)?["stmts"]?.items, stmts.count == 1,
              let transaction = stmts[0]["stmt"]?["TransactionStmt"]
        else { return nil }
        let kind = transaction["kind"]?.string ?? ""
        // Savepoints stay inside our transaction and are harmless.
        return ["TRANS_STMT_SAVEPOINT", "TRANS_STMT_RELEASE", "TRANS_STMT_ROLLBACK_TO"].contains(kind) ? nil : kind
    }
}
