import Foundation
import SluiceCore
import SluiceLint
import SluicePostgres

/// A rehearsal that failed: the error to show and the report to store with the event.
public struct RehearsalFailed: Error, Sendable {
    public var error: SluiceError
    public var report: RehearsalReport?
}

/// SPEC §4: clone production into a scratch database, run the plan there through the same
/// executor, check each new down, and report per step what it locked, changed and destroyed.
/// Production is only read (its size, settings and, for `dump`, its data).
struct Rehearsal {
    let engine: Engine
    /// `apply` or `rollback`.
    let kind: String
    /// `sluice rehearse --keep`: keep the scratch database even when the rehearsal passes.
    var keep = false
    var holdReason: String?

    var config: SluiceConfig { engine.config }
    var schema: String { engine.config.database.schema }

    var strategy: any CloneStrategy {
        switch config.rehearsal.strategy {
        case .template: TemplateClone()
        case .dump: DumpClone(schemaOnly: false)
        case .schema: DumpClone(schemaOnly: true)
        }
    }

    /// The report, and the schema after each applied migration as read on the clone (JSON),
    /// which production records with each revision.
    func run(_ plan: Plan, sink: @escaping EventSink) async throws -> (RehearsalReport, [Version: String]) {
        let started = ContinuousClock.now
        let production = try engine.settings
        // Read what the clone needs, then let the connection go: `template` needs production empty.
        let source: CloneSource
        do {
            let connection = try await Connection.connect(production)
            source = try await CloneSource.read(connection, stateSchema: schema)
        } catch let error as PGError { throw error.isConnectionFailure ? error.unreachable(production) : error }

        let server = ScratchServer(config: config, production: production, productionDatabase: source.database)
        let maintenance = try await server.connect()
        if maintenance.serverVersion / 10000 < source.serverVersion / 10000 {
            throw SluiceError(.badInput, "rehearsal.scratch_url runs PostgreSQL \(maintenance.serverVersion / 10000), older than production's \(source.serverVersion / 10000): a clone needs the same or a newer server",
                              hint: "point rehearsal.scratch_url at a PostgreSQL \(source.serverVersion / 10000) (or newer) server")
        }
        for dropped in (try? await server.sweep(ttl: config.rehearsal.ttl, on: maintenance)) ?? [] {
            sink(.note("dropped scratch database \(dropped): older than rehearsal.ttl \(DurationParser.format(config.rehearsal.ttl))"))
        }

        let name = ScratchServer.newName()
        let strategy = self.strategy
        sink(.cloning(strategy: strategy.name, database: name, sourceBytes: source.bytes))
        let cloneStarted = ContinuousClock.now
        let progress = Task { await watchProgress(server: server, database: name, total: source.bytes, started: cloneStarted, sink: sink) }
        do {
            try await strategy.clone(source, into: name, server: server, maintenance: maintenance)
            // Awaited, not only cancelled: no libpq call (its connect runs SCRAM in libcrypto)
            // may still be under way on another thread when the process exits.
            progress.cancel()
            await progress.value
        } catch {
            progress.cancel()
            await progress.value
            try? await server.drop(name, on: maintenance)
            if let error = error as? SluiceError { throw RehearsalFailed(error: error, report: nil) }
            if let error = error as? PGError, error.sqlState == "42501" {
                throw RehearsalFailed(error: SluiceError(
                    .migrationFailed, "rehearsal clone (\(strategy.name)) failed: \(error.message)", hint: "the rehearsal creates a scratch database: grant the migrating role CREATEDB, or point rehearsal.scratch_url at a server where it may create databases (or set rehearsal.enabled: false). Production was not touched.",
                    sqlState: error.sqlState), report: nil)
            }
            throw RehearsalFailed(error: SluiceError(.migrationFailed, "rehearsal clone (\(strategy.name)) failed: \(Redactor.redact(String(describing: error)))",
                                                     hint: "production was not touched; fix the cause or run with --no-rehearse"), report: nil)
        }
        let scratch: Connection
        do { scratch = try await Connection.connect(server.databaseSettings(name)) } catch {
            try? await server.drop(name, on: maintenance)
            throw error
        }
        let bytes = Int64(try await scratch.query("SELECT pg_database_size(current_database())").scalar ?? "") ?? 0
        var report = RehearsalReport(kind: kind, clone: .init(strategy: strategy.name, database: name, milliseconds: Executor.milliseconds(since: cloneStarted), bytes: bytes),
                                     verifyDown: config.rehearsal.verifyDown)
        sink(.cloned(report.clone))

        var snapshots: [Version: String] = [:]
        do {
            try await runSteps(plan, on: scratch, report: &report, snapshots: &snapshots, sink: sink)
        } catch let failure as Failure {
            let error = engine.describe(failure)
            report.failure = .init(verb: failure.verb ?? "apply", version: failure.version, name: failure.stepName ?? failure.what, location: failure.location,
                                   statement: failure.statementText.map { Redactor.scrub(String($0.prefix(500)), secrets: production.secrets) }, sqlState: failure.error.sqlState,
                                   message: Redactor.scrub(failure.error.message, secrets: production.secrets),
                                   destroys: failure.destroys)
            return (try await finish(report, started: started, failed: error, scratch: scratch, server: server, maintenance: maintenance, sink: sink), [:])
        } catch let error as PGError {
            let failed = SluiceError(.migrationFailed, "rehearsal on \(name) failed: \(error.message)", sqlState: error.sqlState)
            return (try await finish(report, started: started, failed: failed, scratch: scratch, server: server, maintenance: maintenance, sink: sink), [:])
        } catch {
            // Bad input found on the way (stray transaction control) or a cancelled task: the
            // clone is still kept or dropped as configured.
            let failed = (error as? SluiceError) ?? SluiceError(.migrationFailed, "rehearsal on \(name) failed: \(Redactor.redact(String(describing: error)))")
            return (try await finish(report, started: started, failed: failed, scratch: scratch, server: server, maintenance: maintenance, sink: sink), [:])
        }
        return (try await finish(report, started: started, failed: nil, scratch: scratch, server: server, maintenance: maintenance, sink: sink), snapshots)
    }

