import Foundation
import SluiceCore
import SluiceGit
import Testing

@Suite("GitMirror reverts")
struct RevertTests {
    /// 0001 then 0002 (up and down) then an unrelated commit; returns the SHA that added 0002.
    private func history(_ fixture: GitFixture) throws -> (base: String, added: String, unrelated: String) {
        let base = try fixture.commit("Add 0001", write: [
            "db/migrations/0001_a.up.sql": "create table a();", "db/migrations/0001_a.down.sql": "drop table a;",
        ])
        let added = try fixture.commit("Add 0002", write: [
            "db/migrations/0002_x.up.sql": "create table x();", "db/migrations/0002_x.down.sql": "drop table x;",
        ])
        let unrelated = try fixture.commit("Docs", write: ["README.md": "hello"])
        return (base, added, unrelated)
    }

    @Test("git revert of the commit that added 0002 is found with both files removed")
    func gitRevert() throws {
        let fixture = try GitFixture()
        let (_, added, unrelated) = try history(fixture)
        try fixture.push()
        let mirror = try fixture.mirror()
        let before = try mirror.fetch(branch: "main")
        #expect(before == unrelated)

        try fixture.git(["revert", "--no-edit", added])
        let revertSHA = try fixture.head()
        try fixture.push()
        let tip = try mirror.fetch(branch: "main")
        #expect(tip == revertSHA)

        let reverts = try mirror.reverts(from: before, to: tip, folder: "db/migrations")
        #expect(reverts.count == 1)
        let revert = try #require(reverts.first)
        #expect(revert.commit.sha == revertSHA)
        #expect(revert.commit.subject == "Revert \"Add 0002\"")
        #expect(revert.revertedSHA == added)
        #expect(revert.removedFiles == ["0002_x.down.sql", "0002_x.up.sql"])

        #expect(try mirror.reverts(from: tip, to: tip, folder: "db/migrations").isEmpty)
        #expect(try mirror.reverts(from: nil, to: tip, folder: "db/migrations") == reverts)
        let elsewhere = try mirror.reverts(from: before, to: tip, folder: "other")
        #expect(elsewhere.map(\.commit.sha) == [revertSHA])
        #expect(elsewhere.first?.removedFiles == [])
    }

    @Test("a hand-written commit saying 'This reverts commit <sha>' is found, abbreviated SHA expanded")
    func handWritten() throws {
        let fixture = try GitFixture()
        let (_, added, unrelated) = try history(fixture)
        try fixture.push()
        let mirror = try fixture.mirror()
        _ = try mirror.fetch(branch: "main")

        let message = "Take 0002 back out\n\nIt broke the reports.\nThis reverts commit \(added.prefix(9)).\n"
        let revertSHA = try fixture.commit(message, remove: ["db/migrations/0002_x.up.sql", "db/migrations/0002_x.down.sql"])
        try fixture.push()
        let tip = try mirror.fetch(branch: "main")

        let reverts = try mirror.reverts(from: unrelated, to: tip, folder: "db/migrations")
        #expect(reverts.map(\.commit.sha) == [revertSHA])
        #expect(reverts.first?.revertedSHA == added)
        #expect(reverts.first?.removedFiles == ["0002_x.down.sql", "0002_x.up.sql"])
        #expect(reverts.first?.commit.subject == "Take 0002 back out")
    }

    @Test("a plain deletion commit is not a revert")
    func plainDeletion() throws {
        let fixture = try GitFixture()
        let (_, _, unrelated) = try history(fixture)
        try fixture.push()
        let mirror = try fixture.mirror()
        _ = try mirror.fetch(branch: "main")

        try fixture.commit("Remove 0002, we do not need it", remove: ["db/migrations/0002_x.up.sql", "db/migrations/0002_x.down.sql"])
        try fixture.push()
        let tip = try mirror.fetch(branch: "main")
        #expect(try mirror.readFolder(commit: tip, path: "db/migrations").count == 2)
        #expect(try mirror.reverts(from: unrelated, to: tip, folder: "db/migrations").isEmpty)
        #expect(try mirror.reverts(from: nil, to: tip, folder: "db/migrations").isEmpty)
    }

    @Test("only reverts after the old tip count; several come oldest first")
    func range() throws {
        let fixture = try GitFixture()
        let (base, added, _) = try history(fixture)
        try fixture.git(["revert", "--no-edit", added])
        let first = try fixture.head()
        try fixture.push()
        let mirror = try fixture.mirror()
        let middle = try mirror.fetch(branch: "main")

        try fixture.git(["revert", "--no-edit", base])
        let second = try fixture.head()
        try fixture.push()
        let tip = try mirror.fetch(branch: "main")

        #expect(try mirror.reverts(from: middle, to: tip, folder: "db/migrations").map(\.commit.sha) == [second])
        let all = try mirror.reverts(from: nil, to: tip, folder: "db/migrations")
        #expect(all.map(\.commit.sha) == [first, second])
        #expect(all.last?.removedFiles == ["0001_a.down.sql", "0001_a.up.sql"])
        #expect(all.last?.revertedSHA == base)
    }

    @Test("when the old tip is not an ancestor, all of the new history is searched")
    func notAncestor() throws {
        let fixture = try GitFixture()
        let (_, added, unrelated) = try history(fixture)
        try fixture.git(["revert", "--no-edit", added])
        let revertSHA = try fixture.head()
        try fixture.push()
        let mirror = try fixture.mirror()
        _ = try mirror.fetch(branch: "main")

        try fixture.git(["checkout", "--quiet", "-b", "side", unrelated])
        let side = try fixture.commit("Side work", write: ["notes.txt": "x"])
        try fixture.git(["push", "--quiet", "origin", "side"])
        _ = try mirror.fetch(branch: "side")
        let tip = try #require(try mirror.tip(branch: "main"))
        #expect(try mirror.reverts(from: side, to: tip, folder: "db/migrations").map(\.commit.sha) == [revertSHA])
        let unknown = String(repeating: "0", count: 40)
        #expect(try mirror.reverts(from: unknown, to: tip, folder: "db/migrations").map(\.commit.sha) == [revertSHA])
    }
}
