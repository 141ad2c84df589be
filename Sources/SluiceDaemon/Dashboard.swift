import Foundation
import Hummingbird
import Mustache
import SluiceCore
import SluiceEngine
import SluicePostgres
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// The dashboard at `/` (SPEC §9): deployments newest first, a deployment's page, the schema
/// at any applied version drawn with Graphviz. Server-rendered from Mustache templates, read
/// only, and built on the same engine calls as the API, `sluice status` and `sluice history`.
struct Dashboard: Sendable {
    let api: DaemonAPI
    let library: MustacheLibrary
    let diagrams = DiagramCache()

    init(api: DaemonAPI) throws {
        var library = MustacheLibrary()
        for (name, text) in [("layout", DashboardTemplates.layout), ("deployments", DashboardTemplates.deployments),
                             ("deployment", DashboardTemplates.deployment), ("schema", DashboardTemplates.schema), ("message", DashboardTemplates.message)] {
            try library.register(text, named: name)
        }
        self.library = library
        self.api = api
    }

    var engine: Engine { api.engine }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/") { request, _ in await page("Deployments") { try await deployments(before: request.uri.queryParameters.get("before").flatMap { Int($0) }) } }
        router.get("/deployments/:id") { _, context in
            await page("Deployment") { try await deployment(context.parameters.get("id").flatMap { Int($0) } ?? -1) }
        }
        router.get("/schema") { _, _ in await page("Schema") { try await schema(nil) } }
        router.get("/schema/:version") { _, context in await page("Schema") { try await schema(context.parameters.get("version")) } }
    }

    /// Renders a page inside the layout; a missing thing is a 404 page, an error a 503/500 page.
    func page(_ title: String, _ body: () async throws -> (template: String, context: [String: Any])) async -> Response {
        var status: HTTPResponse.Status = .ok
        var content: String
        do {
            let (template, context) = try await body()
            content = library.render(Self.strip(context), withTemplate: template) ?? ""
        } catch let error as DaemonAPI.APIError {
            status = error.status
            content = library.render(["title": "Not found", "text": error.message], withTemplate: "message") ?? ""
        } catch {
            status = .serviceUnavailable
            content = library.render(["title": "Unavailable", "text": Redactor.redact(String(describing: error))], withTemplate: "message") ?? ""
        }
        let html = library.render(["title": title, "content": content, "database": (try? engine.settings.redactedURL) ?? ""], withTemplate: "layout") ?? ""
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    // MARK: Pages

    func deployments(before: Int?) async throws -> (String, [String: Any]) {
        let status = try await api.status()
        let events = try await engine.history(limit: 50, before: before)
        let commits = Dictionary(status.database.applied.compactMap { r in r.commit.map { ($0, r) } }, uniquingKeysWith: { a, _ in a })
        let daemon = status.daemon
        let db = status.database
        let rows: [[String: Any]] = events.map { event in
            var row: [String: Any] = [
                "id": event.id, "at": event.at.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: ""),
                "kind": event.kind, "outcome": event.outcome, "versions": event.versions.joined(separator: ", "), "actor": event.actor,
                "duration": event.durationMs.map(Self.duration) ?? "",
            ]
            if let sha = event.commit {
                let revision = commits[sha]
                row["commit"] = ["short": String(sha.prefix(12)), "author": revision?.commitAuthor ?? "", "subject": revision?.commitSubject ?? ""]
            }
            return row
        }
        let context: [String: Any] = [
            "status": [
                "applied": db.applied.filter { $0.state == "applied" }.count, "pending": db.pending.count, "held": db.held.count,
                "dirty": db.dirty.count, "drift": db.schemaDrift.count, "state": daemon.state, "commit": daemon.commit.map { String($0.prefix(12)) } ?? "—",
                "lastResult": daemon.lastCycle?.result.rawValue ?? "—", "nextPoll": daemon.nextPoll.map { ISO8601DateFormatter().string(from: $0) } ?? "—",
                "lockHolder": db.lockHolder ?? "nobody",
                "hasHeld": !db.held.isEmpty, "heldList": db.held.map { ["version": $0.version, "reason": $0.reason as Any] },
                "hasDrift": !db.schemaDrift.isEmpty, "driftList": db.schemaDrift,
                "hasDirty": !db.dirty.isEmpty, "dirtyList": db.dirty,
            ] as [String: Any],
            "events": rows,
            "older": (events.count == 50 ? events.last.map { $0.id } : nil) as Any,
        ]
        return ("deployments", context)
    }

    func deployment(_ id: Int) async throws -> (String, [String: Any]) {
        guard let event = try await engine.event(id: id) else { throw DaemonAPI.APIError(.notFound, "no deployment \(id)") }
        var context: [String: Any] = [
            "event": ["kind": event.kind, "outcome": event.outcome, "at": event.at, "actor": event.actor, "commit": event.commit as Any,
                      "message": event.message, "duration": event.durationMs.map(Self.duration) as Any] as [String: Any],
        ]
        if let error = event.error, let object = try? JSONSerialization.jsonObject(with: Data(error.utf8)) as? [String: Any] {
            context["error"] = object
        }
        let decoder = JSONDecoder()
        var report: RehearsalReport?
        if let details = event.details {
            if let steps = try? decoder.decode([StepResult].self, from: Data(details.utf8)) {
                context["hasSteps"] = !steps.isEmpty
                context["steps"] = steps.map { ["verb": $0.verb, "version": $0.version ?? "", "name": $0.name, "duration": Self.duration($0.milliseconds)] }
            } else if let rehearsal = try? decoder.decode(RehearsalReport.self, from: Data(details.utf8)) {
                report = rehearsal
            } else {
                context["details"] = details
            }
        }
        // An apply shows the rehearsal that covered it (the newest passed one for its versions).
        let shown = try await engine.deployment(versions: Array(event.versions.prefix(200)))
        if report == nil, event.kind != "rehearsal" { report = shown.rehearsal }
        let migrations: [[String: Any]] = shown.migrations.map { ["version": $0.version, "file": $0.file, "up": $0.up, "down": $0.down as Any] }
        context["hasMigrations"] = !migrations.isEmpty
        context["migrations"] = migrations
        if let report { context["report"] = Self.reportContext(report) }
        return ("deployment", context)
    }

    static func reportContext(_ report: RehearsalReport) -> [String: Any] {
        [
            "strategy": report.clone.strategy, "size": RehearsalReport.bytes(report.clone.bytes), "cloneTime": duration(report.clone.milliseconds),
            "failure": report.failure.map { ["verb": $0.verb, "version": $0.version ?? "", "name": $0.name, "location": $0.location, "message": $0.message, "sqlState": $0.sqlState as Any] } as Any,
            "rsteps": report.steps.map { step -> [String: Any] in
                [
                    "verb": step.verb, "version": step.version ?? "", "name": step.name, "duration": duration(step.milliseconds),
                    "locks": (step.locks ?? []).filter { !$0.created }.map { lock -> [String: Any] in
                        ["relation": lock.relation, "mode": lock.mode,
                         "blocks": (lock.blocksReads ? "blocks reads and writes" : lock.blocksWrites ? "blocks writes" : nil) as Any]
                    },
                    "changes": step.changes.map(\.description), "destroys": step.destroys.map(\.description),
                ]
            },
        ]
    }

    func schema(_ version: String?) async throws -> (String, [String: Any]) {
        guard let found = try await engine.schema(at: version) else {
            throw DaemonAPI.APIError(.notFound, version.map { "no schema recorded at or below version \($0)" } ?? "no schema recorded yet: it is recorded after each run that changes the database")
        }
        let tables = SchemaDiagram.tables(found.schema, changes: found.changes)
        var context: [String: Any] = [
            "version": found.version, "previous": found.previous as Any, "next": found.next as Any,
            "hasChanges": !found.changes.isEmpty,
            "changes": found.changes.map { ["action": $0.action.rawValue, "text": $0.description] },
            "tables": tables.map { table -> [String: Any] in
                ["name": table.name, "mark": table.mark.rawValue, "changed": table.mark != .unchanged,
                 "columns": table.columns.map { ["name": $0.name, "type": $0.type, "key": $0.key, "mark": $0.mark.rawValue] }]
            },
        ]
        switch await diagrams.svg(version: found.version, dot: { SchemaDiagram.dot(found.schema, changes: found.changes) }) {
        case .success(let svg): context["svg"] = svg
        case .failure(let reason): context["graphvizMissing"] = reason
        }
        return ("schema", context)
    }

    /// Removes nil values (boxed optionals) at every level: for Mustache a present key is
    /// truthy, even when it holds nil.
    static func strip(_ value: Any) -> Any {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let inner = mirror.children.first?.value else { return NSNull() }
            return strip(inner)
        }
        if let dict = value as? [String: Any] {
            var out: [String: Any] = [:]
            for (key, item) in dict {
                let stripped = strip(item)
                if !(stripped is NSNull) { out[key] = stripped }
            }
            return out
        }
        if let array = value as? [Any] { return array.map(strip).filter { !($0 is NSNull) } }
        return value
    }

    /// Draws the diagrams of the newest versions (up to five, newest first) ahead of the
    /// first visit; an older version is drawn on its first view, then cached.
    func warm() async {
        var version: String?
        for _ in 0..<5 {
            guard let found = try? await engine.schema(at: version) else { return }
            _ = await diagrams.svg(version: found.version) { SchemaDiagram.dot(found.schema, changes: found.changes) }
            guard let previous = found.previous else { return }
            version = previous
        }
    }

    static func duration(_ ms: Int) -> String { RehearsalReport.seconds(ms) }
}

