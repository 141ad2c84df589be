import Foundation
import Hummingbird
import Testing

/// Webhooks end to end: a receiver on loopback gets exactly the configured event kinds, a first
/// failing attempt is retried, and no payload carries a secret.
@Suite struct WebhookTests {
    actor Receiver {
        var attempts: [String] = []
        var delivered: [String] = []

        /// The first attempt fails with 500, so the notifier has to retry.
        func receive(_ raw: String) -> Bool {
            attempts.append(raw)
            if attempts.count == 1 { return false }
            delivered.append(raw)
            return true
        }

        func kinds() -> [String] { delivered.compactMap { (WebhookTests.object($0)["sluice"] as? [String: Any])?["event"] as? String } }
    }

    static func object(_ raw: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: Any]) ?? [:]
    }

    @Test func configuredEventsArriveRetriedAndScrubbed() async throws {
        try await withTestDatabase { db in
            let receiver = Receiver()
            let port = DaemonProcess.freePort()
            let router = Router()
            router.post("/hook") { request, _ -> Response in
                let buffer = try await request.body.collect(upTo: 1 << 20)
                return Response(status: await receiver.receive(String(buffer: buffer)) ? .ok : .internalServerError)
            }
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
            let server = Task { try await app.runService(gracefulShutdownSignals: []) }
            defer { server.cancel() }

            // The password in the URL itself (discouraged, but people do it) and in a SQL error.
            let password = try TestServer.password()
            var url = URLComponents(string: db.url)!
            url.password = password
            let git = try GitFixture()
            try git.commit(GitFixture.table(1, "users"), message: "Add users")
            let config = try TempFolder(["sluice.yaml": """
                notify:
                  webhooks:
                    - url: http://127.0.0.1:\(port)/hook
                      events: [applied, failed]
                """])
            let daemon = try DaemonProcess(git, db, env: ["SLUICE_CONFIG": config.path + "/sluice.yaml", "SLUICE_DATABASE_URL": url.string!])
            try await daemon.ready(db: db)
            #expect(try await daemon.cycle(db).status == 0)
            try git.commit(["0002_bad.up.sql": "SELECT '\(password)'::int;\n", "0002_bad.down.sql": "SELECT 1;\n"], message: "A migration that fails")
            let failed = try await daemon.cycle(db)
            #expect(failed.status == 1, "\(failed)")
            #expect(!failed.output.contains(password))

            var kinds: [String] = []
            for _ in 0..<100 {
                kinds = await receiver.kinds()
                if kinds.count >= 2 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(kinds == ["applied", "failed"], "exactly the configured kinds, in order (plan events were not asked for)")
            #expect(await receiver.attempts.count == 3, "the first attempt failed and was retried")
            let first = await receiver.delivered.first.map(Self.object)
            #expect((first?["text"] as? String)?.contains("sluice applied (1)") == true, "\(String(describing: first))")
            #expect(((first?["sluice"] as? [String: Any])?["versions"] as? [String]) == ["1"])
            let failure = await receiver.delivered.last.map(Self.object)?["sluice"] as? [String: Any]
            #expect((failure?["error"] as? [String: Any])?["sqlstate"] as? String == "22P02", "\(String(describing: failure))")
            for raw in await receiver.attempts {
                #expect(!raw.contains(password), "no payload carries the password: \(raw)")
            }
            let metrics = try daemon.http("/metrics").1
            #expect(Prometheus.value(Prometheus.samples(metrics), "sluice_webhooks_sent_total", ["event": "applied"]) == 1)
            _ = try await daemon.stop()
        }
    }
}
