import SluiceCore

/// The one-runner-per-database lock of SPEC §5: a session-level advisory lock held by the
/// connection that does the work, taken by polling `pg_try_advisory_lock` — never the
/// blocking `pg_advisory_lock`, whose waiting transaction `CREATE INDEX CONCURRENTLY` in
/// the holder would wait for.
///
/// Holding it on the working connection is what makes it cover the work after a crash: when
/// a runner dies, its backend goes on executing what it was already sent (a whole migration
/// pipeline, up to `COMMIT`) and keeps the lock until it is done and notices the client has
/// gone. The next runner cannot plan until then, so it never collides with a dead runner's
/// last transaction (docs/applying.md, "The lock").
public struct AdvisoryLock: Sendable {
    private let connection: Connection
    public let key: String

    private init(connection: Connection, key: String) {
        self.connection = connection
        self.key = key
    }

    /// The lock key for a Sluice schema: one lock per database and schema.
    public static func key(schema: String) -> String { "sluice:\(schema)" }

    /// Polls on `connection` until the lock is its session's or `wait` has passed; nil when
    /// someone else still holds it. Each try is its own short statement, so a holder running
    /// `CREATE INDEX CONCURRENTLY` waits at most one try for this session, never on it.
    public static func acquire(on connection: Connection, key: String, wait: Duration, every interval: Duration = .milliseconds(200)) async throws -> AdvisoryLock? {
        let clock = ContinuousClock()
        let deadline = clock.now + wait
        while true {
            let got = try await connection.query("SELECT pg_try_advisory_lock(hashtextextended($1, 0))", [key]).scalar == "t"
            if got { return AdvisoryLock(connection: connection, key: key) }
            if clock.now >= deadline { return nil }
            try await Task.sleep(for: min(interval, deadline - clock.now))
        }
    }

    /// Releases the lock; the connection stays open for its owner.
    public func release() async {
        _ = try? await connection.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [key])
    }

    /// Who holds the lock now, as `application_name (pid N, since …)`; nil when free.
    public static func holder(on connection: Connection, key: String) async throws -> String? {
        let result = try await connection.query("""
            SELECT a.pid, a.application_name, coalesce(a.client_addr::text, 'local') AS addr, a.backend_start
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended($1, 0)
            """, [key])
        guard let row = result.records.first else { return nil }
        return "\(row.string("application_name")) (pid \(row.string("pid")) from \(row.string("addr")), connected \(row.string("backend_start")))"
    }
}
