import CPgQuery
import Foundation
import SluiceCore

/// SPEC §7 on PostgreSQL's own parser (libpg_query): each section is parsed once, each
/// statement checked against `LintRule.all`, findings placed at file:line:column.
///
/// What the linter assumes (docs/lint.md): a table exists, with data, unless the same
/// migration created it; a migration runs in one transaction unless marked
/// `-- sluice:no-transaction`; destructive rules apply to up sections (a down is meant to
/// undo its up).
public struct Linter: Sendable {
    public struct Options: Sendable {
        /// `policy.require_down`: a migration without a down (not marked irreversible) is an error.
        public var requireDown = true
        /// `database.lock_timeout` is set (non-zero): DDL without a directive is covered.
        public var lockTimeoutConfigured = true
        /// The target server (`150018`), when known: ADD VALUE in a transaction fails before 12.
        public var serverVersion: Int?

        public init(requireDown: Bool = true, lockTimeoutConfigured: Bool = true, serverVersion: Int? = nil) {
            self.requireDown = requireDown
            self.lockTimeoutConfigured = lockTimeoutConfigured
            self.serverVersion = serverVersion
        }
    }

    public var options: Options

    public init(options: Options = .init()) {
        self.options = options
    }

    /// Lints a folder: its problems (from `FolderParser.analyze`), `sluice.sum`, and the
    /// migrations in `selected` (all when nil), in version order.
    public func lint(folder: MigrationFolder, problems: [FolderProblem] = [], selected: Set<Version>? = nil) -> [LintFinding] {
        var findings: [LintFinding] = []
        for problem in problems {
            let rule: LintRule = problem.message.contains(" is used by ") ? .versionConflict : .invalidFolder
            findings.append(LintFinding(rule, file: problem.file, message: problem.located + " — " + problem.hint))
        }
        if let sum = folder.sum {
            for mismatch in sum.mismatches(against: folder.fileChecksums) {
                findings.append(LintFinding(.sumMismatch, file: mismatch.file, message: mismatch.located))
            }
        }
        let chosen = folder.migrations.filter { selected?.contains($0.version) ?? true }
        let newestChosen = chosen.map(\.version).max()
        let history = selected == nil ? [] : folder.migrations.filter { m in !(selected?.contains(m.version) ?? true) && newestChosen.map { m.version < $0 } == true }
        let withoutDown = folder.migrations.filter { $0.down == nil && !$0.up.directives.irreversible }
        if options.requireDown, !withoutDown.isEmpty, withoutDown.count == folder.migrations.count, folder.migrations.count > 1 {
            findings.append(LintFinding(.missingDown, file: "", message: "none of the folder's \(folder.migrations.count) migrations has a down: a folder that never had downs needs policy.require_down: false"))
            findings += lint(migrations: chosen, repeatables: selected == nil ? folder.repeatables : [], checkDowns: false, history: history)
        } else {
            findings += lint(migrations: chosen, repeatables: selected == nil ? folder.repeatables : [], history: history)
        }
        return findings
    }

    /// Lints the given migrations (the gate: what a cycle is about to apply).
    /// - Parameter history: migrations that ran before these (already applied, or older than
    ///   `--latest`): read for what they establish (validated NOT NULL checks, function
    ///   volatility), not reported on.
    public func lint(migrations: [Migration], repeatables: [RepeatableMigration] = [], checkDowns: Bool = true, history: [Migration] = []) -> [LintFinding] {
        var findings: [LintFinding] = []
        let ordered = migrations.sorted(by: { $0.version < $1.version })
        let earlier = history.filter { h in !ordered.contains { $0.version == h.version } }.sorted(by: { $0.version < $1.version })
        // Parsing is the expensive part and independent per section: done on every core, a
        // batch at a time, so the parse trees of a large folder are never all in memory at once.
        var sections: [Section] = earlier.map(\.up)
        for migration in ordered {
            sections.append(migration.up)
            if let down = migration.down { sections.append(down) }
        }
        sections += repeatables.map(\.section)
        // A batch of sections is parsed on every core, then analysed in order; a finished
        // batch's trees are freed on another thread while the next batch parses.
        let batchSize = 128
        var batch: [ParsedSection] = []
        var batchStart = 0
        var next = 0
        func take() -> ParsedSection {
            if next - batchStart >= batch.count {
                ParsedSection.release(batch)
                batchStart = next
                batch = Self.parseAll(Array(sections[next..<min(sections.count, next + batchSize)]))
            }
            defer { next += 1 }
            return batch[next - batchStart]
        }
        defer { ParsedSection.release(batch) }

        var context = FolderContext()
        for migration in earlier {
            var ignored: [LintFinding] = []
            _ = analyze(take(), version: migration.version.canonical, isDown: false, context: &context, into: &ignored)
        }
        for migration in ordered {
            let version = migration.version.canonical
            let up = analyze(take(), version: version, isDown: false, context: &context, into: &findings)
            if migration.down != nil {
                var scratch = context
                let undone = analyze(take(), version: version, isDown: true, context: &scratch, into: &findings)
                if let up, let undone { compare(up: up, down: undone, migration: migration, into: &findings) }
            } else if checkDowns && options.requireDown && !migration.up.directives.irreversible {
                findings.append(LintFinding(.missingDown, file: migration.up.file, version: version))
            }
        }
        for _ in repeatables {
            var scratch = context
            _ = analyze(take(), version: nil, isDown: false, context: &scratch, into: &findings)
        }
        return findings
    }

