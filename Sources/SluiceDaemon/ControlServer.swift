import Foundation
import Hummingbird
import Logging
import SluiceEngine
import SluicePostgres

/// The control socket (`daemon.control_socket`, mode 0660): `GET /status` and
/// `POST /trigger[?wait=true&timeout=S]` for `sluice daemon status|trigger`.
enum ControlServer {
    static func application(socket path: String, state: DaemonState, engine: Engine, logger: Logger, listening: @escaping @Sendable () -> Void) throws -> some ApplicationProtocol {
        try prepare(socket: path)
        let router = Router()
        router.get("/status") { _, _ -> Response in
            var status = await state.snapshot()
            status.lockHolder = await lockHolder(engine)
            return try json(status)
        }
        router.post("/trigger") { request, _ -> Response in
            let wait = request.uri.queryParameters.get("wait").map { $0 == "true" || $0 == "1" } ?? false
            guard wait else {
                _ = await state.trigger(wait: false)
                return try json(["accepted": true])
            }
            let timeout = request.uri.queryParameters.get("timeout").flatMap(Double.init) ?? 600
            let outcome = await withTaskGroup(of: CycleOutcome?.self) { group in
                group.addTask { await state.trigger(wait: true) }
                group.addTask { try? await Task.sleep(for: .milliseconds(Int64(timeout * 1000))); return nil }
                let first = await group.next() ?? nil
                group.cancelAll()
                return first
            }
            guard let outcome else { return Response(status: .gatewayTimeout, body: .init(byteBuffer: ByteBuffer(string: "{\"error\":\"no cycle finished within \(timeout)s\"}"))) }
            return try json(outcome)
        }
        return Application(
            router: router,
            configuration: .init(address: .unixDomainSocket(path: path), serverName: "sluice"),
            onServerRunning: { _ in
                // Group members (on-call engineers) may trigger; others may not.
                chmod(path, 0o660)
                listening()
            },
            logger: logger)
    }

    static func json<T: Encodable>(_ value: T) throws -> Response {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    static func lockHolder(_ engine: Engine) async -> String? {
        guard let settings = try? engine.settings, let connection = try? await Connection.connect(settings) else { return nil }
        return try? await AdvisoryLock.holder(on: connection, key: AdvisoryLock.key(schema: engine.config.database.schema))
    }

    /// Creates the socket's folder; removes a stale socket file left by a crash, but refuses
    /// to take over one that a running daemon still answers on.
    static func prepare(socket path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw DaemonError("cannot create the folder of daemon.control_socket \(path): \(error.localizedDescription)", hint: "create \(folder) for this user (systemd: RuntimeDirectory=sluice), or set daemon.control_socket")
        }
        guard FileManager.default.fileExists(atPath: path) else { return }
        if UnixSocket.answers(path) {
            throw DaemonError("another sluice daemon is already listening on \(path)", hint: "stop it, or give this one another daemon.control_socket")
        }
        try FileManager.default.removeItem(atPath: path)
    }
}
