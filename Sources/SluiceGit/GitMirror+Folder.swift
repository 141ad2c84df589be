import CLibGit2
import SluiceCore

extension GitMirror {
    /// The files directly in `path` (`migrations`, `db/migrations`, `` or `.` for the root) of
    /// `commit`'s tree, read straight from the object database (no work tree), in name order.
    /// Subfolders, symlinks and submodules are left out.
    /// - Throws: ``GitError`` `.notFound` naming the commit and the path when the commit has no
    ///   such folder, or when the mirror has no such commit.
    public func readFolder(commit: String, path: String) throws(GitError) -> [FolderEntry] {
        try serialized { () throws(GitError) -> [FolderEntry] in
            let folder = try FolderPath(path)
            let operation = "read \(folder) at commit \(commit)"
            let id = try requireCommit(commit, operation: operation)
            let tree = try withCommit(id) { (object) throws(GitError) in try folderTree(of: object, folder) }
            guard let tree else {
                throw GitError(
                    .notFound, "commit \(String(id.hex.prefix(12))) has no folder '\(folder.path)'",
                    operation: operation, hint: "check repository.path (relative to the repository root)",
                    commit: id.hex)
            }
            return try files(in: tree).map { (file) throws(GitError) in
                FolderEntry(name: file.name, bytes: try bytes(ofBlob: file.blob))
            }
        }
    }
}
