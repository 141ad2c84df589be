/// Small facts about SQL text that need no parser.
public enum SQLText {
    /// True when `sql` has only white space and `--` or `/* */` comments.
    public static func isBlank(_ sql: String) -> Bool {
        var rest = Substring(sql)
        while true {
            rest = rest.drop(while: { $0.isWhitespace })
            if rest.isEmpty { return true }
            if rest.hasPrefix("--") {
                guard let newline = rest.firstIndex(of: "\n") else { return true }
                rest = rest[newline...]
            } else if rest.hasPrefix("/*") {
                guard let end = rest.range(of: "*/") else { return true }
                rest = rest[end.upperBound...]
            } else {
                return false
            }
        }
    }

    /// The lines of `text`, keeping empty ones; `\r\n` counts as one break.
    public static func lines(_ text: String) -> [Substring] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasSuffix("\r") ? line.dropLast() : line
        }
    }

    /// Line breaks before a 1-based character position, counted as PostgreSQL counts
    /// positions (Unicode code points).
    public static func newlines(in text: String, before position: Int) -> Int {
        text.unicodeScalars.prefix(max(0, position - 1)).reduce(0) { $0 + ($1 == "\n" ? 1 : 0) }
    }
}
