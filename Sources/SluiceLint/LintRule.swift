import SluiceCore

/// A lint rule: a stable kebab-case name, a severity, what it means and what to do instead
/// (SPEC §7), and its check — all in one place, so a new rule is one value added to a file of
/// `Rules/` and to `LintRule.all`. docs/lint.md shows each with examples.
///
/// The ``Linter`` parses each section once, keeps what the statements establish (tables
/// created and dropped, NOT NULL checks, functions' volatility; see ``SectionState``), and
/// runs each rule's check on the statements and ALTER TABLE subcommands it names.
public struct LintRule: Sendable, Hashable {
    public enum Severity: String, Sendable, Codable, Comparable {
        case warning, error
        public static func < (a: Self, b: Self) -> Bool { a == .warning && b == .error }
    }

    public enum Category: String, Sendable, Codable {
        case syntax, destructive, locking, transaction, folder
    }

    /// What a rule looks at, and how. A statement or command check returns one message per
    /// finding (nil: the rule's summary), placed at the statement; `-- sluice:allow` is applied
    /// by the linter. Section and migration checks make their findings (of the rule passed in).
    enum Check: Sendable {
        /// Each statement of these kinds (`IndexStmt`).
        case statement(Set<String>, @Sendable (StatementView) -> [String?])
        /// Each `ALTER TABLE` subcommand of these subtypes (`AT_DropColumn`).
        case alterTable(Set<String>, @Sendable (StatementView) -> [String?])
        /// A whole section, once its statements are checked.
        case section(@Sendable (LintRule, SectionState) -> [LintFinding])
        /// A migration's up against its down (both parsed).
        case migration(@Sendable (LintRule, _ up: SectionEffects, _ down: SectionEffects, Migration) -> [LintFinding])
        /// Reported by the linter itself: the parser's verdict, `-- sluice:allow` names, the folder.
        case linter
    }

    public var name: String
    public var severity: Severity
    public var category: Category
    /// One line: what is wrong.
    public var summary: String
    /// One line: what to do instead.
    public var hint: String
    let check: Check

    init(name: String, severity: Severity, category: Category, summary: String, hint: String, check: Check) {
        self.name = name
        self.severity = severity
        self.category = category
        self.summary = summary
        self.hint = hint
        self.check = check
    }

    public static func == (a: LintRule, b: LintRule) -> Bool { a.name == b.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    /// Every rule, in the order findings of one statement are reported.
    public static let all: [LintRule] = syntaxRules + destructiveRules + lockingRules + transactionRules + folderRules

    public static let byName: [String: LintRule] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    /// Statement kind → the rules that check it, in `all` order.
    static let byStatementKind: [String: [(LintRule, @Sendable (StatementView) -> [String?])]] = {
        var table: [String: [(LintRule, @Sendable (StatementView) -> [String?])]] = [:]
        for rule in all { if case .statement(let kinds, let check) = rule.check { for kind in kinds { table[kind, default: []].append((rule, check)) } } }
        return table
    }()

    /// `ALTER TABLE` subcommand subtype → the rules that check it, in `all` order.
    static let byAlterTableSubtype: [String: [(LintRule, @Sendable (StatementView) -> [String?])]] = {
        var table: [String: [(LintRule, @Sendable (StatementView) -> [String?])]] = [:]
        for rule in all { if case .alterTable(let subtypes, let check) = rule.check { for subtype in subtypes { table[subtype, default: []].append((rule, check)) } } }
        return table
    }()

    static let sectionChecks: [(LintRule, @Sendable (LintRule, SectionState) -> [LintFinding])] =
        all.compactMap { rule in if case .section(let check) = rule.check { (rule, check) } else { nil } }
    static let migrationChecks: [(LintRule, @Sendable (LintRule, SectionEffects, SectionEffects, Migration) -> [LintFinding])] =
        all.compactMap { rule in if case .migration(let check) = rule.check { (rule, check) } else { nil } }
}
