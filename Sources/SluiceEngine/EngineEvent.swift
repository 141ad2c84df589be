import SluiceCore

/// What the engine reports while it works; the CLI renders these for people or as
/// JSON, the daemon logs them. Nothing here is a secret.
public enum EngineEvent: Sendable {
    case waitingForLock(holder: String?)
    case lockAcquired
    case planned(Plan)
    case holdLifted(Version, why: String)
    case stepStarted(index: Int, total: Int, step: Plan.Step)
    /// A statement of a no-transaction migration finished.
    case statementDone(step: Plan.Step, statement: Int, of: Int)
    case retrying(step: Plan.Step, attempt: Int, after: Duration, reason: String)
    case stepFinished(index: Int, total: Int, step: Plan.Step, milliseconds: Int)
    case note(String)
    /// The Git fetch is downloading: objects received of the pack's total, bytes so far.
    case fetching(received: Int, total: Int, bytes: Int)
    /// The rehearsal started cloning production into a scratch database.
    case cloning(strategy: String, database: String, sourceBytes: Int64)
    /// Clone progress: bytes in the scratch database so far, of production's size.
    case cloneProgress(bytes: Int64, of: Int64, elapsed: Duration)
    /// The clone is ready; the plan runs on it next.
    case cloned(RehearsalReport.Clone)
    /// A step of the rehearsal finished on the clone (`down` and `up again` for verify-down).
    case rehearsed(RehearsalReport.Step)
    /// The live catalog was compared with the recorded one: changes made outside Sluice (0: none).
    case schemaDrift(changes: Int)
    /// The rehearsal ended (passed or failed); the report goes with the event.
    case rehearsalFinished(RehearsalReport)
}

public typealias EventSink = @Sendable (EngineEvent) -> Void

/// What one step did, for reports and event details.
public struct StepResult: Sendable, Codable, Equatable {
    public var verb: String
    public var version: String?
    public var name: String
    public var milliseconds: Int
}