    /// What earlier migrations of the folder established.
    struct FolderContext {
        /// `table.column` with a validated `CHECK (column IS NOT NULL)`: SET NOT NULL uses it.
        var notNullChecked = Set<String>()
        /// `table.constraint` → column, for CHECK (column IS NOT NULL) constraints not yet validated.
        var notNullChecks: [String: String] = [:]
        /// Functions created in the folder with their volatility (`v` unless declared).
        var functions: [String: Character] = [:]
    }

    /// A section with its parse result (statements, or the syntax-error finding).
    struct ParsedSection {
        var source: SourceText
        var statements: [Statement]?
        var error: LintFinding?

        /// Frees a batch's parse trees (thousands of small objects) on the global queue.
        static func release(_ batch: [ParsedSection]) {
            guard !batch.isEmpty else { return }
            DispatchQueue.global().async { withExtendedLifetime(batch) {} }
        }
    }

    /// `SLUICE_LINT_SERIAL` (profiling): parse on one thread. Read once, not per batch.
    static let serialParse = getenv("SLUICE_LINT_SERIAL") != nil

    static func parseAll(_ sections: [Section]) -> [ParsedSection] {
        var results = [ParsedSection?](repeating: nil, count: sections.count)
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer
            let work: @Sendable (Int) -> Void = { index in
                let source = SourceText(sections[index])
                var errors: [LintFinding] = []
                let statements = source.parse(into: &errors, version: nil)
                out[index] = ParsedSection(source: source, statements: statements, error: errors.first)
            }
            if serialParse {
                for index in 0..<sections.count { work(index) }
            } else {
                DispatchQueue.concurrentPerform(iterations: sections.count, execute: work)
            }
        }
        return results.map { $0! }
    }

    // MARK: Sections

    /// What a section did to tables, for the up/down comparison.
    struct Effects {
        var created: [TableName] = []
        var dropped: [TableName] = []
        var allowed: Set<String> = []
        var firstLine = 1
    }

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

    /// Checks a parsed section's statements; nil when it did not parse.
    func analyze(_ parsed: ParsedSection, version: String?, isDown: Bool, context: inout FolderContext, into findings: inout [LintFinding]) -> Effects? {
        let section = parsed.source.section
        guard let statements = parsed.statements else {
            if var error = parsed.error { error.version = version; findings.append(error) }
            return nil
        }
        var notValidHere: [String: LintRule] = [:]
        var effects = Effects()
        var local: [LintFinding] = []
        var hasDDL = false, setsLockTimeout = false
        let inTransaction = !section.directives.noTransaction
        var transactionStatements: [Statement] = []

        for statement in statements {
            effects.allowed.formUnion(statement.allowed.map(\.name))
            for (name, line) in statement.allowed where LintRule.byName[name] == nil {
                local.append(LintFinding(.unknownRule, file: section.file, line: line, version: version,
                                         message: "`-- sluice:allow \(name)`: there is no rule \(name), so this silences nothing"))
            }
            var found: [(LintRule, String?)] = []
            let body = statement.body
            func flag(_ rule: LintRule, _ message: String? = nil) { found.append((rule, message)) }
            let isNew = { (table: TableName) in effects.created.contains { $0.same(as: table) } }

            switch statement.kind {
            case "CreateStmt", "CreateTableAsStmt":
                hasDDL = true
                let relation = body["relation"] ?? body["into"]?["rel"]
                if let relation { effects.created.append(TableName(relation)) }
            case "DropStmt":
                hasDDL = true
                let objects = body["objects"]?.items ?? []
                switch body["removeType"]?.string {
                case "OBJECT_TABLE":
                    let names = objects.map { TableName(names: Node.strings(inList: $0)) }
                    effects.dropped += names
                    if !isDown { flag(.dropTable, "DROP TABLE \(names.map(\.display).joined(separator: ", ")) destroys the table and every row in it") }
                case "OBJECT_SCHEMA":
                    if !isDown { flag(.dropSchema) }
                case "OBJECT_INDEX":
                    if body["concurrent"]?.bool == true {
                        if inTransaction { flag(.concurrentlyInTransaction, "DROP INDEX CONCURRENTLY cannot run inside a transaction block, and the migration runs in one") }
                    } else if !isDown {
                        flag(.dropIndex)
                    }
                case "OBJECT_VIEW", "OBJECT_MATVIEW":
                    if !isDown { flag(.dropView) }
                default: break
                }
            case "AlterTableStmt":
                hasDDL = true
                guard let relation = body["relation"] else { break }
                let table = TableName(relation)
                let fresh = isNew(table)
                for command in body["cmds"]?.items ?? [] {
                    guard let cmd = command["AlterTableCmd"] else { continue }
                    let column = cmd["name"]?.string ?? ""
                    switch cmd["subtype"]?.string {
                    case "AT_DropColumn":
                        if !isDown && !fresh { flag(.dropColumn, "DROP COLUMN \(table.display).\(column) destroys the column's data, and running code that still uses it breaks") }
                    case "AT_AlterColumnType":
                        if !isDown && !fresh { flag(.columnTypeChange, "changing the type of \(table.display).\(column) rewrites the table under an ACCESS EXCLUSIVE lock and may fail on, or change, existing values") }
                    case "AT_AddColumn":
                        guard !fresh, let def = cmd["def"]?["ColumnDef"] else { break }
                        let name = def["colname"]?.string ?? ""
                        if let why = Self.rewritingColumn(def, functions: context.functions) {
                            flag(.addColumnVolatileDefault, "ADD COLUMN \(name) \(why) rewrites all of \(table.display) under an ACCESS EXCLUSIVE lock")
                        }
                        for constraint in def["constraints"]?.items ?? [] {
                            switch constraint["Constraint"]?["contype"]?.string {
                            case "CONSTR_FOREIGN":
                                flag(.addForeignKeyWithoutNotValid, "ADD COLUMN \(name) … REFERENCES adds a foreign key that is validated at once, blocking writes to both tables")
                            case "CONSTR_UNIQUE", "CONSTR_PRIMARY":
                                flag(.addUniqueWithoutIndex, "ADD COLUMN \(name) … UNIQUE builds its index while \(table.display) is locked")
                            default: break
                            }
                        }
                    case "AT_SetNotNull":
                        if !fresh && !context.notNullChecked.contains("\(table.name).\(column)") {
                            flag(.setNotNull, "SET NOT NULL on \(table.display).\(column) scans the whole table under an ACCESS EXCLUSIVE lock")
                        }
                    case "AT_ValidateConstraint":
                        let key = "\(table.name).\(column)"
                        if let checked = context.notNullChecks[key] { context.notNullChecked.insert("\(table.name).\(checked)") }
                        if inTransaction, let rule = notValidHere[key] {
                            flag(rule, "VALIDATE CONSTRAINT \(column) in the same transaction as its NOT VALID: the lock is held through the validation anyway; validate in a later migration")
                        }
                    case "AT_AddConstraint":
                        guard let constraint = cmd["def"]?["Constraint"] else { break }
                        let notValid = constraint["skip_validation"]?.bool == true
                        let name = constraint["conname"]?.string
                        if constraint["contype"]?.string == "CONSTR_CHECK", let name, let checked = Self.notNullColumn(constraint["raw_expr"]) {
                            if notValid { context.notNullChecks["\(table.name).\(name)"] = checked } else { context.notNullChecked.insert("\(table.name).\(checked)") }
                        }
                        if notValid, let name {
                            notValidHere["\(table.name).\(name)"] = constraint["contype"]?.string == "CONSTR_FOREIGN" ? .addForeignKeyWithoutNotValid : .addCheckWithoutNotValid
                        }
                        guard !fresh else { break }
                        switch constraint["contype"]?.string {
                        case "CONSTR_FOREIGN" where !notValid: flag(.addForeignKeyWithoutNotValid)
                        case "CONSTR_CHECK" where !notValid: flag(.addCheckWithoutNotValid)
                        case "CONSTR_UNIQUE", "CONSTR_PRIMARY":
                            if constraint["indexname"] == nil { flag(.addUniqueWithoutIndex) }
                        default: break
                        }
                    default: break
                    }
                }
            case "RenameStmt":
                hasDDL = true
                if isDown { break }
                switch body["renameType"]?.string {
                case "OBJECT_TABLE": flag(.renameTable)
                case "OBJECT_COLUMN": flag(.renameColumn)
                default: break
                }
            case "TruncateStmt":
                if !isDown { flag(.truncate) }
            case "DeleteStmt":
                if !isDown && body["whereClause"] == nil { flag(.deleteWithoutWhere) }
            case "IndexStmt":
                hasDDL = true
                let table = body["relation"].map(TableName.init)
                if body["concurrent"]?.bool == true {
                    if inTransaction { flag(.concurrentlyInTransaction, "CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and the migration runs in one") }
                } else if let table, !isNew(table) {
                    flag(.createIndexNonConcurrently, "CREATE INDEX on \(table.display) without CONCURRENTLY blocks writes to it while the index builds")
                }
            case "ReindexStmt":
                let concurrent = (body["params"]?.items ?? []).contains { Node.defName($0) == "concurrently" }
                if concurrent && inTransaction { flag(.concurrentlyInTransaction, "REINDEX CONCURRENTLY cannot run inside a transaction block") }
            case "VacuumStmt":
                let options = (body["options"]?.items ?? []).compactMap(Node.defName)
                if body["is_vacuumcmd"]?.bool == true {
                    if options.contains("full") { flag(.vacuumFull) }
                    if inTransaction { flag(.concurrentlyInTransaction, "VACUUM cannot run inside a transaction block") }
                }
            case "ClusterStmt":
                flag(.cluster)
            case "AlterEnumStmt":
                hasDDL = true
                if body["oldVal"] == nil, inTransaction, let server = options.serverVersion, server < 120000 { flag(.enumAddValueInTransaction) }
            case "CreatedbStmt", "DropdbStmt", "AlterSystemStmt", "CreateTableSpaceStmt", "DropTableSpaceStmt":
                if inTransaction { flag(.concurrentlyInTransaction, "\(statement.kind.replacingOccurrences(of: "Stmt", with: "")) cannot run inside a transaction block") }
            case "CreateFunctionStmt":
                hasDDL = true
                if let name = (body["funcname"]?.items ?? []).compactMap(Node.string).last {
                    let volatility = (body["options"]?.items ?? []).compactMap { option -> String? in
                        guard let def = option["DefElem"], def["defname"]?.string == "volatility", let arg = def["arg"] else { return nil }
                        return Node.string(arg)
                    }.first
                    context.functions[name] = volatility.flatMap(\.first) ?? "v"
                }
            case "TransactionStmt":
                transactionStatements.append(statement)
            case "VariableSetStmt":
                if body["name"]?.string == "lock_timeout" { setsLockTimeout = true }
            case "SelectStmt", "InsertStmt", "UpdateStmt", "CopyStmt", "ExplainStmt", "NotifyStmt", "DoStmt", "CallStmt", "VariableShowStmt":
                break
            default:
                hasDDL = true
            }
            for (rule, message) in found where !statement.allows(rule.name) {
                local.append(LintFinding(rule, file: section.file, line: statement.line, column: statement.column, version: version, message: message))
            }
        }

        if !transactionStatements.isEmpty {
            // Sluice absorbs one BEGIN … COMMIT wrapping the whole section; anything else is refused.
            let wrapping = transactionStatements.count == 2 && statements.first == transactionStatements[0] && statements.last == transactionStatements[1]
                && Node.transactionKind(transactionStatements[0]) == "TRANS_STMT_BEGIN" && Node.transactionKind(transactionStatements[1]) == "TRANS_STMT_COMMIT"
            for statement in transactionStatements where !statement.allows(LintRule.transactionControl.name) {
                local.append(LintFinding(.transactionControl, file: section.file, line: statement.line, column: statement.column, version: version,
                                         message: wrapping ? "a BEGIN … COMMIT around the whole migration: Sluice runs it in its own transaction and ignores these" : nil,
                                         severity: wrapping ? .warning : .error))
            }
        }
        if hasDDL, !isDown, inTransaction, !options.lockTimeoutConfigured, section.directives.lockTimeout == nil, !setsLockTimeout,
           !effects.allowed.contains(LintRule.missingLockTimeout.name) {
            let first = statements.first { $0.kind != "VariableSetStmt" }
            local.append(LintFinding(.missingLockTimeout, file: section.file, line: first?.line ?? 1, version: version))
        }
        effects.firstLine = statements.first?.line ?? 1
        findings += local
        return effects
    }

    static let knownVolatile: Set<String> = ["random", "random_normal", "clock_timestamp", "timeofday", "gen_random_uuid", "gen_random_bytes",
                                             "uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4", "nextval", "txid_current", "setseed"]

    /// `col` for a `col IS NOT NULL` expression.
    static func notNullColumn(_ node: ParseNode?) -> String? {
        guard let test = node?["NullTest"], test["nulltesttype"]?.string == "IS_NOT_NULL", let ref = test["arg"]?["ColumnRef"] else { return nil }
        return (ref["fields"]?.items ?? []).compactMap(Node.string).last
    }

    /// Tables the up creates and the down leaves, and tables the up drops and the down does not re-create.
    func compare(up: Effects, down: Effects, migration: Migration, into findings: inout [LintFinding]) {
        guard !up.allowed.contains(LintRule.downDoesNotUndo.name), !down.allowed.contains(LintRule.downDoesNotUndo.name),
              let downSection = migration.down else { return }
        let left = up.created.filter { table in !down.dropped.contains { $0.same(as: table) } }
        let lost = up.dropped.filter { table in !down.created.contains { $0.same(as: table) } }
        var what: [String] = []
        if !left.isEmpty { what.append("the up creates \(left.map(\.display).joined(separator: ", ")) and the down does not drop it") }
        if !lost.isEmpty { what.append("the up drops \(lost.map(\.display).joined(separator: ", ")) and the down does not re-create it") }
        guard !what.isEmpty else { return }
        findings.append(LintFinding(.downDoesNotUndo, file: downSection.file, line: down.firstLine, version: migration.version.canonical,
                                    message: what.joined(separator: "; ")))
    }

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
                    return functions[name] == nil && !Self.knownVolatile.contains(name)
                        ? "with the default \(name)() (a function not declared STABLE or IMMUTABLE is volatile)"
                        : "with the volatile default \(name)()"
                }
            default: break
            }
        }
        return nil
    }
}

