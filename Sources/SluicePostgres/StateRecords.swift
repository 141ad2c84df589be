import SluiceCore

/// A row of `sluice.revisions` as shown by `status` and the API.
public struct RevisionRecord: Sendable, Codable, Equatable {
    public var version: String
    public var title: String
    public var file: String
    public var layout: String
    public var checksum: String
    public var state: String
    public var appliedAt: String
    public var appliedBy: String
    public var durationMs: Int?
    public var baseline: Bool
    public var reversible: Bool
    public var directives: [String]
    public var commit: String?
    public var statementsDone: Int
    public var statementsTotal: Int
    public var commitAuthor: String? = nil
    public var commitSubject: String? = nil
}

/// A row of `sluice.events`.
public struct EventRecord: Sendable, Codable, Equatable {
    public var id: Int
    public var at: String
    public var kind: String
    public var outcome: String
    public var versions: [String]
    public var commit: String?
    public var actor: String
    public var durationMs: Int?
    public var message: String
    /// JSON text of the error object, when the event records a failure.
    public var error: String?
    public var details: String?
}

extension EventRecord {
    init(row: Row) {
        self.init(id: row.int("id") ?? 0, at: row.string("at"), kind: row.string("kind"), outcome: row.string("outcome"),
                  versions: row.array("versions"), commit: row["commit_sha"], actor: row.string("actor"),
                  durationMs: row.int("duration_ms"), message: row.string("message"), error: row["error"], details: row["details"])
    }
}

/// An event about to be recorded.
public struct EventDraft: Sendable {
    public var kind: String
    public var outcome: String
    public var versions: [String]
    public var commit: String?
    public var actor: String
    public var durationMs: Int?
    public var message: String
    /// JSON text.
    public var error: String?
    /// JSON text.
    public var details: String?

    public init(kind: String, outcome: String, versions: [String] = [], commit: String? = nil, actor: String, durationMs: Int? = nil, message: String = "", error: String? = nil, details: String? = nil) {
        self.kind = kind
        self.outcome = outcome
        self.versions = versions
        self.commit = commit
        self.actor = actor
        self.durationMs = durationMs
        self.message = message
        self.error = error
        self.details = details
    }
}

/// A revision row about to be written.
public struct NewRevision: Sendable {
    public var migration: Migration
    public var state: AppliedRevision.State
    public var host: String
    public var user: String
    public var durationMs: Int?
    public var baseline: Bool
    public var statementHashes: [String]
    public var statementsDone: Int
    public var commit: (sha: String, author: String, subject: String)?
    /// The schema after this migration (JSON of a `SchemaSnapshot`), when known beforehand:
    /// the rehearsal read it on the clone.
    public var schemaSnapshot: String?

    public init(migration: Migration, state: AppliedRevision.State, host: String, user: String, durationMs: Int? = nil, baseline: Bool = false, statementHashes: [String] = [], statementsDone: Int = 0, commit: (sha: String, author: String, subject: String)? = nil, schemaSnapshot: String? = nil) {
        self.schemaSnapshot = schemaSnapshot
        self.migration = migration
        self.state = state
        self.host = host
        self.user = user
        self.durationMs = durationMs
        self.baseline = baseline
        self.statementHashes = statementHashes
        self.statementsDone = statementsDone
        self.commit = commit
    }
}
