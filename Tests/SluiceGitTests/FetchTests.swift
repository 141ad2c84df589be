import Foundation
import SluiceCore
import SluiceGit
import Testing

@Suite("GitMirror fetch")
struct FetchTests {
    @Test("the first fetch clones the branch and returns its tip")
    func firstFetch() throws {
        let fixture = try GitFixture()
        let sha = try fixture.commit("Add 0001", write: ["db/migrations/0001_a.up.sql": "create table a();"])
        try fixture.push()

        let mirror = try fixture.mirror()
        #expect(try mirror.tip(branch: "main") == nil)
        #expect(try mirror.fetch(branch: "main") == sha)
        #expect(try mirror.tip(branch: "main") == sha)
        #expect(FileManager.default.fileExists(atPath: fixture.mirrorDirectory + "/HEAD"))
        #expect(!FileManager.default.fileExists(atPath: fixture.mirrorDirectory + "/db"))
    }

    @Test("a second fetch sees the new tip, and the move is forward")
    func secondFetch() throws {
        let fixture = try GitFixture()
        try fixture.commit("Add 0001", write: ["migrations/0001_a.up.sql": "select 1;"])
        try fixture.push()
        let mirror = try fixture.mirror()
        let first = try mirror.fetch(branch: "main")

        let second = try fixture.commit("Add 0002", write: ["migrations/0002_b.up.sql": "select 2;"])
        try fixture.push()
        #expect(try mirror.tip(branch: "main") == first)
        #expect(try mirror.fetch(branch: "main") == second)
        #expect(try mirror.move(from: first, to: second) == .forward)
        #expect(try mirror.move(from: second, to: second) == .same)
        #expect(try mirror.move(from: nil, to: second) == .firstSeen)
        #expect(try mirror.fetch(branch: "main") == second)
    }

    @Test("the mirror directory is reused by a later GitMirror")
    func reuse() throws {
        let fixture = try GitFixture()
        let sha = try fixture.commit("Add 0001", write: ["migrations/0001_a.up.sql": "select 1;"])
        try fixture.push()
        do {
            let mirror = try fixture.mirror()
            #expect(try mirror.fetch(branch: "main") == sha)
        }
        let reopened = try fixture.mirror()
        #expect(try reopened.tip(branch: "main") == sha)
        #expect(try reopened.readFolder(commit: sha, path: "migrations").map(\.name) == ["0001_a.up.sql"])
        let next = try fixture.commit("Add 0002", write: ["migrations/0002_b.up.sql": "select 2;"])
        try fixture.push()
        #expect(try reopened.fetch(branch: "main") == next)
    }

    @Test("a mirror of another remote in the directory is re-created")
    func otherRemote() throws {
        let fixture = try GitFixture()
        let sha = try fixture.commit("Add 0001", write: ["migrations/0001_a.up.sql": "select 1;"])
        try fixture.push()
        _ = try fixture.mirror().fetch(branch: "main")

        let other = try GitFixture()
        let otherSHA = try other.commit("Other", write: ["migrations/0005_x.up.sql": "select 5;"])
        try other.push()
        let mirror = try fixture.mirror(remote: other.remote)
        #expect(try mirror.tip(branch: "main") == nil)
        #expect(try mirror.fetch(branch: "main") == otherSHA)
        #expect(try mirror.move(from: sha, to: otherSHA) == .rewritten)
    }

    @Test("a directory that is not a mirror is refused, not wiped")
    func foreignDirectory() throws {
        let fixture = try GitFixture()
        let directory = fixture.root + "/precious"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: directory + "/notes.txt"))
        let error = try #require(throws: GitError.self) {
            _ = try GitMirror(remote: fixture.remote, directory: directory)
        }
        #expect(error.kind == .invalidArgument)
        #expect(error.sluiceError.status == .badInput)
        #expect(FileManager.default.fileExists(atPath: directory + "/notes.txt"))
    }

    @Test("a file:// URL works")
    func fileURL() throws {
        let fixture = try GitFixture()
        let sha = try fixture.commit("Add 0001", write: ["migrations/0001_a.up.sql": "select 1;"])
        try fixture.push()
        let mirror = try fixture.mirror(remote: URL(fileURLWithPath: fixture.remote).absoluteString)
        #expect(mirror.remote.hasPrefix("file:///"))
        #expect(try mirror.fetch(branch: "main") == sha)
        #expect(try mirror.readFolder(commit: sha, path: "migrations").map(\.name) == ["0001_a.up.sql"])
    }

    @Test("progress is reported while objects arrive over file://")
    func progress() throws {
        let fixture = try GitFixture()
        for index in 1...5 {
            try fixture.commit("Add \(index)", write: ["migrations/000\(index)_a.up.sql": "select \(index);"])
        }
        try fixture.push()
        let mirror = try fixture.mirror(remote: URL(fileURLWithPath: fixture.remote).absoluteString)
        let seen = ProgressLog()
        _ = try mirror.fetch(branch: "main") { received, total, bytes in seen.add(received, total, bytes) }
        let last = try #require(seen.last)
        #expect(last.total > 0)
        #expect(last.received == last.total)
        #expect(last.bytes > 0)
    }

    @Test("a branch the remote lacks is a clear error naming it")
    func missingBranch() throws {
        let fixture = try GitFixture()
        try fixture.commit("Add 0001", write: ["migrations/0001_a.up.sql": "select 1;"])
        try fixture.push()
        let mirror = try fixture.mirror()
        let error = try #require(throws: GitError.self) { _ = try mirror.fetch(branch: "develop") }
        #expect(error.kind == .notFound)
        #expect(error.description.contains("'develop'"))
        #expect(error.hint?.contains("main") == true)
        #expect(error.sluiceError.status == .badInput)
        #expect(try mirror.tip(branch: "develop") == nil)
    }

    @Test("a malformed branch name is refused before any network", arguments: ["a:b", "", "x..y", "a b", "topic.lock", "a~1", "a^b"])
    func badBranchName(_ name: String) throws {
        let fixture = try GitFixture()
        let mirror = try fixture.mirror()
        let error = try #require(throws: GitError.self) { _ = try mirror.fetch(branch: name) }
        #expect(error.kind == .invalidArgument)
        #expect(error.sluiceError.status == .badInput)
    }

    @Test("a remote path that does not exist is unreachable (exit 4)")
    func missingRemote() throws {
        let fixture = try GitFixture()
        let mirror = try fixture.mirror(remote: fixture.root + "/no-such-remote.git")
        let error = try #require(throws: GitError.self) { _ = try mirror.fetch(branch: "main") }
        #expect(error.kind == .unreachable)
        #expect(error.sluiceError.status == .unreachable)
        #expect(error.description.contains("no-such-remote.git"))
    }

    @Test("an empty remote has no branch to fetch")
    func emptyRemote() throws {
        let fixture = try GitFixture()
        let error = try #require(throws: GitError.self) { _ = try fixture.mirror().fetch(branch: "main") }
        #expect(error.kind == .notFound)
        #expect(error.hint?.contains("no branches") == true)
    }
}

/// Collects progress reports from the fetching thread.
final class ProgressLog: @unchecked Sendable {
    struct Entry { var received: Int, total: Int, bytes: Int }
    private let lock = NSLock()
    private var entries: [Entry] = []

    func add(_ received: Int, _ total: Int, _ bytes: Int) {
        lock.withLock { entries.append(Entry(received: received, total: total, bytes: bytes)) }
    }

    var last: Entry? { lock.withLock { entries.last } }
}
