import CLibGit2

extension GitMirror {
    /// The newest commit reachable from `tip` that changed `folder/file` — its blob differs
    /// from the one in the commit's first parent. For drift: "which commit edited the applied file".
    ///
    /// Walks newest first and stops at the first match. Commits whose folder tree is the same as
    /// their first parent's are passed over without reading the folder, so a long history of
    /// other changes costs little.
    public func lastChange(folder: String, file: String, tip: String) throws(GitError) -> CommitInfo? {
        try serialized { () throws(GitError) -> CommitInfo? in
            let folderPath = try FolderPath(folder)
            let operation = "find the last change of \(folderPath.appending(file))"
            let tipID = try requireCommit(tip, operation: operation)
            var folders: [ObjectID: ObjectID?] = [:]
            let sorting = GIT_SORT_NONE.rawValue
            let found = try firstCommit(from: tipID, sorting: sorting, operation: operation) { (commit) throws(GitError) in
                let id = ObjectID(git_commit_id(commit))
                guard let folderNow = try folderTree(ofCommit: id, folderPath, memo: &folders),
                      let blobNow = try fileBlob(in: folderNow, file) else { return false }
                guard let parent = parents(of: commit).first else { return true }
                guard let folderBefore = try folderTree(ofCommit: parent, folderPath, memo: &folders) else { return true }
                if folderBefore == folderNow { return false }
                return try fileBlob(in: folderBefore, file) != blobNow
            }
            return try found.map { (id) throws(GitError) -> CommitInfo in try commitInfo(id) }
        }
    }
}
