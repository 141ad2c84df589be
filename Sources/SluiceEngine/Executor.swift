import Foundation
import SluiceCore
import SluiceLint
import SluicePostgres

/// Runs a plan's steps on the production connection: one transaction per migration
/// with its revision row, `SET LOCAL` timeouts, retries on lock timeouts, and the
/// dirty/progress protocol for no-transaction migrations (SPEC §5).
struct Executor {
    let store: StateStore
    let database: SluiceConfig.Database
    let identity: Identity
    let sink: EventSink
    /// Set for `rollback`: the reason recorded with the holds it sets.
    var holdReason: String?
    /// The commit that introduced each migration, recorded with its revision.
    var commits: [Version: CommitRef] = [:]
    /// Checked between steps: a graceful shutdown lets the migration under way finish, then stops.
    var shouldStop: @Sendable () -> Bool = { false }
    /// Rehearsal: read the relation locks each transactional step holds just before its
    /// commit (`pg_locks` of this backend), returned in ``StepRun/locks``.
    var observeLocks = false
    /// The schema after each migration, read on the rehearsal's clone: recorded with its revision.
    var snapshots: [Version: String] = [:]

    var connection: Connection { store.connection }

    /// Checks what can be checked before anything runs, so bad input stops the plan
    /// before its first migration: stray transaction control in transactional sections.
    static func preflight(_ plan: Plan) throws(SluiceError) {
        for step in plan.steps {
            switch step {
            case .apply(let m, _) where !m.up.directives.noTransaction: _ = try TransactionControl.unwrap(m.up)
            case .repeatable(let r): _ = try TransactionControl.unwrap(r.section)
            case .revert(let r, _) where !r.downNoTransaction: _ = try TransactionControl.unwrap(Section(file: "\(r.name) (recorded down)", sql: r.downSQL ?? ""))
            default: break
            }
        }
    }

    /// Runs every step; stops at the first failure with the error for that step.
    func run(_ plan: Plan) async throws -> [StepResult] {
        var results: [StepResult] = []
        let total = plan.steps.count
        for (offset, step) in plan.steps.enumerated() {
            if shouldStop() { break }
            sink(.stepStarted(index: offset + 1, total: total, step: step))
            let ms = try await runStep(step).milliseconds
            sink(.stepFinished(index: offset + 1, total: total, step: step, milliseconds: ms))
            results.append(StepResult(verb: step.verb, version: step.version?.canonical, name: step.name, milliseconds: ms))
        }
        return results
    }

    /// What one step took; `locks` (with ``observeLocks``, for transactional steps) are the
    /// `pg_locks` rows (`oid`, `name`, `kind`, `mode`) held just before the commit.
    struct StepRun {
        var milliseconds: Int
        var locks: [Row]?
    }

    /// Runs one step (no events): the rehearsal drives steps itself.
    func runStep(_ step: Plan.Step) async throws -> StepRun {
        switch step {
        case .apply(let migration, let resumeAt):
            if migration.up.directives.noTransaction {
                return StepRun(milliseconds: try await applyOutsideTransaction(migration, resumeAt: resumeAt, step: step))
            }
            return try await inTransaction(migration.up.directives, section: migration.up, what: migration.name, step: step,
                                           record: [store.insertRevisionQuery(newRevision(migration, state: .applied, ms: nil))])
        case .revert(let revision, let why):
            return try await revert(revision, why: why, step: step)
        case .repeatable(let repeatable):
            return try await inTransaction(repeatable.section.directives, section: repeatable.section, what: "R__\(repeatable.title)", step: step,
                                           record: [store.upsertRepeatableQuery(repeatable, by: identity.actor)])
        }
    }

    static let locksQuery = Query("""
        SELECT l.relation::text AS oid, n.nspname || '.' || c.relname AS name, c.relkind::text AS kind, l.mode
        FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        """)

    /// BEGIN; SET LOCAL timeouts; the section's statements; the `record` rows; COMMIT — or
    /// ROLLBACK and a mapped error. The whole transaction is retried after a lock timeout.
    private func inTransaction(_ directives: Directives, section: Section, what: String, step: Plan.Step, record: [Query]) async throws -> StepRun {
        var run = StepRun(milliseconds: 0)
        run.milliseconds = try await withLockRetries(step) {
            let (ms, locks) = try await transactionOnce(directives, section: section, what: what, record: record)
            run.locks = locks
            return ms
        }
        return run
    }

