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

    /// Checks a parsed section's statements; nil when it did not parse. Each statement (and
    /// each ALTER TABLE subcommand) is recorded in the section's state, then checked by the
    /// rules that name its kind; the section's own rules run last.
    func analyze(_ parsed: ParsedSection, version: String?, isDown: Bool, context: inout FolderContext, into findings: inout [LintFinding]) -> SectionEffects? {
        let section = parsed.source.section
        guard let statements = parsed.statements else {
            if var error = parsed.error { error.version = version; findings.append(error) }
            return nil
        }
        let state = SectionState(section: section, statements: statements, version: version, isDown: isDown, options: options, context: context)
        for statement in statements {
            state.effects.allowed.formUnion(statement.allowed.map(\.name))
            for (name, line) in statement.allowed where LintRule.byName[name] == nil {
                findings.append(LintFinding(.unknownRule, file: section.file, line: line, version: version,
                                            message: "`-- sluice:allow \(name)`: there is no rule \(name), so this silences nothing"))
            }
            var found: [(LintRule, String?)] = []
            state.record(statement)
            var view = StatementView(statement: statement, state: state)
            for (rule, check) in LintRule.byStatementKind[statement.kind] ?? [] {
                for message in check(view) { found.append((rule, message)) }
            }
            if statement.kind == "AlterTableStmt", let relation = statement.body["relation"] {
                view.table = TableName(relation)
                view.fresh = state.isNew(view.table)
                for command in statement.body["cmds"]?.items ?? [] {
                    guard let cmd = command["AlterTableCmd"] else { continue }
                    state.record(command: cmd, table: view.table)
                    view.command = cmd
                    for (rule, check) in LintRule.byAlterTableSubtype[cmd["subtype"]?.string ?? ""] ?? [] {
                        for message in check(view) { found.append((rule, message)) }
                    }
                }
            }
            for (rule, message) in found where !statement.allows(rule.name) {
                findings.append(LintFinding(rule, file: section.file, line: statement.line, column: statement.column, version: version, message: message))
            }
        }
        for (rule, check) in LintRule.sectionChecks { findings += check(rule, state) }
        state.effects.firstLine = statements.first?.line ?? 1
        context = state.context
        return state.effects
    }

    /// The rules that compare a migration's up with its down.
    func compare(up: SectionEffects, down: SectionEffects, migration: Migration, into findings: inout [LintFinding]) {
        for (rule, check) in LintRule.migrationChecks { findings += check(rule, up, down, migration) }
    }
}
