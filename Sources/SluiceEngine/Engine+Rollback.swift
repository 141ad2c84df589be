import Foundation
import SluiceCore
import SluiceLint
import SluicePostgres

extension Engine {
    /// What a down would destroy (`drops table public.orders`), read from its parse tree by
    /// the reader the rehearsal counts with: shown before a rollback is confirmed.
    public static func destructions(_ sql: String) -> [String] {
        DestructiveTarget.find(in: sql).map(\.summary)
    }

    /// The rollback plan to `target` from the recorded state (read only).
    public func rollbackPlan(to target: Version, store given: StateStore? = nil) async throws -> Plan {
        let store = try await connect(reusing: given)
        return try await mapConnectionErrors {
            let applied = try await store.isReadable() ? try await store.appliedRevisions() : []
            do { return try planner.rollback(to: target, applied: applied) } catch let refusal as Refusal { throw refusal.error }
        }
    }

    /// `sluice rollback --to`: runs the recorded downs newest first and holds those versions.
    /// `confirm` sees the plan under the lock and may stop it (returning false).
    public func rollback(to target: Version, dryRun: Bool, reason: String?, lockWait: Duration, confirm: @Sendable (Plan) async -> Bool, sink: @escaping EventSink) async throws -> RunReport {
        if dryRun {
            let plan = try await rollbackPlan(to: target)
            sink(.planned(plan))
            return RunReport(plan: plan, results: [], dryRun: true, notes: [])
        }
        var rehearsed: Rehearsed?
        // One production connection for the preview and the lock; a template clone needs
        // production free of sessions, so then the preview's goes before the clone.
        var store: StateStore?
        if config.rehearsal.enabled {
            let preview: Plan?
            if config.rehearsal.strategy == .template {
                preview = try? await rollbackPlan(to: target)
            } else {
                let kept = try await connect()
                store = kept
                preview = try? await rollbackPlan(to: target, store: kept)
            }
            if let preview, !preview.steps.isEmpty {
                sink(.planned(preview))
                rehearsed = try await rehearseFirst(preview, kind: "rollback", holdReason: reason, commit: nil, sink: sink)
            }
        }
        return try await withLock(store: store, wait: lockWait, sink: sink) { store in
            let started = ContinuousClock.now
            let plan: Plan
            do { plan = try planner.rollback(to: target, applied: try await store.appliedRevisions()) } catch let refusal as Refusal {
                let error = refusal.error
                try? await record(store, kind: "rollback", outcome: "refused", versions: [target.canonical], started: started, message: error.message, error: error)
                throw error
            }
            if rehearsed == nil { sink(.planned(plan)) }
            guard !plan.steps.isEmpty else { return RunReport(plan: plan, results: [], dryRun: false, notes: []) }
            guard await confirm(plan) else {
                throw SluiceError(.ok, "rollback not confirmed: nothing was changed")
            }
            try await confirmRehearsed(rehearsed, plan: plan, store: store, commit: nil)
            let results = try await execute(plan, kind: "rollback", store: store, started: started, holdReason: reason, sink: sink)
            try await record(store, kind: "hold", outcome: "ok", versions: results.compactMap(\.version), started: started, message: "held after rollback to \(target.text)" + (reason.map { ": \($0)" } ?? ""))
            return RunReport(plan: plan, results: results, dryRun: false, notes: [])
        }
    }
}
