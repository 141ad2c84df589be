@testable import SluiceDaemon
import Testing

/// The webhook idempotency key (docs/api.md#webhooks): one per event, whoever sends it.
@Suite("Webhook idempotency key")
struct WebhookKeyTests {
    let database = "postgresql://migrator:***@db:5432/app"

    @Test("the same event has the same key; another event, database or schema another")
    func oneKeyPerEvent() {
        let key = WebhookNotifier.idempotencyKey(eventID: 6, database: database, schema: "sluice")
        #expect(key == WebhookNotifier.idempotencyKey(eventID: 6, database: database, schema: "sluice"))
        #expect(key.hasPrefix("sluice-") && key.hasSuffix("-6"), "\(key)")
        let others = [
            WebhookNotifier.idempotencyKey(eventID: 7, database: database, schema: "sluice"),
            WebhookNotifier.idempotencyKey(eventID: 6, database: "postgresql://migrator:***@db:5432/billing", schema: "sluice"),
            WebhookNotifier.idempotencyKey(eventID: 6, database: database, schema: "sluice_meta"),
        ]
        #expect(Set(others + [key]).count == 4, "\(others)")
    }
}
