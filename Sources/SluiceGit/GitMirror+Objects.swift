import CLibGit2

/// Short-lived libgit2 objects: looked up, lent to a closure, freed right after.
extension GitMirror {
    /// Resolves a full or abbreviated (4+ digits) SHA to a commit in the mirror; nil when the
    /// mirror has no such commit.
    func lookupCommit(_ sha: String, operation: String) throws(GitError) -> ObjectID? {
        let text = sha.lowercased()
        let length = text.utf8.count
        guard (4...Int(GIT_OID_HEXSZ)).contains(length), text.utf8.allSatisfy(\.isHexDigit) else {
            throw GitError(.invalidArgument, "'\(sha)' is not a commit SHA", operation: operation)
        }
        var prefix = git_oid()
        try git(operation) { git_oid_fromstrn(&prefix, text, length) }
        var object: OpaquePointer?
        let code = git_object_lookup_prefix(&object, repository, &prefix, length, GIT_OBJECT_COMMIT)
        if code == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return nil
        }
        try git(operation) { code }
        defer { git_object_free(object) }
        return ObjectID(git_object_id(object))
    }

    /// Like ``lookupCommit(_:operation:)``, but a missing commit is an error naming it.
    func requireCommit(_ sha: String, operation: String) throws(GitError) -> ObjectID {
        guard let id = try lookupCommit(sha, operation: operation) else {
            throw GitError(
                .notFound, "commit \(sha) is not in the mirror of \(displayRemote)", operation: operation,
                hint: "fetch the branch first; a force-push may have removed the commit", commit: sha)
        }
        return id
    }

    func withCommit<T>(_ id: ObjectID, _ body: (OpaquePointer) throws(GitError) -> T) throws(GitError) -> T {
        var commit: OpaquePointer?
        try id.withPointer { (oid) throws(GitError) in
            try git("read commit \(id.hex)") { git_commit_lookup(&commit, repository, oid) }
        }
        guard let commit else { throw GitError(.repository, "no commit returned", operation: "read commit \(id.hex)") }
        defer { git_commit_free(commit) }
        return try body(commit)
    }

    func withTree<T>(_ id: ObjectID, _ body: (OpaquePointer) throws(GitError) -> T) throws(GitError) -> T {
        var tree: OpaquePointer?
        try id.withPointer { (oid) throws(GitError) in
            try git("read tree \(id.hex)") { git_tree_lookup(&tree, repository, oid) }
        }
        guard let tree else { throw GitError(.repository, "no tree returned", operation: "read tree \(id.hex)") }
        defer { git_tree_free(tree) }
        return try body(tree)
    }

    /// The tree of `folder` in a commit, nil when the commit has no such folder.
    func folderTree(of commit: OpaquePointer, _ folder: FolderPath) throws(GitError) -> ObjectID? {
        let root = ObjectID(git_commit_tree_id(commit))
        if folder.isRoot { return root }
        return try withTree(root) { (tree) throws(GitError) -> ObjectID? in
            var entry: OpaquePointer?
            let code = git_tree_entry_bypath(&entry, tree, folder.path)
            if code == GIT_ENOTFOUND.rawValue {
                git_error_clear()
                return nil
            }
            try git("look up \(folder.path)") { code }
            defer { git_tree_entry_free(entry) }
            guard git_tree_entry_type(entry) == GIT_OBJECT_TREE else { return nil }
            return ObjectID(git_tree_entry_id(entry))
        }
    }

    /// The folder's tree in the commit `id`, remembered in `memo` (parents are mostly walked
    /// before their children, so this rarely reads the commit again).
    func folderTree(
        ofCommit id: ObjectID, _ folder: FolderPath, memo: inout [ObjectID: ObjectID?]
    ) throws(GitError) -> ObjectID? {
        if let known = memo[id] { return known }
        let tree = try withCommit(id) { (commit) throws(GitError) in try folderTree(of: commit, folder) }
        memo[id] = tree
        return tree
    }

    /// The blob of the file `name` directly in a folder's tree, nil when it is not a regular or
    /// executable file there.
    func fileBlob(in treeID: ObjectID, _ name: String) throws(GitError) -> ObjectID? {
        try withTree(treeID) { (tree) -> ObjectID? in
            guard let entry = git_tree_entry_byname(tree, name) else { return nil }
            let mode = git_tree_entry_filemode(entry)
            guard mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE else { return nil }
            return ObjectID(git_tree_entry_id(entry))
        }
    }

    /// The files directly in a tree, in tree order: regular and executable blobs. Symlinks,
    /// submodules and subfolders are not migrations.
    func files(in treeID: ObjectID) throws(GitError) -> [(name: String, blob: ObjectID)] {
        try withTree(treeID) { tree in
            (0..<git_tree_entrycount(tree)).compactMap { index in
                guard let entry = git_tree_entry_byindex(tree, index) else { return nil }
                let mode = git_tree_entry_filemode(entry)
                guard mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE else { return nil }
                return (String(cString: git_tree_entry_name(entry)), ObjectID(git_tree_entry_id(entry)))
            }
        }
    }

    /// The names of ``files(in:)``.
    func fileNames(in treeID: ObjectID) throws(GitError) -> Set<String> {
        Set(try files(in: treeID).map(\.name))
    }

    /// A blob's bytes, copied out of libgit2.
    func bytes(ofBlob id: ObjectID) throws(GitError) -> [UInt8] {
        var blob: OpaquePointer?
        try id.withPointer { (oid) throws(GitError) in
            try git("read blob \(id.hex)") { git_blob_lookup(&blob, repository, oid) }
        }
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size > 0, let content = git_blob_rawcontent(blob) else { return [] }
        return Array(UnsafeRawBufferPointer(start: content, count: size))
    }

    /// Calls `body` with each commit reachable from `tip` and not from `hidden`, in `sorting` order.
    func walk(
        from tip: ObjectID, hiding hidden: ObjectID? = nil, sorting: UInt32, operation: String,
        _ body: (OpaquePointer) throws(GitError) -> Void
    ) throws(GitError) {
        _ = try firstCommit(from: tip, hiding: hidden, sorting: sorting, operation: operation) { (commit) throws(GitError) in
            try body(commit)
            return false
        }
    }

    /// The first commit, in `sorting` order from `tip`, for which `matches` is true; the walk
    /// stops there.
    func firstCommit(
        from tip: ObjectID, hiding hidden: ObjectID? = nil, sorting: UInt32, operation: String,
        where matches: (OpaquePointer) throws(GitError) -> Bool
    ) throws(GitError) -> ObjectID? {
        var walker: OpaquePointer?
        try git(operation) { git_revwalk_new(&walker, repository) }
        defer { git_revwalk_free(walker) }
        try git(operation) { git_revwalk_sorting(walker, sorting) }
        try tip.withPointer { (oid) throws(GitError) in try git(operation) { git_revwalk_push(walker, oid) } }
        if let hidden {
            try hidden.withPointer { (oid) throws(GitError) in try git(operation) { git_revwalk_hide(walker, oid) } }
        }
        var next = git_oid()
        while true {
            let code = git_revwalk_next(&next, walker)
            if code == GIT_ITEROVER.rawValue { return nil }
            try git(operation) { code }
            let id = ObjectID(next)
            if try withCommit(id, matches) { return id }
        }
    }

    /// Whether `ancestor` is `descendant` or one of its ancestors.
    func isAncestor(_ ancestor: ObjectID, of descendant: ObjectID) throws(GitError) -> Bool {
        if ancestor == descendant { return true }
        let code = descendant.withPointer { (commit) in
            ancestor.withPointer { (candidate) in git_graph_descendant_of(repository, commit, candidate) }
        }
        try git("compare \(ancestor.hex) with \(descendant.hex)") { code }
        return code == 1
    }

    /// The parents of a commit, in order (the first parent first).
    func parents(of commit: OpaquePointer) -> [ObjectID] {
        (0..<git_commit_parentcount(commit)).compactMap { index in
            git_commit_parent_id(commit, index).map { ObjectID($0) }
        }
    }
}
