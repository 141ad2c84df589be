/// The process exit codes of SPEC §6.
public enum ExitStatus: Int32, Sendable, Codable {
    /// Done, or nothing to do.
    case ok = 0
    /// A migration or rehearsal failed; the failing statement was rolled back.
    case migrationFailed = 1
    /// Bad usage, configuration or migration files.
    case badInput = 2
    /// Refused by a safety rule (drift, dirty, out of order, hold, irreversible, removal).
    case refused = 3
    /// Database, repository or daemon unreachable.
    case unreachable = 4
    /// The advisory lock is held by another runner.
    case locked = 5
}

/// An error people can act on: what went wrong, where, and what to do next.
///
/// `description` is always safe to show: callers must never put a password in
/// `message`, `hint` or `detail` (the Postgres layer redacts before building one).
public struct SluiceError: Error, Sendable, CustomStringConvertible {
    public var status: ExitStatus
    public var message: String
    public var hint: String?
    public var file: String?
    public var version: String?
    public var commit: String?
    public var sqlState: String?
    /// Further lines (one per problem when several were found).
    public var details: [String]

    public init(
        _ status: ExitStatus, _ message: String, hint: String? = nil, file: String? = nil,
        version: String? = nil, commit: String? = nil, sqlState: String? = nil, details: [String] = []
    ) {
        self.status = status
        self.message = message
        self.hint = hint
        self.file = file
        self.version = version
        self.commit = commit
        self.sqlState = sqlState
        self.details = details
    }

    /// Detail lines shown at most; the rest are counted, so a thousand problems stay readable.
    public static let shownDetails = 12

    public var description: String {
        var text = message
        for line in details.prefix(Self.shownDetails) { text += "\n  - \(line)" }
        if details.count > Self.shownDetails { text += "\n  … and \(details.count - Self.shownDetails) more" }
        if let hint { text += "\nhint: \(hint)" }
        return text
    }
}
