import Foundation
import SluiceCore
import SluiceGit
import Testing

@Suite("GitMirror introducingCommit")
struct IntroducingCommitTests {
    @Test("names the commit that added a file, after later commits touched other files")
    func namesTheCommit() throws {
        let fixture = try GitFixture()
        let first = try fixture.commit("Add users\n\nThe first table.", write: ["db/migrations/0001_users.up.sql": "a"], author: .alice)
        let second = try fixture.commit("Add posts", write: ["db/migrations/0002_posts.up.sql": "b"], author: .bob)
        try fixture.commit("Edit posts", write: ["db/migrations/0002_posts.up.sql": "b2"], author: .alice)
        try fixture.commit("Docs", write: ["README.md": "r", "db/README.md": "r"], author: .alice)
        try fixture.push()
        let mirror = try fixture.mirror()
        let tip = try mirror.fetch(branch: "main")

        let users = try #require(try mirror.introducingCommit(folder: "db/migrations", file: "0001_users.up.sql", tip: tip))
        #expect(users.sha == first)
        #expect(users.author == Author.alice.rendered)
        #expect(users.subject == "Add users")
        #expect(users.message.hasPrefix("Add users\n\nThe first table."))
        #expect(users.time == Date(timeIntervalSince1970: users.time.timeIntervalSince1970.rounded()))

        let posts = try #require(try mirror.introducingCommit(folder: "db/migrations", file: "0002_posts.up.sql", tip: tip))
        #expect(posts.sha == second)
        #expect(posts.author == Author.bob.rendered)
        #expect(posts.subject == "Add posts")
        #expect(posts.time > users.time)
        #expect(try mirror.commitInfo(second) == posts)

        #expect(try mirror.introducingCommit(folder: "db/migrations", file: "0009_none.up.sql", tip: tip) == nil)
        #expect(try mirror.introducingCommit(folder: "nowhere", file: "0001_users.up.sql", tip: tip) == nil)
    }

    @Test("at an older tip, and again after new pushes (the index grows)")
    func acrossTips() throws {
        let fixture = try GitFixture()
        let first = try fixture.commit("Add 0001", write: ["migrations/0001_a.sql": "a"])
        try fixture.push()
        let mirror = try fixture.mirror()
        let oldTip = try mirror.fetch(branch: "main")
        #expect(try mirror.introducingCommit(folder: "migrations", file: "0001_a.sql", tip: oldTip)?.sha == first)
        #expect(try mirror.introducingCommit(folder: "migrations", file: "0002_b.sql", tip: oldTip) == nil)

        let second = try fixture.commit("Add 0002", write: ["migrations/0002_b.sql": "b"])
        try fixture.commit("Other", write: ["src/main.c": "int main;"])
        try fixture.push()
        let newTip = try mirror.fetch(branch: "main")
        #expect(try mirror.introducingCommit(folder: "migrations", file: "0002_b.sql", tip: newTip)?.sha == second)
        #expect(try mirror.introducingCommit(folder: "migrations", file: "0001_a.sql", tip: newTip)?.sha == first)
        #expect(try mirror.introducingCommit(folder: "migrations", file: "0002_b.sql", tip: oldTip) == nil)
        #expect(try mirror.introducingCommit(folder: "./migrations/", file: "0002_b.sql", tip: newTip)?.sha == second)
    }

    @Test("a file added on a merged branch is credited to the branch's commit, not the merge")
    func merge() throws {
        let fixture = try GitFixture()
        try fixture.commit("Base", write: ["migrations/0001_a.sql": "a"])
        try fixture.git(["checkout", "--quiet", "-b", "feature"])
        let feature = try fixture.commit("Feature table", write: ["migrations/0003_feature.sql": "f"], author: .bob)
        try fixture.git(["checkout", "--quiet", "main"])
        let mainline = try fixture.commit("Main table", write: ["migrations/0002_main.sql": "m"])
        try fixture.git(["merge", "--quiet", "--no-ff", "-m", "Merge feature", "feature"])
        let merge = try fixture.head()
        try fixture.push()
        let mirror = try fixture.mirror()
        let tip = try mirror.fetch(branch: "main")
        #expect(tip == merge)

        #expect(try mirror.introducingCommit(folder: "migrations", file: "0003_feature.sql", tip: tip)?.sha == feature)
        #expect(try mirror.introducingCommit(folder: "migrations", file: "0002_main.sql", tip: tip)?.sha == mainline)
    }

    @Test("the root folder, and a file removed and added back keeps its first introduction")
    func rootAndReAdd() throws {
        let fixture = try GitFixture()
        let first = try fixture.commit("Add", write: ["0001_a.sql": "a"])
        try fixture.commit("Remove", remove: ["0001_a.sql"])
        try fixture.commit("Add again", write: ["0001_a.sql": "a"])
        try fixture.push()
        let mirror = try fixture.mirror()
        let tip = try mirror.fetch(branch: "main")
        #expect(try mirror.introducingCommit(folder: "", file: "0001_a.sql", tip: tip)?.sha == first)
        #expect(try mirror.introducingCommit(folder: ".", file: "0001_a.sql", tip: tip)?.sha == first)
    }

    @Test("a commit dated before its parent (clock skew) that edits the file did not introduce it")
    func clockSkew() throws {
        let fixture = try GitFixture()
        let added = try fixture.commit("Add", write: ["migrations/0001_a.sql": "a"])
        fixture.clock -= 86_400
        let edited = try fixture.commit("Edit, on a machine with a slow clock", write: ["migrations/0001_a.sql": "b"])
        try fixture.push()
        let mirror = try fixture.mirror()
        let tip = try mirror.fetch(branch: "main")
        #expect(tip == edited)
        #expect(try mirror.commitInfo(edited).time < mirror.commitInfo(added).time)
        #expect(try mirror.introducingCommit(folder: "migrations", file: "0001_a.sql", tip: tip)?.sha == added)
    }

    @Test("a long history: every file of the folder is answered from one walk")
    func longHistory() throws {
        let fixture = try GitFixture()
        var added: [String: String] = [:]
        for index in 1...60 {
            let name = String(format: "%04d_m.up.sql", index)
            added[name] = try fixture.commit("Add \(name)", write: ["migrations/\(name)": "select \(index);", "log.txt": "\(index)"])
        }
        try fixture.push()
        let mirror = try fixture.mirror()
        let tip = try mirror.fetch(branch: "main")
        for (name, sha) in added.sorted(by: { $0.key < $1.key }) {
            #expect(try mirror.introducingCommit(folder: "migrations", file: name, tip: tip)?.sha == sha)
        }
    }
}
