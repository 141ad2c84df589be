import Foundation
import SluiceCore
import SluiceGit
import Testing

@Suite("GitMirror readFolder")
struct ReadFolderTests {
    /// Two commits: the first adds 0001, the second 0002 plus things that are not files of the folder.
    private func twoCommits() throws -> (GitFixture, GitMirror, first: String, second: String) {
        let fixture = try GitFixture()
        let first = try fixture.commit("Add 0001", write: [
            "db/migrations/0001_users.up.sql": "create table users (id int);\n",
            "db/migrations/0001_users.down.sql": "drop table users;\n",
            "README.md": "# app\n",
        ])
        let second = try fixture.commit("Add 0002", write: [
            "db/migrations/0002_posts.up.sql": "create table posts (id int);\n",
            "db/migrations/0002_posts.down.sql": "drop table posts;\n",
            "db/migrations/archive/0000_old.sql": "select 0;\n",
            "db/migrations/sluice.sum": "h1:abc\n",
        ])
        try fixture.push()
        let mirror = try fixture.mirror()
        _ = try mirror.fetch(branch: "main")
        return (fixture, mirror, first, second)
    }

    @Test("the files and bytes of a nested folder at a commit")
    func nested() throws {
        let (_, mirror, _, second) = try twoCommits()
        let entries = try mirror.readFolder(commit: second, path: "db/migrations")
        #expect(entries.map(\.name) == [
            "0001_users.down.sql", "0001_users.up.sql", "0002_posts.down.sql", "0002_posts.up.sql", "sluice.sum",
        ])
        let up = try #require(entries.first { $0.name == "0002_posts.up.sql" })
        #expect(up.bytes == Array("create table posts (id int);\n".utf8))
        let sum = try #require(entries.first { $0.name == "sluice.sum" })
        #expect(String(decoding: sum.bytes, as: UTF8.self) == "h1:abc\n")
    }

    @Test("an older commit shows the older files")
    func olderCommit() throws {
        let (_, mirror, first, _) = try twoCommits()
        let entries = try mirror.readFolder(commit: first, path: "db/migrations")
        #expect(entries.map(\.name) == ["0001_users.down.sql", "0001_users.up.sql"])
        #expect(entries.last?.bytes == Array("create table users (id int);\n".utf8))
    }

    @Test("spellings of the same folder", arguments: ["db/migrations", "db/migrations/", "./db/migrations", "/db/migrations"])
    func spellings(_ path: String) throws {
        let (_, mirror, first, _) = try twoCommits()
        #expect(try mirror.readFolder(commit: first, path: path).count == 2)
    }

    @Test("the root folder", arguments: ["", ".", "./", "/"])
    func root(_ path: String) throws {
        let (_, mirror, first, _) = try twoCommits()
        #expect(try mirror.readFolder(commit: first, path: path).map(\.name) == ["README.md"])
    }

    @Test("an abbreviated SHA is accepted")
    func abbreviated() throws {
        let (_, mirror, first, _) = try twoCommits()
        #expect(try mirror.readFolder(commit: String(first.prefix(10)), path: "db/migrations").count == 2)
    }

    @Test("a missing folder is an error naming the commit and the path", arguments: ["migrations", "db/nope", "README.md"])
    func missingFolder(_ path: String) throws {
        let (_, mirror, first, _) = try twoCommits()
        let error = try #require(throws: GitError.self) { _ = try mirror.readFolder(commit: first, path: path) }
        #expect(error.kind == .notFound)
        #expect(error.message.contains("'\(path)'"))
        #expect(error.message.contains(String(first.prefix(12))))
        #expect(error.commit == first)
        let sluice = error.sluiceError
        #expect(sluice.status == .badInput)
        #expect(sluice.commit == first)
        #expect(sluice.description.contains(path))
    }

    @Test("a commit the mirror lacks, and a malformed SHA, are errors")
    func missingCommit() throws {
        let (_, mirror, _, _) = try twoCommits()
        let absent = String(repeating: "ab", count: 20)
        let missing = try #require(throws: GitError.self) { _ = try mirror.readFolder(commit: absent, path: "db") }
        #expect(missing.kind == .notFound)
        #expect(missing.description.contains(absent))
        let malformed = try #require(throws: GitError.self) { _ = try mirror.readFolder(commit: "main~1", path: "db") }
        #expect(malformed.kind == .invalidArgument)
        #expect(malformed.sluiceError.status == .badInput)
    }

    @Test("a path that climbs out of the repository is refused")
    func climbing() throws {
        let (_, mirror, first, _) = try twoCommits()
        let error = try #require(throws: GitError.self) { _ = try mirror.readFolder(commit: first, path: "../etc") }
        #expect(error.kind == .invalidArgument)
    }
}
