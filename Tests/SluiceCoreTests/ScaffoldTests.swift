import Foundation
import SluiceCore
@testable import SluiceEngine
import Testing

@Suite("Scaffold.nextVersion")
struct ScaffoldTests {
    /// 2026-11-24 09:30:00 UTC.
    static let now = Date(timeIntervalSince1970: 1_795_512_600)

    @Test("counters keep their width", arguments: [
        ([String](), "0001"),
        (["0007"], "0008"),
        (["0001", "0002", "0009"], "0010"),
        (["0099"], "0100"),
        (["9999"], "10000"),
        (["000001", "000002"], "000003"),
        (["1", "2"], "3"),
        (["9"], "10"),
        (["0003", "0012", "0007"], "0013"),
    ])
    func counters(_ existing: [String], _ expected: String) throws {
        let versions = try existing.map { try #require(Version($0)) }
        #expect(ScaffoldTests.next(versions) == expected)
    }

    @Test func flywayVersionsContinueWithTheFirstPart() throws {
        #expect(Self.next([Version.v("1"), Version.v("1.10"), Version.v("2")]) == "3")
        #expect(Self.next([Version.v("1_9")]) == "2")
    }

    @Test func timestampsUseUTC() throws {
        #expect(Self.next([Version.v("20240101120000"), Version.v("20250102030405")]) == "20261124093000")
    }

    @Test func aTimestampAtTheEndOfTheUTCDay() throws {
        let lateEvening = Date(timeIntervalSince1970: 1_795_564_799)  // 2026-11-24 23:59:59 UTC
        #expect(Self.next([Version.v("20240101120000")], now: lateEvening) == "20261124235959")
    }

    @Test func aTimestampFolderAheadOfTheClockStillMovesForward() throws {
        let future = Version.v("29991231000000")
        let next = try #require(Version(Self.next([future])))
        #expect(next > future)
    }

    private static func next(_ versions: [Version], now: Date = ScaffoldTests.now) -> String {
        Scaffold.nextVersion(after: versions, now: now)
    }

    @Test func slugs() {
        #expect(Scaffold.slug("Add orders index") == "add_orders_index")
        #expect(Scaffold.slug("  users: add e-mail!  ") == "users_add_e_mail")
        #expect(Scaffold.slug("!!!") == "")
    }
}
