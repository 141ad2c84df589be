@testable import SluiceCore
@testable import SluiceLint
import Testing

/// The small scanners of `-- sluice:allow` comments and foreign-key definitions.
@Suite("Hand-written scanners")
struct HandParserTests {
    @Test("`-- sluice:allow` comments name their rules", arguments: [
        ("-- sluice:allow drop-table", ["drop-table"]),
        ("DROP TABLE u; -- sluice:allow drop-table, drop-column", ["drop-table", "drop-column"]),
        ("--sluice:allow\tadd-column-default", ["add-column-default"]),
        ("-- note -- sluice:allow a,b", ["a", "b"]),
        ("-- sluice:allow a\r", ["a"]),
        ("--- sluice:allow a", ["a"]),
        ("---sluice:allow a", ["a"]),
        ("-- sluice:allow r\r\nselect 1", ["r"]),
    ])
    func allowComments(_ line: String, _ expected: [String]) {
        #expect(SourceText.allowedRules(in: line[...])?.map(String.init) == expected)
    }

    @Test("lines that only look like allow comments", arguments: [
        "-- sluice:allow", "-- sluice:allow   ", "-- sluice:allowed x", "SELECT 'sluice:allow x'", "- sluice:allow x", "",
    ])
    func notAllowComments(_ line: String) {
        #expect((SourceText.allowedRules(in: line[...]) ?? []).isEmpty)
    }
}
