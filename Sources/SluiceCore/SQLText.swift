/// Small facts about SQL text that need no parser.
public enum SQLText {
    /// True when `sql` has only white space and `--` or `/* */` comments.
    public static func isBlank(_ sql: String) -> Bool {
        strippingLeadingComments(sql).isEmpty
    }

    /// `sql` from its first character that is neither white space nor part of a comment.
    public static func strippingLeadingComments(_ sql: String) -> Substring {
        var rest = Substring(sql)
        while true {
            rest = rest.drop(while: { $0.isWhitespace })
            if rest.hasPrefix("--") {
                guard let newline = rest.firstIndex(of: "\n") else { return rest[rest.endIndex...] }
                rest = rest[newline...]
            } else if rest.hasPrefix("/*") {
                guard let end = rest.range(of: "*/") else { return rest[rest.endIndex...] }
                rest = rest[end.upperBound...]
            } else {
                return rest
            }
        }
    }

    /// The lines of `text`, keeping empty ones; `\r\n` counts as one break.
    public static func lines(_ text: String) -> [Substring] {
        // "\r\n" is one Character in Swift, so it must be named as a separator of its own.
        text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    }

    /// Line breaks before a 1-based character position, counted as PostgreSQL counts
    /// positions (Unicode code points).
    public static func newlines(in text: String, before position: Int) -> Int {
        text.unicodeScalars.prefix(max(0, position - 1)).reduce(0) { $0 + ($1 == "\n" ? 1 : 0) }
    }

    /// A migration file's name without `.up.sql` or `.sql`.
    public static func stem(_ file: String) -> String {
        for suffix in [".up.sql", ".sql"] where file.hasSuffix(suffix) { return String(file.dropLast(suffix.count)) }
        return file
    }
}
