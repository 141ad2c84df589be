import SluiceCore

/// Reads and writes Sluice's tables (SPEC §2) on one connection. Every value is a
/// bound parameter; the schema name is quoted once with `PQescapeIdentifier`.
public final class StateStore: Sendable {
    public let connection: Connection
    public let schema: String
    /// The quoted schema name, e.g. `"sluice"`.
    let s: String

    public init(connection: Connection, schema: String) throws {
        self.connection = connection
        self.schema = schema
        self.s = try connection.quoteIdentifier(schema)
    }

    /// The layout version this build writes.
    public static var layoutVersion: Int { StateSchema.current }

    /// The installed layout version, or nil when Sluice has never run here.
    public func installedVersion() async throws -> Int? {
        let exists = try await connection.query("SELECT to_regclass($1) IS NOT NULL", ["\(s).meta"]).scalar == "t"
        guard exists else { return nil }
        let value = try await connection.query("SELECT value FROM \(s).meta WHERE key = 'schema_version'").scalar
        return value.flatMap { Int($0) } ?? 0
    }

    /// For reading commands: false when there is nothing yet; an error when the layout is newer than this build.
    public func isReadable() async throws -> Bool {
        guard let installed = try await installedVersion() else { return false }
        try refuseNewer(installed)
        return true
    }

    /// Creates or upgrades the tables in one transaction. Call it while holding the advisory lock.
    public func prepare() async throws {
        let installed = try await installedVersion() ?? 0
        try refuseNewer(installed)
        guard installed < StateSchema.current else { return }
        try await connection.execute("BEGIN")
        do {
            for step in StateSchema.steps[installed...] {
                for statement in step { try await connection.execute(statement.replacingOccurrences(of: "%S", with: s)) }
            }
            try await connection.query("""
                INSERT INTO \(s).meta (key, value) VALUES ('schema_version', $1)
                ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
                """, [String(StateSchema.current)])
            try await connection.execute("COMMIT")
        } catch {
            _ = try? await connection.execute("ROLLBACK")
            throw error
        }
    }

    private func refuseNewer(_ installed: Int) throws {
        if installed > StateSchema.current {
            throw SluiceError(
                .badInput, "schema \(schema) was written by a newer Sluice (table layout \(installed); this build knows up to \(StateSchema.current))",
                hint: "run a Sluice release that supports table layout \(installed) or later")
        }
    }

    // MARK: Reading

    public func appliedRevisions() async throws -> [AppliedRevision] {
        let result = try await connection.query("""
            SELECT version, title, file, checksum, state, down_sql, 'no-transaction' = ANY(down_directives) AS down_no_tx,
                   baseline, statements_done, statement_hashes
            FROM \(s).revisions ORDER BY version_key
            """)
        return result.records.compactMap { row in
            guard let version = Version(row.string("version")) else { return nil }
            return AppliedRevision(
                version: version, title: row.string("title"), file: row.string("file"), checksum: row.string("checksum"),
                state: AppliedRevision.State(rawValue: row.string("state")) ?? .dirty, downSQL: row["down_sql"],
                downNoTransaction: row.bool("down_no_tx"), baseline: row.bool("baseline"),
                statementsDone: row.int("statements_done") ?? 0, statementHashes: row.array("statement_hashes"))
        }
    }

    public func revisionRecords() async throws -> [RevisionRecord] {
        let result = try await connection.query("""
            SELECT version, title, file, layout, checksum, state, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS applied_at,
                   applied_by_user || '@' || applied_by_host || ' as ' || applied_by_role AS applied_by, duration_ms, baseline,
                   down_sql IS NOT NULL AS reversible, directives, commit_sha, statements_done, cardinality(statement_hashes) AS total,
                   commit_author, commit_subject
            FROM \(s).revisions ORDER BY version_key
            """)
        return result.records.map { row in
            RevisionRecord(
                version: row.string("version"), title: row.string("title"), file: row.string("file"), layout: row.string("layout"),
                checksum: row.string("checksum"), state: row.string("state"), appliedAt: row.string("applied_at"),
                appliedBy: row.string("applied_by"), durationMs: row.int("duration_ms"), baseline: row.bool("baseline"),
                reversible: row.bool("reversible"), directives: row.array("directives"), commit: row["commit_sha"],
                statementsDone: row.int("statements_done") ?? 0, statementsTotal: row.int("total") ?? 0,
                commitAuthor: row["commit_author"], commitSubject: row["commit_subject"])
        }
    }

    public func holds() async throws -> [Hold] {
        try await connection.query("SELECT version, checksum, reason FROM \(s).holds ORDER BY version").records.compactMap { row in
            Version(row.string("version")).map { Hold(version: $0, checksum: row["checksum"], reason: row["reason"]) }
        }
    }

