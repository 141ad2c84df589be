import Foundation
import SluiceCore
import SluiceEngine

/// The daemon's shared state: what the watcher is doing, and the triggers that wake it.
public actor DaemonState {
    private var status: DaemonStatus
    private var triggered = false
    private var waiters: [UUID: CheckedContinuation<CycleOutcome?, Never>] = [:]
    private var pendingWaiters: [UUID] = []
    private var sleeper: CheckedContinuation<Void, Never>?

    init(status: DaemonStatus) {
        self.status = status
    }

    public func snapshot() -> DaemonStatus { status }

    // MARK: Cycles

    /// Called by the watcher before a cycle: whether a trigger asked for it, and who waits for its outcome.
    func beginCycle() -> (forced: Bool, waiters: [UUID]) {
        defer { triggered = false; pendingWaiters = [] }
        status.state = "running"
        status.nextPoll = nil
        return (triggered, pendingWaiters)
    }

    func endCycle(_ outcome: CycleOutcome, waiters ids: [UUID]) {
        status.state = "idle"
        status.progress = nil
        status.cycles += 1
        status.lastCycle = outcome
        if outcome.commit != nil { status.commit = outcome.commit }
        for id in ids { waiters.removeValue(forKey: id)?.resume(returning: outcome) }
    }

    func progress(_ text: String?) { status.progress = text }

    // MARK: Memory

    private var pagesServed = false

    /// An API or dashboard page was served (see ``PagesServed``).
    func pageServed() { pagesServed = true }

    /// Whether a page was served since the last call.
    func takePagesServed() -> Bool {
        defer { pagesServed = false }
        return pagesServed
    }

    func setNextPoll(_ date: Date) { status.nextPoll = date }

    // MARK: Triggers

    /// Asks for a cycle now; with `wait`, returns the outcome of that cycle (nil if the caller gave up).
    public func trigger(wait: Bool) async -> CycleOutcome? {
        triggered = true
        guard wait else { wake(); return nil }
        let id = UUID()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                waiters[id] = continuation
                pendingWaiters.append(id)
                wake()
            }
        } onCancel: {
            Task { await self.giveUp(id) }
        }
    }

    private func giveUp(_ id: UUID) {
        pendingWaiters.removeAll { $0 == id }
        waiters.removeValue(forKey: id)?.resume(returning: nil)
    }

    /// Sleeps until `interval` passes, a trigger arrives, or the task is cancelled.
    func sleep(for interval: Duration) async {
        if triggered { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: interval) }
            group.addTask { await self.waitForWake() }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForWake() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if triggered { continuation.resume() } else { sleeper = continuation }
            }
        } onCancel: {
            Task { await self.wake() }
        }
    }

    /// Ends a `sleep` early.
    func wake() {
        sleeper?.resume()
        sleeper = nil
    }
}
