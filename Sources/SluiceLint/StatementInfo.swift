import CPgQuery
import Foundation

/// Facts about one statement read from PostgreSQL's parse tree (libpg_query's JSON).
public enum StatementInfo {
    /// For `CREATE INDEX CONCURRENTLY name ON [schema.]table …`: the index's schema (when
    /// written) and name. Such a statement that fails or is interrupted leaves an INVALID
    /// index behind, which has to be dropped before the statement can run again.
    public static func concurrentIndex(_ sql: String) -> (schema: String?, name: String)? {
        guard sql.range(of: "concurrently", options: .caseInsensitive) != nil,
              let stmts = parseTree(sql)?["stmts"]?.items, stmts.count == 1,
              let index = stmts[0]["stmt"]?["IndexStmt"],
              index["concurrent"]?.bool == true,
              let name = index["idxname"]?.string
        else { return nil }
        return (index["relation"]?["schemaname"]?.string, name)
    }

    /// The parse tree, or nil when the parser rejects the text.
    static func parseTree(_ sql: String) -> ParseNode? {
        let result = pg_query_parse(sql)
        defer { pg_query_free_parse_result(result) }
        guard result.error == nil, let json = result.parse_tree else { return nil }
        return ParseTreeJSON.parse(json)
    }
}