/// A section's text with its parse tree and byte → line:column mapping.
struct SourceText {
    /// The rule names of a `-- sluice:allow rule[, rule…]` comment on `line`, if it has one.
    /// Read by hand (the daemon lints before it applies; the Swift Regex engine is ~850 KiB of
    /// code it would otherwise keep resident).
    static func allowedRules(in line: Substring) -> [Substring]? {
        var rest = line.prefix(while: { !$0.isNewline })
        while let dashes = rest.range(of: "--") {
            let afterDashes = rest[dashes.upperBound...].drop(while: \.isWhitespace)
            if afterDashes.hasPrefix("sluice:allow") {
                let afterKeyword = afterDashes.dropFirst("sluice:allow".count)
                if let first = afterKeyword.first, first.isWhitespace {
                    let names = afterKeyword.drop(while: \.isWhitespace)
                    if !names.isEmpty {
                        return names.split(whereSeparator: { $0 == "," || $0.isWhitespace })
                    }
                }
            }
            rest = rest[rest.index(after: dashes.lowerBound)...]  // `---x`: try the dashes at 1 too
        }
        return nil
    }

    let section: Section
    let bytes: [UInt8]
    /// Byte offsets where each line starts.
    let lineStarts: [Int]

    init(_ section: Section) {
        self.section = section
        bytes = Array(section.sql.utf8)
        var starts = [0]
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") { starts.append(index + 1) }
        lineStarts = starts
    }

