import Foundation
import Logging
import ServiceLifecycle
import SluiceCore
import SluiceEngine
import Synchronization

/// Polls the branch and runs a reconcile cycle every `repository.poll_interval` (with
/// jitter), or at once on a trigger. A failed cycle is logged, reported and backed off
/// from; it never ends the service. On SIGTERM the migration under way finishes first.
struct WatcherService: Service {
    let reconciler: Reconciler
    let state: DaemonState
    let pollInterval: Duration
    let notifier: SystemdNotifier
    let logger: Logger
    var metrics: DaemonMetrics = .shared
    /// Called with each finished cycle, off the cycle's path (webhooks).
    var onCycle: @Sendable (CycleOutcome) -> Void = { _ in }
    /// Awaited once before the first cycle (the webhook cursor).
    var beforeFirstCycle: @Sendable () async -> Void = {}

    func run() async throws {
        let stop = StopFlag()
        var failures = 0
        var counted = false
        var trimDue = false, first = true
        await beforeFirstCycle()
        try await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                let (forced, waiters) = await state.beginCycle()
                let outcome = await reconciler.cycle(forced: forced, lockWait: .zero, sink: sink, shouldStop: { stop.isSet })
                // Metrics first, so a `trigger --wait` that returns finds them up to date.
                metrics.cycleEnded(outcome)
                if !counted || ![.noop, .waiting, .locked].contains(outcome.result) {
                    counted = await countMigrations(commit: outcome.commit)
                }
                // `waiting` and `locked` repeat every poll while a failed plan or another
                // replica's apply lasts, and do next to nothing.
                let busy = ![.noop, .waiting, .locked].contains(outcome.result)
                if busy { await reconciler.releaseMemory() }
                await state.endCycle(outcome, waiters: waiters)
                report(outcome)
                onCycle(outcome)
                // Trim the heap on the first quiet cycle after start-up, after a cycle that did
                // work (again: the webhooks and the dashboard's diagrams run after such a cycle)
                // and after the API or the dashboard served a page.
                let quiet = !busy && !first
                let served = await state.takePagesServed()
                if !quiet || served { trimDue = true }
                if quiet && trimDue {
                    Malloc.returnFreeMemory()
                    trimDue = false
                    logger.debug("trimmed the heap")
                }
                first = false
                failures = [.failed, .unreachable, .refused].contains(outcome.result) ? failures + 1 : 0
                if Task.isShuttingDownGracefully || stop.isSet { break }
                let wait = delay(afterFailures: failures)
                await state.setNextPoll(Date().addingTimeInterval(Double(DurationParser.milliseconds(wait)) / 1000))
                await state.sleep(for: wait)
            }
        } onGracefulShutdown: {
            stop.set()
            notifier.stopping()
            Task { await state.wake() }
        }
    }

    /// The poll interval ±10%, doubled per consecutive failure up to 10 minutes (never below the interval).
    func delay(afterFailures failures: Int) -> Duration {
        let base = DurationParser.milliseconds(pollInterval)
        let backedOff = failures == 0 ? base : min(base << min(failures, 6), max(base, 600_000))
        let jitter = Int64(Double(backedOff) * Double.random(in: -0.1...0.1))
        return .milliseconds(max(100, backedOff + jitter))
    }

    /// The applied/pending/held/dirty gauges, after cycles that may have changed them.
    private func countMigrations(commit: String?) async -> Bool {
        let engine = reconciler.engine
        let source = if let commit { try? await engine.snapshot(at: commit) } else { nil as SourceSnapshot? }
        guard let status = try? await engine.status(source: source, localFolder: false) else { return false }
        metrics.counts(applied: status.applied.filter { $0.state == "applied" }.count, pending: status.pending.count, held: status.held.count, dirty: status.dirty.count)
        return true
    }

    private var sink: EventSink {
        { [state, metrics] event in
            metrics.event(event)
            switch event {
            case .stepStarted(let index, let total, let step):
                Task { await state.progress("[\(index)/\(total)] \(step.verb) \(step.name)") }
            case .statementDone(let step, let statement, let of):
                Task { await state.progress("\(step.verb) \(step.name): statement \(statement)/\(of)") }
            case .fetching(let received, let total, let bytes) where total > 0 && (received == total || received % max(1, total / 100) == 0):
                Task { await state.progress("fetching: \(received)/\(total) objects, \(bytes / 1024) KiB") }
            case .cloning(let strategy, let database, let bytes):
                Task { await state.progress("rehearsal: cloning \(RehearsalReport.bytes(bytes)) into \(database) (\(strategy))") }
            case .cloneProgress(let bytes, let total, let elapsed):
                Task { await state.progress("rehearsal: cloning, \(RehearsalReport.bytes(bytes)) of ~\(RehearsalReport.bytes(total)) copied, \(DurationParser.format(elapsed))") }
            case .rehearsed(let step):
                Task { await state.progress("rehearsal: \(step.verb) \(step.name) \(step.milliseconds) ms") }
            default:
                break
            }
        }
    }

    private func report(_ outcome: CycleOutcome) {
        let line = "\(outcome.result.rawValue): \(outcome.message.split(separator: "\n").first ?? "")"
        notifier.status(line)
        var metadata: Logger.Metadata = ["cycle.result": "\(outcome.result.rawValue)", "cycle.duration_ms": "\(outcome.durationMs)", "cycle.cause": "\(outcome.cause)"]
        if let commit = outcome.commit { metadata["git.commit"] = "\(commit)" }
        switch outcome.result {
        case .noop, .waiting: logger.debug("cycle", metadata: metadata)
        case .applied, .stopped:
            metadata["cycle.steps"] = "\(outcome.steps.map(\.name).joined(separator: ","))"
            logger.info("cycle applied", metadata: metadata)
        case .locked: logger.info("cycle skipped: another runner holds the lock", metadata: metadata)
        case .refused, .failed, .unreachable:
            metadata["error"] = "\(outcome.message)"
            logger.error("cycle failed", metadata: metadata)
        }
    }
}

/// Set once on graceful shutdown; read between migrations.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .acquiring) }
    func set() { flag.store(true, ordering: .releasing) }
}
