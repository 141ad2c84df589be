import CLibGit2
import Foundation
import SluiceCore

/// A bare mirror of the remote under a state directory: cloned on first use, fetched on each poll.
///
/// Owns its `git_repository*` and frees it in `deinit`. Every public method is synchronous and
/// may block on the network or the disk, so call it from a thread of its own, not from the
/// cooperative pool. Calls are serialised by an internal lock, which makes a shared instance
/// safe (libgit2 repositories are not thread-safe themselves).
public final class GitMirror: @unchecked Sendable {
    /// The remote as configured: a local path, `file://`, `https://`, `ssh://` or scp-like.
    public let remote: String
    /// The bare repository's directory.
    public let directory: String
    let credentials: GitCredentials
    /// Only touched with `lock` held (see ``serialized(_:)``).
    let repository: OpaquePointer
    private let lock = NSLock()
    /// Caches; only touched with `lock` held.
    var introductionIndexes: [String: IntroductionIndex] = [:]
    /// The `origin` remote, looked up once: libgit2 1.5's `git_remote_lookup` leaks PCRE2
    /// match data on every call (fixed upstream in libgit2#6382), ~100 KiB per poll.
    var originRemote: OpaquePointer?
    var commitInfos: [ObjectID: CommitInfo] = [:]

    /// Opens the mirror at `directory`, or creates an empty one (with remote `origin` set to
    /// `remote`) when there is none. A mirror of another remote is re-created. Does not fetch.
    public init(remote: String, directory: String, credentials: GitCredentials = .init()) throws(GitError) {
        _ = LibGit2.initialized
        guard !remote.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw GitError(.invalidArgument, "no repository URL is configured", operation: "open mirror",
                           hint: "set repository.url")
        }
        self.remote = remote
        self.directory = directory
        self.credentials = credentials
        self.repository = try Self.openOrCreate(remote: remote, directory: directory)
    }

    deinit {
        if let originRemote { git_remote_free(originRemote) }
        git_repository_free(repository)
    }

    /// The version of libgit2 in use, e.g. "1.5.1", for `sluice version`.
    public static var libgit2Version: String {
        _ = LibGit2.initialized
        return LibGit2.version
    }

    /// Runs `body` with the lock held: one libgit2 operation on this repository at a time.
    func serialized<T>(_ body: () throws(GitError) -> T) throws(GitError) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Frees what libgit2 keeps from earlier operations: the parsed-object cache, the open
    /// pack files with their delta-base caches (up to 16 MiB each) and mapped windows, the
    /// config and the ref database (`git_repository__cleanup`). The repository stays usable and
    /// reopens what it needs on next use; Sluice's own indexes (``introducingCommit(folder:file:tip:)``)
    /// are kept. The daemon calls this after a cycle that did work, so that a walk over a long
    /// history does not stay resident until the next one.
    public func releaseCaches() {
        lock.lock()
        defer { lock.unlock() }
        _ = git_repository__cleanup(repository)
    }

    /// The remote with any password in it masked, for messages.
    var displayRemote: String { Redactor.redact(remote) }
}

// MARK: - Opening and creating

extension GitMirror {
    static func openOrCreate(remote: String, directory: String) throws(GitError) -> OpaquePointer {
        if let repository = try openExisting(directory) {
            let origin: String?
            do {
                origin = try originURL(repository)
            } catch {
                git_repository_free(repository)
                throw error
            }
            if origin == remote { return repository }
            git_repository_free(repository)
            try remove(directory)
        } else if !isEmptyOrMissing(directory) {
            throw GitError(
                .invalidArgument, "\(directory) exists and is not a bare Git repository", operation: "open mirror",
                hint: "point repository.state_dir at a directory Sluice owns, or empty this one")
        }
        return try create(remote: remote, directory: directory)
    }

    /// The bare repository at `directory`, or nil when there is none.
    private static func openExisting(_ directory: String) throws(GitError) -> OpaquePointer? {
        guard FileManager.default.fileExists(atPath: directory) else { return nil }
        var repository: OpaquePointer?
        let code = git_repository_open_bare(&repository, directory)
        if code == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return nil
        }
        guard code >= 0, let repository else {
            throw lastError(code: code, operation: "open mirror \(directory)")
                .with(kind: .repository, hint: "remove \(directory); Sluice clones the repository again")
        }
        return repository
    }

    private static func originURL(_ repository: OpaquePointer) throws(GitError) -> String? {
        var origin: OpaquePointer?
        let code = git_remote_lookup(&origin, repository, "origin")
        if code == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return nil
        }
        guard code >= 0, let origin else { throw lastError(code: code, operation: "read the mirror's origin") }
        defer { git_remote_free(origin) }
        return git_remote_url(origin).map { String(cString: $0) }
    }

    private static func create(remote: String, directory: String) throws(GitError) -> OpaquePointer {
        var repository: OpaquePointer?
        try git("create mirror \(directory)") { git_repository_init(&repository, directory, 1) }
        guard let repository else { throw GitError(.repository, "libgit2 returned no repository", operation: "create mirror") }
        do {
            var origin: OpaquePointer?
            try git("add remote \(Redactor.redact(remote))") {
                git_remote_create_with_fetchspec(&origin, repository, "origin", remote, "+refs/heads/*:refs/heads/*")
            }
            git_remote_free(origin)
        } catch {
            git_repository_free(repository)
            throw error.with(kind: .invalidArgument, hint: "check repository.url")
        }
        return repository
    }

    private static func isEmptyOrMissing(_ directory: String) -> Bool {
        guard let contents = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            return !FileManager.default.fileExists(atPath: directory)
        }
        return contents.isEmpty
    }

    private static func remove(_ directory: String) throws(GitError) {
        do {
            try FileManager.default.removeItem(atPath: directory)
        } catch {
            throw GitError(
                .repository, "cannot remove the mirror of another remote at \(directory): \(error.localizedDescription)",
                operation: "re-create mirror", hint: "remove \(directory) by hand")
        }
    }
}
