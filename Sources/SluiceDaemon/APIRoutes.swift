import Foundation
import Hummingbird
import SluiceCore
import SluiceEngine
import SluicePostgres

/// The read-only JSON API on `daemon.http` (SPEC §9; docs/api.md). Every handler reads;
/// none changes the database. Errors are `{"error": "…"}` with 400, 404, 409 (a refused plan) or 503.
struct DaemonAPI: Sendable {
    let engine: Engine
    let state: DaemonState

    func register(on router: Router<BasicRequestContext>) {
        let api = router.group("api")
        api.get("status") { _, _ in try await respond { try await status() } }
        api.get("plan") { _, _ in try await respond { try await plan() } }
        api.get("events") { request, _ in
            try await respond {
                let limit = try Self.int(request, "limit", default: 50, range: 1...500)
                let before = try Self.optionalInt(request, "before")
                let events = try await engine.history(limit: limit, before: before)
                return EventsPage(events: events, next: events.count == limit ? events.last.map { "/api/events?limit=\(limit)&before=\($0.id)" } : nil)
            }
        }
        api.get("events/:id") { _, context in
            try await respond {
                guard let id = context.parameters.get("id").flatMap(Int.init) else { throw APIError(.badRequest, "event id must be a number") }
                guard let event = try await engine.event(id: id) else { throw APIError(.notFound, "no event \(id)") }
                return event
            }
        }
        api.get("revisions") { _, _ in try await respond { try await engine.status(localFolder: false).applied } }
        api.get("revisions/:version") { _, context in
            try await respond {
                let version = context.parameters.get("version") ?? ""
                guard let detail = try await engine.revision(version) else { throw APIError(.notFound, "version \(version) is not applied") }
                return detail
            }
        }
        api.get("schema") { _, _ in try await respond { try await schema(nil) } }
        api.get("schema/:version") { _, context in try await respond { try await schema(context.parameters.get("version")) } }
        api.get("diff") { request, _ in
            try await respond {
                guard let from = request.uri.queryParameters.get("from"), let to = request.uri.queryParameters.get("to") else {
                    throw APIError(.badRequest, "give both versions: /api/diff?from=VERSION&to=VERSION")
                }
                guard let diff = try await engine.schemaDiff(from: from, to: to) else { throw APIError(.notFound, "no schema recorded at or below \(from) and \(to)") }
                return diff
            }
        }
    }

    struct StatusJSON: Encodable {
        var daemon: DaemonStatus
        var database: StatusReport
    }

    struct PlanJSON: Encodable {
        var commit: String?
        var steps: [PlanStepJSON]
        var held: [String]
        var notes: [String]
    }

    struct EventsPage: Encodable {
        var events: [EventRecord]
        /// The next (older) page, when there may be one.
        var next: String?
    }

    /// The source at the commit the daemon last fetched, as its next cycle plans it (reverts
    /// since the reconciled commit included); nil before the first fetch.
    func sourceAtTip() async throws -> SourceSnapshot? {
        guard let commit = await state.snapshot().commit else { return nil }
        return try await engine.snapshot(at: commit)
    }

    func status() async throws -> StatusJSON {
        let source = try await sourceAtTip()
        return StatusJSON(daemon: await state.snapshot(), database: try await engine.status(source: source, localFolder: false))
    }

    func plan() async throws -> PlanJSON {
        guard let source = try await sourceAtTip() else { throw APIError(.serviceUnavailable, "no commit fetched yet") }
        let report = try await engine.plan(source)
        return PlanJSON(commit: source.commit, steps: PlanStepJSON.steps(of: report.plan), held: report.plan.held.map(\.canonical), notes: report.notes)
    }

    func schema(_ version: String?) async throws -> SchemaAtVersion {
        guard let schema = try await engine.schema(at: version) else {
            throw APIError(.notFound, version.map { "no schema recorded at or below version \($0)" } ?? "no schema recorded yet")
        }
        return schema
    }

    // MARK: Plumbing

    struct APIError: Error {
        var status: HTTPResponse.Status
        var message: String
        init(_ status: HTTPResponse.Status, _ message: String) {
            self.status = status
            self.message = message
        }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? encoder.encode(value)) ?? Data("{\"error\":\"could not encode the response\"}".utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Runs a handler; errors become JSON with a status and never a stack or a secret.
    func respond(_ body: () async throws -> some Encodable) async throws -> Response {
        do { return Self.json(try await body()) } catch let error as APIError {
            return Self.json(["error": error.message], status: error.status)
        } catch let error as SluiceError {
            let status: HTTPResponse.Status = switch error.status {
            case .unreachable: .serviceUnavailable
            // A safety rule refuses the plan (exit 3): the state conflicts with the source.
            case .refused: .conflict
            default: .internalServerError
            }
            return Self.json(["error": Redactor.redact(error.message)], status: status)
        } catch {
            return Self.json(["error": Redactor.redact(String(describing: error))], status: .internalServerError)
        }
    }

    static func int(_ request: Request, _ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = request.uri.queryParameters.get(name) else { return value }
        guard let number = Int(text), range.contains(number) else { throw APIError(.badRequest, "\(name) must be a number in \(range.lowerBound)…\(range.upperBound)") }
        return number
    }

    static func optionalInt(_ request: Request, _ name: String) throws -> Int? {
        guard let text = request.uri.queryParameters.get(name) else { return nil }
        guard let number = Int(text) else { throw APIError(.badRequest, "\(name) must be a number") }
        return number
    }
}
