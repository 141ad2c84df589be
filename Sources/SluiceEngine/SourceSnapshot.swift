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

/// Where a run's migrations came from, read once: the parsed folder and, from Git, the commit
/// whose tree it is, the branch, the versions whose removal a revert commit explains, and who
/// introduced each migration. Every command, the reconcile cycle and the API plan from one of
/// these, built by a ``MigrationSource`` — so a preview shows what the run then does.
public struct SourceSnapshot: Sendable {
    public var folder: MigrationFolder
    /// For people: the folder's path, or `remote branch:path`.
    public var origin: String
    /// The commit whose tree the folder was read from (nil for a plain folder).
    public var commit: String?
    public var branch: String?
    /// Versions whose removal a revert commit since the last reconciled commit explains
    /// (`policy.rollback_on: revert`), with that commit.
    public var reverts: [Version: CommitRef]
    /// Finds the commit that introduced each migration about to be applied.
    public var introducingCommits: @Sendable ([Migration]) async throws -> [Version: CommitRef]

    public init(folder: MigrationFolder, origin: String, commit: String? = nil, branch: String? = nil, reverts: [Version: CommitRef] = [:],
                introducingCommits: @escaping @Sendable ([Migration]) async throws -> [Version: CommitRef] = { _ in [:] }) {
        self.folder = folder
        self.origin = origin
        self.commit = commit
        self.branch = branch
        self.reverts = reverts
        self.introducingCommits = introducingCommits
    }

    public var revertedByCommit: Set<Version> { Set(reverts.keys) }
}

/// A place migrations are read from: a folder on disk, or a folder in a Git branch.
public protocol MigrationSource: Sendable {
    /// For people: the folder's path, or `remote branch:path`.
    var origin: String { get }
    /// Brings the source up to date and names its current revision: the branch's tip after a
    /// fetch, nil for a folder. `sink` hears progress (a first clone can be long).
    func refresh(sink: EventSink?) async throws -> String?
    /// The source at `revision` (from ``refresh(sink:)``), with the reverts made since
    /// `reconciled`, the commit the database was last reconciled at.
    func snapshot(at revision: String?, since reconciled: String?, requireDown: Bool) async throws -> SourceSnapshot
    /// The folder's files at `revision`, unparsed (`lint` reports every problem of a folder).
    func entries(at revision: String?) async throws -> [FolderEntry]
}

extension FolderSource: MigrationSource {
    public var origin: String { path }

    public func refresh(sink: EventSink?) async throws -> String? { nil }

    public func snapshot(at revision: String?, since reconciled: String?, requireDown: Bool) async throws -> SourceSnapshot {
        SourceSnapshot(folder: try load(requireDown: requireDown), origin: path)
    }

    public func entries(at revision: String?) async throws -> [FolderEntry] { try entries() }
}
