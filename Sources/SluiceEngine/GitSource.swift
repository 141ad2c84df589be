import Dispatch
import Foundation
import SluiceCore
import SluiceGit

/// The configured repository as the engine sees it: a bare mirror whose blocking
/// libgit2 calls run on a queue of their own, never on Swift's cooperative pool.
public final class GitSource: @unchecked Sendable {
    // GitMirror is used from `queue` only.
    private let mirror: GitMirror
    private let queue = DispatchQueue(label: "sluice.git")
    public let remote: String
    public let branch: String
    public let path: String
    /// The last folder parsed, by commit: the daemon's API and its cycles read the same tip.
    private let parsed = NSLock()
    private nonisolated(unsafe) var lastParsed: (commit: String, requireDown: Bool, folder: MigrationFolder)?

    public init(remote: String, branch: String, path: String, stateDir: String, credentials: GitCredentials) throws(SluiceError) {
        self.remote = remote
        self.branch = branch
        self.path = path
        let directory = (stateDir as NSString).appendingPathComponent("mirror-" + Checksum.sha256(remote).prefix(16))
        do {
            try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
        } catch {
            throw SluiceError(.badInput, "cannot create repository.state_dir \(stateDir): \(error.localizedDescription)", hint: "point repository.state_dir (SLUICE_REPOSITORY_STATE_DIR) at a folder this user may write")
        }
        do { mirror = try GitMirror(remote: remote, directory: directory, credentials: credentials) } catch {
            throw error.sluiceError
        }
    }

    /// Fetches the branch; returns its tip. `sink` hears download progress (a first clone can be long).
    public func fetch(sink: EventSink? = nil) async throws -> String {
        var progress: FetchProgress?
        if let sink {
            progress = { @Sendable (received: Int, total: Int, bytes: Int) in sink(.fetching(received: received, total: total, bytes: bytes)) }
        }
        let report = progress
        return try await run { [branch] mirror in try mirror.fetch(branch: branch, progress: report) }
    }

    /// The migrations folder's files in `commit`'s tree (the tip when nil: fetched first).
    public func entries(at revision: String?) async throws -> [FolderEntry] {
        let commit: String
        if let revision { commit = revision } else { commit = try await fetch() }
        return try await run { [path] mirror in try mirror.readFolder(commit: commit, path: path) }
    }

    /// The migrations folder in `commit`'s tree, parsed and checked against its `sluice.sum`;
    /// parsed once per commit.
    public func folder(at commit: String, requireDown: Bool) async throws -> MigrationFolder {
        if let last = parsed.withLock({ lastParsed }), last.commit == commit, last.requireDown == requireDown { return last.folder }
        let folder = try FolderParser(requireDown: requireDown).parseVerified(try await entries(at: commit))
        parsed.withLock { lastParsed = (commit, requireDown, folder) }
        return folder
    }

    public func commitInfo(_ sha: String) async throws -> CommitInfo {
        try await run { mirror in try mirror.commitInfo(sha) }
    }

    public func move(from old: String?, to new: String) async throws -> BranchMove {
        try await run { mirror in try mirror.move(from: old, to: new) }
    }

    /// Versions whose files revert commits in old..new removed, with those commits.
    public func revertedVersions(from old: String?, to new: String) async throws -> [Version: CommitRef] {
        let reverts = try await run { [path] mirror in try mirror.reverts(from: old, to: new, folder: path) }
        var out: [Version: CommitRef] = [:]
        for revert in reverts {
            for file in revert.removedFiles {
                if let version = FolderParser.version(ofFile: (file as NSString).lastPathComponent) {
                    out[version] = CommitRef(sha: revert.commit.sha, author: revert.commit.author, subject: revert.commit.subject)
                }
            }
        }
        return out
    }

    /// The newest commit that changed a file of the folder (for drift messages).
    public func lastChange(of file: String, tip: String) async throws -> CommitInfo? {
        try await run { [path] mirror in try mirror.lastChange(folder: path, file: file, tip: tip) }
    }

    /// The commit that introduced each migration's up file.
    public func introducingCommits(_ migrations: [Migration], tip: String) async throws -> [Version: CommitRef] {
        try await run { [path] mirror in
            var out: [Version: CommitRef] = [:]
            for m in migrations {
                if let info = try mirror.introducingCommit(folder: path, file: m.file, tip: tip) {
                    out[m.version] = CommitRef(sha: info.sha, author: info.author, subject: info.subject)
                }
            }
            return out
        }
    }

    /// Frees libgit2's caches and open pack files (``GitMirror/releaseCaches()``), on the
    /// mirror's queue.
    public func releaseCaches() async {
        try? await run { $0.releaseCaches() }
    }

    private func run<T: Sendable>(_ body: @escaping @Sendable (GitMirror) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { [mirror] in
                do { continuation.resume(returning: try body(mirror)) } catch let error as GitError {
                    continuation.resume(throwing: error.sluiceError)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}

extension GitSource: MigrationSource {
    public var origin: String { "\(Redactor.redact(remote)) \(branch):\(path)" }

    public func refresh(sink: EventSink?) async throws -> String? { try await fetch(sink: sink) }

    /// The folder at `revision` (the tip when nil: fetched first), the reverts since `reconciled`
    /// and the introducing-commit lookup — the same for the cycle, every command and the API.
    public func snapshot(at revision: String?, since reconciled: String?, requireDown: Bool) async throws -> SourceSnapshot {
        let commit: String
        if let revision { commit = revision } else { commit = try await fetch() }
        let folder = try await folder(at: commit, requireDown: requireDown)
        let reverts = try await revertedVersions(from: reconciled, to: commit)
        return SourceSnapshot(folder: folder, origin: origin, commit: commit, branch: branch, reverts: reverts,
                              introducingCommits: { [self] in try await introducingCommits($0, tip: commit) })
    }
}
