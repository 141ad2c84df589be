import Foundation
import SluiceCore
import SluicePostgres

/// One reconcile cycle of SPEC §3 over the Git source: fetch → read the tree → verify
/// `sluice.sum` → plan (reverts, drift, holds) → apply under the lock → record the commit.
/// A failed cycle is reported, never thrown: the daemon goes on.
public actor Reconciler {
    public nonisolated let engine: Engine
    public nonisolated let git: GitSource
    private var lastTip: String?
    private var lastMarker: Int?
    private var failedTip: (tip: String, marker: Int, outcome: CycleOutcome)?
    /// Kept between polls, so a no-change poll costs one query and no new connection.
    private var liveStore: StateStore?
    /// When a no-change cycle last compared the live catalog with the recorded one (each
    /// drift is recorded once: `Engine.checkDrift`).
    private var lastDriftCheck: ContinuousClock.Instant?
    /// When the scratch server was last swept of scratch databases older than `rehearsal.ttl`.
    private var lastSweep: ContinuousClock.Instant?

    public init(engine: Engine, git: GitSource) {
        self.engine = engine
        self.git = git
    }

    /// Gives back what a busy cycle left behind: libgit2's caches and open packs, then the
    /// allocator's free pages (``Malloc/returnFreeMemory()``). Call it after a cycle that did
    /// work; a no-change poll allocates next to nothing.
    public nonisolated func releaseMemory() async {
        await git.releaseCaches()
        Malloc.returnFreeMemory()
    }

    /// Runs a cycle. `forced` (a trigger) re-plans even when nothing moved.
    public func cycle(forced: Bool, lockWait: Duration, sink: @escaping EventSink, shouldStop: @escaping @Sendable () -> Bool = { false }) async -> CycleOutcome {
        let startedAt = Date()
        let clock = ContinuousClock.now
        var tip: String?
        var marker = 0
        func outcome(_ result: CycleOutcome.Result, _ code: ExitStatus, _ message: String, hint: String? = nil, steps: [StepResult] = []) -> CycleOutcome {
            CycleOutcome(result: result, exitCode: code.rawValue, commit: tip, message: message, hint: hint, steps: steps, startedAt: startedAt,
                         durationMs: Executor.milliseconds(since: clock), cause: forced ? "trigger" : "poll")
        }
        do {
            let fetched = try await git.fetch(sink: sink)
            tip = fetched
            // Optional so it can be let go before a template clone (which needs production free of sessions).
            var (store, live): (StateStore?, _) = try await livenessCheck()
            // A branch that moved backwards or was force-pushed is reported, and planned like any other tip.
            if let previous = live?.reconciled ?? lastTip, previous != fetched {
                let move = try await git.move(from: previous, to: fetched)
                if move == .backward || move == .rewritten {
                    let what = move == .backward ? "moved backwards" : "was force-pushed (the old and new tips share no line)"
                    let message = "branch \(git.branch) \(what): \(previous.prefix(12)) → \(fetched.prefix(12))"
                    sink(.note(message))
                    engine.logger.warning("branch moved", metadata: ["git.branch": "\(git.branch)", "git.from": "\(previous)", "git.to": "\(fetched)", "git.move": "\(move)"])
                    if let store { try? await engine.record(store, kind: "branch", outcome: "\(move)", versions: [], commit: fetched, started: clock, message: message) }
                }
            }
            lastTip = fetched
            marker = live?.marker ?? 0
            if !forced, let live, live.reconciled == fetched, live.dirty == 0, lastMarker == nil || lastMarker == marker {
                lastMarker = marker
                let drift = if let store { await driftOnIdle(store, commit: fetched, sink: sink) } else { nil as SchemaDrift? }
                await sweepOnIdle(sink: sink)
                return outcome(.noop, .ok, "commit \(fetched.prefix(12)) is already reconciled" + (drift.map { "; schema drift: \($0.changes.count) change(s) made outside Sluice" } ?? ""))
            }
            if !forced, let failed = failedTip, failed.tip == fetched, failed.marker == marker {
                var waiting = failed.outcome
                waiting.result = .waiting
                waiting.message = "not retried until the branch moves or `sluice daemon trigger`: " + failed.outcome.message
                return waiting
            }
            let snapshot = try await git.snapshot(at: fetched, since: live?.reconciled, requireDown: engine.config.policy.requireDown)
            // The kept connection becomes the run's (it takes the lock), except before a template
            // clone, which needs production free of our sessions; the next poll opens a fresh one.
            liveStore = nil
            if engine.config.rehearsal.enabled && engine.config.rehearsal.strategy == .template { store = nil }
            let report = try await engine.apply(snapshot, store: store, lockWait: lockWait, sink: sink, shouldStop: shouldStop)
            failedTip = nil
            lastSweep = .now
            lastMarker = try await livenessCheck().1?.marker
            if report.results.count < report.plan.steps.count {
                return outcome(.stopped, .ok, "stopped for shutdown after \(report.results.count) of \(report.plan.steps.count) step(s)", steps: report.results)
            }
            if report.results.isEmpty { return outcome(.noop, .ok, "nothing to apply at \(fetched.prefix(12))") }
            return outcome(.applied, .ok, "\(report.results.count) step(s) at \(fetched.prefix(12))", steps: report.results)
        } catch var error as SluiceError {
            if error.status == .refused, let tip { error = await namingDriftCommits(error, tip: tip) }
            let result: CycleOutcome.Result = switch error.status {
            case .refused: .refused
            case .unreachable: .unreachable
            case .locked: .locked
            default: .failed
            }
            let done = outcome(result, error.status, error.description, hint: error.hint)
            if let tip, result == .refused || result == .failed { failedTip = (tip, marker, done) }
            return done
        } catch {
            return outcome(.failed, .migrationFailed, Redactor.redact(String(describing: error)))
        }
    }

    /// On a cycle with nothing to do, compares the live catalog with the recorded one at most
    /// once a minute (a catalog read is more than the one-query poll), and records a `drift`
    /// event the first time each drift is seen.
    private func driftOnIdle(_ store: StateStore, commit: String, sink: EventSink) async -> SchemaDrift? {
        if let last = lastDriftCheck, ContinuousClock.now - last < .seconds(60) { return nil }
        lastDriftCheck = .now
        return (try? await engine.checkDrift(store, planHasSteps: false, commit: commit, sink: sink)) ?? nil
    }

    /// Sweeps scratch databases older than `rehearsal.ttl` on idle cycles too, at most every
    /// ten minutes (or every ttl, when shorter); a rehearsal sweeps before it clones.
    private func sweepOnIdle(sink: EventSink) async {
        guard engine.config.rehearsal.enabled else { return }
        let every = min(Duration.seconds(600), engine.config.rehearsal.ttl)
        if let last = lastSweep, ContinuousClock.now - last < every { return }
        lastSweep = .now
        for dropped in (try? await engine.sweepScratch()) ?? [] {
            sink(.note("dropped scratch database \(dropped): older than rehearsal.ttl"))
        }
    }

    /// Adds to a drift refusal the commit that changed each drifted file.
    private func namingDriftCommits(_ error: SluiceError, tip: String) async -> SluiceError {
        guard error.message.contains("drift") || error.details.contains(where: { $0.hasPrefix("drift") }), let file = error.file,
              let change = try? await git.lastChange(of: file, tip: tip) else { return error }
        var named = error
        let commit = "\(change.sha.prefix(12)) (\(change.author): \(change.subject))"
        named.commit = change.sha
        if named.details.isEmpty { named.message += " in commit \(commit)" } else { named.details.append("\(file) was last changed in commit \(commit)") }
        return named
    }

    /// The liveness query on the connection kept from the last poll, or on a new one when
    /// there is none or it broke (a restarted server).
    private func livenessCheck() async throws -> (StateStore, (reconciled: String?, dirty: Int, marker: Int)?) {
        if let kept = liveStore {
            liveStore = nil
            if let live = try? await kept.liveness() {
                liveStore = kept
                return (kept, live)
            }
        }
        let store = try await engine.connect()
        let live = try await engine.mapConnectionErrors { try await store.liveness() }
        liveStore = store
        return (store, live)
    }
}
