@testable import SluiceCore
import Foundation
import Testing

/// The diagram's edges come from the foreign-key targets the catalog recorded
/// (`pg_constraint.confrelid`), never from re-reading a constraint's text.
@Suite("Schema diagram")
struct SchemaDiagramTests {
    static let snapshot = SchemaSnapshot(tables: [
        "public.Odd Name": .init(columns: [.init(name: "id", type: "integer", nullable: false, defaultValue: nil)]),
        "billing.accounts": .init(),
        "public.orders": .init(
            constraints: [
                "orders_odd_fkey": "FOREIGN KEY (a) REFERENCES \"Odd Name\"(id)",
                "orders_account_fkey": "FOREIGN KEY (b) REFERENCES billing.accounts(id) ON DELETE CASCADE",
                "orders_gone_fkey": "FOREIGN KEY (c) REFERENCES elsewhere.gone(id)",
            ],
            foreignKeys: ["orders_odd_fkey": "public.Odd Name", "orders_account_fkey": "billing.accounts", "orders_gone_fkey": "elsewhere.gone"]),
    ])

    @Test func edgesGoToTheTablesTheCatalogNamed() {
        let edges = SchemaDiagram.foreignKeys(Self.snapshot).map { "\($0.from) -> \($0.to)" }
        #expect(edges == ["public.orders -> billing.accounts", "public.orders -> public.Odd Name"], "a target outside the snapshot draws no edge")
    }

    @Test func aQuotedNameWithASpaceIsOneNodeInTheDOT() {
        let dot = SchemaDiagram.dot(Self.snapshot, changes: [])
        #expect(dot.contains("  \"public.orders\" -> \"public.Odd Name\";"), "\(dot)")
        #expect(!dot.contains("\"Odd\""))
    }

    @Test func aSnapshotRecordedBeforeForeignKeysWereKeptDecodes() throws {
        let json = #"{"tables":{"public.t":{"columns":[],"indexes":{},"constraints":{"t_fkey":"FOREIGN KEY (a) REFERENCES u(id)"}}},"views":{},"functions":{},"sequences":{},"enums":{},"extensions":{}}"#
        let decoded = try JSONDecoder().decode(SchemaSnapshot.self, from: Data(json.utf8))
        #expect(decoded.tables["public.t"]?.foreignKeys == [:])
        #expect(decoded.tables["public.t"]?.constraints.count == 1)
    }
}
