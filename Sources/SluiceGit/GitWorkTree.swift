import CLibGit2
import Foundation

/// A local checkout (the one CI builds), for `sluice lint --git-base REF`: which migration
/// files were added since a ref. Owns its `git_repository*` (freed in `deinit`).
public final class GitWorkTree {
    private let repository: OpaquePointer
    /// The work tree's root, with a trailing `/`.
    public let root: String

    /// Opens the repository that contains `path` (searching upwards, as `git` does).
    public init(containing path: String) throws(GitError) {
        _ = LibGit2.initialized
        var repo: OpaquePointer?
        try git("open the Git repository containing \(path)") { git_repository_open_ext(&repo, path, 0, nil) }
        guard let repo else { throw GitError(.notFound, "no repository", operation: "open \(path)") }
        guard let workdir = git_repository_workdir(repo) else {
            git_repository_free(repo)
            throw GitError(.invalidArgument, "\(path) is in a bare repository, which has no files to lint", operation: "open \(path)")
        }
        repository = repo
        root = String(cString: workdir)
    }

    deinit { git_repository_free(repository) }

    /// Top-level files of `folder` added since `ref`: in commits after it, in the index, or
    /// new in the work tree (untracked). Names only, sorted.
    public func addedFiles(since ref: String, folder: String) throws(GitError) -> [String] {
        let relative = Self.relative(folder, to: root)
        var object: OpaquePointer?
        try git("resolve \(ref)") { git_revparse_single(&object, repository, ref) }
        defer { git_object_free(object) }
        var treeObject: OpaquePointer?
        try git("read the tree of \(ref)") { git_object_peel(&treeObject, object, GIT_OBJECT_TREE) }
        defer { git_object_free(treeObject) }

        var options = git_diff_options()
        try git("set up a diff") { git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)) }
        options.flags = GIT_DIFF_INCLUDE_UNTRACKED.rawValue | GIT_DIFF_RECURSE_UNTRACKED_DIRS.rawValue
        var diff: OpaquePointer?
        try git("diff \(ref) against the work tree") { git_diff_tree_to_workdir_with_index(&diff, repository, treeObject, &options) }
        defer { git_diff_free(diff) }

        let prefix = relative.isEmpty ? "" : relative + "/"
        var names: [String] = []
        for index in 0..<git_diff_num_deltas(diff) {
            guard let delta = git_diff_get_delta(diff, index)?.pointee,
                  delta.status == GIT_DELTA_ADDED || delta.status == GIT_DELTA_UNTRACKED,
                  let raw = delta.new_file.path else { continue }
            let path = String(cString: raw)
            guard path.hasPrefix(prefix) else { continue }
            let name = String(path.dropFirst(prefix.count))
            if !name.isEmpty, !name.contains("/") { names.append(name) }
        }
        return names.sorted()
    }

    /// `folder` relative to the work tree root, without slashes at either end.
    static func relative(_ folder: String, to root: String) -> String {
        let absolute = URL(fileURLWithPath: folder).standardizedFileURL.resolvingSymlinksInPath().path
        let base = URL(fileURLWithPath: root).standardizedFileURL.resolvingSymlinksInPath().path
        guard absolute.hasPrefix(base) else { return folder.trimmingCharacters(in: CharacterSet(charactersIn: "/")) }
        return String(absolute.dropFirst(base.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
    }
}
