import Foundation
import Testing

/// The daemon's read-only JSON API (SPEC §9, docs/api.md): every endpoint, its status codes,
/// its JSON shape and paging, against a daemon that applied real commits.
@Suite struct APITests {
    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
    }

    static func array(_ text: String) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]], "\(text)")
    }

    @Test func everyEndpoint() async throws {
        try await withTestDatabase { db in
            let git = try await GitFixture()
            try await git.commit(["0001_users.up.sql": "CREATE TABLE users (id int PRIMARY KEY, email text);\n", "0001_users.down.sql": "DROP TABLE users;\n"], message: "Add users")
            let second = try await git.commit(["0002_orders.up.sql": "CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users (id));\n",
                                         "0002_orders.down.sql": "DROP TABLE orders;\n"], message: "Add orders")
            let daemon = try DaemonProcess(git, db, env: ["SLUICE_REHEARSAL_ENABLED": "true", "SLUICE_REHEARSAL_STRATEGY": "dump", "SLUICE_POLICY_LINT": "refuse"])
            try await daemon.ready(db: db)
            #expect(try await daemon.cycle(db).status == 0)

            // status
            let (statusCode, statusBody) = try await daemon.http("/api/status")
            #expect(statusCode == 200, "\(statusBody)")
            let status = try Self.object(statusBody)
            #expect((status["daemon"] as? [String: Any])?["commit"] as? String == second)
            let database = try #require(status["database"] as? [String: Any])
            #expect((database["applied"] as? [[String: Any]])?.map { $0["version"] as? String } == ["1", "2"])
            #expect((database["pending"] as? [Any])?.isEmpty == true)

            // revisions and one revision with its SQL and rehearsal report
            let revisions = try await Self.array(try daemon.http("/api/revisions").1)
            #expect(revisions.map { $0["version"] as? String } == ["1", "2"])
            let (revisionCode, revisionBody) = try await daemon.http("/api/revisions/2")
            #expect(revisionCode == 200, "\(revisionBody)")
            let revision = try Self.object(revisionBody)
            #expect((revision["upSQL"] as? String)?.contains("CREATE TABLE orders") == true)
            #expect(revision["downSQL"] as? String == "DROP TABLE orders;\n")
            #expect(revision["hasSchema"] as? Bool == true)
            let step = try #require(revision["rehearsedStep"] as? [String: Any], "\(revisionBody)")
            #expect(step["verb"] as? String == "apply" && (step["changes"] as? [[String: Any]])?.contains { $0["name"] as? String == "public.orders" } == true)
            #expect((revision["rehearsal"] as? [String: Any])?["passed"] as? Bool == true)
            #expect(try await daemon.http("/api/revisions/99").0 == 404)

            // schema at a version, its neighbours and what it changed; the diff of two versions
            let latest = try await Self.object(try daemon.http("/api/schema").1)
            #expect(latest["version"] as? String == "2" && latest["previous"] as? String == "1" && latest["next"] == nil)
            #expect(((latest["schema"] as? [String: Any])?["tables"] as? [String: Any])?["public.orders"] != nil)
            #expect((latest["changes"] as? [[String: Any]])?.map { "\($0["action"] ?? "") \($0["object"] ?? "") \($0["name"] ?? "")" }.contains("added table public.orders") == true)
            let first = try await Self.object(try daemon.http("/api/schema/1").1)
            #expect(first["version"] as? String == "1" && first["next"] as? String == "2")
            #expect(((first["schema"] as? [String: Any])?["tables"] as? [String: Any])?.keys.sorted() == ["public.users"])
            let diff = try await Self.object(try daemon.http("/api/diff?from=1&to=2").1)
            #expect((diff["changes"] as? [[String: Any]])?.count == 1, "\(diff)")
            #expect(try await daemon.http("/api/diff?from=1").0 == 400)

            // events, paged newest first
            let all = try await #require(try Self.object(try daemon.http("/api/events").1)["events"] as? [[String: Any]])
            #expect(Set(all.compactMap { $0["kind"] as? String }) == ["rehearsal", "plan", "apply"], "\(all)")
            let (eventsCode, eventsBody) = try await daemon.http("/api/events?limit=1")
            #expect(eventsCode == 200)
            let page = try Self.object(eventsBody)
            let events = try #require(page["events"] as? [[String: Any]])
            #expect(events.count == 1 && events[0]["kind"] as? String == "apply", "\(events)")
            let ids = events.compactMap { $0["id"] as? Int }
            #expect(ids == ids.sorted(by: >), "newest first")
            let next = try #require(page["next"] as? String, "\(eventsBody)")
            let older = try await #require(try Self.object(try daemon.http(next).1)["events"] as? [[String: Any]])
            #expect(!older.isEmpty && (older.first?["id"] as? Int ?? .max) < (ids.last ?? 0), "the next page is older")
            #expect(try await daemon.http("/api/events?limit=0").0 == 400)
            #expect(try await daemon.http("/api/events/\(ids[0])").0 == 200)
            #expect(try await daemon.http("/api/events/99999999").0 == 404)
            #expect(try await daemon.http("/api/events/abc").0 == 400)

            // plan: a commit the gate refuses stays pending and shows in the plan
            try await git.commit(["0003_index.up.sql": "CREATE INDEX orders_user ON orders (user_id);\n", "0003_index.down.sql": "DROP INDEX orders_user;\n"], message: "Index orders")
            #expect(try await daemon.cycle(db).status == 3)
            let plan = try await Self.object(try daemon.http("/api/plan").1)
            #expect((plan["steps"] as? [[String: Any]])?.map { "\($0["action"] ?? "") \($0["version"] ?? "")" } == ["apply 3"], "\(plan)")

            // /metrics, parsed into samples
            let (metricsCode, exposition) = try await daemon.http("/metrics")
            #expect(metricsCode == 200)
            let samples = Prometheus.samples(exposition)
            #expect(Prometheus.value(samples, "sluice_cycles_total", ["outcome": "applied"]) == 1, "\(exposition)")
            #expect(Prometheus.value(samples, "sluice_cycles_total", ["outcome": "refused"]) == 1)
            #expect(Prometheus.value(samples, "sluice_migrations_count", ["state": "applied"]) == 2)
            #expect(Prometheus.value(samples, "sluice_migrations_count", ["state": "pending"]) == 1)
            #expect((Prometheus.value(samples, "sluice_rehearsal_clone_size_bytes", [:]) ?? 0) > 1_000_000)
            #expect((Prometheus.value(samples, "sluice_last_success_timestamp_seconds", [:]) ?? 0) > 1_700_000_000)
            #expect(Prometheus.value(samples, "sluice_migration_duration_seconds_count", [:]) == 2)
            #expect(Prometheus.value(samples, "sluice_schema_drift_changes", [:]) == 0)
            for name in ["sluice_cycles_total", "sluice_cycle_duration_seconds", "sluice_migrations_count", "sluice_lock_waits_total"] {
                #expect(exposition.contains("# HELP \(name) "), "help text for \(name)")
            }

            // the CLI reads the same data
            let history = try await CLI.run(["history", "--limit", "2", "--format", "json"], database: db)
            let cliIDs = try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]]
            let apiIDs = try await Self.object(try daemon.http("/api/events?limit=2").1)["events"] as? [[String: Any]]
            #expect(cliIDs?.compactMap { $0["id"] as? Int } == apiIDs?.compactMap { $0["id"] as? Int })
            _ = try await daemon.stop()
        }
    }
}

/// Reads the Prometheus text exposition format into samples: `name{labels} value`.
enum Prometheus {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    static func samples(_ text: String) -> [Sample] {
        text.split(separator: "\n").compactMap { line -> Sample? in
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { return nil }
            let series = line[..<space]
            guard let brace = series.firstIndex(of: "{") else { return Sample(name: String(series), labels: [:], value: value) }
            var labels: [String: String] = [:]
            for pair in series[series.index(after: brace)..<(series.lastIndex(of: "}") ?? series.endIndex)].split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                labels[String(parts[0])] = String(parts[1]).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
            return Sample(name: String(series[..<brace]), labels: labels, value: value)
        }
    }

    static func value(_ samples: [Sample], _ name: String, _ labels: [String: String]) -> Double? {
        samples.first { sample in sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value } }?.value
    }
}
