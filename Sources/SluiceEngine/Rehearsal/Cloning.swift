import Foundation
import SluiceCore
import SluicePostgres

/// The server scratch databases live on (`rehearsal.scratch_url`, or production's own),
/// reached through a maintenance database on it. Names, creation, dropping and the sweep.
struct ScratchServer: Sendable {
    static let prefix = "sluice_scratch_"

    /// A maintenance database on the scratch server (never production's database).
    var settings: ConnectionSettings
    /// The scratch server is production's own server (so `TEMPLATE` works and roles exist).
    var sameServer: Bool

    init(config: SluiceConfig, production: ConnectionSettings, productionDatabase: String) {
        if let url = config.rehearsal.scratchURL, !url.isEmpty {
            settings = ConnectionSettings(url: url, passwordFile: nil, applicationName: production.applicationName)
            sameServer = false
        } else {
            settings = production.with(database: productionDatabase == "postgres" ? "template1" : "postgres")
            sameServer = true
        }
    }

    /// `sluice_scratch_<UTC yyyyMMddHHmmss>_<6 hex>`: sortable, and the sweep reads its age from it.
    static func newName(now: Date = Date()) -> String {
        let id = String(UInt32.random(in: 0...0xFF_FFFF), radix: 16)
        return prefix + stamp().string(from: now) + "_" + String(repeating: "0", count: 6 - id.count) + id
    }

    /// The UTC `yyyyMMddHHmmss` stamp in scratch names.
    static func stamp() -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMddHHmmss"
        return formatter
    }

    /// When a scratch database was made, read from its name; nil for names not made by `newName`.
    static func createdAt(_ name: String) -> Date? {
        guard name.hasPrefix(prefix) else { return nil }
        let stamp = name.dropFirst(prefix.count).prefix(14)
        guard stamp.count == 14, stamp.allSatisfy(\.isNumber) else { return nil }
        return Self.stamp().date(from: String(stamp))
    }

    func connect() async throws -> Connection {
        do { return try await Connection.connect(settings) } catch let error as PGError {
            throw SluiceError(.unreachable, "cannot reach the rehearsal server at \(settings.redactedURL): \(error.message)",
                              hint: "check rehearsal.scratch_url (or database.url when it is not set); the rehearsal user needs CREATEDB")
        }
    }

    func databaseSettings(_ name: String) -> ConnectionSettings { settings.with(database: name) }

    /// Drops a scratch database, ending any session still on it (PostgreSQL 13+).
    func drop(_ name: String, on connection: Connection) async throws {
        let quoted = try connection.quoteIdentifier(name)
        let force = connection.serverVersion >= 130000 ? " WITH (FORCE)" : ""
        try await connection.execute("DROP DATABASE IF EXISTS \(quoted)\(force)")
    }

    /// Drops every `sluice_scratch_…` database older than `ttl` that nobody is connected to
    /// (another runner's rehearsal in progress, or someone inspecting a kept clone, is left
    /// for a later sweep); returns the names dropped.
    func sweep(ttl: Duration, now: Date = Date(), on connection: Connection) async throws -> [String] {
        let rows = try await connection.query("""
            SELECT d.datname, EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname) AS busy
            FROM pg_database d WHERE d.datname LIKE 'sluice\\_scratch\\_%' ORDER BY 1
            """).records
        let limit = Double(ttl.components.seconds)
        var dropped: [String] = []
        for row in rows where !row.bool("busy") {
            let name = row.string("datname")
            guard let created = Self.createdAt(name), now.timeIntervalSince(created) >= limit else { continue }
            do {
                // No FORCE: a session that connected since the check wins, and the sweep moves on.
                try await connection.execute("DROP DATABASE IF EXISTS \(try connection.quoteIdentifier(name))")
                dropped.append(name)
            } catch let error as PGError where error.sqlState == "55006" {
                continue
            }
        }
        return dropped
    }
}

/// What a clone needs to know about production, read once before cloning.
struct CloneSource: Sendable {
    var settings: ConnectionSettings
    var database: String
    var serverVersion: Int
    var bytes: Int64
    var encoding: String
    var collate: String
    var ctype: String
    /// libpq's effective parameters of a production connection (for `pg_dump`'s environment).
    var parameters: [String: String]
    var stateSchema: String
    /// Objects are owned by roles the connecting (non-superuser) role cannot become: their
    /// `ALTER … OWNER TO` would fail on the clone, so the dump copies without owners.
    var foreignOwners: Bool = false

    static func read(_ connection: Connection, stateSchema: String) async throws -> CloneSource {
        let row = try await connection.query("""
            SELECT current_database() AS db, pg_database_size(current_database()) AS bytes, pg_encoding_to_char(encoding) AS encoding,
                   datcollate, datctype FROM pg_database WHERE datname = current_database()
            """).records.first
        let foreign = try await connection.query("""
            SELECT NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AND (
                EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%' AND NOT pg_has_role(c.relowner, 'MEMBER'))
                OR EXISTS (SELECT 1 FROM pg_namespace n WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'public') AND n.nspname NOT LIKE 'pg\\_%'
                        AND NOT pg_has_role(n.nspowner, 'MEMBER'))
                OR EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND NOT pg_has_role(p.proowner, 'MEMBER'))
            ) AS foreign
            """).scalar == "t"
        return CloneSource(settings: connection.settings, database: row?.string("db") ?? "", serverVersion: connection.serverVersion,
                           bytes: Int64(row?.string("bytes") ?? "") ?? 0, encoding: row?.string("encoding") ?? "UTF8",
                           collate: row?.string("datcollate") ?? "", ctype: row?.string("datctype") ?? "",
                           parameters: connection.parameters, stateSchema: stateSchema, foreignOwners: foreign)
    }
}

