import Foundation
import Logging
import SluiceCore
import SluiceLint
import SluicePostgres

/// One-shot commands over a migrations folder and a database: plan, apply, rollback,
/// status, history, release, resolve, baseline. The CLI is wiring around this type.
public struct Engine: Sendable {
    public var config: SluiceConfig
    /// The local folder (`new`, `hash`, `baseline` and `lint --git-base` work on it).
    public var folder: FolderSource
    /// Where runs read their migrations: the local folder, or the one Git branch of this process.
    public var source: any MigrationSource
    public var identity: Identity
    public var logger: Logger

    public init(config: SluiceConfig, folder: FolderSource, source: (any MigrationSource)? = nil, identity: Identity, logger: Logger) {
        self.config = config
        self.folder = folder
        self.source = source ?? folder
        self.identity = identity
        self.logger = logger
    }

    var schema: String { config.database.schema }
    var planner: Planner { Planner(policy: config.policy) }
    var lockKey: String { AdvisoryLock.key(schema: schema) }

    public var settings: ConnectionSettings {
        get throws(SluiceError) {
            guard let url = config.database.url else {
                throw SluiceError(.badInput, "no database configured", hint: "set database.url in the config file or SLUICE_DATABASE_URL (the password goes in PGPASSFILE, PGPASSWORD or database.password_file, not the URL)")
            }
            return ConnectionSettings(url: url, passwordFile: config.database.passwordFile, applicationName: identity.applicationName)
        }
    }

    // MARK: Connections and the lock

    func connect() async throws -> StateStore {
        let settings = try settings
        let connection: Connection
        do { connection = try await Connection.connect(settings) } catch let error as PGError {
            throw error.unreachable(settings)
        }
        return try StateStore(connection: connection, schema: schema)
    }

    /// `given` when there is one, else a new connection.
    func connect(reusing given: StateStore?) async throws -> StateStore {
        if let given { return given }
        return try await connect()
    }

    /// Polls for the advisory lock on the store's own connection — the one that will do the
    /// work — for up to `wait`; exit 5 naming the holder when it stays taken.
    func lock(wait: Duration, store: StateStore, sink: EventSink) async throws -> AdvisoryLock {
        let holder = try await mapConnectionErrors { try await AdvisoryLock.holder(on: store.connection, key: lockKey) }
        if holder != nil { sink(.waitingForLock(holder: holder)) }
        let lock = try await mapConnectionErrors { try await AdvisoryLock.acquire(on: store.connection, key: lockKey, wait: wait) }
        guard let lock else {
            let now = try? await AdvisoryLock.holder(on: store.connection, key: lockKey)
            throw SluiceError(
                .locked, "another runner holds the migration lock on this database\(now.map { ": \($0)" } ?? "") (waited \(DurationParser.format(wait)))",
                hint: "wait for it to finish and run the command again, or raise --lock-wait")
        }
        sink(.lockAcquired)
        return lock
    }

    /// Runs `body` holding the lock with the tables ready; always releases. The lock is held
    /// by the connection `body` works on, so it lasts as long as the server executes what this
    /// process sent, also when the process dies in the middle (docs/applying.md, "The lock").
    func withLock<T>(store given: StateStore? = nil, wait: Duration, sink: EventSink, _ body: (StateStore) async throws -> T) async throws -> T {
        let store = try await connect(reusing: given)
        if store.connection.serverVersion >= 140000 {
            // A killed sluice should not leave a long statement running on the server: the
            // backend checks every second that the client is still there.
            _ = try? await store.connection.execute("SET client_connection_check_interval = 1000")
        }
        let lock = try await lock(wait: wait, store: store, sink: sink)
        do {
            try await mapConnectionErrors { try await store.prepare() }
            let value = try await body(store)
            await lock.release()
            return value
        } catch {
            await lock.release()
            throw error
        }
    }