/// SVG diagrams by version: a version's schema never changes, so each is drawn once (and
/// the newest is drawn ahead, after each cycle that applied: `Dashboard.warm`). Concurrent
/// first requests for one version share one `dot` run. The cache holds at most
/// ``maxBytes`` of SVG (a 500-table schema draws ~500 KB), oldest drawn out first; the one
/// just drawn is always kept.
actor DiagramCache {
    struct Unavailable: Error, CustomStringConvertible { var description: String }
    static let maxBytes = 4 << 20
    private var cache: [String: String] = [:]
    private var order: [String] = []
    private var bytes = 0
    private var drawing: [String: Task<Result<String, Unavailable>, Never>] = [:]

    func svg(version: String, dot: () -> String) async -> Result<String, Unavailable> {
        if let hit = cache[version] { return .success(hit) }
        if let running = drawing[version] { return await running.value }
        let text = dot()
        let task = Task { await Self.draw(text) }
        drawing[version] = task
        let result = await task.value
        drawing[version] = nil
        if case .success(let svg) = result {
            cache[version] = svg
            order.append(version)
            bytes += svg.utf8.count
            while bytes > Self.maxBytes, order.count > 1, let evicted = cache.removeValue(forKey: order.removeFirst()) {
                bytes -= evicted.utf8.count
            }
        }
        return result
    }

    private static func draw(_ text: String) async -> Result<String, Unavailable> {
        let notInstalled = Unavailable(description: "Graphviz (`dot`) is not installed, so the diagram is not drawn: install the graphviz package. The tables are listed below.")
        // Looked up first: no process (and no pipes) for a program that is not there.
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        guard path.split(separator: ":").contains(where: { FileManager.default.isExecutableFile(atPath: "\($0)/dot") }) else {
            return .failure(notInstalled)
        }
        do {
            let result = try await Subprocess.run(.name("dot"), arguments: ["-Tsvg"], input: .string(text), output: .string(limit: 64 << 20), error: .string(limit: 1 << 16))
            let svg = result.standardOutput
            guard case .exited(0) = result.terminationStatus else {
                return .failure(Unavailable(description: "Graphviz could not draw this schema: \(result.standardError.prefix(300))"))
            }
            // Drop the XML prolog and doctype: the SVG is inlined in the page.
            return .success(svg.range(of: "<svg").map { String(svg[$0.lowerBound...]) } ?? svg)
        } catch {
            return .failure(notInstalled)
        }
    }
}