    public func appliedRepeatables() async throws -> [String: String] {
        let rows = try await connection.query("SELECT title, checksum FROM \(s).repeatables").records
        return Dictionary(rows.map { ($0.string("title"), $0.string("checksum")) }, uniquingKeysWith: { a, _ in a })
    }

    /// Events newest first; `before` pages back from an id.
    /// The columns every events read selects, as `EventRecord(row:)` reads them.
    private static let eventColumns = """
        SELECT id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, kind, outcome, versions, commit_sha, actor,
               duration_ms, message, error::text AS error, details::text AS details
        """

    public func events(limit: Int, before: Int? = nil) async throws -> [EventRecord] {
        let result = try await connection.query("""
            \(Self.eventColumns)
            FROM \(s).events WHERE ($2::bigint IS NULL OR id < $2::bigint) ORDER BY id DESC LIMIT $1::int
            """, [String(limit), before.map(String.init)])
        return result.records.map(EventRecord.init(row:))
    }

    /// What a no-change cycle needs in one query: the commit last reconciled, how many
    /// revisions are dirty, and the newest event a person caused (release, resolve,
    /// rollback, baseline) — a change there means re-planning. Nil before Sluice's tables exist.
    public func liveness() async throws -> (reconciled: String?, dirty: Int, marker: Int)? {
        // One query: a no-change cycle sends nothing else. Before the tables exist it fails with 42P01.
        let result: QueryResult
        do {
            result = try await connection.query("""
                SELECT (SELECT commit_sha FROM \(s).reconciled) AS reconciled,
                       (SELECT count(*) FROM \(s).revisions WHERE state = 'dirty') AS dirty,
                       (SELECT coalesce(max(id), 0) FROM \(s).events WHERE kind IN ('release', 'resolve', 'rollback', 'baseline')) AS marker
                """)
        } catch let error as PGError where error.sqlState == "42P01" || error.sqlState == "3F000" {
            return nil
        }
        let row = result.records[0]
        return (row["reconciled"], row.int("dirty") ?? 0, row.int("marker") ?? 0)
    }

    /// Records the schema as Sluice left it: on the newest applied revision (the schema at
    /// that version) and in `meta` (what drift is measured against).
    public func recordSchema(json: String, fingerprint: String, revisions: String) async throws {
        try await connection.query("""
            UPDATE \(s).revisions SET schema_snapshot = $1::jsonb
            WHERE version = (SELECT version FROM \(s).revisions WHERE state = 'applied' ORDER BY version_key DESC LIMIT 1)
            """, [json])
        try await connection.query("""
            INSERT INTO \(s).meta (key, value) VALUES ('schema_snapshot', $1), ('schema_fingerprint', $2), ('schema_revisions', $3)
            ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
            """, [json, fingerprint, revisions])
    }

    /// The recorded snapshot (JSON) with the signature of the revisions it was taken after.
    public func recordedSchemaState() async throws -> (json: String, revisions: String?)? {
        let rows = try await connection.query("SELECT key, value FROM \(s).meta WHERE key IN ('schema_snapshot', 'schema_revisions')").records
        let values = Dictionary(rows.map { ($0.string("key"), $0.string("value")) }, uniquingKeysWith: { a, _ in a })
        guard let json = values["schema_snapshot"] else { return nil }
        return (json, values["schema_revisions"])
    }

    /// The schema snapshot recorded after the last run that changed the database, as JSON.
    public func recordedSchema() async throws -> String? {
        try await connection.query("SELECT value FROM \(s).meta WHERE key = 'schema_snapshot'").scalar
    }

    /// One revision with its SQL, for the API and the dashboard.
    public func revisionSQL(_ version: String) async throws -> (up: String, down: String?, downFile: String?)? {
        guard let row = try await connection.query("SELECT up_sql, down_sql, down_file FROM \(s).revisions WHERE version = $1", [version]).records.first else { return nil }
        return (row.string("up_sql"), row["down_sql"], row["down_file"])
    }

    /// Several revisions' SQL in one query, in version order (a deployment's page).
    public func revisionsSQL(_ versions: [String]) async throws -> [(version: String, file: String, up: String, down: String?)] {
        try await connection.query("""
            SELECT version, file, up_sql, down_sql FROM \(s).revisions WHERE version = ANY ($1::text[]) ORDER BY version_key
            """, [PGArray.encode(versions)]).records.map { ($0.string("version"), $0.string("file"), $0.string("up_sql"), $0["down_sql"]) }
    }

    /// The newest event of `kind` naming any of `versions`.
    public func latestEvent(kind: String, anyOf versions: [String], outcome: String? = nil) async throws -> EventRecord? {
        try await connection.query("""
            \(Self.eventColumns)
            FROM \(s).events WHERE kind = $1 AND versions && $2::text[] AND ($3::text IS NULL OR outcome = $3) ORDER BY id DESC LIMIT 1
            """, [kind, PGArray.encode(versions), outcome]).records.first.map(EventRecord.init(row:))
    }