    func mapConnectionErrors<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as PGError where error.isConnectionFailure {
            throw try error.unreachable(settings)
        }
    }

    // MARK: The source and planning

    /// The source as a run sees it, built here for every command and the API (the cycle asks
    /// its ``GitSource`` the same way): `revision` nil refreshes the source first (a fetch),
    /// and the reverts are those since the commit the database was last reconciled at.
    public func snapshot(store: StateStore, at revision: String? = nil, sink: EventSink? = nil) async throws -> SourceSnapshot {
        let tip: String? = if let revision { revision } else { try await source.refresh(sink: sink) }
        let reconciled = try await mapConnectionErrors { try await store.isReadable() ? try await store.reconciledCommit() : nil }
        return try await source.snapshot(at: tip, since: reconciled, requireDown: config.policy.requireDown)
    }

    /// The source at `revision` (the daemon's API and gauges read the tip the watcher last
    /// fetched), on a connection of its own.
    public func snapshot(at revision: String) async throws -> SourceSnapshot {
        try await snapshot(store: connect(), at: revision)
    }

    func loadFolder() throws(SluiceError) -> MigrationFolder {
        try folder.load(requireDown: config.policy.requireDown)
    }

    func notes(for source: SourceSnapshot) -> [String] {
        var notes: [String] = []
        if source.folder.sum == nil && !source.folder.migrations.isEmpty {
            notes.append("\(source.origin) has no sluice.sum: run `sluice hash` and commit it, so that two branches adding migrations conflict in Git")
        }
        if !source.folder.ignored.isEmpty { notes.append("ignored (not migrations): \(source.folder.ignored.joined(separator: ", "))") }
        for (version, commit) in source.reverts.sorted(by: { $0.key < $1.key }) {
            notes.append("version \(version.canonical) was removed by revert commit \(commit.sha.prefix(12)) (\(commit.author): \(commit.subject))")
        }
        return notes
    }

    /// The reconcile plan for the snapshot against the state in `store` (which may be empty).
    func reconcilePlan(_ source: SourceSnapshot, store: StateStore, initialized: Bool) async throws -> Plan {
        let folder = source.folder
        let applied = initialized ? try await store.appliedRevisions() : []
        let holds = initialized ? try await store.holds() : []
        let repeatables = initialized ? try await store.appliedRepeatables() : [:]
        var hashes: [Version: [String]] = [:]
        for revision in applied where revision.state == .dirty {
            if let migration = folder.migration(revision.version) {
                hashes[revision.version] = StatementSplitter.split(migration.up.sql).map(\.hash)
            }
        }
        let input = Planner.Input(folder: folder, applied: applied, holds: holds, appliedRepeatables: repeatables, currentStatementHashes: hashes, revertedByCommit: source.revertedByCommit)
        do { return try planner.reconcile(input) } catch let refusal {
            throw refusal.error
        }
    }

    /// `sluice plan`, `apply --dry-run` and the API's plan: what `apply` would do now with the
    /// snapshot (nil: read the source now), changing nothing.
    public func plan(_ source: SourceSnapshot? = nil, store given: StateStore? = nil, sink: EventSink? = nil) async throws -> PlanReport {
        let store = try await connect(reusing: given)
        let snapshot: SourceSnapshot = if let source { source } else { try await self.snapshot(store: store, sink: sink) }
        let plan = try await mapConnectionErrors {
            try await reconcilePlan(snapshot, store: store, initialized: store.isReadable())
        }
        return PlanReport(source: snapshot, plan: plan, notes: notes(for: snapshot))
    }

    // MARK: Apply

    /// `sluice apply`: one reconcile run of the source as it is now, under the lock.
    public func apply(dryRun: Bool, lockWait: Duration, sink: @escaping EventSink) async throws -> RunReport {
        var store: StateStore? = try await connect()
        let snapshot = try await self.snapshot(store: store!, sink: sink)
        if dryRun {
            let report = try await plan(snapshot, store: store)
            sink(.planned(report.plan))
            return RunReport(plan: report.plan, results: [], dryRun: true, notes: report.notes)
        }
        // A template clone needs production free of our sessions: this one goes first.
        if config.rehearsal.enabled && config.rehearsal.strategy == .template { store = nil }
        return try await apply(snapshot, store: store, lockWait: lockWait, sink: sink)
    }

    /// Applies the snapshot under the lock: plan, lift holds, run, record; with a commit,
    /// records it as reconciled on success. `store` (a connection already open) serves the
    /// preview and then takes the lock — pass none with `rehearsal.strategy: template`, whose
    /// clone needs production free of this process's sessions. `shouldStop` is asked between
    /// migrations (a graceful shutdown lets the migration under way finish, then stops).
    public func apply(_ source: SourceSnapshot, store given: StateStore? = nil, lockWait: Duration, sink: @escaping EventSink,
                      shouldStop: @escaping @Sendable () -> Bool = { false }) async throws -> RunReport {
        let notes = notes(for: source)
        var store = given
        // Rehearse first, outside the lock. A plan refused by a safety rule or by schema drift
        // is refused under the lock below without spending a clone on it.
        var rehearsed: Rehearsed?
        var linted = false
        if config.rehearsal.enabled {
            let previewed: Plan?
            if config.rehearsal.strategy == .template {
                // A template clone needs production free of sessions, ours included: the
                // preview's connection goes with this statement.
                previewed = try await preview(source, store: connect(reusing: store), sink: sink)
                store = nil
            } else {
                let kept = try await connect(reusing: store)
                store = kept
                previewed = try await preview(source, store: kept, sink: sink)
            }
            if let plan = previewed {
                linted = true
                rehearsed = try await rehearseFirst(plan, kind: "apply", commit: source.commit, sink: sink)
                // A graceful shutdown asked for during the rehearsal: production is not started on.
                if shouldStop() { return RunReport(plan: plan, results: [], dryRun: false, notes: notes) }
            }
        }
        return try await withLock(store: store, wait: lockWait, sink: sink) { store in
            let started = ContinuousClock.now
            let plan: Plan
            do { plan = try await mapConnectionErrors { try await reconcilePlan(source, store: store, initialized: true) } } catch let error as SluiceError where error.status == .refused {
                try? await record(store, kind: "plan", outcome: "refused", versions: error.version.map { [$0] } ?? [], commit: source.commit, started: started, message: error.message, error: error)
                throw error
            }
            try await checkDrift(store, planHasSteps: !plan.steps.isEmpty, commit: source.commit, sink: sink)
            if !linted { try await lintGate(plan, folder: source.folder, store: store, underLock: true, commit: source.commit, sink: sink) }
            try await confirmRehearsed(rehearsed, plan: plan, store: store, commit: source.commit)
            if !plan.steps.isEmpty {
                let what = plan.steps.prefix(10).map { "\($0.verb) \($0.name)" }.joined(separator: ", ") + (plan.steps.count > 10 ? ", …" : "")
                try await record(store, kind: "plan", outcome: "planned", versions: plan.steps.compactMap { $0.version?.canonical }, commit: source.commit,
                                 started: started, message: "plan: \(plan.steps.count) step(s): \(what)")
            }
            if rehearsed == nil { sink(.planned(plan)) }
            try await liftHolds(plan, store: store, sink: sink)
            let results = try await execute(plan, kind: "apply", store: store, started: started, holdReason: nil, source: source,
                                            snapshots: rehearsed?.snapshots ?? [:], shouldStop: shouldStop, sink: sink)
            if let commit = source.commit {
                try await store.setReconciled(commit: commit, branch: source.branch)
            }
            return RunReport(plan: plan, results: results, dryRun: false, notes: notes)
        }
    }

    /// Before the rehearsal: the plan, the drift check and the lint gate on `store`. Nil when
    /// there is nothing to rehearse, or when drift will refuse the plan under the lock anyway.
    private func preview(_ source: SourceSnapshot, store: StateStore, sink: EventSink) async throws -> Plan? {
        guard let plan = try? await plan(source, store: store).plan, !plan.steps.isEmpty else { return nil }
        if config.policy.onSchemaDrift == .refuse, (try? await store.isReadable()) == true, ((try? await detectDrift(store)) ?? nil) != nil { return nil }
        sink(.planned(plan))
        // Lint before rehearsal (SPEC §7): a refused plan costs no clone.
        try await lintGate(plan, folder: source.folder, store: store, underLock: false, commit: source.commit, sink: sink)
        return plan
    }

    func liftHolds(_ plan: Plan, store: StateStore, sink: EventSink) async throws {
        guard !plan.liftedHolds.isEmpty else { return }
        try await store.release(plan.liftedHolds)
        for version in plan.liftedHolds { sink(.holdLifted(version, why: "its file changed or was removed")) }
        try await record(store, kind: "release", outcome: "ok", versions: plan.liftedHolds.map(\.canonical), started: .now, message: "holds lifted: the held files changed or were removed")
    }

    /// Runs the plan's steps and records one event for the run (or a failure event).
    func execute(_ plan: Plan, kind: String, store: StateStore, started: ContinuousClock.Instant, holdReason: String?, source: SourceSnapshot? = nil,
                 snapshots: [Version: String] = [:], shouldStop: @escaping @Sendable () -> Bool = { false }, sink: @escaping EventSink) async throws -> [StepResult] {
        guard !plan.steps.isEmpty else { return [] }
        try Executor.preflight(plan)
        let applying = plan.steps.compactMap { if case .apply(let m, _) = $0 { m } else { nil } }
        let commits = applying.isEmpty ? [:] : try await source?.introducingCommits(applying) ?? [:]
        let executor = Executor(store: store, database: config.database, identity: identity, sink: sink, holdReason: holdReason, commits: commits, shouldStop: shouldStop, snapshots: snapshots)
        let versions = plan.steps.compactMap { $0.version?.canonical }
        do {
            let results = try await executor.run(plan)
            await recordSchema(store)
            let outcome = results.count < plan.steps.count ? "stopped" : "ok"
            let message = outcome == "ok" ? "\(kind): \(results.count) step(s)" : "\(kind): stopped for shutdown after \(results.count) of \(plan.steps.count) step(s)"
            try await record(store, kind: kind, outcome: outcome, versions: Array(versions.prefix(results.count)), commit: source?.commit, started: started, message: message, details: JSONText.encode(results))
            return results
        } catch let failure as Failure {
            let error = describe(failure)
            if !failure.error.isConnectionFailure {
                // Earlier migrations of the run committed: the schema they left is the expected one.
                await recordSchema(store)
                try? await record(store, kind: "failure", outcome: "failed", versions: versions, commit: source?.commit, started: started, message: error.message, error: error)
            }
            throw failure.error.isConnectionFailure ? failure.error.unreachable(try settings) : error
        } catch let error as PGError where error.isConnectionFailure {
            throw error.unreachable(try settings)
        }
    }

    /// Snapshots the managed schema after a run that changed it (SPEC §4b), with a signature
    /// of the revisions it follows. Best effort: a failure here is logged and never fails the
    /// run that already committed.
    func recordSchema(_ store: StateStore) async {
        do {
            let snapshot = try await CatalogReader.snapshot(store.connection, excluding: schema)
            guard let json = JSONText.encode(snapshot) else { return }
            let signature = Self.revisionsSignature(try await store.appliedRevisions())
            try await store.recordSchema(json: json, fingerprint: snapshot.fingerprint, revisions: signature)
        } catch {
            logger.warning("could not record the schema snapshot", metadata: ["error": "\(Redactor.redact(String(describing: error)))"])
        }
    }

    /// What the applied revisions are (version, checksum, state): a snapshot taken after other
    /// revisions (a run killed before it could record the schema) cannot judge drift.
    static func revisionsSignature(_ applied: [AppliedRevision]) -> String {
        Checksum.sha256(applied.map { "\($0.version.canonical) \($0.checksum) \($0.state)" }.sorted().joined(separator: "\n"))
    }

    /// Changes made to the managed schema outside Sluice since it last recorded it (SPEC §4b):
    /// nil when none, when nothing was recorded yet, or when the recording is stale.
    public func detectDrift(_ store: StateStore) async throws -> SchemaDrift? {
        guard let recorded = try await store.recordedSchemaState(),
              let snapshot = try? JSONDecoder().decode(SchemaSnapshot.self, from: Data(recorded.json.utf8)) else { return nil }
        if let revisions = recorded.revisions, revisions != Self.revisionsSignature(try await store.appliedRevisions()) { return nil }
        let live = try await CatalogReader.snapshot(store.connection, excluding: schema)
        guard live.fingerprint != snapshot.fingerprint else { return nil }
        return SchemaDrift(changes: SchemaDiff(from: snapshot, to: live).changes, fingerprint: live.fingerprint)
    }

    /// Changes made to the managed schema since Sluice last recorded it; empty when none or never recorded.
    func schemaDrift(_ store: StateStore) async throws -> [String] {
        try await detectDrift(store)?.changes.map(\.description) ?? []
    }

    /// Records a `drift` event and, under `policy.on_schema_drift: refuse` with work to do,
    /// refuses the plan (exit 3). Returns the drift found, if any. A drift that only warns is
    /// recorded once (its fingerprint is kept in `meta.drift_reported`), not on every run.
    @discardableResult
    func checkDrift(_ store: StateStore, planHasSteps: Bool, commit: String?, sink: EventSink) async throws -> SchemaDrift? {
        guard let drift = try await mapConnectionErrors({ try await detectDrift(store) }) else {
            sink(.schemaDrift(changes: 0))
            return nil
        }
        sink(.schemaDrift(changes: drift.changes.count))
        let refuse = config.policy.onSchemaDrift == .refuse && planHasSteps
        let message = "schema drift: \(drift.changes.count) change(s) made outside Sluice since it last recorded the schema: "
            + drift.changes.prefix(5).map(\.description).joined(separator: "; ") + (drift.changes.count > 5 ? "; …" : "")
        sink(.note(message))
        if refuse {
            try? await record(store, kind: "drift", outcome: "refused", versions: [], commit: commit, started: .now, message: message, details: JSONText.encode(drift))
        } else if (try? await store.meta("drift_reported")) != drift.fingerprint {
            try? await record(store, kind: "drift", outcome: "warn", versions: [], commit: commit, started: .now, message: message, details: JSONText.encode(drift))
            try? await store.setMeta("drift_reported", drift.fingerprint)
        }
        guard refuse else { return drift }
        throw SluiceError(.refused, message,
                          hint: "policy.on_schema_drift is refuse: undo the change, or accept the live schema with `sluice resolve --accept-drift`, then run again",
                          details: drift.changes.map(\.description))
    }

    func describe(_ failure: Failure) -> SluiceError {
        let e = failure.error
        var message = "\(failure.what) failed at \(failure.location): \(e.message)"
        if let state = e.sqlState { message += " (SQLSTATE \(state))" }
        var details: [String] = []
        // The statement is the migration's own text, but a password can be written in it
        // (or echoed by the server): everything shown is scrubbed of the secrets Sluice knows.
        let secrets = (try? settings.secrets) ?? []
        if let detail = e.detail { details.append("detail: \(Redactor.scrub(detail, secrets: secrets))") }
        if let statement = failure.statementText { details.append("statement: \(Redactor.scrub(String(statement.prefix(200)), secrets: secrets))") }
        message = Redactor.scrub(message, secrets: secrets)
        let advice = e.sqlState == "25001" ? "This statement cannot run inside a transaction: put `-- sluice:no-transaction` at the top of the migration. " : ""
        let hint = advice + (e.hint.map { "\($0). " } ?? "")
            + "The failing migration was rolled back; earlier migrations of this run stay applied. Fix it in a new commit and run again."
        return SluiceError(.migrationFailed, message, hint: hint, file: failure.section.file, version: nil, sqlState: e.sqlState, details: details)
    }

    func record(_ store: StateStore, kind: String, outcome: String, versions: [String], commit: String? = nil, started: ContinuousClock.Instant, message: String, error: SluiceError? = nil, details: String? = nil) async throws {
        try await store.recordEvent(EventDraft(
            kind: kind, outcome: outcome, versions: versions, commit: commit, actor: identity.actor,
            durationMs: Executor.milliseconds(since: started), message: message,
            error: error.flatMap { JSONText.encode(ErrorPayload($0)) }, details: details))
    }
}