/// One way of copying production into an empty scratch database name (SPEC §4).
protocol CloneStrategy: Sendable {
    var name: String { get }
    /// Creates `scratch` on `server` as a copy of `source`. `maintenance` is a connection to
    /// the scratch server's maintenance database.
    func clone(_ source: CloneSource, into scratch: String, server: ScratchServer, maintenance: Connection) async throws
}

/// `CREATE DATABASE … TEMPLATE production`: a file-level copy, the fastest, but PostgreSQL
/// refuses it while anyone else is connected to production.
struct TemplateClone: CloneStrategy {
    var name: String { "template" }

    func clone(_ source: CloneSource, into scratch: String, server: ScratchServer, maintenance: Connection) async throws {
        guard server.sameServer else {
            throw SluiceError(.badInput, "rehearsal.strategy template copies a database on its own server, but rehearsal.scratch_url names another server",
                              hint: "use rehearsal.strategy dump (or schema) with rehearsal.scratch_url, or remove rehearsal.scratch_url")
        }
        // A session that has just disconnected (Sluice's own planning connection) lingers for a
        // moment in pg_stat_activity: wait up to 3 s for others to go before refusing.
        var sessions: Row?
        for attempt in 0..<30 {
            sessions = try await maintenance.query("""
                SELECT count(*) AS n, string_agg(DISTINCT coalesce(nullif(application_name, ''), '?') || ' (' || coalesce(client_addr::text, 'local') || ')', ', ') AS who
                FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()
                """, [source.database]).records.first
            if sessions?.int("n") == 0 || attempt == 29 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        if let n = sessions?.int("n"), n > 0 {
            throw SluiceError(
                .migrationFailed, "rehearsal.strategy template cannot clone \(source.database): \(n) other session(s) are connected to it (\(sessions?.string("who") ?? ""))",
                hint: "PostgreSQL copies a template only while nobody is connected to it; template suits development and tests. Use rehearsal.strategy dump for a database in use, or run with --no-rehearse")
        }
        let strategy = maintenance.serverVersion >= 150000 ? " STRATEGY FILE_COPY" : ""
        do {
            try await maintenance.execute("CREATE DATABASE \(try maintenance.quoteIdentifier(scratch)) TEMPLATE \(try maintenance.quoteIdentifier(source.database))\(strategy)")
        } catch let error as PGError where error.sqlState == "55006" {
            throw SluiceError(.migrationFailed, "rehearsal.strategy template cannot clone \(source.database): \(error.message)",
                              hint: "a session connected to production while it was being copied; use rehearsal.strategy dump for a database in use")
        }
    }
}

/// `pg_dump | psql` into an empty database: production stays online. With `schemaOnly`,
/// the `schema` strategy: definitions without data.
struct DumpClone: CloneStrategy {
    var schemaOnly: Bool
    var name: String { schemaOnly ? "schema" : "dump" }

    func clone(_ source: CloneSource, into scratch: String, server: ScratchServer, maintenance: Connection) async throws {
        let tools = try await PGTools.locate(serverVersion: source.serverVersion)
        let quoted = try maintenance.quoteIdentifier(scratch)
        do {
            try await maintenance.execute("CREATE DATABASE \(quoted) TEMPLATE template0 ENCODING \(try maintenance.quoteLiteral(source.encoding)) LC_COLLATE \(try maintenance.quoteLiteral(source.collate)) LC_CTYPE \(try maintenance.quoteLiteral(source.ctype))")
        } catch let error as PGError where error.sqlState == "22023" || error.sqlState == "42809" {
            // Another server may lack production's locale: take its defaults.
            try await maintenance.execute("CREATE DATABASE \(quoted) TEMPLATE template0 ENCODING \(try maintenance.quoteLiteral(source.encoding))")
        }
        var arguments = ["--exclude-schema=" + Self.exactPattern(source.stateSchema), "--no-subscriptions", "--no-publications"]
        if schemaOnly { arguments.append("--schema-only") }
        if !server.sameServer { arguments += ["--no-owner", "--no-privileges"] } else if source.foreignOwners { arguments.append("--no-owner") }
        let target = PGTools.environment(maintenance.parameters, database: scratch)
        do {
            try await tools.dumpIntoPsql(dumpArguments: arguments, source: PGTools.environment(source.parameters, database: source.database), target: target)
        } catch let failure as PGTools.Failure {
            let advice = failure.program == "pg_dump"
                ? "pg_dump reads all of production as the migrating role: it needs SELECT on every table (or use rehearsal.strategy schema, which reads definitions only)"
                : "psql creates the clone's objects as the rehearsal role on the scratch server: it needs to be allowed to create them (extensions, owners)"
            throw SluiceError(.migrationFailed, "rehearsal clone (\(name)) failed: \(failure.program) \(failure.status)",
                              hint: "\(advice). Production was not touched; the scratch database \(scratch) was dropped.",
                              details: failure.stderr.split(separator: "\n").map { Redactor.redact(String($0)) })
        }
    }

    /// A `pg_dump` name pattern matching exactly `name` (quoted, so `_` and capitals are literal).
    static func exactPattern(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