    /// Sends the whole transaction as one pipeline: a single round trip for a small
    /// migration, where psql needs one per statement. Statements go one by one (never one
    /// multi-statement string), so a failure names its statement and line even when the
    /// server gives no position (a runtime error such as division by zero).
    private func transactionOnce(_ directives: Directives, section: Section, what: String, record: [Query]) async throws -> (Int, [Row]?) {
        let statements = StatementSplitter.split(try TransactionControl.unwrap(section))
        let (lock, statement) = timeoutMilliseconds(directives)
        let opening = [Query("BEGIN"), Query("SET LOCAL lock_timeout = \(lock)"), Query("SET LOCAL statement_timeout = \(statement)")]
        let observed = observeLocks ? [Self.locksQuery] : []
        let queries = opening + statements.map { Query($0.text) } + observed + record + [Query("COMMIT")]
        let started = ContinuousClock.now
        let outcomes = try await connection.pipeline(queries)
        guard let failed = outcomes.firstIndex(where: { if case .failed = $0 { true } else { false } }), case .failed(let error) = outcomes[failed] else {
            var locks: [Row]?
            if observeLocks, case .done(let result) = outcomes[opening.count + statements.count] { locks = result.records }
            return (Self.milliseconds(since: started), locks)
        }
        _ = try? await connection.execute("ROLLBACK")
        let index = failed - opening.count
        // Past the statements: the revision row or COMMIT itself (a deferred constraint) failed.
        guard statements.indices.contains(index) else { throw Failure(error: error, section: section, statementLine: 1, statementText: nil, what: what) }
        throw Failure(error: error, section: section, statementLine: statements[index].line, statementText: statements[index].text, what: what)
    }

    /// Records the migration dirty with its statement hashes, runs each statement in
    /// autocommit recording progress, then marks it applied. A re-run resumes at the
    /// first statement not recorded as done.
    private func applyOutsideTransaction(_ migration: Migration, resumeAt: Int?, step: Plan.Step) async throws -> Int {
        let statements = StatementSplitter.split(migration.up.sql)
        let start = resumeAt ?? 0
        try await store.insertRevision(newRevision(migration, state: .dirty, ms: nil, hashes: statements.map(\.hash), done: start))
        let started = ContinuousClock.now
        try await outsideTransaction(migration.up, what: migration.name, step: step, from: start, statements: statements) { done in
            try await store.recordProgress(migration.version, done: done)
            sink(.statementDone(step: step, statement: done, of: statements.count))
        }
        let ms = Self.milliseconds(since: started)
        try await store.markApplied(migration.version, durationMs: ms)
        return ms
    }

    /// Runs statements one by one in autocommit with session timeouts, each retried after a lock timeout.
    private func outsideTransaction(_ section: Section, what: String, step: Plan.Step, from start: Int, statements: [SQLStatement], progress: (Int) async throws -> Void) async throws {
        try await connection.execute(sessionTimeouts(section.directives))
        do {
            for index in start..<statements.count {
                let statement = statements[index]
                _ = try await withLockRetries(step) {
                    // Before every attempt: a build cut off by a lock timeout leaves an INVALID
                    // index that `IF NOT EXISTS` would otherwise silently keep.
                    try await dropInvalidIndex(left: statement)
                    do { try await connection.execute(statement.text) } catch let error as PGError {
                        throw Failure(error: error, section: section, statementLine: statement.line, statementText: statement.text, what: what)
                    }
                    return 0
                }
                try await progress(index + 1)
            }
        } catch {
            _ = try? await connection.execute("RESET lock_timeout; RESET statement_timeout")
            throw error
        }
        try await connection.execute("RESET lock_timeout; RESET statement_timeout")
    }

