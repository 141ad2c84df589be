import CPgQuery
import SluiceCore

/// One statement of a section, with where it starts.
public struct SQLStatement: Sendable, Equatable {
    public init(text: String, line: Int, range: Range<Int>) {
        self.text = text
        self.line = line
        self.range = range
    }

    /// The statement without leading white space and without its trailing `;`.
    public var text: String
    /// 1-based line within the section where the statement starts.
    public var line: Int
    /// The statement's bytes in the section's UTF-8 (without the trailing `;`).
    public var range: Range<Int>
    /// SHA-256 of `text`: what `sluice.revisions.statement_hashes` records.
    public var hash: String { Checksum.sha256(text) }
}

/// Splits SQL into statements with PostgreSQL's own parser (libpg_query), so `$$`
/// bodies, `DO` blocks, `BEGIN ATOMIC` and comments are never cut in the middle.
public enum StatementSplitter {
    /// Splits with the parser; when the parser rejects the text (a syntax error, or
    /// syntax newer than the bundled parser) falls back to the scanner, which still
    /// respects quoting, so the server gets to report the real error.
    public static func split(_ sql: String) -> [SQLStatement] {
        let bytes = Array(sql.utf8)
        if let ranges = ranges(sql, scanner: false) {
            return ranges.compactMap { statement(bytes, $0) }
        }
        if let ranges = ranges(sql, scanner: true) {
            return coveringGaps(ranges, bytes).compactMap { statement(bytes, $0) }
        }
        return SQLText.isBlank(sql) ? [] : [SQLStatement(text: sql.trimmingCharacters(in: .whitespacesAndNewlines), line: 1, range: 0..<bytes.count)]
    }

    private static func ranges(_ sql: String, scanner: Bool) -> [Range<Int>]? {
        let result = scanner ? pg_query_split_with_scanner(sql) : pg_query_split_with_parser(sql)
        defer { pg_query_free_split_result(result) }
        if result.error != nil { return nil }
        var out: [Range<Int>] = []
        for index in 0..<Int(result.n_stmts) {
            guard let stmt = result.stmts[index]?.pointee else { continue }
            let start = Int(stmt.stmt_location)
            out.append(start..<(start + Int(stmt.stmt_len)))
        }
        return out
    }

    /// The scanner's split skips text it cannot place in a statement (`SELEC 1;`); every
    /// stretch between its ranges that holds more than `;`, blanks and comments becomes a
    /// statement of its own, so nothing is dropped and the server reports the error.
    private static func coveringGaps(_ ranges: [Range<Int>], _ bytes: [UInt8]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var cursor = 0
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) + [bytes.count..<bytes.count] {
            if range.lowerBound > cursor {
                out.append(contentsOf: pieces(of: cursor..<range.lowerBound, bytes))
            }
            if !range.isEmpty { out.append(range) }
            cursor = max(cursor, range.upperBound)
        }
        return out
    }

    /// The `;`-separated parts of a stretch the scanner left out, blank ones dropped.
    private static func pieces(of gap: Range<Int>, _ bytes: [UInt8]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start = gap.lowerBound
        for index in gap where bytes[index] == UInt8(ascii: ";") {
            out.append(start..<index)
            start = index + 1
        }
        out.append(start..<gap.upperBound)
        return out.filter { !SQLText.isBlank(String(decoding: bytes[$0], as: UTF8.self)) }
    }

    private static func statement(_ bytes: [UInt8], _ range: Range<Int>) -> SQLStatement? {
        let upper = min(range.upperBound, bytes.count)
        var lower = range.lowerBound
        while lower < upper, isSpace(bytes[lower]) { lower += 1 }
        guard lower < upper else { return nil }
        let text = String(decoding: bytes[lower..<upper], as: UTF8.self)
        guard !SQLText.isBlank(text) else { return nil }
        let line = 1 + bytes[0..<lower].reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        return SQLStatement(text: text.trimmingCharacters(in: .whitespacesAndNewlines), line: line, range: lower..<upper)
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// The PostgreSQL grammar the linked libpg_query parses, e.g. `15.1`.
    public static var parserVersion: String { PG_VERSION }
}

import Foundation
