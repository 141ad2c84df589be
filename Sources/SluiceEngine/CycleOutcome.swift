import Foundation
import SluiceCore

/// How one cycle ended, for the daemon's status, `daemon trigger --wait` and systemd.
public struct CycleOutcome: Sendable, Codable, Equatable {
    public enum Result: String, Sendable, Codable, CaseIterable {
        /// Nothing to do (the commit was already reconciled).
        case noop
        case applied
        /// A safety rule stopped the plan (exit 3).
        case refused
        /// A migration failed, or the folder is bad (exit 1 or 2).
        case failed
        /// The database or the repository could not be reached (exit 4).
        case unreachable
        /// Another runner holds the lock; this cycle was skipped (exit 5).
        case locked
        /// The plan stopped early for a graceful shutdown.
        case stopped
        /// The branch has not moved since a failed plan: not retried until it does, or on trigger.
        case waiting
    }

    public var result: Result
    public var exitCode: Int32
    public var commit: String?
    public var message: String
    public var hint: String?
    public var steps: [StepResult]
    public var startedAt: Date
    public var durationMs: Int
    /// `poll` or `trigger`.
    public var cause: String
}
