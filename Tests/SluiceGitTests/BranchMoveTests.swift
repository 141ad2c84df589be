import Foundation
import SluiceCore
import SluiceGit
import Testing

@Suite("GitMirror branch moves")
struct BranchMoveTests {
    @Test("a force-push of rewritten history is .rewritten; resetting back is .backward; nothing crashes")
    func forcePushAndReset() throws {
        let fixture = try GitFixture()
        let a = try fixture.commit("A", write: ["migrations/0001_a.sql": "a"])
        try fixture.commit("B", write: ["migrations/0002_b.sql": "b"])
        let c = try fixture.commit("C", write: ["migrations/0003_c.sql": "c"])
        try fixture.push()
        let mirror = try fixture.mirror()
        #expect(try mirror.fetch(branch: "main") == c)
        #expect(try mirror.introducingCommit(folder: "migrations", file: "0002_b.sql", tip: c) != nil)

        try fixture.git(["reset", "--quiet", "--hard", a])
        let d = try fixture.commit("D", write: ["migrations/0002_other.sql": "d"])
        try fixture.push(force: true)
        #expect(try mirror.fetch(branch: "main") == d)
        #expect(try mirror.move(from: c, to: d) == .rewritten)
        #expect(try mirror.reverts(from: c, to: d, folder: "migrations").isEmpty)
        #expect(try mirror.introducingCommit(folder: "migrations", file: "0002_b.sql", tip: d) == nil)
        #expect(try mirror.introducingCommit(folder: "migrations", file: "0002_other.sql", tip: d)?.sha == d)
        #expect(try mirror.readFolder(commit: d, path: "migrations").map(\.name) == ["0001_a.sql", "0002_other.sql"])
        #expect(try mirror.readFolder(commit: c, path: "migrations").count == 3)

        try fixture.git(["reset", "--quiet", "--hard", a])
        try fixture.push(force: true)
        #expect(try mirror.fetch(branch: "main") == a)
        #expect(try mirror.move(from: d, to: a) == .backward)
        #expect(try mirror.move(from: a, to: d) == .forward)
        #expect(try mirror.introducingCommit(folder: "migrations", file: "0001_a.sql", tip: a)?.sha == a)
    }

    @Test("an old tip the mirror never had is .rewritten")
    func unknownOldTip() throws {
        let fixture = try GitFixture()
        let a = try fixture.commit("A", write: ["migrations/0001_a.sql": "a"])
        try fixture.push()
        let unpushed = try fixture.commit("Never pushed", write: ["x": "x"])
        let mirror = try fixture.mirror()
        #expect(try mirror.fetch(branch: "main") == a)
        #expect(try mirror.move(from: unpushed, to: a) == .rewritten)
        let error = try #require(throws: GitError.self) { _ = try mirror.move(from: a, to: unpushed) }
        #expect(error.kind == .notFound)
        let malformed = try #require(throws: GitError.self) { _ = try mirror.move(from: "not-a-sha", to: a) }
        #expect(malformed.kind == .invalidArgument)
    }
}
