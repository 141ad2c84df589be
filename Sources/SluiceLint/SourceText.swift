import CPgQuery
import Foundation
import SluiceCore

/// A section's text with its parse tree and byte → line:column mapping.
struct SourceText {
    /// The rule names of a `-- sluice:allow rule[, rule…]` comment on `line`, if it has one.
    /// Read by hand: it runs on every line lint scans, and a Swift `Regex` match costs
    /// microseconds (as in DirectiveParser).
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