    /// Drops or keeps the scratch database, reports, and throws ``RehearsalFailed`` for a failure.
    private func finish(_ report: RehearsalReport, started: ContinuousClock.Instant, failed: SluiceError?, scratch: Connection, server: ScratchServer, maintenance: Connection, sink: EventSink) async throws -> RehearsalReport {
        var report = report
        report.milliseconds = Executor.milliseconds(since: started)
        let keepIt = keep || (failed != nil && config.rehearsal.keepFailed)
        report.clone.kept = keepIt
        if !keepIt { try? await server.drop(report.clone.database, on: maintenance) }
        sink(.rehearsalFinished(report))
        guard var failed else { return report }
        failed.message = "rehearsal failed: " + failed.message
        let serverHint = report.failure == nil ? failed.hint.map { $0 + " " } : nil
        var verifyHint = ""
        if let verb = report.failure?.verb, verb == "down" || verb == "up again" {
            failed.message = failed.message.replacingOccurrences(of: "rehearsal failed: ", with: "rehearsal failed in verify-down (\(verb)): ")
            verifyHint = verb == "down"
                ? "The up ran on the clone; its down then failed there, so a rollback of this version would fail too. "
                : "The up and its down ran on the clone; running the up again after the down failed, so the down does not fully undo the up (rows, sequences, objects left behind). "
            verifyHint += "Fix the down, or set rehearsal.verify_down: false to skip this check. "
        }
        failed.hint = "Production was not touched. " + (keepIt
            ? "The scratch database \(report.clone.database) is kept for inspection (dropped after rehearsal.ttl \(DurationParser.format(config.rehearsal.ttl))). "
            : "") + (serverHint ?? "") + verifyHint + "Fix the migration in a new commit and run again, or skip the rehearsal with --no-rehearse if you are sure."
        throw RehearsalFailed(error: failed, report: report)
    }

