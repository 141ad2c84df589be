import Foundation
import SluiceCore
import Testing

@Suite("Version")
struct VersionTests {
    @Test("orders as integers of any length, never as strings", arguments: [
        ("9", "20261124093000"),
        ("0009", "10"),
        ("99", "100"),
        ("1", "0002"),
        ("99999999999999999999999999999", "100000000000000000000000000000"),
        ("123456789012345678901234567890", "123456789012345678901234567891"),
        ("1.9", "1.10"),
        ("1_9", "1.10"),
        ("2.0.3", "2.1"),
        ("1", "1.0.1"),
        ("1.2", "1.2.0.1"),
        ("0.9", "1"),
        ("20261124093000", "20261124093001"),
    ])
    func ordering(_ lower: String, _ higher: String) throws {
        let a = try #require(Version(lower))
        let b = try #require(Version(higher))
        #expect(a < b)
        #expect(b > a)
        #expect(a != b)
        #expect(!(b < a))
    }

    @Test("equal when only leading zeros, separators or trailing zero parts differ", arguments: [
        ("0007", "7"),
        ("1_10", "1.10"),
        ("1.0", "1"),
        ("1.0.0", "1"),
        ("01.010", "1.10"),
        ("2_0_3", "2.0.3"),
        ("000", "0"),
        ("000000000000000000000000000000123", "123"),
    ])
    func equality(_ left: String, _ right: String) throws {
        let a = try #require(Version(left))
        let b = try #require(Version(right))
        #expect(a == b)
        #expect(!(a < b) && !(b < a))
        #expect(Set([a, b]).count == 1, "equal versions must hash alike")
        #expect(a.canonical == b.canonical)
    }

    @Test("text that is not a version is nil", arguments: [
        "", "v1", "V1", "1a", "a", "1.", ".1", "1..2", "1__2", "-1", "+1", " 1", "1 ", "1-2", "1,2", "١٢", "１", "1.2a", "0x10",
    ])
    func invalid(_ text: String) {
        #expect(Version(text) == nil)
    }

    @Test("canonical form drops leading zeros and trailing zero parts, joins with dots", arguments: [
        ("0007", "7"),
        ("20261124093000", "20261124093000"),
        ("1_10", "1.10"),
        ("2.0.3", "2.0.3"),
        ("2.0.0", "2"),
        ("0", "0"),
        ("000", "0"),
        ("0.0", "0"),
        ("1.01", "1.1"),
        ("0.5", "0.5"),
    ])
    func canonical(_ text: String, _ expected: String) throws {
        let version = try #require(Version(text))
        #expect(version.canonical == expected)
        #expect(version.text == text, "the written form is kept for display")
        #expect(version.description == text)
    }

    @Test func isZero() throws {
        #expect(Version("0")?.isZero == true)
        #expect(Version("0000")?.isZero == true)
        #expect(Version("0.0")?.isZero == true)
        #expect(Version("0.1")?.isZero == false)
        #expect(Version("10")?.isZero == false)
    }

    @Test func sortsAMixedList() throws {
        let texts = ["1.10", "20261124093000", "1.9", "2", "1_1", "0003", "1"]
        let sorted = try texts.map { try #require(Version($0)) }.sorted().map(\.text)
        #expect(sorted == ["1", "1_1", "1.9", "1.10", "2", "0003", "20261124093000"])
    }

    @Test func codableUsesTheCanonicalForm() throws {
        let version = try #require(Version("0001_10"))
        let data = try JSONEncoder().encode([version])
        #expect(String(decoding: data, as: UTF8.self) == #"["1.10"]"#)
        let decoded = try JSONDecoder().decode([Version].self, from: data)
        #expect(decoded == [version])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Version].self, from: Data(#"["x1"]"#.utf8)) }
    }
}
