/// A folder inside a commit's tree, as configured (`migrations`, `db/migrations`, `.` or `` for the root).
struct FolderPath: Sendable, Hashable, CustomStringConvertible {
    /// Path components; empty for the root.
    let components: [String]

    init(_ text: String) throws(GitError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let components = parts.filter { $0 != "." }
        guard !components.contains("..") else {
            throw GitError(.invalidArgument, "the folder '\(text)' leaves the repository", operation: "read folder",
                           hint: "give repository.path relative to the repository root, without '..'")
        }
        self.components = components
    }

    var isRoot: Bool { components.isEmpty }

    /// The path libgit2 takes (`db/migrations`), empty for the root.
    var path: String { components.joined(separator: "/") }

    /// `folder/file`, or `file` at the root.
    func appending(_ name: String) -> String { isRoot ? name : "\(path)/\(name)" }

    var description: String { isRoot ? "the repository root" : "folder '\(path)'" }
}
