/// Rows of a query, copied out of libpq's result in text form.
public struct QueryResult: Sendable {
    public var columns: [String]
    public var rows: [[String?]]
    /// Rows changed by an INSERT/UPDATE/DELETE (`PQcmdTuples`).
    public var affected: Int

    public init(columns: [String] = [], rows: [[String?]] = [], affected: Int = 0) {
        self.columns = columns
        self.rows = rows
        self.affected = affected
    }

    public var count: Int { rows.count }

    /// The first column of the first row.
    public var scalar: String? { rows.first?.first ?? nil }

    /// Rows as dictionaries keyed by column name.
    public var records: [Row] { rows.map { Row(columns: columns, values: $0) } }
}

/// One row, read by column name.
public struct Row: Sendable {
    let columns: [String]
    let values: [String?]

    public subscript(_ name: String) -> String? {
        guard let index = columns.firstIndex(of: name) else { return nil }
        return values[index]
    }

    public func string(_ name: String) -> String { self[name] ?? "" }
    public func int(_ name: String) -> Int? { self[name].flatMap { Int($0) } }
    public func bool(_ name: String) -> Bool { self[name] == "t" }

    /// A text[] column in PostgreSQL's array literal form, decoded.
    public func array(_ name: String) -> [String] { PGArray.decode(self[name] ?? "{}") }
}

/// PostgreSQL text[] literals, both ways.
public enum PGArray {
    public static func encode(_ values: [String]) -> String {
        "{" + values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }.joined(separator: ",") + "}"
    }

    public static func decode(_ literal: String) -> [String] {
        var chars = literal.unicodeScalars.makeIterator()
        guard chars.next() == "{" else { return [] }
        var out: [String] = []
        var current = ""
        var quoted = false, inQuotes = false
        while let c = chars.next() {
            if inQuotes {
                if c == "\\" { if let n = chars.next() { current.unicodeScalars.append(n) } } else if c == "\"" { inQuotes = false } else { current.unicodeScalars.append(c) }
            } else if c == "\"" {
                inQuotes = true; quoted = true
            } else if c == "," || c == "}" {
                if !(current.isEmpty && !quoted && c == "}" && out.isEmpty) { out.append(current == "NULL" && !quoted ? "" : current) }
                current = ""; quoted = false
                if c == "}" { break }
            } else {
                current.unicodeScalars.append(c)
            }
        }
        return out
    }
}

import Foundation
