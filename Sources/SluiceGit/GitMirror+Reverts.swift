import CLibGit2

extension GitMirror {
    /// The revert commits in `old..new`, oldest first, with the files of `folder` each removed.
    ///
    /// A revert commit is one whose message contains "This reverts commit <sha>" (what
    /// `git revert` writes, or the same sentence written by hand). When `old` is nil, unknown to
    /// the mirror, or not an ancestor of `new` (a force-push), all of `new`'s history is searched.
    /// `removedFiles` compares the commit's folder with its first parent's, so a revert that
    /// touched other folders only has none.
    public func reverts(from old: String?, to new: String, folder: String) throws(GitError) -> [Revert] {
        try serialized { () throws(GitError) -> [Revert] in
            let folderPath = try FolderPath(folder)
            let operation = "look for revert commits up to \(new)"
            let newID = try requireCommit(new, operation: operation)
            var hidden: ObjectID?
            if let old, let oldID = try lookupCommit(old, operation: operation), try isAncestor(oldID, of: newID) {
                hidden = oldID
            }
            let sorting = GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue | GIT_SORT_REVERSE.rawValue
            var found: [Revert] = []
            try walk(from: newID, hiding: hidden, sorting: sorting, operation: operation) { (commit) throws(GitError) in
                if let revert = try revert(commit, folder: folderPath, operation: operation) { found.append(revert) }
            }
            return found
        }
    }

    /// The commit as a ``Revert``, or nil when its message does not say it reverts anything.
    private func revert(_ commit: OpaquePointer, folder: FolderPath, operation: String) throws(GitError) -> Revert? {
        let message = git_commit_message(commit).map { String(cString: $0) } ?? ""
        let parsed = Revert.revertedSHA(in: message)
        guard parsed.isRevert else { return nil }
        var reverted = parsed.sha
        if let sha = parsed.sha, let full = try? lookupCommit(sha, operation: operation) { reverted = full.hex }
        let info = try commitInfo(ObjectID(git_commit_id(commit)))
        return Revert(commit: info, revertedSHA: reverted, removedFiles: try removedFiles(commit, folder))
    }

    /// Files of the folder in the first parent that are gone from the commit, in name order.
    private func removedFiles(_ commit: OpaquePointer, _ folder: FolderPath) throws(GitError) -> [String] {
        guard let firstParent = parents(of: commit).first else { return [] }
        let before = try withCommit(firstParent) { (parent) throws(GitError) in try folderTree(of: parent, folder) }
        guard let before else { return [] }
        let after = try folderTree(of: commit, folder)
        if before == after { return [] }
        let remaining = try after.map { (tree) throws(GitError) in try fileNames(in: tree) } ?? []
        return try fileNames(in: before).subtracting(remaining).sorted()
    }
}
