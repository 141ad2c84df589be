extension LintRule {
    /// Statements that hold a strong lock for long on a table that already has data.
    static let lockingRules: [LintRule] = [
        createIndexNonConcurrently, addColumnVolatileDefault, setNotNull, addForeignKeyWithoutNotValid, addCheckWithoutNotValid,
        addUniqueWithoutIndex, enumAddValueInTransaction, vacuumFull, cluster, missingLockTimeout,
    ]

    public static let createIndexNonConcurrently = LintRule(name: "create-index-non-concurrently", severity: .error, category: .locking,
        summary: "CREATE INDEX without CONCURRENTLY on an existing table blocks all writes to it while the index builds",
        hint: "use CREATE INDEX CONCURRENTLY in a migration marked `-- sluice:no-transaction`",
        check: .statement(["IndexStmt"]) { s in
            guard s.body["concurrent"]?.bool != true, let table = s.body["relation"].map(TableName.init), !s.state.isNew(table) else { return [] }
            return ["CREATE INDEX on \(table.display) without CONCURRENTLY blocks writes to it while the index builds"]
        })
    public static let addColumnVolatileDefault = LintRule(name: "add-column-volatile-default", severity: .error, category: .locking,
        summary: "ADD COLUMN with a volatile default (random(), clock_timestamp(), a serial, …) rewrites the whole table under an ACCESS EXCLUSIVE lock",
        hint: "add the column without a default (or with a constant one), then backfill in batches and set the default afterwards",
        check: .alterTable(["AT_AddColumn"]) { c in
            guard !c.fresh, let def = c.command?["def"]?["ColumnDef"], let why = ColumnDefault.rewritingColumn(def, functions: c.state.context.functions) else { return [] }
            return ["ADD COLUMN \(def["colname"]?.string ?? "") \(why) rewrites all of \(c.table.display) under an ACCESS EXCLUSIVE lock"]
        })
    public static let setNotNull = LintRule(name: "set-not-null", severity: .warning, category: .locking,
        summary: "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock",
        hint: "first ADD CONSTRAINT … CHECK (col IS NOT NULL) NOT VALID, then VALIDATE CONSTRAINT (in a later migration), then SET NOT NULL uses it",
        check: .alterTable(["AT_SetNotNull"]) { c in
            c.fresh || c.state.context.notNullChecked.contains("\(c.table.name).\(c.name)") ? []
                : ["SET NOT NULL on \(c.table.display).\(c.name) scans the whole table under an ACCESS EXCLUSIVE lock"]
        })
    public static let addForeignKeyWithoutNotValid = LintRule(name: "add-foreign-key-without-not-valid", severity: .warning, category: .locking,
        summary: "adding a FOREIGN KEY validates every row while writes to both tables are blocked",
        hint: "ADD CONSTRAINT … FOREIGN KEY … NOT VALID, then VALIDATE CONSTRAINT in a later migration (it takes a weaker lock)",
        check: .alterTable(["AT_AddColumn", "AT_AddConstraint", "AT_ValidateConstraint"]) { c in
            constraintCheck(c, rule: "add-foreign-key-without-not-valid", contype: "CONSTR_FOREIGN") { column in
                "ADD COLUMN \(column) … REFERENCES adds a foreign key that is validated at once, blocking writes to both tables"
            }
        })
    public static let addCheckWithoutNotValid = LintRule(name: "add-check-without-not-valid", severity: .warning, category: .locking,
        summary: "adding a CHECK constraint scans every row under an ACCESS EXCLUSIVE lock",
        hint: "ADD CONSTRAINT … CHECK (…) NOT VALID, then VALIDATE CONSTRAINT in a later migration",
        check: .alterTable(["AT_AddConstraint", "AT_ValidateConstraint"]) { c in
            constraintCheck(c, rule: "add-check-without-not-valid", contype: "CONSTR_CHECK", onNewColumn: nil)
        })
    public static let addUniqueWithoutIndex = LintRule(name: "add-unique-without-index", severity: .warning, category: .locking,
        summary: "adding a UNIQUE or PRIMARY KEY constraint builds its index while the table is locked",
        hint: "CREATE UNIQUE INDEX CONCURRENTLY first (no-transaction migration), then ADD CONSTRAINT … UNIQUE USING INDEX",
        check: .alterTable(["AT_AddColumn", "AT_AddConstraint"]) { c in
            guard !c.fresh else { return [] }
            let unique: Set<String?> = ["CONSTR_UNIQUE", "CONSTR_PRIMARY"]
            if let def = c.command?["def"]?["ColumnDef"] {
                let name = def["colname"]?.string ?? ""
                return (def["constraints"]?.items ?? []).filter { unique.contains($0["Constraint"]?["contype"]?.string) }
                    .map { _ in "ADD COLUMN \(name) … UNIQUE builds its index while \(c.table.display) is locked" }
            }
            guard let constraint = c.command?["def"]?["Constraint"], unique.contains(constraint["contype"]?.string) else { return [] }
            return constraint["indexname"] == nil ? [nil] : []
        })
    public static let enumAddValueInTransaction = LintRule(name: "enum-add-value-in-transaction", severity: .error, category: .locking,
        summary: "ALTER TYPE … ADD VALUE cannot run inside a transaction block on PostgreSQL before 12",
        hint: "put it in a migration marked `-- sluice:no-transaction`",
        check: .statement(["AlterEnumStmt"]) { s in
            guard s.body["oldVal"] == nil, s.inTransaction, let server = s.state.options.serverVersion, server < 120000 else { return [] }
            return [nil]
        })
    public static let vacuumFull = LintRule(name: "vacuum-full", severity: .error, category: .locking,
        summary: "VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock (and cannot run in a transaction)",
        hint: "leave it to autovacuum, or use pg_repack outside migrations",
        check: .statement(["VacuumStmt"]) { s in
            s.body["is_vacuumcmd"]?.bool == true && (s.body["options"]?.items ?? []).contains { Node.defName($0) == "full" } ? [nil] : []
        })
    public static let cluster = LintRule(name: "cluster", severity: .error, category: .locking,
        summary: "CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock",
        hint: "run it by hand in a maintenance window, or use pg_repack, not in a migration",
        check: .statement(["ClusterStmt"]) { _ in [nil] })
    public static let missingLockTimeout = LintRule(name: "missing-lock-timeout", severity: .warning, category: .locking,
        summary: "a migration with DDL and no lock timeout can queue behind a long query and block every query after it",
        hint: "set database.lock_timeout (default 5s), or `-- sluice:lock-timeout 5s` in the migration",
        check: .section { rule, s in
            guard s.hasDDL, !s.isDown, s.inTransaction, !s.options.lockTimeoutConfigured, s.section.directives.lockTimeout == nil, !s.setsLockTimeout,
                  !s.effects.allowed.contains(rule.name) else { return [] }
            let first = s.statements.first { $0.kind != "VariableSetStmt" }
            return [LintFinding(rule, file: s.section.file, line: first?.line ?? 1, version: s.version)]
        })

    /// The FOREIGN KEY and CHECK rules: a constraint added to an existing table without NOT
    /// VALID (`contype`), one added with a new column (`onNewColumn` gives the message), and
    /// a NOT VALID one of this rule validated in the same transaction.
    private static func constraintCheck(_ c: StatementView, rule: String, contype: String, onNewColumn: ((String) -> String)?) -> [String?] {
        switch c.command?["subtype"]?.string {
        case "AT_ValidateConstraint":
            guard c.inTransaction, c.state.notValidHere["\(c.table.name).\(c.name)"] == rule else { return [] }
            return ["VALIDATE CONSTRAINT \(c.name) in the same transaction as its NOT VALID: the lock is held through the validation anyway; validate in a later migration"]
        case "AT_AddColumn":
            guard !c.fresh, let onNewColumn, let def = c.command?["def"]?["ColumnDef"] else { return [] }
            let name = def["colname"]?.string ?? ""
            return (def["constraints"]?.items ?? []).filter { $0["Constraint"]?["contype"]?.string == contype }.map { _ in onNewColumn(name) }
        default:
            guard !c.fresh, let constraint = c.command?["def"]?["Constraint"], constraint["contype"]?.string == contype,
                  constraint["skip_validation"]?.bool != true else { return [] }
            return [nil]
        }
    }
}

