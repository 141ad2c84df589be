import CLibGit2

extension GitMirror {
    /// The author, subject, message and time of a commit (full or abbreviated SHA).
    public func commitInfo(_ sha: String) throws(GitError) -> CommitInfo {
        try serialized { () throws(GitError) -> CommitInfo in
            try commitInfo(requireCommit(sha, operation: "read commit \(sha)"))
        }
    }

    /// How the branch moved from `old` (the tip last reconciled, nil if none) to `new`.
    ///
    /// An `old` the mirror does not have (a fresh mirror after a force-push dropped it) is
    /// `.rewritten`: had it been an ancestor of `new`, fetching `new` would have brought it.
    public func move(from old: String?, to new: String) throws(GitError) -> BranchMove {
        try serialized { () throws(GitError) -> BranchMove in
            guard let old else { return .firstSeen }
            let operation = "compare \(old) with \(new)"
            let newID = try requireCommit(new, operation: operation)
            guard let oldID = try lookupCommit(old, operation: operation) else { return .rewritten }
            if oldID == newID { return .same }
            if try isAncestor(oldID, of: newID) { return .forward }
            if try isAncestor(newID, of: oldID) { return .backward }
            return .rewritten
        }
    }

    /// Cached: commits never change, and the same few are asked for on every cycle.
    func commitInfo(_ id: ObjectID) throws(GitError) -> CommitInfo {
        if let cached = commitInfos[id] { return cached }
        let info = try withCommit(id) { CommitInfo(commit: $0) }
        if commitInfos.count > 10_000 { commitInfos.removeAll(keepingCapacity: true) }
        commitInfos[id] = info
        return info
    }
}
