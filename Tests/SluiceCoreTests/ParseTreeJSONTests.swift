import Foundation
import SluiceCore
@testable import SluiceLint
import Testing

/// The linter's own JSON reader agrees with Foundation on libpg_query-shaped JSON.
@Suite struct ParseTreeJSONTests {
    static func parse(_ text: String) -> ParseNode? {
        Array(text.utf8).withUnsafeBufferPointer { ParseTreeJSON.parse($0) }
    }

    @Test func objectsArraysStringsNumbersAndEscapes() throws {
        let text = #"{"a":[1,-2,true,false,3.5,null],"s":"x\"y\\z\nq\u00e4\ud83d\ude00/","e":{},"l":[], "n":{"k":"v"}}"#
        let mine = try #require(Self.parse(text))
        let foundation = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(mine["s"]?.string == foundation["s"] as? String)
        #expect(mine["s"]?.string == "x\"y\\z\nqä😀/")
        let array = try #require(mine["a"]?.items)
        #expect(array.count == 6)
        #expect(array[0].int == 1 && array[1].int == -2 && array[2].bool == true && array[3].bool == false)
        guard case .double(let d) = array[4], case .null = array[5] else { Issue.record("3.5 and null: \(array)"); return }
        #expect(d == 3.5)
        #expect(mine["e"]?.members?.isEmpty == true && mine["l"]?.items?.isEmpty == true)
        #expect(mine["n"]?["k"]?.string == "v")
        #expect(mine.members?.map(\.key) == ["a", "s", "e", "l", "n"], "members keep their order")
        #expect(mine["missing"] == nil && mine["s"]?["k"] == nil && mine["s"]?.int == nil, "a missing member, or a read of the wrong kind, is nil")
    }

    @Test func aRealParseTreeReadsTheSameAsWithFoundation() throws {
        // A real libpg_query tree (a quoted non-ASCII name, a cast, nested expressions) read
        // by this reader gives the rules what they need.
        let findings = Linter().lint(migrations: [Migration(version: Version("1")!, title: "x", layout: .paired,
            up: Section(file: "1_x.up.sql", sql: "CREATE INDEX i ON t (c);\nALTER TABLE t ADD COLUMN \"wéird\" text DEFAULT random()::text;\n"),
            down: Section(file: "1_x.down.sql", sql: "DROP INDEX i;\n"), checksum: "x")])
        #expect(findings.map(\.rule).sorted() == ["add-column-volatile-default", "create-index-non-concurrently"])
        #expect(findings.first { $0.rule == "add-column-volatile-default" }?.message.contains("wéird") == true)
        #expect(Self.parse("{\"a\":") == nil, "truncated input ends the read")
    }
}
