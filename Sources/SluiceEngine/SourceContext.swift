import SluiceCore

/// A Git commit as recorded with a revision: sha, author and subject.
public struct CommitRef: Sendable, Equatable, Codable {
    public var sha: String
    public var author: String
    public var subject: String

    public init(sha: String, author: String, subject: String) {
        self.sha = sha
        self.author = author
        self.subject = subject
    }
}

/// What the source of the folder adds to a run: the commit it was read from, which
/// removals revert commits explain, and who introduced each migration. Empty for a
/// plain folder (`--dir`).
public struct SourceContext: Sendable {
    /// The commit whose tree the folder was read from.
    public var commit: String?
    public var branch: String?
    /// Versions whose removal a revert commit explains (`policy.rollback_on: revert`).
    public var revertedByCommit: Set<Version>
    /// Finds the commit that introduced each migration about to be applied.
    public var introducingCommits: @Sendable ([Migration]) async throws -> [Version: CommitRef]
    /// Asked between migrations: true stops the run after the migration under way (graceful shutdown).
    public var shouldStop: @Sendable () -> Bool

    public init(commit: String? = nil, branch: String? = nil, revertedByCommit: Set<Version> = [],
                introducingCommits: @escaping @Sendable ([Migration]) async throws -> [Version: CommitRef] = { _ in [:] },
                shouldStop: @escaping @Sendable () -> Bool = { false }) {
        self.commit = commit
        self.branch = branch
        self.revertedByCommit = revertedByCommit
        self.introducingCommits = introducingCommits
        self.shouldStop = shouldStop
    }

    public static let folder = SourceContext()
}
