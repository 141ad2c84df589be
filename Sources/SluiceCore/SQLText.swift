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

    /// Calls `body` with each line (0-based index, without its `\n` or `\r\n`) until it
    /// returns false: cheaper than `lines` when only the first few lines matter.
    public static func forEachLine(_ text: String, _ body: (Int, Substring) -> Bool) {
        var start = text.startIndex
        var index = 0
        let utf8 = text.utf8
        while start < text.endIndex {
            let end = utf8[start...].firstIndex(of: UInt8(ascii: "\n")) ?? text.endIndex
            var line = text[start..<end]
            if line.utf8.last == UInt8(ascii: "\r") { line = text[start..<utf8.index(before: end)] }
            guard body(index, line) else { return }
            index += 1
            start = end == text.endIndex ? end : utf8.index(after: end)
        }
    }

    /// Whether `needle` occurs in `haystack`, compared byte for byte (UTF-8): cheaper than a
    /// Foundation string search, which the folder reader and the linter would run per line.
    @inlinable
    public static func contains(_ needle: String, in haystack: some Collection<UInt8>) -> Bool {
        let needle = Array(needle.utf8)
        guard let first = needle.first else { return true }
        var rest = haystack[...]
        while let found = rest.firstIndex(of: first) {
            if rest[found...].starts(with: needle) { return true }
            rest = rest[rest.index(after: found)...]
        }
        return false
    }

    /// `text` without leading and trailing spaces and tabs.
    public static func trimmed(_ text: Substring) -> Substring {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isBlank($0) }) else { return text[text.endIndex...] }
        let last = text.lastIndex(where: { !isBlank($0) })!
        return text[first...last]
    }
}
