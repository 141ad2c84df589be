extension LintRule {
    /// Checked in up sections: a down is expected to undo its up.
    static let destructiveRules: [LintRule] = [
        dropTable, dropColumn, dropSchema, dropIndex, dropView, truncate, deleteWithoutWhere, columnTypeChange, renameTable, renameColumn,
    ]

    public static let dropTable = LintRule(name: "drop-table", severity: .error, category: .destructive,
        summary: "DROP TABLE destroys the table and every row in it",
        hint: "deploy code that no longer uses the table first, then add `-- sluice:allow drop-table` to the statement",
        check: .statement(["DropStmt"]) { s in
            guard !s.isDown, s.body["removeType"]?.string == "OBJECT_TABLE" else { return [] }
            let names = (s.body["objects"]?.items ?? []).map { TableName(names: Node.strings(inList: $0)) }
            return ["DROP TABLE \(names.map(\.display).joined(separator: ", ")) destroys the table and every row in it"]
        })
    public static let dropColumn = LintRule(name: "drop-column", severity: .error, category: .destructive,
        summary: "DROP COLUMN destroys the column's data, and running code that still selects it breaks",
        hint: "stop reading and writing the column in a deploy first, then add `-- sluice:allow drop-column`",
        check: .alterTable(["AT_DropColumn"]) { c in
            c.isDown || c.fresh ? [] : ["DROP COLUMN \(c.table.display).\(c.name) destroys the column's data, and running code that still uses it breaks"]
        })
    public static let dropSchema = LintRule(name: "drop-schema", severity: .error, category: .destructive,
        summary: "DROP SCHEMA destroys everything in the schema (with CASCADE, all its tables and data)",
        hint: "drop the objects one by one in reviewed migrations, or add `-- sluice:allow drop-schema`",
        check: .statement(["DropStmt"]) { s in
            !s.isDown && s.body["removeType"]?.string == "OBJECT_SCHEMA" ? [nil] : []
        })
    public static let dropIndex = LintRule(name: "drop-index", severity: .warning, category: .destructive,
        summary: "DROP INDEX takes an ACCESS EXCLUSIVE lock, and queries that used the index may slow down",
        hint: "use DROP INDEX CONCURRENTLY in a `-- sluice:no-transaction` migration, after checking pg_stat_user_indexes shows it unused",
        check: .statement(["DropStmt"]) { s in
            !s.isDown && s.body["removeType"]?.string == "OBJECT_INDEX" && s.body["concurrent"]?.bool != true ? [nil] : []
        })
    public static let dropView = LintRule(name: "drop-view", severity: .warning, category: .destructive,
        summary: "DROP VIEW breaks every query and view that still uses it",
        hint: "make sure nothing reads the view any more, then add `-- sluice:allow drop-view`",
        check: .statement(["DropStmt"]) { s in
            !s.isDown && ["OBJECT_VIEW", "OBJECT_MATVIEW"].contains(s.body["removeType"]?.string) ? [nil] : []
        })
    public static let truncate = LintRule(name: "truncate", severity: .error, category: .destructive,
        summary: "TRUNCATE deletes every row, under an ACCESS EXCLUSIVE lock",
        hint: "delete in batches with a WHERE clause, or add `-- sluice:allow truncate` if emptying the table is the point",
        check: .statement(["TruncateStmt"]) { s in s.isDown ? [] : [nil] })
    public static let deleteWithoutWhere = LintRule(name: "delete-without-where", severity: .error, category: .destructive,
        summary: "DELETE without WHERE deletes every row of the table",
        hint: "add the WHERE clause you meant, or `-- sluice:allow delete-without-where`",
        check: .statement(["DeleteStmt"]) { s in !s.isDown && s.body["whereClause"] == nil ? [nil] : [] })
    public static let columnTypeChange = LintRule(name: "column-type-change", severity: .error, category: .destructive,
        summary: "changing a column's type rewrites the table under an ACCESS EXCLUSIVE lock and may fail on, or change, existing values",
        hint: "add a new column, backfill it in batches, switch the code over, then drop the old one; `sluice rehearse` counts the rows that would not convert",
        check: .alterTable(["AT_AlterColumnType"]) { c in
            c.isDown || c.fresh ? [] : ["changing the type of \(c.table.display).\(c.name) rewrites the table under an ACCESS EXCLUSIVE lock and may fail on, or change, existing values"]
        })
    public static let renameTable = LintRule(name: "rename-table", severity: .error, category: .destructive,
        summary: "renaming a table breaks every running query that uses the old name",
        hint: "create the new table (or a view under the new name), move the code over, then drop the old name later",
        check: .statement(["RenameStmt"]) { s in !s.isDown && s.body["renameType"]?.string == "OBJECT_TABLE" ? [nil] : [] })
    public static let renameColumn = LintRule(name: "rename-column", severity: .error, category: .destructive,
        summary: "renaming a column breaks running code that uses the old name",
        hint: "add the new column, write both, backfill, switch reads, then drop the old column",
        check: .statement(["RenameStmt"]) { s in !s.isDown && s.body["renameType"]?.string == "OBJECT_COLUMN" ? [nil] : [] })
}
