import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import SluiceCore
import SluiceEngine
import SluicePostgres

/// Posts Slack-compatible JSON for the events journal (`notify.webhooks`, SPEC §9). It
/// follows `sluice.events` with a cursor, so what the daemon did and what people did with
/// the CLI (a `rollback` by on-call) are both announced — the CLI's at the daemon's next
/// poll. Delivery runs off the cycle's path, with a timeout and bounded retries; a failing
/// webhook is logged and counted, never fails a cycle. Payloads are scrubbed of secrets.
///
/// Delivery is at least once: an attempt that times out may have arrived all the same (a slow
/// receiver), and its retry arrives again. Every attempt for an event carries the same
/// idempotency key (`Idempotency-Key` header, `sluice.idempotency_key`), by which a receiver
/// drops the repeats.
actor WebhookNotifier {
    let hooks: [SluiceConfig.Webhook]
    let engine: Engine
    let metrics: DaemonMetrics
    let logger: Logger
    let retryDelays: [Duration]
    private let client: HTTPClient
    private var cursor: Int?
    /// Kept between looks, like the watcher's liveness connection.
    private var store: StateStore?
    private var tablesExist = false
    private var draining = false
    private var again = false

    init(hooks: [SluiceConfig.Webhook], engine: Engine, metrics: DaemonMetrics, logger: Logger,
         retryDelays: [Duration] = [.milliseconds(500), .seconds(2), .seconds(5)]) {
        self.hooks = hooks
        self.engine = engine
        self.metrics = metrics
        self.logger = logger
        self.retryDelays = retryDelays
        client = HTTPClient(eventLoopGroupProvider: .singleton)
    }

    /// Sets the cursor to the newest event, before the daemon's first cycle: history from
    /// before the start is not replayed, and nothing the daemon does is missed.
    func prime() async {
        if store == nil { store = try? await engine.openStore() }
        guard let store else { return }
        if (try? await store.isReadable()) == true {
            cursor = (try? await store.newestEventID()) ?? 0
        } else {
            cursor = 0
        }
    }

    /// Asks for a look at the journal; returns at once (the cycle never waits for webhooks).
    nonisolated func poke() {
        Task { await drain() }
    }

    func shutdown() async {
        try? await client.shutdown()
    }

    private func drain() async {
        if draining { again = true; return }
        draining = true
        defer { draining = false }
        repeat {
            again = false
            await deliverNew()
        } while again
    }

    private func deliverNew() async {
        if store == nil || store?.connection.isOpen != true { store = try? await engine.openStore(); tablesExist = false }
        guard let store else { return }
        // Whether Sluice's tables exist is asked until they do, not on every poll.
        if !tablesExist { tablesExist = (try? await store.isReadable()) == true }
        guard tablesExist else {
            if cursor == nil { cursor = 0 }
            return
        }
        guard let from = cursor else {
            // Not primed (the database was unreachable at start): from now on.
            cursor = (try? await store.newestEventID()) ?? 0
            return
        }
        guard let events = try? await store.events(after: from, limit: 200) else { tablesExist = false; return }
        let secrets = (try? engine.settings.secrets) ?? []
        for event in events {
            cursor = event.id
            let kinds = Self.kinds(of: event)
            for hook in hooks where !Set(hook.events).isDisjoint(with: kinds) {
                await deliver(event, kind: kinds.first { hook.events.contains($0) } ?? kinds[0], to: hook, secrets: secrets)
            }
        }
        if events.count == 200 { again = true }
    }

    /// The webhook kinds a journal event counts as; the first is its main kind.
    static func kinds(of event: EventRecord) -> [String] {
        switch (event.kind, event.outcome) {
        case ("plan", "refused"): ["refused", "plan"]
        case ("plan", _): ["plan"]
        case ("apply", _): ["applied"]
        case ("failure", _): ["failed"]
        case ("rehearsal", "failed"): ["failed", "rehearsal"]
        case ("rollback", "refused"): ["refused", "rollback"]
        case ("lint", "refused"): ["refused", "lint"]
        case ("drift", "refused"): ["drift", "refused"]
        default: [event.kind]
        }
    }

    private func deliver(_ event: EventRecord, kind: String, to hook: SluiceConfig.Webhook, secrets: [String]) async {
        let database = (try? engine.settings.redactedURL) ?? ""
        let key = Self.idempotencyKey(eventID: event.id, database: database, schema: engine.config.database.schema)
        let body = Self.payload(event, kind: kind, key: key, database: database, secrets: secrets)
        for attempt in 0...retryDelays.count {
            do {
                var request = HTTPClientRequest(url: hook.url)
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.headers.add(name: "User-Agent", value: "sluice")
                request.headers.add(name: "Idempotency-Key", value: key)
                request.body = .bytes(ByteBuffer(bytes: body))
                let response = try await client.execute(request, timeout: .milliseconds(DurationParser.milliseconds(hook.timeout)))
                _ = try? await response.body.collect(upTo: 64 * 1024)
                if (200..<300).contains(response.status.code) {
                    metrics.webhookSent(kind: kind)
                    return
                }
                logger.warning("webhook answered \(response.status.code)", metadata: ["webhook.event": "\(kind)", "webhook.key": "\(key)", "webhook.attempt": "\(attempt + 1)"])
            } catch {
                // The URL is a secret (Slack's carries a token): never logged.
                logger.warning("webhook delivery failed", metadata: ["webhook.event": "\(kind)", "webhook.key": "\(key)", "webhook.attempt": "\(attempt + 1)", "error": "\(Self.describe(error))"])
            }
            if attempt < retryDelays.count { try? await Task.sleep(for: retryDelays[attempt]) }
        }
        metrics.webhookFailed(kind: kind)
        logger.error("webhook gave up after \(retryDelays.count + 1) attempts", metadata: ["webhook.event": "\(kind)", "webhook.key": "\(key)", "event.id": "\(event.id)"])
    }

    /// The same for every attempt at an event, after a restart and from every daemon with the
    /// same `database.url` (its password aside) and `database.schema`; events of another
    /// database, whose ids overlap, get other keys.
    static func idempotencyKey(eventID: Int, database: String, schema: String) -> String {
        "sluice-\(Checksum.sha256(database + "\n" + schema).prefix(16))-\(eventID)"
    }

    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        return text.count > 200 ? String(text.prefix(200)) : text
    }

    /// Slack-compatible: `text` for people, `sluice` for tools. Nothing secret: messages are
    /// scrubbed again of every password Sluice knows, and URLs are redacted.
    static func payload(_ event: EventRecord, kind: String, key: String, database: String, secrets: [String]) -> [UInt8] {
        let scrub = { (text: String) in Redactor.scrub(text, secrets: secrets) }
        let icon = switch kind {
        case "applied": ":white_check_mark:"
        case "failed": ":x:"
        case "refused": ":no_entry:"
        case "rollback": ":rewind:"
        case "drift": ":warning:"
        default: ":information_source:"
        }
        let versions = event.versions.isEmpty ? "" : " (\(event.versions.prefix(20).joined(separator: ", "))\(event.versions.count > 20 ? ", …" : ""))"
        let commit = event.commit.map { " at \($0.prefix(12))" } ?? ""
        let text = "\(icon) sluice \(kind)\(versions)\(commit) on \(scrub(database)) by \(scrub(event.actor)): \(scrub(event.message))"
        var fields: [String: Any] = [
            "event": kind, "kind": event.kind, "outcome": event.outcome, "versions": event.versions, "actor": scrub(event.actor),
            "message": scrub(event.message), "id": event.id, "at": event.at, "database": scrub(database), "idempotency_key": key,
        ]
        if let commit = event.commit { fields["commit"] = commit }
        if let error = event.error, let data = scrub(error).data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) {
            fields["error"] = object
        }
        let object: [String: Any] = ["text": text, "sluice": fields]
        return Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }
}

/// Runs the notifier for the daemon's life and closes its HTTP client on shutdown.
struct WebhookService: Service {
    let notifier: WebhookNotifier

    func run() async throws {
        try? await gracefulShutdown()
        await notifier.shutdown()
    }
}
