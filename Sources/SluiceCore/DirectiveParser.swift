/// Reads `-- sluice:…` directives from the comment lines at the top of a section.
enum DirectiveParser {
    static let known = ["no-transaction", "lock-timeout", "statement-timeout", "irreversible", "allow"]
    /// Built once: a regex literal is compiled again every time its expression runs.
    nonisolated(unsafe) static let directive = /--\s*sluice:([A-Za-z-]+)\s*(.*)/

    /// Parses the leading comment block; problems are reported as `file:line: …`.
    static func parse(_ sql: String, file: String, lineOffset: Int, into directives: inout Directives, problems: inout [FolderProblem]) {
        SQLText.forEachLine(sql) { index, rawLine in
            let line = SQLText.trimmed(rawLine)
            if line.isEmpty { return true }
            guard line.hasPrefix("--") else { return false }
            guard line.contains("sluice:"), let m = line.wholeMatch(of: directive) else { return true }
            let name = String(m.1).lowercased()
            let argument = String(m.2).trimmingCharacters(in: .whitespaces)
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
}

import Foundation
