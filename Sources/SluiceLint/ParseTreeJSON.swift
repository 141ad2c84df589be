import Foundation

/// One value of libpg_query's JSON parse tree. Objects keep their members in order in an
/// array: parse-tree objects are small (a handful of fields), so a linear search by key is
/// cheaper than building and hashing a dictionary, and reading a field needs no dynamic
/// cast (the linter reads thousands of trees per run).
enum ParseNode: Sendable {
    case object([(key: String, value: ParseNode)])
    case array([ParseNode])
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case null

    /// The member `key` of an object; nil for a missing member or a value that is not an object.
    subscript(key: String) -> ParseNode? {
        guard case .object(let members) = self else { return nil }
        for member in members where member.key == key { return member.value }
        return nil
    }

    var string: String? { if case .string(let value) = self { value } else { nil } }
    var bool: Bool? { if case .bool(let value) = self { value } else { nil } }
    var int: Int? { if case .int(let value) = self { value } else { nil } }
    /// The items of an array; nil for anything else.
    var items: [ParseNode]? { if case .array(let values) = self { values } else { nil } }
    /// The members of an object, in the order libpg_query wrote them; nil for anything else.
    var members: [(key: String, value: ParseNode)]? { if case .object(let values) = self { values } else { nil } }
}

/// A small reader for libpg_query's JSON parse trees, straight into `ParseNode`s:
/// Foundation's `JSONSerialization` builds bridged objects first, and `Any` trees cost a
/// runtime cast at every read. The input is libpg_query's own output — well-formed JSON of
/// objects, arrays, strings, integers, booleans — so errors just end the read (nil).
enum ParseTreeJSON {
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> ParseNode? {
        var reader = Reader(bytes: bytes)
        return reader.value()
    }

    /// libpg_query's NUL-terminated `parse_tree`.
    static func parse(_ text: UnsafePointer<CChar>) -> ParseNode? {
        let count = strlen(text)
        return text.withMemoryRebound(to: UInt8.self, capacity: count) { parse(UnsafeBufferPointer(start: $0, count: count)) }
    }

    struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        mutating func skipSpace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 { index += 1 }
        }

        mutating func value() -> ParseNode? {
            skipSpace()
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var members: [(key: String, value: ParseNode)] = []
                // Most parse-tree objects have a few members: one allocation instead of regrowing.
                members.reserveCapacity(4)
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                while true {
                    skipSpace()
                    guard let key = string() else { return nil }
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
                    index += 1
                    guard let item = value() else { return nil }
                    members.append((key, item))
                    skipSpace()
                    guard index < bytes.count else { return nil }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                    return nil
                }
            case UInt8(ascii: "["):
                index += 1
                var array: [ParseNode] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(array) }
                while true {
                    guard let item = value() else { return nil }
                    array.append(item)
                    skipSpace()
                    guard index < bytes.count else { return nil }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(array) }
                    return nil
                }
            case UInt8(ascii: "\""):
                return string().map(ParseNode.string)
            case UInt8(ascii: "t"):
                index += 4
                return .bool(true)
            case UInt8(ascii: "f"):
                index += 5
                return .bool(false)
            case UInt8(ascii: "n"):
                index += 4
                return .null
            default:
                return number()
            }
        }

        mutating func number() -> ParseNode? {
            let start = index
            var isInteger = true
            while index < bytes.count {
                let byte = bytes[index]
                if (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "-") { index += 1; continue }
                if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "+") { isInteger = false; index += 1; continue }
                break
            }
            guard index > start else { return nil }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            if isInteger, let value = Int(text) { return .int(value) }
            return Double(text).map(ParseNode.double)
        }

        mutating func string() -> String? {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            index += 1
            let start = index
            // Fast path: no escapes.
            while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") { index += 1 }
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            var out = Array(bytes[start..<index])
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") { index += 1; return String(decoding: out, as: UTF8.self) }
                if byte != UInt8(ascii: "\\") { out.append(byte); index += 1; continue }
                index += 1
                guard index < bytes.count else { return nil }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    guard index + 4 <= bytes.count, var code = UInt32(String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<index + 4]), as: UTF8.self), radix: 16) else { return nil }
                    index += 4
                    // A surrogate pair: \uD83D\uDE00.
                    if code >= 0xD800, code < 0xDC00, index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u"),
                       let low = UInt32(String(decoding: UnsafeBufferPointer(rebasing: bytes[index + 2..<index + 6]), as: UTF8.self), radix: 16), low >= 0xDC00, low < 0xE000 {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    }
                    out.append(contentsOf: Array(String(Character(Unicode.Scalar(code) ?? "\u{FFFD}")).utf8))
                default: out.append(escape)
                }
            }
            return nil
        }
    }
}
