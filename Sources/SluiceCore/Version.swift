/// A migration version: one run of digits (`0007`, `20261124093000`) or, in Flyway
/// folders, several parts (`1.10`, `2_0_3`). Compared part by part as integers of
/// any length, never as strings; leading zeros and trailing zero parts do not count
/// (`0007` == `7`, `1.0` == `1`), as in Flyway.
public struct Version: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    /// Normalised parts: digits without leading zeros, no trailing `0` parts.
    public let parts: [String]
    /// The version as written in the file name.
    public let text: String

    /// Parses digits separated by `.` or `_`; nil for anything else.
    public init?(_ text: String) {
        guard !text.isEmpty else { return nil }
        // Fast path: one run of ASCII digits, the version of every paired, dbmate and goose file.
        if text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            let digits = text.utf8.drop(while: { $0 == UInt8(ascii: "0") })
            self.parts = [digits.isEmpty ? "0" : String(Substring(digits))]
            self.text = text
            return
        }
        var parts: [String] = []
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "." || $0 == "_" }) {
            guard !raw.isEmpty, raw.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            let trimmed = raw.drop(while: { $0 == "0" })
            parts.append(trimmed.isEmpty ? "0" : String(trimmed))
        }
        while parts.count > 1, parts.last == "0" { parts.removeLast() }
        self.parts = parts
        self.text = text
    }

    /// The form stored in the database: normalised parts joined with `.`.
    public var canonical: String { parts.joined(separator: ".") }
    public var description: String { text }
    public var isZero: Bool { parts == ["0"] }

    public static func == (lhs: Version, rhs: Version) -> Bool { lhs.parts == rhs.parts }
    public func hash(into hasher: inout Hasher) { hasher.combine(parts) }

    public static func < (lhs: Version, rhs: Version) -> Bool {
        for index in 0..<max(lhs.parts.count, rhs.parts.count) {
            let left = index < lhs.parts.count ? lhs.parts[index] : "0"
            let right = index < rhs.parts.count ? rhs.parts[index] : "0"
            if left == right { continue }
            // Parts are ASCII digits without leading zeros: the longer is larger, else bytes decide.
            let leftCount = left.utf8.count, rightCount = right.utf8.count
            if leftCount != rightCount { return leftCount < rightCount }
            return left.utf8.lexicographicallyPrecedes(right.utf8)
        }
        return false
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let version = Version(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad version \(text)"))
        }
        self = version
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(canonical)
    }
}
