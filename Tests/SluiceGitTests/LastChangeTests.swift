import Foundation
import SluiceCore
import SluiceGit
import Testing

@Suite("GitMirror lastChange")
struct LastChangeTests {
    @Test("the newest commit that edited the file, not later commits that touched others")
    func newestEdit() throws {
        let fixture = try GitFixture()
        let added = try fixture.commit("Add", write: ["db/migrations/0001_a.sql": "a", "db/migrations/0002_b.sql": "b"])
        try fixture.commit("First edit", write: ["db/migrations/0001_a.sql": "a2"])
        let edited = try fixture.commit("Second edit", write: ["db/migrations/0001_a.sql": "a3"], author: .bob)
        try fixture.commit("Other file", write: ["db/migrations/0002_b.sql": "b2", "README.md": "r"])
        try fixture.commit("Notes", write: ["notes.txt": "n"])
        try fixture.push()
        let mirror = try fixture.mirror()
        let tip = try mirror.fetch(branch: "main")

        let change = try #require(try mirror.lastChange(folder: "db/migrations", file: "0001_a.sql", tip: tip))
        #expect(change.sha == edited)
        #expect(change.author == Author.bob.rendered)
        #expect(change.subject == "Second edit")
        #expect(try mirror.lastChange(folder: "db/migrations", file: "0001_a.sql", tip: added)?.sha == added)
        #expect(try mirror.lastChange(folder: "db/migrations", file: "0009_none.sql", tip: tip) == nil)
        #expect(try mirror.lastChange(folder: "db", file: "0001_a.sql", tip: tip) == nil)
    }

    @Test("a file never edited since it was added: the commit that added it")
    func neverEdited() throws {
        let fixture = try GitFixture()
        try fixture.commit("Base", write: ["migrations/0001_a.sql": "a"])
        let added = try fixture.commit("Add b", write: ["migrations/0002_b.sql": "b"])
        try fixture.commit("Later", write: ["migrations/0003_c.sql": "c"])
        try fixture.push()
        let mirror = try fixture.mirror()
        let tip = try mirror.fetch(branch: "main")
        #expect(try mirror.lastChange(folder: "migrations", file: "0002_b.sql", tip: tip)?.sha == added)
        #expect(try mirror.lastChange(folder: "./migrations/", file: "0002_b.sql", tip: tip)?.sha == added)
    }
}
