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
            sink(.stepStarted(index: offset + 1, total: total, step: step))
            let ms = try await run(step)
            sink(.stepFinished(index: offset + 1, total: total, step: step, milliseconds: ms))
            results.append(StepResult(verb: step.verb, version: step.version?.canonical, name: step.name, milliseconds: ms))
        }
        return results
    }

    private func run(_ step: Plan.Step) async throws -> Int {
        switch step {
        case .apply(let migration, let resumeAt):
            if migration.up.directives.noTransaction {
                return try await applyOutsideTransaction(migration, resumeAt: resumeAt, step: step)
            }
            return try await inTransaction(migration.up.directives, section: migration.up, what: migration.name, step: step) {
                try await store.insertRevision(newRevision(migration, state: .applied, ms: $0))
            }
        case .revert(let revision, let why):
            return try await revert(revision, why: why, step: step)
        case .repeatable(let repeatable):
            return try await inTransaction(repeatable.section.directives, section: repeatable.section, what: "R__\(repeatable.title)", step: step) {
                try await store.upsertRepeatable(repeatable, by: identity.actor, durationMs: $0)
            }
        }
    }

    /// BEGIN; SET LOCAL timeouts; the section; `record(ms)`; COMMIT — or ROLLBACK and a
    /// mapped error. The whole transaction is retried after a lock timeout.
    private func inTransaction(_ directives: Directives, section: Section, what: String, step: Plan.Step, record: (Int) async throws -> Void) async throws -> Int {
        try await withLockRetries(step) {
            try await transactionOnce(directives, section: section, what: what, record: record)
        }
    }

    private func transactionOnce(_ directives: Directives, section: Section, what: String, record: (Int) async throws -> Void) async throws -> Int {
        // Statement by statement (as psql does), so a failure names its statement and line
        // even when the server gives no position (a runtime error such as division by zero).
        let statements = StatementSplitter.split(try TransactionControl.unwrap(section))
        try await connection.execute("BEGIN; " + timeouts(directives, local: true))
        do {
            let started = ContinuousClock.now
            for statement in statements {
                do { try await connection.execute(statement.text) } catch let error as PGError {
                    throw Failure(error: error, section: section, statementLine: statement.line, statementText: statement.text, what: what)
                }
            }
            let ms = Self.milliseconds(since: started)
            try await record(ms)
            try await connection.execute("COMMIT")
            return ms
        } catch {
            _ = try? await connection.execute("ROLLBACK")
            throw error
        }
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
        try await connection.execute(timeouts(section.directives, local: false))
        do {
            for index in start..<statements.count {
                let statement = statements[index]
                try await dropInvalidIndex(left: statement)
                _ = try await withLockRetries(step) {
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

    private func revert(_ revision: AppliedRevision, why: Plan.RevertReason, step: Plan.Step) async throws -> Int {
        let down = Section(file: "\(revision.name) (recorded down)", sql: revision.downSQL ?? "")
        let finish = { [store, holdReason, identity] () async throws in
            try await store.deleteRevision(revision.version)
            if why == .rollback {
                try await store.hold(revision.version, checksum: revision.checksum, reason: holdReason, by: identity.actor)
            }
        }
        if !revision.downNoTransaction {
            return try await inTransaction(Directives(), section: down, what: "down of \(revision.name)", step: step) { _ in try await finish() }
        }
        let started = ContinuousClock.now
        try await outsideTransaction(down, what: "down of \(revision.name)", step: step, from: 0, statements: StatementSplitter.split(down.sql)) { _ in }
        let ms = Self.milliseconds(since: started)
        try await connection.execute("BEGIN")
        do {
            try await finish()
            try await connection.execute("COMMIT")
        } catch {
            _ = try? await connection.execute("ROLLBACK")
            throw error
        }
        return ms
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

    /// `SET [LOCAL] lock_timeout = …; SET [LOCAL] statement_timeout = …` in milliseconds (integers, never text from files).
    private func timeouts(_ directives: Directives, local: Bool) -> String {
        let lock = DurationParser.milliseconds(directives.lockTimeout ?? database.lockTimeout)
        let statement = DurationParser.milliseconds(directives.statementTimeout ?? database.statementTimeout)
        let scope = local ? "LOCAL " : ""
        return "SET \(scope)lock_timeout = \(lock); SET \(scope)statement_timeout = \(statement)"
    }

    private func newRevision(_ m: Migration, state: AppliedRevision.State, ms: Int?, hashes: [String] = [], done: Int = 0) -> NewRevision {
        NewRevision(migration: m, state: state, host: identity.host, user: identity.user, durationMs: ms, statementHashes: hashes, statementsDone: done)
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

    /// `file:line` of the failing statement (or of the error position when the server gave one).
    var location: String {
        var line = section.lineOffset + statementLine
        if let position = error.position {
            line += SQLText.newlines(in: statementText ?? section.sql, before: position)
        }
        return "\(section.file):\(line)"
    }

    var line: Int { Int(location.split(separator: ":").last ?? "0") ?? 0 }
}