    /// Runs each step on the clone, with verify-down after every apply.
    private func runSteps(_ plan: Plan, on scratch: Connection, report: inout RehearsalReport, snapshots: inout [Version: String], sink: @escaping EventSink) async throws {
        let store = try StateStore(connection: scratch, schema: schema)
        try await store.prepare()
        let quiet: EventSink = { event in if case .retrying = event { sink(event) } }
        let executor = Executor(store: store, database: config.database, identity: engine.identity, sink: quiet, holdReason: holdReason, observeLocks: true)
        var before = try await CatalogReader.snapshot(scratch, excluding: schema)
        var relations = try await relationNames(scratch)
        func step(_ step: Plan.Step, verb: String, file: String? = nil) async throws {
            let destroys = try await countDestruction(of: step, on: scratch, snapshot: before)
            let run: Executor.StepRun
            do { run = try await executor.runStep(step) } catch var failure as Failure {
                failure.verb = verb
                failure.version = step.version?.canonical
                failure.stepName = step.name
                failure.destroys = destroys
                // Verify-down runs the down from its file (production runs the recorded copy).
                if let file { failure.section.file = file }
                throw failure
            }
            let after = try await CatalogReader.snapshot(scratch, excluding: schema)
            let locks = run.locks.map { lockReport($0, known: relations, before: before) }
            let result = RehearsalReport.Step(verb: verb, version: step.version?.canonical, name: step.name, milliseconds: run.milliseconds,
                                              locks: locks, changes: SchemaDiff(from: before, to: after).changes, destroys: destroys)
            report.steps.append(result)
            sink(.rehearsed(result))
            if case .apply(let m, _) = step { snapshots[m.version] = JSONText.encode(after) }
            before = after
            relations = try await relationNames(scratch)
        }
        for planned in plan.steps {
            let beforeUp = before
            try await step(planned, verb: planned.verb)
            guard config.rehearsal.verifyDown, case .apply(let migration, _) = planned else { continue }
            guard let down = migration.down else {
                report.steps[report.steps.count - 1].warnings.append("no down migration: verify_down skipped, this version cannot be rolled back")
                continue
            }
            let revision = AppliedRevision(version: migration.version, title: migration.title, file: migration.up.file, checksum: migration.checksum,
                                           downSQL: down.sql, downNoTransaction: down.directives.noTransaction)
            try await step(.revert(revision, why: .removed), verb: "down", file: down.file)
            if beforeUp.fingerprint != before.fingerprint {
                let left = SchemaDiff(from: beforeUp, to: before).changes.map(\.description)
                report.steps[report.steps.count - 1].warnings.append("the down does not restore the schema the up started from: " + left.prefix(8).joined(separator: "; "))
            }
            try await step(.apply(migration, resumeAt: nil), verb: "up again")
        }
    }

    /// OID → `schema.name` of the user relations on the clone, to name locks on relations a
    /// step dropped (they are gone from `pg_class` by the time the locks are read).
    private func relationNames(_ connection: Connection) async throws -> [String: String] {
        var names: [String: String] = [:]
        for row in try await connection.query("""
            SELECT c.oid::text AS oid, n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'm', 'v', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema', $1) AND n.nspname NOT LIKE 'pg\\_%'
            """, [schema]).records {
            names[row.string("oid")] = row.string("name")
        }
        return names
    }

    static let lockStrength = ["AccessShareLock", "RowShareLock", "RowExclusiveLock", "ShareUpdateExclusiveLock", "ShareLock",
                               "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock"]

    /// The strongest lock per user relation; relations made by the step are marked `created`.
    private func lockReport(_ rows: [Row], known: [String: String], before: SchemaSnapshot) -> [RehearsalReport.Lock] {
        var strongest: [String: (mode: String, created: Bool)] = [:]
        for row in rows {
            let oid = row.string("oid")
            let name: String
            var created = false
            if let existing = known[oid] {
                name = existing
            } else if let now = row["name"], ["r", "p", "m", "v", "f"].contains(row.string("kind")),
                      !now.hasPrefix("pg_catalog."), !now.hasPrefix("information_schema."), !now.hasPrefix("\(schema).") {
                name = now
                created = true
            } else { continue }
            let mode = row.string("mode")
            let rank = Self.lockStrength.firstIndex(of: mode) ?? 0
            if let seen = strongest[name], (Self.lockStrength.firstIndex(of: seen.mode) ?? 0) >= rank { continue }
            strongest[name] = (mode, created)
        }
        return strongest.sorted { $0.key < $1.key }.map { RehearsalReport.Lock(relation: $0.key, mode: $0.value.mode, created: $0.value.created) }
    }

