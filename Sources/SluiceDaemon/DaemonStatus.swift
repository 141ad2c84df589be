import Foundation
import SluiceEngine

/// What `sluice daemon status` shows: the running daemon's state.
public struct DaemonStatus: Sendable, Codable {
    public var pid: Int32
    public var startedAt: Date
    public var repository: String
    public var branch: String
    public var path: String
    /// `idle` between cycles, `running` during one.
    public var state: String
    /// What the cycle under way is doing (e.g. `[3/40] apply 0007_add_orders`).
    public var progress: String?
    public var cycles: Int
    public var lastCycle: CycleOutcome?
    public var nextPoll: Date?
    /// The commit last fetched.
    public var commit: String?
    /// Who holds the migration lock now (read when asked).
    public var lockHolder: String?
}
