import Foundation
import SluiceCore
import SluicePostgres

extension Engine {
    /// `sluice rehearse`: clone, run the plan (and the down/up check), report. Production is
    /// only read. Nil when there is nothing to rehearse; a failure throws ``RehearsalFailed``.
    public func rehearse(keep: Bool, sink: @escaping EventSink) async throws -> (Plan, RehearsalReport?) {
        // The planning connection is let go before the clone (`template` needs production free of sessions).
        let plan = try await self.plan(sink: sink).plan
        sink(.planned(plan))
        guard !plan.steps.isEmpty else {
            // Nothing to clone, but old scratch databases still go (a rehearsal sweeps before it clones).
            for dropped in (try? await sweepScratch()) ?? [] { sink(.note("dropped scratch database \(dropped): older than rehearsal.ttl")) }
            return (plan, nil)
        }
        return (plan, try await Rehearsal(engine: self, kind: "apply", keep: keep).run(plan, sink: sink).0)
    }

    /// `sluice resolve --accept-drift`: records the live schema as the one Sluice expects, so a
    /// change made outside Sluice on purpose stops being reported (and refused).
    public func acceptDrift(lockWait: Duration, sink: @escaping EventSink) async throws -> SchemaDrift? {
        try await withLock(wait: lockWait, sink: sink) { store in
            let started = ContinuousClock.now
            let drift = try await detectDrift(store)
            await recordSchema(store)
            let message = drift.map { "schema drift accepted: \($0.changes.count) change(s) made outside Sluice are now the expected schema" } ?? "no schema drift: the live schema was recorded as expected"
            try await record(store, kind: "drift", outcome: "accepted", versions: [], started: started, message: message, details: drift.flatMap { JSONText.encode($0) })
            return drift
        }
    }

    /// Rehearses `plan` when `rehearsal.enabled` and there is something to run; a failure is
    /// recorded as a `rehearsal` event (with its report) and thrown. Production's schema is
    /// not touched either way.
    func rehearseFirst(_ plan: Plan, kind: String, holdReason: String? = nil, commit: String?, sink: @escaping EventSink) async throws -> Rehearsed? {
        guard config.rehearsal.enabled, !plan.steps.isEmpty else { return nil }
        let started = ContinuousClock.now
        do {
            let (report, snapshots) = try await Rehearsal(engine: self, kind: kind, holdReason: holdReason).run(plan, sink: sink)
            return Rehearsed(signature: Self.signature(plan), report: report, snapshots: snapshots, started: started)
        } catch let failed as RehearsalFailed {
            if let store = try? await connect(), (try? await store.prepare()) != nil {
                try? await record(store, kind: "rehearsal", outcome: "failed", versions: plan.steps.compactMap { $0.version?.canonical }, commit: commit,
                                  started: started, message: failed.error.message, error: failed.error, details: failed.report.flatMap { JSONText.encode($0) })
            }
            throw failed.error
        }
    }

    /// Under the lock: the plan must still be the one rehearsed (another runner may have moved
    /// the database meanwhile); then the passed rehearsal is recorded with its report.
    func confirmRehearsed(_ rehearsed: Rehearsed?, plan: Plan, store: StateStore, commit: String?) async throws {
        guard config.rehearsal.enabled, !plan.steps.isEmpty else { return }
        guard let rehearsed, rehearsed.signature == Self.signature(plan) else {
            throw SluiceError(.locked, "the database changed while the plan was being rehearsed (another runner applied or rolled back meanwhile)",
                              hint: "run the command again: it plans and rehearses afresh")
        }
        try await record(store, kind: "rehearsal", outcome: "passed", versions: plan.steps.compactMap { $0.version?.canonical }, commit: commit,
                         started: rehearsed.started, message: "rehearsal passed on a \(rehearsed.report.clone.strategy) clone: \(rehearsed.report.steps.count) step(s)",
                         details: JSONText.encode(rehearsed.report))
    }

    /// Drops scratch databases older than `rehearsal.ttl` on the scratch server.
    public func sweepScratch() async throws -> [String] {
        let production = try settings
        let database = URLComponents(string: production.url)?.path.trimmingCharacters(in: CharacterSet(charactersIn: "/")) ?? ""
        let server = ScratchServer(config: config, production: production, productionDatabase: database)
        let connection = try await server.connect()
        return try await server.sweep(ttl: config.rehearsal.ttl, on: connection)
    }

    /// What a plan does, to tell whether the plan under the lock is the one rehearsed.
    static func signature(_ plan: Plan) -> String {
        plan.steps.map { step in
            switch step {
            case .apply(let m, let resume): "apply \(m.version.canonical) \(m.checksum) \(resume ?? -1)"
            case .revert(let r, let why): "revert \(r.version.canonical) \(r.checksum) \(why)"
            case .repeatable(let r): "repeatable \(r.title) \(r.checksum)"
            }
        }.joined(separator: "\n")
    }
}

/// A rehearsal that passed, waiting for the plan under the lock to be compared with it.
struct Rehearsed: Sendable {
    var signature: String
    var report: RehearsalReport
    /// The schema after each applied migration, read on the clone.
    var snapshots: [Version: String]
    var started: ContinuousClock.Instant
}
