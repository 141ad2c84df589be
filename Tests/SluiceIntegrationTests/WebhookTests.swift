import Foundation
import Hummingbird
import Testing

/// Webhooks end to end, against the contract of docs/api.md: every configured event kind
/// arrives, at least once, and nothing else; every attempt at one event carries that event's
/// idempotency key, so a receiver that drops repeated keys sees each event exactly once; an
/// attempt answered 500, and one that timed out although it arrived, are retried under the same
/// key; no payload carries a secret. How many attempts a loaded machine adds is not asserted.
@Suite struct WebhookTests {
    /// One request as received: where, its `Idempotency-Key` header, its body.
    struct Attempt: Sendable {
        let path: String
        let key: String
        let raw: String

        var fields: [String: Any] { (WebhookTests.object(raw)["sluice"] as? [String: Any]) ?? [:] }
    }

    actor Receiver {
        private(set) var attempts: [Attempt] = []

        /// Records an attempt; returns how many attempts at its path carried its key so far.
        func record(_ attempt: Attempt) -> Int {
            attempts.append(attempt)
            return count(attempt.path, attempt.key)
        }

        func count(_ path: String, _ key: String) -> Int { attempts.count { $0.path == path && $0.key == key } }

        /// Each key's attempts at `path`, keys in the order they first arrived.
        func byKey(_ path: String) -> [(key: String, attempts: [Attempt])] {
            var keys: [String] = []
            for attempt in attempts where attempt.path == path && !keys.contains(attempt.key) { keys.append(attempt.key) }
            return keys.map { key in (key, attempts.filter { $0.path == path && $0.key == key }) }
        }

        /// Waits (bounded) until `path` has seen `count` attempts with `key`.
        func waitFor(_ count: Int, _ path: String, _ key: String) async throws {
            for _ in 0..<1200 {
                if self.count(path, key) >= count { return }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    static func key(_ request: Request) -> String {
        request.headers.first { $0.name.canonicalName == "idempotency-key" }?.value ?? ""
    }

    static func object(_ raw: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: Any]) ?? [:]
    }

    @Test func configuredEventsArriveRetriedAndScrubbed() async throws {
        try await withTestDatabase { db in
            let receiver = Receiver()
            let port = DaemonProcess.freePort()
            let router = Router()
            // The first attempt at each event is refused: the notifier has to retry it.
            router.post("/hook") { request, _ -> Response in
                let raw = String(buffer: try await request.body.collect(upTo: 1 << 20))
                let seen = await receiver.record(Attempt(path: "/hook", key: Self.key(request), raw: raw))
                return Response(status: seen == 1 ? .internalServerError : .ok)
            }
            // The first attempt arrives but is answered only once its retry has come: the
            // notifier's timeout expired, as it does for a receiver slowed by load.
            router.post("/slow") { request, _ -> Response in
                let raw = String(buffer: try await request.body.collect(upTo: 1 << 20))
                let key = Self.key(request)
                if await receiver.record(Attempt(path: "/slow", key: key, raw: raw)) == 1 { try await receiver.waitFor(2, "/slow", key) }
                return Response(status: .ok)
            }
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
            let server = Task { try await app.runService(gracefulShutdownSignals: []) }
            defer { server.cancel() }

            // The password in the URL itself (discouraged, but people do it) and in a SQL error.
            let password = try TestServer.password()
            var url = URLComponents(string: db.url)!
            url.password = password
            let git = try await GitFixture()
            try await git.commit(GitFixture.table(1, "users"), message: "Add users")
            // /hook's timeout is long, so that the notifier does not give up on it however loaded
            // the machine; the repeats a loaded machine may still cause are dropped by key below.
            let config = try TempFolder(["sluice.yaml": """
                notify:
                  webhooks:
                    - url: http://127.0.0.1:\(port)/hook
                      events: [applied, failed]
                      timeout: 60s
                    - url: http://127.0.0.1:\(port)/slow
                      events: [applied]
                      timeout: 1s
                """])
            let daemon = try DaemonProcess(git, db, env: ["SLUICE_CONFIG": config.path + "/sluice.yaml", "SLUICE_DATABASE_URL": url.string!])
            try await daemon.ready(db: db)
            #expect(try await daemon.cycle(db).status == 0)
            try await git.commit(["0002_bad.up.sql": "SELECT '\(password)'::int;\n", "0002_bad.down.sql": "SELECT 1;\n"], message: "A migration that fails")
            let failed = try await daemon.cycle(db)
            #expect(failed.status == 1, "\(failed)")
            #expect(!failed.output.contains(password))

            // Until both events went through /hook (a key answered 200 is one with a second
            // attempt); the daemon posts events one after the other, so /slow is done by then.
            for _ in 0..<1200 {
                if await receiver.byKey("/hook").count { $0.attempts.count >= 2 } >= 2 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let samples = Prometheus.samples(try await daemon.http("/metrics").1)
            _ = try await daemon.stop()

            let hook = await receiver.byKey("/hook")
            let events = hook.map { $0.attempts[0].fields }.sorted { ($0["id"] as? Int ?? 0) < ($1["id"] as? Int ?? 0) }
            #expect(events.map { $0["event"] as? String } == ["applied", "failed"], "each configured kind, one event each (plan events were not asked for): \(hook.map(\.key))")
            #expect(Set(events.compactMap { $0["id"] as? Int }).count == hook.count, "one key per event, one event per key")
            for (key, attempts) in hook {
                #expect(key.hasPrefix("sluice-"), "every attempt names its event's key: \(key)")
                #expect(attempts.count >= 2, "the refused first attempt at \(key) was retried")
                #expect(Set(attempts.map(\.raw)).count == 1, "every attempt at \(key) is the same delivery")
                #expect(attempts.allSatisfy { $0.fields["idempotency_key"] as? String == key }, "the payload names the header's key")
            }

            let slow = await receiver.byKey("/slow")
            let applied = hook.first { $0.attempts[0].fields["event"] as? String == "applied" }
            #expect(slow.map(\.key) == applied.map { [$0.key] }, "the same event has the same key at every webhook")
            #expect((slow.first?.attempts.count ?? 0) >= 2, "the attempt that timed out was retried although it had arrived")
            #expect(Set(slow.first?.attempts.map(\.raw) ?? []).count == 1)

            let text = applied.map { Self.object($0.attempts[0].raw)["text"] as? String ?? "" }
            #expect(text?.contains("sluice applied (1)") == true, "\(String(describing: text))")
            #expect((events.first?["versions"] as? [String]) == ["1"])
            #expect((events.last?["error"] as? [String: Any])?["sqlstate"] as? String == "22P02", "\(String(describing: events.last))")
            for attempt in await receiver.attempts {
                #expect(!attempt.raw.contains(password) && !attempt.key.contains(password), "no payload carries the password: \(attempt.raw)")
            }
            // A delivery counts once, however many attempts it took: sent or failed, once per webhook.
            let sent = Prometheus.value(samples, "sluice_webhooks_sent_total", ["event": "applied"]) ?? 0
            let gaveUp = Prometheus.value(samples, "sluice_webhook_failures_total", ["event": "applied"]) ?? 0
            #expect(sent + gaveUp == 2, "sent \(sent), gave up \(gaveUp)")
        }
    }
}