    /// Counts, on the clone before the step runs, the data its statements would destroy.
    private func countDestruction(of step: Plan.Step, on connection: Connection, snapshot: SchemaSnapshot) async throws -> [RehearsalReport.Destruction] {
        let sql: String
        switch step {
        case .apply(let m, _): sql = m.up.sql
        case .revert(let r, _): sql = r.downSQL ?? ""
        case .repeatable(let r): sql = r.section.sql
        }
        var found: [RehearsalReport.Destruction] = []
        for target in DestructiveTarget.find(in: sql) {
            switch target {
            case .dropTable(let s, let n):
                if let (rel, rows) = try await countRows(s, n, on: connection) { found.append(.init(kind: .droppedTable, target: rel, rows: rows)) }
            case .truncate(let s, let n):
                if let (rel, rows) = try await countRows(s, n, on: connection) { found.append(.init(kind: .truncatedTable, target: rel, rows: rows)) }
            case .dropSchema(let s):
                let tables = try await connection.query("""
                    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY 1
                    """, [s]).records.map { $0.string("relname") }
                for t in tables {
                    if let (rel, rows) = try await countRows(s, t, on: connection) { found.append(.init(kind: .droppedTable, target: rel, rows: rows)) }
                }
            case .dropColumn(let s, let t, let c):
                guard let rel = try await relation(s, t, on: connection) else { continue }
                let column = try connection.quoteIdentifier(c)
                let rows = try await scalarCount("SELECT count(\(column)) FROM \(rel.sql)", on: connection)
                if let rows { found.append(.init(kind: .droppedColumn, target: "\(rel.display).\(c)", rows: rows)) }
            case .alterType(let s, let t, let c, let type, let using):
                guard let rel = try await relation(s, t, on: connection) else { continue }
                guard let type, !using else { continue }
                if let rows = try await countNarrowing(rel.sql, column: c, to: type, on: connection), rows > 0 {
                    found.append(.init(kind: .narrowedColumn, target: "\(rel.display).\(c)", rows: rows, detail: type.replacingOccurrences(of: "\"", with: "")))
                }
            case .dropObject, .dropConstraint, .delete:
                continue  // no data of their own to count
            }
        }
        return found
    }

    /// The relation as SQL (quoted by the server) and for display (`schema.name`), or nil when it does not exist.
    private func relation(_ schema: String?, _ name: String, on connection: Connection) async throws -> (sql: String, display: String)? {
        guard let row = try await connection.query("""
            SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS sql, n.nspname || '.' || c.relname AS display
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.oid = to_regclass(CASE WHEN $1::text IS NULL THEN quote_ident($2) ELSE quote_ident($1) || '.' || quote_ident($2) END)
            """, [schema, name]).records.first else { return nil }
        return (row.string("sql"), row.string("display"))
    }

    private func countRows(_ schema: String?, _ name: String, on connection: Connection) async throws -> (String, Int64)? {
        guard let rel = try await relation(schema, name, on: connection) else { return nil }
        guard let rows = try await scalarCount("SELECT count(*) FROM \(rel.sql)", on: connection) else { return nil }
        return (rel.display, rows)
    }

    private func scalarCount(_ sql: String, on connection: Connection) async throws -> Int64? {
        do { return Int64(try await connection.query(sql).scalar ?? "") } catch let error as PGError where !error.isConnectionFailure { return nil }
    }

    /// Rows whose value fails the conversion to `type` or comes back changed (a narrowing).
    /// One set-based query when every value converts; row by row (a PL/pgSQL probe) when one fails.
    private func countNarrowing(_ rel: String, column: String, to type: String, on connection: Connection) async throws -> Int64? {
        let c = try connection.quoteIdentifier(column)
        guard try await connection.query("SELECT 1 FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2 AND NOT attisdropped", [rel, column]).scalar != nil else { return nil }
        if let rows = try await scalarCount("SELECT count(*) FROM \(rel) WHERE \(c) IS NOT NULL AND CAST(CAST(\(c) AS \(type)) AS text) IS DISTINCT FROM CAST(\(c) AS text)", on: connection) {
            return rows
        }
        try await connection.execute("""
            CREATE OR REPLACE FUNCTION pg_temp.sluice_converts(v text, t text) RETURNS boolean LANGUAGE plpgsql AS $f$
            DECLARE out text;
            BEGIN
              EXECUTE format('SELECT CAST(CAST($1 AS %s) AS text)', t) INTO out USING v;
              RETURN out IS NOT DISTINCT FROM v;
            EXCEPTION WHEN others THEN RETURN false;
            END $f$
            """)
        return try await connection.query("SELECT count(*) FROM \(rel) WHERE \(c) IS NOT NULL AND NOT pg_temp.sluice_converts(CAST(\(c) AS text), $1)", [type]).scalar.flatMap { Int64($0) }
    }

    /// Polls the clone's size while it is being made.
    private func watchProgress(server: ScratchServer, database: String, total: Int64, started: ContinuousClock.Instant, sink: EventSink) async {
        try? await Task.sleep(for: .milliseconds(500))
        guard !Task.isCancelled, let connection = try? await Connection.connect(server.settings) else { return }
        while !Task.isCancelled {
            if let bytes = try? await connection.query("SELECT pg_database_size(datname) FROM pg_database WHERE datname = $1", [database]).scalar.flatMap({ Int64($0) }) {
                sink(.cloneProgress(bytes: bytes, of: total, elapsed: ContinuousClock.now - started))
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }
}