    /// 1-based line (in the file) and column of a byte offset.
    func position(ofByte offset: Int) -> (line: Int, column: Int) {
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        let column = String(decoding: bytes[lineStarts[low]..<min(offset, bytes.count)], as: UTF8.self).count + 1
        return (section.lineOffset + low + 1, column)
    }

    /// The statements, or nil (with a `syntax-error` finding) when the parser rejects the section.
    func parse(into findings: inout [LintFinding], version: String?) -> [Statement]? {
        let result = pg_query_parse(section.sql)
        defer { pg_query_free_parse_result(result) }
        if let error = result.error {
            let message = String(cString: error.pointee.message)
            // cursorpos is a 1-based character position in the text.
            let characters = max(0, Int(error.pointee.cursorpos) - 1)
            let offset = section.sql.prefix(characters).utf8.count
            let (line, column) = position(ofByte: offset)
            findings.append(LintFinding(.syntaxError, file: section.file, line: line, column: column, version: version, message: message))
            return nil
        }
        guard let json = result.parse_tree, let tree = ParseTreeJSON.parse(json) else { return [] }
        var statements: [Statement] = []
        for entry in tree["stmts"]?.items ?? [] {
            guard let (kind, body) = entry["stmt"]?.members?.first else { continue }
            let location = entry["stmt_location"]?.int ?? 0
            let length = entry["stmt_len"]?.int ?? (bytes.count - location)
            statements.append(statement(kind: kind, body: body, location: location, length: length))
        }
        return statements
    }

