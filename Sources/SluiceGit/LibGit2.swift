import CLibGit2
import SluiceCore

/// Process-wide libgit2 set-up, done once.
enum LibGit2 {
    /// `git_libgit2_init()` runs on first access; Swift runs a static initialiser exactly once.
    /// libgit2 is never shut down: the mirror lives as long as the process.
    ///
    /// The parsed-object cache of each repository is capped at ``objectCacheBytes``: libgit2's
    /// default (256 MiB) let a daemon that once walked a long history (to find the commit that
    /// introduced each migration) keep every commit and tree it parsed for good.
    static let initialized: Int32 = {
        let count = git_libgit2_init()
        _ = sluice_git_set_cache_max_size(objectCacheBytes)
        return count
    }()

    /// The cap on each repository's parsed-object cache. Sluice keeps what it needs from a walk
    /// (the introduction index, commit details) itself, so the cache only has to serve the
    /// lookups within one walk, such as a commit's parent read again as the next commit.
    static let objectCacheBytes = 4 << 20

    /// The libgit2 version linked, e.g. "1.5.1".
    static var version: String {
        var major: Int32 = 0, minor: Int32 = 0, revision: Int32 = 0
        _ = git_libgit2_version(&major, &minor, &revision)
        return "\(major).\(minor).\(revision)"
    }
}

/// Runs one libgit2 call and turns a negative return code into a ``GitError``.
///
/// libgit2 keeps its last error per thread, so `git_error_last()` is read here, on the same
/// thread and in the same synchronous call as the failure, before anything else can touch it.
/// - Parameter redactor: removes secrets from libgit2's message.
@discardableResult
func git(
    _ operation: @autoclosure () -> String, redactor: Redactor = .none, _ call: () -> Int32
) throws(GitError) -> Int32 {
    let code = call()
    guard code < 0 else { return code }
    throw lastError(code: code, operation: operation(), redactor: redactor)
}

/// Reads libgit2's per-thread last error for a call that just returned `code`.
func lastError(code: Int32, operation: String, redactor: Redactor = .none) -> GitError {
    var message = "libgit2 returned \(code)"
    var errorClass: Int32 = 0
    if let last = git_error_last() {
        errorClass = last.pointee.klass
        if let text = last.pointee.message { message = String(cString: text) }
    }
    git_error_clear()
    let kind = GitError.kind(errorClass: errorClass, code: code)
    return GitError(
        kind, redactor.scrub(message), operation: redactor.scrub(operation), errorClass: errorClass, code: code)
}
