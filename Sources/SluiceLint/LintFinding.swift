/// One finding: a rule broken at a place in a file.
public struct LintFinding: Sendable, Codable, Equatable {
    public var rule: String
    public var severity: LintRule.Severity
    public var file: String
    /// 1-based; 0 when the finding is about the whole file or folder.
    public var line: Int
    public var column: Int
    public var version: String?
    public var message: String
    public var hint: String

    public init(_ rule: LintRule, file: String, line: Int = 0, column: Int = 0, version: String? = nil, message: String? = nil, severity: LintRule.Severity? = nil) {
        self.rule = rule.name
        self.severity = severity ?? rule.severity
        self.file = file
        self.line = line
        self.column = column
        self.version = version
        self.message = message ?? rule.summary
        self.hint = rule.hint
    }

    /// `file:line:column: severity: [rule] message`, like a compiler.
    public var located: String {
        var place = file.isEmpty ? "(folder)" : file
        if line > 0 { place += ":\(line)" + (column > 0 ? ":\(column)" : "") }
        return "\(place): \(severity.rawValue): [\(rule)] \(message)"
    }
}
