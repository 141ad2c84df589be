extension LintRule {
    /// The parser's verdict and the `-- sluice:allow` comments, both reported by the linter as it reads a section.
    static let syntaxRules: [LintRule] = [syntaxError, unknownRule]

    public static let syntaxError = LintRule(name: "syntax-error", severity: .error, category: .syntax,
        summary: "PostgreSQL's parser rejects this statement",
        hint: "fix the SQL; the message and position are PostgreSQL's own",
        check: .linter)
    public static let unknownRule = LintRule(name: "unknown-rule", severity: .warning, category: .syntax,
        summary: "`-- sluice:allow` names a rule that does not exist, so it silences nothing",
        hint: "use a rule name from `sluice lint` output or docs/lint.md",
        check: .linter)
}