    /// The schema snapshot (JSON) recorded with `version`, or with the newest applied version
    /// below it that has one; with nil, the newest recorded. Returns the version it came from.
    public func schemaSnapshot(atOrBelow version: String?) async throws -> (version: String, json: String)? {
        let row = try await connection.query("""
            SELECT version, schema_snapshot::text AS snapshot FROM \(s).revisions
            WHERE schema_snapshot IS NOT NULL AND ($1::text IS NULL OR version_key <= (SELECT version_key FROM \(s).revisions WHERE version = $1))
            ORDER BY version_key DESC LIMIT 1
            """, [version]).records.first
        return row.map { ($0.string("version"), $0.string("snapshot")) }
    }

    /// Applied versions that carry a schema snapshot, oldest first (the schema pages' back/forward).
    public func versionsWithSchema() async throws -> [String] {
        try await connection.query("SELECT version FROM \(s).revisions WHERE schema_snapshot IS NOT NULL ORDER BY version_key").records.map { $0.string("version") }
    }

    /// The newest event of `kind` whose versions include `version` (its details hold a report).
    public func latestEvent(kind: String, version: String, outcome: String? = nil) async throws -> EventRecord? {
        try await connection.query("""
            \(Self.eventColumns)
            FROM \(s).events WHERE kind = $1 AND $2 = ANY (versions) AND ($3::text IS NULL OR outcome = $3) ORDER BY id DESC LIMIT 1
            """, [kind, version, outcome]).records.first.map(EventRecord.init(row:))
    }

    /// Events after `id`, oldest first (the webhook notifier's cursor).
    public func events(after id: Int, limit: Int) async throws -> [EventRecord] {
        try await connection.query("""
            \(Self.eventColumns)
            FROM \(s).events WHERE id > $1::bigint ORDER BY id LIMIT $2::int
            """, [String(id), String(limit)]).records.map(EventRecord.init(row:))
    }

    /// The newest event's id (0 when none).
    public func newestEventID() async throws -> Int {
        Int(try await connection.query("SELECT coalesce(max(id), 0) FROM \(s).events").scalar ?? "0") ?? 0
    }

    /// One event by id.
    public func event(id: Int) async throws -> EventRecord? {
        try await connection.query("""
            \(Self.eventColumns)
            FROM \(s).events WHERE id = $1::bigint
            """, [String(id)]).records.first.map(EventRecord.init(row:))
    }

    /// A fact in `meta` (e.g. `drift_reported`), nil when unset.
    public func meta(_ key: String) async throws -> String? {
        try await connection.query("SELECT value FROM \(s).meta WHERE key = $1", [key]).scalar
    }

    public func setMeta(_ key: String, _ value: String) async throws {
        try await connection.query("""
            INSERT INTO \(s).meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
            """, [key, value])
    }

    /// The Git commit last reconciled, if any.
    public func reconciledCommit() async throws -> String? {
        try await connection.query("SELECT commit_sha FROM \(s).reconciled").scalar
    }

    // MARK: Writing (callers own the transaction)

    public func insertRevision(_ r: NewRevision) async throws {
        try await run(insertRevisionQuery(r))
    }

    /// The revision row's INSERT; a nil `durationMs` is measured on the server from the
    /// transaction's start, so the row can travel in the same pipeline as the migration.
    public func insertRevisionQuery(_ r: NewRevision) -> Query {
        let m = r.migration
        return Query("""
            INSERT INTO \(s).revisions (version, version_key, title, file, layout, checksum, up_sql, down_sql, down_file, directives,
                down_directives, commit_sha, commit_author, commit_subject, applied_by_host, applied_by_user, duration_ms, state,
                baseline, statements_done, statement_hashes, schema_snapshot)
            VALUES ($1, $2::numeric[], $3, $4, $5, $6, $7, $8, $9, $10::text[], $11::text[], $12, $13, $14, $15, $16,
                coalesce($17::bigint, floor(extract(epoch FROM clock_timestamp() - now()) * 1000)::bigint),
                $18, $19::boolean, $20::int, $21::text[], $22::jsonb)
            ON CONFLICT (version) DO UPDATE SET checksum = EXCLUDED.checksum, up_sql = EXCLUDED.up_sql, down_sql = EXCLUDED.down_sql,
                directives = EXCLUDED.directives, down_directives = EXCLUDED.down_directives, state = EXCLUDED.state,
                statements_done = EXCLUDED.statements_done, statement_hashes = EXCLUDED.statement_hashes, applied_at = now(),
                duration_ms = EXCLUDED.duration_ms, schema_snapshot = EXCLUDED.schema_snapshot
            """, [
                m.version.canonical, "{" + m.version.parts.joined(separator: ",") + "}", m.title, m.file, m.layout.rawValue, m.checksum,
                m.up.sql, m.down?.sql, m.down?.file, PGArray.encode(m.up.directives.written), PGArray.encode(m.down?.directives.written ?? []),
                r.commit?.sha, r.commit?.author, r.commit?.subject, r.host, r.user, r.durationMs.map(String.init), r.state.rawValue,
                r.baseline ? "true" : "false", String(r.statementsDone), PGArray.encode(r.statementHashes), r.schemaSnapshot,
            ])
    }