    private func revert(_ revision: AppliedRevision, why: Plan.RevertReason, step: Plan.Step) async throws -> StepRun {
        let down = Section(file: "\(revision.name) (recorded down)", sql: revision.downSQL ?? "")
        var finish = [store.deleteRevisionQuery(revision.version)]
        if why == .rollback {
            finish.append(store.holdQuery(revision.version, checksum: revision.checksum, reason: holdReason, by: identity.actor))
        }
        if !revision.downNoTransaction {
            return try await inTransaction(Directives(), section: down, what: "down of \(revision.name)", step: step, record: finish)
        }
        let started = ContinuousClock.now
        try await outsideTransaction(down, what: "down of \(revision.name)", step: step, from: 0, statements: StatementSplitter.split(down.sql)) { _ in }
        let ms = Self.milliseconds(since: started)
        let outcomes = try await connection.pipeline([Query("BEGIN")] + finish + [Query("COMMIT")])
        if let error = outcomes.lazy.compactMap({ if case .failed(let e) = $0 { e } else { nil } }).first {
            _ = try? await connection.execute("ROLLBACK")
            throw error
        }
        return StepRun(milliseconds: ms)
    }

    /// A `CREATE INDEX CONCURRENTLY` that failed or was cut off leaves an INVALID index of
    /// the same name; PostgreSQL's advice is to drop it and build again, which a re-run does.
    private func dropInvalidIndex(left statement: SQLStatement) async throws {
        guard let index = StatementInfo.concurrentIndex(statement.text) else { return }
        let found = try await connection.query("""
            SELECT i.indexrelid::regclass::text FROM pg_index i
            WHERE NOT i.indisvalid AND i.indexrelid = to_regclass(CASE WHEN $2::text IS NULL THEN quote_ident($1) ELSE quote_ident($2) || '.' || quote_ident($1) END)
            """, [index.name, index.schema]).scalar
        guard let found else { return }
        sink(.note("dropping INVALID index \(found) left by an earlier attempt, before building it again"))
        try await connection.execute("DROP INDEX CONCURRENTLY IF EXISTS \(found)")
    }

    /// Retries `body` after a lock timeout (`55P03`), `database.lock_retries` times with backoff.
    private func withLockRetries(_ step: Plan.Step, _ body: () async throws -> Int) async throws -> Int {
        var attempt = 0
        while true {
            do { return try await body() } catch let failure as Failure where failure.error.isLockTimeout && attempt < database.lockRetries {
                attempt += 1
                let wait = Duration.milliseconds(min(500 * (1 << attempt), 10_000))
                sink(.retrying(step: step, attempt: attempt, after: wait, reason: failure.error.message))
                try await Task.sleep(for: wait)
            }
        }
    }

    /// The lock and statement timeouts in milliseconds: integers, never text from files.
    private func timeoutMilliseconds(_ directives: Directives) -> (lock: Int64, statement: Int64) {
        (DurationParser.milliseconds(directives.lockTimeout ?? database.lockTimeout),
         DurationParser.milliseconds(directives.statementTimeout ?? database.statementTimeout))
    }

    /// `SET lock_timeout = …; SET statement_timeout = …` for the session (no-transaction migrations).
    private func sessionTimeouts(_ directives: Directives) -> String {
        let (lock, statement) = timeoutMilliseconds(directives)
        return "SET lock_timeout = \(lock); SET statement_timeout = \(statement)"
    }

    private func newRevision(_ m: Migration, state: AppliedRevision.State, ms: Int?, hashes: [String] = [], done: Int = 0) -> NewRevision {
        NewRevision(migration: m, state: state, host: identity.host, user: identity.user, durationMs: ms, statementHashes: hashes, statementsDone: done,
                    commit: commits[m.version].map { ($0.sha, $0.author, $0.subject) }, schemaSnapshot: snapshots[m.version])
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        Int(DurationParser.milliseconds(ContinuousClock.now - start))
    }
}

/// A statement of a migration failed; carries what the error message needs.
struct Failure: Error {
    var error: PGError
    var section: Section
    /// 1-based line in the section where the failing statement starts.
    var statementLine: Int
    var statementText: String?
    var what: String
    /// Set by the rehearsal: which of its steps failed (`apply`, `down`, `up again`, …).
    var verb: String? = nil
    var version: String? = nil
    var stepName: String? = nil
    var destroys: [RehearsalReport.Destruction] = []

    /// `file:line` of the failing statement (or of the error position when the server gave one).
    var location: String {
        var line = section.lineOffset + statementLine
        if let position = error.position {
            line += SQLText.newlines(in: statementText ?? section.sql, before: position)
        }
        return "\(section.file):\(line)"
    }

}
