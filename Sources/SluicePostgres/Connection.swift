import CLibPQ
import Dispatch
import Foundation
import SluiceCore

/// One libpq connection. Owns its `PGconn*` (freed in `deinit`) and runs every
/// blocking libpq call on its own serial queue, never on Swift's cooperative pool.
public final class Connection: @unchecked Sendable {
    private let handle: OpaquePointer
    private let queue: DispatchQueue
    public let settings: ConnectionSettings
    /// Values that must never appear in an error (the password, when we know it).
    private let secrets: [String]

    private init(handle: OpaquePointer, queue: DispatchQueue, settings: ConnectionSettings, secrets: [String]) {
        self.handle = handle
        self.queue = queue
        self.settings = settings
        self.secrets = secrets
    }

    deinit { PQfinish(handle) }

    /// Connects, or throws a `PGError` of kind `.connection` with the password scrubbed.
    public static func connect(_ settings: ConnectionSettings) async throws -> Connection {
        let queue = DispatchQueue(label: "sluice.postgres")
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try connectBlocking(settings, queue: queue) })
            }
        }
    }

    private static func connectBlocking(_ settings: ConnectionSettings, queue: DispatchQueue) throws -> Connection {
        let password = try settings.password()
        var pairs: [(String, String)] = [("dbname", settings.url), ("application_name", settings.applicationName)]
        if !settings.url.contains("connect_timeout") { pairs.append(("connect_timeout", "10")) }
        if let password { pairs.append(("password", password)) }
        var secrets = password.map { [$0] } ?? []
        if let urlPassword = URLComponents(string: settings.url)?.password { secrets.append(urlPassword) }
        if let envPassword = ProcessInfo.processInfo.environment["PGPASSWORD"] { secrets.append(envPassword) }

        let conn = withCStringArray(pairs.map(\.0)) { keys in
            withCStringArray(pairs.map(\.1)) { values in PQconnectdbParams(keys, values, 1) }
        }
        guard let conn else { throw PGError(kind: .connection, message: "libpq could not allocate a connection") }
        guard PQstatus(conn) == CONNECTION_OK else {
            let message = Redactor.scrub(String(cString: PQerrorMessage(conn)).trimmingCharacters(in: .whitespacesAndNewlines), secrets: secrets)
            PQfinish(conn)
            throw PGError(kind: .connection, message: message)
        }
        // Notices ("relation already exists, skipping") would go to stderr; drop them.
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
        return Connection(handle: conn, queue: queue, settings: settings, secrets: secrets)
    }

    /// Runs one statement with its values bound as parameters (`PQexecParams`).
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?] = []) async throws -> QueryResult {
        try await onQueue { [self] in try queryBlocking(sql, parameters) }
    }

    /// Runs SQL text that may hold several statements (simple query protocol, `PQexec`).
    /// Used for migration bodies; values never go in here.
    @discardableResult
    public func execute(_ sql: String) async throws -> QueryResult {
        try await onQueue { [self] in try result(of: PQexec(handle, sql)) }
    }

    /// What became of one query of a pipeline.
    public enum PipelineOutcome: Sendable {
        case done(QueryResult)
        case failed(PGError)
        /// Not run because an earlier query of the pipeline failed.
        case skipped
    }

    /// Sends the queries in libpq's pipeline mode — one round trip per `batch` queries
    /// instead of one each — and reads every outcome. After a failure nothing more is
    /// sent; the rest come back `.skipped`. Each query is a single statement (extended
    /// protocol), values bound as parameters.
    public func pipeline(_ queries: [Query], batch: Int = 256) async throws -> [PipelineOutcome] {
        try await onQueue { [self] in try pipelineBlocking(queries, batch: batch) }
    }

    private func pipelineBlocking(_ queries: [Query], batch: Int) throws -> [PipelineOutcome] {
        guard PQenterPipelineMode(handle) == 1 else { throw lostConnection() }
        defer { PQexitPipelineMode(handle) }
        var outcomes: [PipelineOutcome] = []
        outcomes.reserveCapacity(queries.count)
        var start = 0
        while start < queries.count {
            let chunk = queries[start..<min(start + batch, queries.count)]
            for query in chunk {
                let sent = withOptionalCStringArray(query.parameters) { values in
                    PQsendQueryParams(handle, query.sql, Int32(query.parameters.count), nil, values, nil, nil, 0)
                }
                guard sent == 1 else { throw lostConnection() }
            }
            guard PQpipelineSync(handle) == 1 else { throw lostConnection() }
            for _ in chunk { outcomes.append(try nextPipelineOutcome()) }
            // The sync point's own result.
            if let sync = PQgetResult(handle) { PQclear(sync) }
            start += chunk.count
            if outcomes.contains(where: { if case .failed = $0 { true } else { false } }) { break }
        }
        while outcomes.count < queries.count { outcomes.append(.skipped) }
        return outcomes
    }

    /// Reads one query's results up to the NULL that ends them.
    private func nextPipelineOutcome() throws -> PipelineOutcome {
        guard let raw = PQgetResult(handle) else { throw lostConnection() }
        let outcome: PipelineOutcome
        switch PQresultStatus(raw) {
        case PGRES_PIPELINE_ABORTED:
            outcome = .skipped
            PQclear(raw)
        default:
            do { outcome = .done(try result(of: raw)) } catch let error as PGError { outcome = .failed(error) }
        }
        while let extra = PQgetResult(handle) { PQclear(extra) }
        return outcome
    }

    private func lostConnection() -> PGError {
        PGError(kind: .connection, message: Redactor.scrub(String(cString: PQerrorMessage(handle)), secrets: secrets).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Quotes an identifier for SQL (`PQescapeIdentifier`).
    public func quoteIdentifier(_ name: String) throws -> String {
        try escaped(name, what: "identifier \(name)", PQescapeIdentifier)
    }

    /// Quotes a value as an SQL string literal (`PQescapeLiteral`), for the few utility
    /// statements (`CREATE DATABASE … ENCODING`) that take no parameters.
    public func quoteLiteral(_ value: String) throws -> String {
        try escaped(value, what: "literal", PQescapeLiteral)
    }

    /// Runs one of libpq's escape functions on the connection's queue and frees its result.
    private func escaped(_ text: String, what: String, _ escape: (OpaquePointer?, UnsafePointer<CChar>?, Int) -> UnsafeMutablePointer<CChar>?) throws -> String {
        try queue.sync {
            guard let result = escape(handle, text, text.utf8.count) else {
                throw PGError(kind: .query, message: "cannot quote \(what): \(String(cString: PQerrorMessage(handle)))")
            }
            defer { PQfreemem(result) }
            return String(cString: result)
        }
    }

    /// The server's version number, e.g. 150018.
    public var serverVersion: Int { queue.sync { Int(PQserverVersion(handle)) } }
    /// The backend's process id.
    public var backendPID: Int { queue.sync { Int(PQbackendPID(handle)) } }
    /// Whether the connection is still usable.
    public var isOpen: Bool { queue.sync { PQstatus(handle) == CONNECTION_OK } }

    /// The connection's effective parameters (`PQconninfo`): keyword → value, for handing
    /// to `pg_dump`/`psql` through their `PG…` environment variables. The password is
    /// included under `password` so callers can pass it by environment, never argv.
    public var parameters: [String: String] {
        queue.sync {
            guard let options = PQconninfo(handle) else { return [:] }
            defer { PQconninfoFree(options) }
            var values: [String: String] = [:]
            var option = options
            while let keyword = option.pointee.keyword {
                if let value = option.pointee.val { values[String(cString: keyword)] = String(cString: value) }
                option += 1
            }
            return values
        }
    }

    /// The linked libpq's version, e.g. 150018.
    public static var libraryVersion: Int { Int(PQlibVersion()) }

    private func queryBlocking(_ sql: String, _ parameters: [String?]) throws -> QueryResult {
        let raw = withOptionalCStringArray(parameters) { values in
            PQexecParams(handle, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        return try result(of: raw)
    }

    private func result(of raw: OpaquePointer?) throws -> QueryResult {
        guard let raw else {
            throw PGError(kind: .connection, message: Redactor.scrub(String(cString: PQerrorMessage(handle)), secrets: secrets).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        defer { PQclear(raw) }
        switch PQresultStatus(raw) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return QueryResult(affected: Int(String(cString: PQcmdTuples(raw))) ?? 0)
        case PGRES_TUPLES_OK:
            return copyRows(raw)
        default:
            throw error(from: raw)
        }
    }

    private func copyRows(_ raw: OpaquePointer) -> QueryResult {
        let columnCount = Int(PQnfields(raw)), rowCount = Int(PQntuples(raw))
        let columns = (0..<columnCount).map { String(cString: PQfname(raw, Int32($0))) }
        var rows: [[String?]] = []
        rows.reserveCapacity(rowCount)
        for r in 0..<rowCount {
            rows.append((0..<columnCount).map { c in
                PQgetisnull(raw, Int32(r), Int32(c)) == 1 ? nil : String(cString: PQgetvalue(raw, Int32(r), Int32(c)))
            })
        }
        return QueryResult(columns: columns, rows: rows, affected: rowCount)
    }

    /// Reads the error fields right after the failing call.
    private func error(from raw: OpaquePointer) -> PGError {
        func field(_ code: Character) -> String? {
            guard let value = PQresultErrorField(raw, Int32(code.asciiValue!)) else { return nil }
            return Redactor.scrub(String(cString: value), secrets: secrets)
        }
        let message = field("M") ?? Redactor.scrub(String(cString: PQerrorMessage(handle)), secrets: secrets).trimmingCharacters(in: .whitespacesAndNewlines)
        let lost = PQstatus(handle) != CONNECTION_OK
        return PGError(kind: lost ? .connection : .query, sqlState: field("C"), message: message, detail: field("D"), hint: field("H"), position: field("P").flatMap { Int($0) })
    }

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}

/// Lends a NULL-terminated `const char *const *` built from Swift strings.
private func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    withOptionalCStringArray(strings, { body($0!) }, terminated: true)
}

private func withOptionalCStringArray<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R, terminated: Bool = false) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { $0.flatMap { strdup($0) } }
    if terminated { pointers.append(nil) }
    defer { pointers.forEach { free($0) } }
    if pointers.isEmpty { return body(nil) }
    return pointers.withUnsafeBufferPointer { buffer in
        buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buffer.count) { body($0) }
    }
}