    /// Records progress of a no-transaction migration (autocommit, one row).
    public func recordProgress(_ version: Version, done: Int) async throws {
        try await connection.query("UPDATE \(s).revisions SET statements_done = $2::int WHERE version = $1", [version.canonical, String(done)])
    }

    public func markApplied(_ version: Version, durationMs: Int) async throws {
        try await connection.query("""
            UPDATE \(s).revisions SET state = 'applied', statements_done = cardinality(statement_hashes), duration_ms = $2::bigint, applied_at = now()
            WHERE version = $1
            """, [version.canonical, String(durationMs)])
    }

    public func deleteRevision(_ version: Version) async throws {
        try await run(deleteRevisionQuery(version))
    }

    public func deleteRevisionQuery(_ version: Version) -> Query {
        Query("DELETE FROM \(s).revisions WHERE version = $1", [version.canonical])
    }

    public func hold(_ version: Version, checksum: String?, reason: String?, by: String) async throws {
        try await run(holdQuery(version, checksum: checksum, reason: reason, by: by))
    }

    public func holdQuery(_ version: Version, checksum: String?, reason: String?, by: String) -> Query {
        Query("""
            INSERT INTO \(s).holds (version, checksum, reason, held_by) VALUES ($1, $2, $3, $4)
            ON CONFLICT (version) DO UPDATE SET checksum = EXCLUDED.checksum, reason = EXCLUDED.reason, held_by = EXCLUDED.held_by, held_at = now()
            """, [version.canonical, checksum, reason, by])
    }

    /// Lifts holds; nil lifts all. Returns the versions released.
    @discardableResult
    public func release(_ versions: [Version]?) async throws -> [String] {
        let result = try await connection.query("""
            DELETE FROM \(s).holds WHERE $1::text[] IS NULL OR version = ANY($1::text[]) RETURNING version
            """, [versions.map { PGArray.encode($0.map(\.canonical)) }])
        return result.rows.compactMap { $0.first ?? nil }
    }

    /// The repeatable's UPSERT, its duration measured on the server from the transaction's start.
    public func upsertRepeatableQuery(_ r: RepeatableMigration, by: String) -> Query {
        Query("""
            INSERT INTO \(s).repeatables (title, file, checksum, sql, applied_by, duration_ms)
            VALUES ($1, $2, $3, $4, $5, floor(extract(epoch FROM clock_timestamp() - now()) * 1000)::bigint)
            ON CONFLICT (title) DO UPDATE SET file = EXCLUDED.file, checksum = EXCLUDED.checksum, sql = EXCLUDED.sql,
                applied_by = EXCLUDED.applied_by, duration_ms = EXCLUDED.duration_ms, applied_at = now()
            """, [r.title, r.section.file, r.checksum, r.section.sql, by])
    }

    @discardableResult
    public func recordEvent(_ e: EventDraft) async throws -> Int {
        let result = try await connection.query("""
            INSERT INTO \(s).events (kind, outcome, versions, commit_sha, actor, duration_ms, message, error, details)
            VALUES ($1, $2, $3::text[], $4, $5, $6::bigint, $7, $8::jsonb, $9::jsonb) RETURNING id
            """, [e.kind, e.outcome, PGArray.encode(e.versions), e.commit, e.actor, e.durationMs.map(String.init), e.message, e.error, e.details])
        return result.scalar.flatMap { Int($0) } ?? 0
    }

    public func setReconciled(commit: String, branch: String?) async throws {
        try await connection.query("""
            INSERT INTO \(s).reconciled (id, commit_sha, branch) VALUES (true, $1, $2)
            ON CONFLICT (id) DO UPDATE SET commit_sha = EXCLUDED.commit_sha, branch = EXCLUDED.branch, reconciled_at = now()
            """, [commit, branch])
    }

    private func run(_ query: Query) async throws {
        try await connection.query(query.sql, query.parameters)
    }
}

/// One statement and its bound values, to run now or to send in a pipeline.
public struct Query: Sendable {
    public var sql: String
    public var parameters: [String?]

    public init(_ sql: String, _ parameters: [String?] = []) {
        self.sql = sql
        self.parameters = parameters
    }
}
