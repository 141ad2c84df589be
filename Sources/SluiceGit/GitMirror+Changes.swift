import CLibGit2

extension GitMirror {
    /// The newest commit reachable from `tip` that changed `folder/file` — its blob differs
    /// from the one in the commit's first parent. For drift: "which commit edited the applied file".
    public func lastChange(folder: String, file: String, tip: String) throws(GitError) -> CommitInfo? {
        try serialized { () throws(GitError) -> CommitInfo? in
            let folderPath = try FolderPath(folder)
            let operation = "find the last change of \(folderPath.appending(file))"
            let tipID = try requireCommit(tip, operation: operation)
            var found: ObjectID?
            try walk(from: tipID, sorting: GIT_SORT_TIME.rawValue | GIT_SORT_TOPOLOGICAL.rawValue, operation: operation) { (commit) throws(GitError) in
                guard found == nil else { return }
                let mine = try blob(of: commit, folderPath, file)
                let parentBlob: ObjectID? = try parents(of: commit).first.flatMap { (parent) throws(GitError) -> ObjectID? in
                    try withCommit(parent) { (parentCommit) throws(GitError) -> ObjectID? in try blob(of: parentCommit, folderPath, file) }
                }
                if mine != nil, mine != parentBlob { found = ObjectID(git_commit_id(commit)) }
            }
            return try found.map { (id) throws(GitError) -> CommitInfo in try commitInfo(id) }
        }
    }

    private func blob(of commit: OpaquePointer, _ folder: FolderPath, _ file: String) throws(GitError) -> ObjectID? {
        guard let tree = try folderTree(of: commit, folder) else { return nil }
        return try files(in: tree).first { $0.name == file }?.blob
    }
}
