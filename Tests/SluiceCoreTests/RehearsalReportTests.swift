import Foundation
import SluiceCore
import Testing

/// The report's pure parts: which locks block whom, the JSON tools read, the text people read.
@Suite struct RehearsalReportTests {
    @Test(arguments: [
        ("AccessExclusiveLock", true, true), ("ExclusiveLock", false, true), ("ShareRowExclusiveLock", false, true),
        ("ShareLock", false, true), ("ShareUpdateExclusiveLock", false, false), ("RowExclusiveLock", false, false),
        ("RowShareLock", false, false), ("AccessShareLock", false, false),
    ])
    func whichLocksBlockReadsAndWrites(mode: String, reads: Bool, writes: Bool) {
        let lock = RehearsalReport.Lock(relation: "public.t", mode: mode)
        #expect(lock.blocksReads == reads && lock.blocksWrites == writes)
        let created = RehearsalReport.Lock(relation: "public.new", mode: mode, created: true)
        #expect(!created.blocksReads && !created.blocksWrites, "a table made by the migration itself is invisible to others")
    }

    @Test func jsonCarriesTheDerivedFieldsAndTextNamesEverything() throws {
        var report = RehearsalReport(kind: "apply", clone: .init(strategy: "dump", database: "sluice_scratch_20261125000000_abcdef", milliseconds: 1500, bytes: 3 * 1024 * 1024),
                                     verifyDown: true)
        report.steps.append(.init(verb: "apply", version: "7", name: "0007_drop", milliseconds: 12,
                                  locks: [.init(relation: "public.orders", mode: "AccessExclusiveLock"), .init(relation: "public.fresh", mode: "AccessExclusiveLock", created: true)],
                                  changes: [.init(action: .dropped, object: .table, name: "public.orders")],
                                  destroys: [.init(kind: .droppedTable, target: "public.orders", rows: 42)]))
        report.steps.append(.init(verb: "apply", version: "8", name: "0008_index", milliseconds: 3, locks: nil, changes: [], destroys: []))
        report.failure = .init(verb: "down", version: "8", name: "0008_index", location: "0008_index.down.sql:1", statement: "DROP INDEX nope", sqlState: "42704", message: "index \"nope\" does not exist")

        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any]
        #expect(json?["passed"] as? Bool == false)
        let lock = ((json?["steps"] as? [[String: Any]])?.first?["locks"] as? [[String: Any]])?.first
        #expect(lock?["blocksReads"] as? Bool == true && lock?["blocksWrites"] as? Bool == true)
        #expect(try JSONDecoder().decode(RehearsalReport.self, from: JSONEncoder().encode(report)) == report, "round trip")

        let text = report.text
        #expect(text.contains("rehearsal of apply on sluice_scratch_20261125000000_abcdef (dump clone, 3.0 MiB, 1.5 s)"), "\(text)")
        #expect(text.contains("lock AccessExclusiveLock on public.orders: blocks reads and writes"))
        #expect(!text.contains("public.fresh"), "locks on tables the step created are not hazards")
        #expect(text.contains("dropped table public.orders") && text.contains("DESTROYS: drops table public.orders with 42 row(s)"))
        #expect(text.contains("locks: not captured (runs outside a transaction"))
        #expect(text.contains("FAILED: down 8 0008_index at 0008_index.down.sql:1: index \"nope\" does not exist (SQLSTATE 42704)"), "\(text)")
    }
}
