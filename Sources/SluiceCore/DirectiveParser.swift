/// Reads `-- sluice:…` directives from the comment lines at the top of a section.
enum DirectiveParser {
    static let known = ["no-transaction", "lock-timeout", "statement-timeout", "irreversible", "allow"]

    /// Parses the leading comment block; problems are reported as `file:line: …`.
    static func parse(_ sql: String, file: String, lineOffset: Int, into directives: inout Directives, problems: inout [FolderProblem]) {
        SQLText.forEachLine(sql) { index, rawLine in
            // Bytes first: most lines are blank, plain comments or the first statement.
            let bytes = rawLine.utf8
            guard let first = bytes.firstIndex(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) else { return true }
            guard bytes[first...].starts(with: "--".utf8) else { return false }
            guard SQLText.contains("sluice:", in: bytes) else { return true }
            guard let (rawName, rawArgument) = directive(in: SQLText.trimmed(rawLine)) else { return true }
            let name = rawName.lowercased()
            let argument = rawArgument.trimmingCharacters(in: .whitespaces)
            let at = "\(file):\(lineOffset + index + 1)"
            switch name {
            case "no-transaction": directives.noTransaction = true
            case "irreversible": directives.irreversible = true
            case "allow": return true
            case "lock-timeout", "statement-timeout":
                guard let duration = DurationParser.parse(argument) else {
                    problems.append(.init(file: file, message: "\(at): `sluice:\(name)` needs a duration such as 5s or 10m, got `\(argument)`", hint: "write it as `-- sluice:\(name) 5s`"))
                    return true
                }
                if name == "lock-timeout" { directives.lockTimeout = duration } else { directives.statementTimeout = duration }
            default:
                problems.append(.init(file: file, message: "\(at): unknown directive `sluice:\(name)`", hint: "known directives: \(known.joined(separator: ", "))"))
            }
            return true
        }
    }

    /// `name` and the rest for a line `--␣sluice:name␣rest` (blanks optional; the name is
    /// letters and `-`); nil for any other line. Read by hand: a Swift `Regex` match costs
    /// microseconds, and every migration's header lines come through here.
    static func directive(in line: Substring) -> (name: Substring, argument: Substring)? {
        guard line.hasPrefix("--") else { return nil }
        var rest = line.dropFirst(2).drop(while: \.isWhitespace)
        guard rest.hasPrefix("sluice:") else { return nil }
        rest = rest.dropFirst(7)
        let name = rest.prefix { $0.isASCII && ($0.isLetter || $0 == "-") }
        guard !name.isEmpty else { return nil }
        return (name, rest[name.endIndex...].drop(while: \.isWhitespace))
    }
}

import Foundation