/// Whether adding a column rewrites the table, from its default: the check of
/// ``LintRule/addColumnVolatileDefault``.
enum ColumnDefault {
    static let knownVolatile: Set<String> = ["random", "random_normal", "clock_timestamp", "timeofday", "gen_random_uuid", "gen_random_bytes",
                                             "uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4", "nextval", "txid_current", "setseed"]

    /// Built-in functions that are not volatile: a default calling only these is stored once
    /// (PostgreSQL 11+) instead of rewriting the table. Any other call — a volatile built-in
    /// (`random()`, `gen_random_uuid()`, `clock_timestamp()`, `nextval()`) or a function the
    /// folder does not declare STABLE/IMMUTABLE — is assumed volatile, PostgreSQL's default.
    static let stableFunctions: Set<String> = [
        "now", "transaction_timestamp", "statement_timestamp", "current_setting", "lower", "upper", "btrim", "ltrim", "rtrim", "trim",
        "concat", "concat_ws", "length", "char_length", "substr", "substring", "replace", "abs", "round", "floor", "ceil", "greatest",
        "least", "coalesce", "nullif", "date_trunc", "make_date", "make_time", "make_timestamp", "make_timestamptz", "make_interval",
        "to_char", "to_date", "to_timestamp", "to_number", "jsonb_build_object", "json_build_object", "jsonb_build_array",
        "json_build_array", "to_jsonb", "to_json", "array_length", "md5", "int4", "int8", "text", "numeric", "timezone",
    ]

    /// Why adding this column rewrites the table, or nil when it does not (PostgreSQL 11+
    /// stores a non-volatile default without touching the rows).
    static func rewritingColumn(_ def: ParseNode, functions: [String: Character] = [:]) -> String? {
        let type = (def["typeName"]?["names"]?.items ?? []).compactMap(Node.string).last ?? ""
        if ["serial", "bigserial", "smallserial", "serial2", "serial4", "serial8"].contains(type) { return "of type \(type) (a nextval() default)" }
        for constraint in def["constraints"]?.items ?? [] {
            guard let c = constraint["Constraint"] else { continue }
            switch c["contype"]?.string {
            case "CONSTR_IDENTITY": return "as an identity column"
            case "CONSTR_GENERATED": return "as a stored generated column"
            case "CONSTR_DEFAULT":
                for name in Node.calls(in: c["raw_expr"]) where !stableFunctions.contains(name) && functions[name] != "i" && functions[name] != "s" {
                    return functions[name] == nil && !knownVolatile.contains(name)
                        ? "with the default \(name)() (a function not declared STABLE or IMMUTABLE is volatile)"
                        : "with the volatile default \(name)()"
                }
            default: break
            }
        }
        return nil
    }
}
