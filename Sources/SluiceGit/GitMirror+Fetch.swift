import CLibGit2
import Foundation

extension GitMirror {
    /// Fetches `branch` from the remote into the mirror and returns its tip SHA (40 hex digits).
    ///
    /// Only that branch is fetched (`+refs/heads/<branch>:refs/heads/<branch>`, force-pushes
    /// included), no tags. When the remote's tip is already in the mirror nothing is downloaded.
    /// - Parameter progress: called during the download with objects received, objects in the
    ///   pack and bytes received; on the fetching thread.
    /// - Throws: ``GitError`` `.unreachable` when the remote cannot be reached or refuses the
    ///   credentials, `.notFound` when it has no such branch.
    public func fetch(branch: String, progress: FetchProgress? = nil) throws(GitError) -> String {
        try serialized { () throws(GitError) -> String in
            let reference = try Self.branchReference(branch)
            let operation = "fetch branch '\(branch)' from \(displayRemote)"
            let context = FetchContext(credentials: credentials, progress: progress)
            return try withExtendedLifetime(context) { () throws(GitError) -> String in
                try withOrigin { origin throws(GitError) -> String in
                    defer { git_remote_disconnect(origin) }
                    let advertised = try connect(origin, context: context, operation: operation)
                    guard let remoteTip = advertised[reference] else {
                        throw missingBranch(branch, advertised: advertised.keys, operation: operation)
                    }
                    if try localTip(reference) != remoteTip {
                        try download(origin, refspec: "+\(reference):\(reference)", context: context, operation: operation)
                    }
                    guard let tip = try localTip(reference) else {
                        throw GitError(.unreachable, "the fetch did not update \(reference)", operation: operation)
                    }
                    return tip.hex
                }
            }
        }
    }

    /// The tip of `branch` as last fetched, without touching the network; nil before the first fetch.
    public func tip(branch: String) throws(GitError) -> String? {
        try serialized { () throws(GitError) -> String? in
            try localTip(Self.branchReference(branch))?.hex
        }
    }

    /// `refs/heads/<branch>`, refusing names Git would refuse (and refspec syntax like `a:b`).
    static func branchReference(_ branch: String) throws(GitError) -> String {
        let reference = "refs/heads/\(branch)"
        var valid: Int32 = 0
        guard !branch.isEmpty, git_reference_name_is_valid(&valid, reference) == 0, valid == 1 else {
            git_error_clear()
            throw GitError(.invalidArgument, "'\(branch)' is not a valid branch name", operation: "fetch",
                           hint: "check repository.branch")
        }
        return reference
    }

    func localTip(_ reference: String) throws(GitError) -> ObjectID? {
        var oid = git_oid()
        let code = git_reference_name_to_id(&oid, repository, reference)
        if code == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return nil
        }
        try git("read \(reference) in the mirror") { code }
        return ObjectID(oid)
    }

    /// Lends the `origin` remote, looked up on first use and kept (freed in `deinit`).
    private func withOrigin<T>(_ body: (OpaquePointer) throws(GitError) -> T) throws(GitError) -> T {
        if let originRemote { return try body(originRemote) }
        var origin: OpaquePointer?
        try git("read remote origin of the mirror \(directory)") { git_remote_lookup(&origin, repository, "origin") }
        guard let origin else { throw GitError(.repository, "no remote origin", operation: "fetch") }
        originRemote = origin
        return try body(origin)
    }

    /// Connects and returns the refs the remote advertises (name → id).
    private func connect(
        _ origin: OpaquePointer, context: FetchContext, operation: String
    ) throws(GitError) -> [String: ObjectID] {
        var options = git_remote_connect_options()
        git_remote_connect_options_init(&options, UInt32(GIT_REMOTE_CONNECT_OPTIONS_VERSION))
        context.install(into: &options.callbacks)
        options.proxy_opts.type = GIT_PROXY_AUTO
        try remoteCall(operation, context) { git_remote_connect_ext(origin, GIT_DIRECTION_FETCH, &options) }

        var heads: UnsafeMutablePointer<UnsafePointer<git_remote_head>?>?
        var count = 0
        try remoteCall(operation, context) { git_remote_ls(&heads, &count, origin) }
        var advertised: [String: ObjectID] = [:]
        for index in 0..<count {
            guard let head = heads?[index]?.pointee, let name = head.name else { continue }
            advertised[String(cString: name)] = ObjectID(head.oid)
        }
        return advertised
    }

    private func download(
        _ origin: OpaquePointer, refspec: String, context: FetchContext, operation: String
    ) throws(GitError) {
        var options = git_fetch_options()
        git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION))
        context.install(into: &options.callbacks)
        options.proxy_opts.type = GIT_PROXY_AUTO
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
        options.update_fetchhead = 0
        try withStringArray([refspec]) { (refspecs: inout git_strarray) throws(GitError) in
            try remoteCall(operation, context) { git_remote_download(origin, &refspecs, &options) }
        }
        try remoteCall(operation, context) {
            git_remote_update_tips(origin, &options.callbacks, 0, GIT_REMOTE_DOWNLOAD_TAGS_NONE, "sluice: fetch")
        }
    }

    /// A libgit2 call talking to the remote: any failure is the remote's (exit 4), explained by
    /// a callback's own failure when one refused, and scrubbed of the token.
    private func remoteCall(_ operation: String, _ context: FetchContext, _ call: () -> Int32) throws(GitError) {
        do {
            try git(operation, redactor: context.redactor, call)
        } catch {
            if var failure = context.failure {
                failure.operation = operation
                throw failure
            }
            throw error.with(
                kind: .unreachable,
                hint: "check repository.url, that the remote is reachable from here, and its credentials")
        }
    }

    private func missingBranch(
        _ branch: String, advertised: Dictionary<String, ObjectID>.Keys, operation: String
    ) -> GitError {
        let prefix = "refs/heads/"
        let branches = advertised.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }.sorted()
        let known = branches.isEmpty ? "the remote has no branches" : "it has: " + branches.prefix(10).joined(separator: ", ")
        return GitError(
            .notFound, "the remote has no branch '\(branch)'", operation: operation,
            hint: "check repository.branch; \(known)")
    }
}

/// Calls `body` with a `git_strarray` of copies of `strings`, freed afterwards.
func withStringArray<T>(
    _ strings: [String], _ body: (inout git_strarray) throws(GitError) -> T
) throws(GitError) -> T {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { pointers.forEach { free($0) } }
    return try pointers.withUnsafeMutableBufferPointer { (buffer) throws(GitError) -> T in
        var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
        return try body(&array)
    }
}
