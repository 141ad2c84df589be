import SluiceCore

/// The one-runner-per-database lock of SPEC §5: a session-level advisory lock on a
/// dedicated connection, taken by polling `pg_try_advisory_lock` — never the blocking
/// `pg_advisory_lock`, which deadlocks against `CREATE INDEX CONCURRENTLY` in the holder.
/// The lock goes with the session, so a crashed holder leaves nothing to clear.
public final class AdvisoryLock: Sendable {
    private let connection: Connection
    public let key: String

    private init(connection: Connection, key: String) {
        self.connection = connection
        self.key = key
    }

    /// The lock key for a Sluice schema: one lock per database and schema.
    public static func key(schema: String) -> String { "sluice:\(schema)" }

    /// Polls until the lock is ours or `wait` has passed; nil when someone else still holds it.
    public static func acquire(_ settings: ConnectionSettings, key: String, wait: Duration, every interval: Duration = .milliseconds(200)) async throws -> AdvisoryLock? {
        let connection = try await Connection.connect(settings)
        let clock = ContinuousClock()
        let deadline = clock.now + wait
        while true {
            let got = try await connection.query("SELECT pg_try_advisory_lock(hashtextextended($1, 0))", [key]).scalar == "t"
            if got { return AdvisoryLock(connection: connection, key: key) }
            if clock.now >= deadline { return nil }
            try await Task.sleep(for: min(interval, deadline - clock.now))
        }
    }

    /// Releases the lock and closes its connection.
    public func release() async {
        _ = try? await connection.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [key])
    }

    /// Whether the session holding the lock is still alive (the lock is only as good as it).
    public var isHeld: Bool { connection.isOpen }

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
