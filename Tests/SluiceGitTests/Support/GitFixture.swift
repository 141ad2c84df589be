import Foundation
import SluiceGit

/// Someone who commits in a fixture.
struct Author: Sendable {
    var name: String
    var email: String

    static let alice = Author(name: "Alice Liddell", email: "alice@example.com")
    static let bob = Author(name: "Bob Tables", email: "bob@example.com")

    /// As `CommitInfo.author` renders it.
    var rendered: String { "\(name) <\(email)>" }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
}

/// A bare "remote" and a clone of it to commit and push from, with the git CLI, in a temp
/// folder that is removed afterwards. Commit dates step by a minute, so history is ordered.
final class GitFixture {
    let root: String
    let remote: String
    let work: String
    private let home: String
    /// Seconds since 1970 of the next commit, minus a minute; set it back to fake clock skew.
    var clock = 1_767_225_600

    init() throws {
        root = NSTemporaryDirectory() + "sluice-git-" + UUID().uuidString
        home = root + "/home"
        remote = root + "/remote.git"
        work = root + "/work"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try git(["init", "--quiet", "--bare", remote], in: root)
        try git(["clone", "--quiet", remote, work], in: root)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Where the mirror lives; the same for every `mirror()` of this fixture.
    var mirrorDirectory: String { root + "/state/mirror" }

    func mirror(remote: String? = nil, credentials: GitCredentials = .init()) throws(GitError) -> GitMirror {
        try GitMirror(remote: remote ?? self.remote, directory: mirrorDirectory, credentials: credentials)
    }

    /// Writes and deletes files in the clone, commits everything, returns the new commit's SHA.
    @discardableResult
    func commit(
        _ message: String, write files: [String: String] = [:], remove: [String] = [], author: Author = .alice
    ) throws -> String {
        for (path, text) in files {
            let url = URL(fileURLWithPath: work + "/" + path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        for path in remove { try git(["rm", "--quiet", path]) }
        try git(["add", "--all"])
        try git(["commit", "--quiet", "--allow-empty", "-m", message], author: author)
        return try head()
    }

    func head() throws -> String {
        try git(["rev-parse", "HEAD"])
    }

    func push(force: Bool = false) throws {
        try git(["push", "--quiet"] + (force ? ["--force"] : []) + ["origin", "HEAD:refs/heads/main"])
    }

    /// Runs git in the clone (or `directory`) and returns its standard output, trimmed.
    @discardableResult
    func git(_ arguments: [String], in directory: String? = nil, author: Author = .alice) throws -> String {
        clock += 60
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = ["-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory ?? work)
        process.environment = [
            "PATH": "/usr/bin:/bin", "HOME": home, "LANG": "C", "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": author.name, "GIT_AUTHOR_EMAIL": author.email,
            "GIT_COMMITTER_NAME": "Sluice Tests", "GIT_COMMITTER_EMAIL": "tests@example.com",
            "GIT_AUTHOR_DATE": "\(clock) +0000", "GIT_COMMITTER_DATE": "\(clock) +0000",
        ]
        let output = Pipe()
        let errorFile = root + "/git-stderr-\(clock)"
        _ = FileManager.default.createFile(atPath: errorFile, contents: nil)
        let errorHandle = FileHandle(forWritingAtPath: errorFile)
        process.standardOutput = output
        process.standardError = errorHandle
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try? errorHandle?.close()
        let stderr = (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: errorFile)
        guard process.terminationStatus == 0 else {
            throw FixtureError(description: "git \(arguments.joined(separator: " ")) failed: \(stderr)")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
