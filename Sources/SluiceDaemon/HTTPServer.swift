import Foundation
import Hummingbird
import Logging
import SluiceEngine

/// The HTTP server on `daemon.http` (loopback by default): the probes `/healthz` (the
/// process is alive) and `/readyz` (the last cycle reached the repository and the database
/// and did not fail), `/metrics` (Prometheus), the read-only `/api/…` (``DaemonAPI``) and the
/// dashboard (``Dashboard``). Nothing here changes the database.
enum HTTPServer {
    static func application(address text: String, state: DaemonState, api: DaemonAPI?, dashboard: Dashboard?, logger: Logger) throws -> (some ApplicationProtocol)? {
        guard !["", "off", "none"].contains(text.lowercased()) else { return nil as Application<RouterResponder<BasicRequestContext>>? }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw DaemonError("daemon.http `\(text)` is not host:port", hint: "write it like 127.0.0.1:9187, or `off`")
        }
        let host = String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let router = Router()
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/readyz") { _, _ -> Response in
            let status = await state.snapshot()
            let (ready, reason) = readiness(status)
            return Response(status: ready ? .ok : .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: reason + "\n")))
        }
        router.get("/metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: DaemonMetrics.shared.exposition())))
        }
        // The API and the dashboard (added below) read and render much more than a poll:
        // each page asks the watcher to give the memory back on its next quiet cycle.
        router.add(middleware: PagesServed(state: state))
        api?.register(on: router)
        dashboard?.register(on: router)
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "sluice"), logger: logger)
    }

    /// Ready when a cycle has run and the last one was not a failure. A skipped cycle
    /// (`locked`: another replica applies) is ready.
    static func readiness(_ status: DaemonStatus) -> (Bool, String) {
        guard let last = status.lastCycle else { return (false, "not ready: no cycle has finished yet") }
        switch last.result {
        case .unreachable: return (false, "not ready: \(last.message.split(separator: "\n").first ?? "")")
        case .failed, .refused, .waiting: return (false, "not ready: last cycle \(last.result.rawValue): \(last.message.split(separator: "\n").first ?? "")")
        case .noop, .applied, .locked, .stopped: return (true, "ready: last cycle \(last.result.rawValue)")
        }
    }
}

/// Tells ``DaemonState`` that a page of the API or the dashboard was served, so that the
/// watcher's next quiet cycle hands back the heap memory rendering it left behind
/// (`malloc_trim`). The probes and `/metrics` are registered before it and do not count.
struct PagesServed<Context: RequestContext>: RouterMiddleware {
    let state: DaemonState

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        await state.pageServed()
        return response
    }
}
