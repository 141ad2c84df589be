@testable import SluiceCore
@testable import SluiceLint
import Testing

/// The small scanners that replaced Swift Regexes on the daemon's paths (the Regex engine
/// was ~850 KiB of resident code): the same lines give the same answers.
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

    @Test("the table a foreign key references", arguments: [
        ("FOREIGN KEY (user_id) REFERENCES users(id)", "users"),
        ("FOREIGN KEY (a) REFERENCES billing.accounts(id) ON DELETE CASCADE", "billing.accounts"),
        ("FOREIGN KEY (a) REFERENCES \"Odd Name\"(id)", "\"Odd"),
        ("FOREIGN KEY (a) REFERENCES  t (id)", "t"),
        ("FOREIGN KEY (\"REFERENCES_id\") REFERENCES users(id)", "users"),
        ("FOREIGN KEY (xREFERENCES) REFERENCES s.t(id)", "s.t"),
    ])
    func referencedTable(_ definition: String, _ expected: String) {
        #expect(SchemaDiagram.referencedTable(in: definition) == expected)
    }

    @Test("no referenced table", arguments: ["FOREIGN KEY (a)", "FOREIGN KEY (a) REFERENCES", "FOREIGN KEY (a) REFERENCES(id)", "FOREIGN KEY (a) REFERENCESx REFERENCES"])
    func noReferencedTable(_ definition: String) {
        #expect(SchemaDiagram.referencedTable(in: definition) == nil)
    }
}