    private func statement(kind: String, body: ParseNode, location: Int, length: Int) -> Statement {
        let end = min(bytes.count, length == 0 ? bytes.count : location + length)
        // The statement starts at its first token: skip blanks and comments.
        var start = location
        while start < end {
            if bytes[start] == 0x20 || bytes[start] == 0x09 || bytes[start] == 0x0A || bytes[start] == 0x0D { start += 1; continue }
            if bytes[start] == UInt8(ascii: "-"), start + 1 < end, bytes[start + 1] == UInt8(ascii: "-") {
                while start < end, bytes[start] != 0x0A { start += 1 }
                continue
            }
            if bytes[start] == UInt8(ascii: "/"), start + 1 < end, bytes[start + 1] == UInt8(ascii: "*") {
                start += 2
                while start + 1 < end, !(bytes[start] == UInt8(ascii: "*") && bytes[start + 1] == UInt8(ascii: "/")) { start += 1 }
                start += 2
                continue
            }
            break
        }
        start = min(start, end)
        let (line, column) = position(ofByte: start)
        // Allow comments: in the statement's text (comments before it included) and after it on its last line.
        var lineEnd = end
        while lineEnd < bytes.count, bytes[lineEnd] != 0x0A { lineEnd += 1 }
        var allowed: [(name: String, line: Int)] = []
        // A span that begins mid-line begins right after the previous statement's `;`: the rest
        // of that line (a trailing `-- sluice:allow`) belongs to the previous statement.
        var scanFrom = location
        if scanFrom > 0, bytes[scanFrom - 1] != 0x0A {
            while scanFrom < start, bytes[scanFrom] != 0x0A { scanFrom += 1 }
        }
        if SQLText.contains("sluice:allow", in: bytes[scanFrom..<max(scanFrom, lineEnd)]) {
            let text = String(decoding: bytes[scanFrom..<max(scanFrom, lineEnd)], as: UTF8.self)
            var lineNumber = position(ofByte: scanFrom).line
            // `\r\n` is one Character, and a newline: split on newlines, not on "\n".
            for textLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
                if let names = Self.allowedRules(in: textLine) {
                    for name in names where !name.isEmpty {
                        allowed.append((name.lowercased(), lineNumber))
                    }
                }
                lineNumber += 1
            }
        }
        return Statement(kind: kind, body: body, location: location, line: line, column: column, allowed: allowed)
    }
}

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
