import CLibGit2

extension GitMirror {
    /// The commit that added `folder/file`: the oldest commit reachable from `tip` (in commit-time
    /// order, whatever the merge structure) where the file exists in the folder and exists in
    /// none of the commit's parents. Nil when no commit in `tip`'s history ever had the file.
    ///
    /// The first call for a folder walks the whole history of `tip` once and indexes every file
    /// of the folder; later calls at the same tip are dictionary look-ups, and a later tip that
    /// descends from the indexed one only walks the new commits.
    public func introducingCommit(folder: String, file: String, tip: String) throws(GitError) -> CommitInfo? {
        try serialized { () throws(GitError) -> CommitInfo? in
            let folderPath = try FolderPath(folder)
            let operation = "find the commit that added \(folderPath.appending(file))"
            let tipID = try requireCommit(tip, operation: operation)
            let index = try introductionIndex(folderPath, tip: tipID, operation: operation)
            guard let introduction = index[file] else { return nil }
            return try commitInfo(introduction.commit)
        }
    }

    /// The index of `folder` at `tip`, built or brought up to date (and kept for next time).
    private func introductionIndex(
        _ folder: FolderPath, tip: ObjectID, operation: String
    ) throws(GitError) -> IntroductionIndex {
        var index = IntroductionIndex(tip: tip)
        var hidden: ObjectID?
        if let known = introductionIndexes[folder.path] {
            if known.tip == tip { return known }
            if try isAncestor(known.tip, of: tip) {
                index = known
                hidden = known.tip
            }
        }
        try extend(&index, folder, to: tip, hiding: hidden, operation: operation)
        introductionIndexes[folder.path] = index
        return index
    }

    /// Walks `tip`'s history not reachable from `hidden`, oldest first, recording introductions.
    private func extend(
        _ index: inout IntroductionIndex, _ folder: FolderPath, to tip: ObjectID, hiding hidden: ObjectID?,
        operation: String
    ) throws(GitError) {
        var folders: [ObjectID: ObjectID?] = [:]
        let sorting = GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue | GIT_SORT_REVERSE.rawValue
        try walk(from: tip, hiding: hidden, sorting: sorting, operation: operation) { (commit) throws(GitError) in
            let id = ObjectID(git_commit_id(commit))
            let own = try folderTree(of: commit, folder)
            folders[id] = own
            guard let own else { return }
            var parentFolders: [ObjectID] = []
            for parent in parents(of: commit) {
                guard let parentFolder = try folderTree(ofCommit: parent, folder, memo: &folders) else { continue }
                if parentFolder == own { return }
                parentFolders.append(parentFolder)
            }
            var inParents = Set<String>()
            for parentFolder in parentFolders { inParents.formUnion(try fileNames(in: parentFolder)) }
            for name in try fileNames(in: own) where !inParents.contains(name) {
                index.record(name, commit: id, time: git_commit_time(commit))
            }
        }
        index.tip = tip
    }
}
