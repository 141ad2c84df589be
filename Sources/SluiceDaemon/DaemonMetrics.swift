import CoreMetrics
import Foundation
import Prometheus
import SluiceCore
import SluiceEngine

/// The Prometheus series of SPEC §9, with help text and units, in a registry of the daemon's
/// own; `/metrics` renders it. swift-metrics is bootstrapped onto the same registry, so
/// metrics that libraries emit through swift-metrics land there too. Updated when cycles end
/// and from engine events — never computed on a scrape, which stays cheap.
final class DaemonMetrics: Sendable {
    let registry: PrometheusCollectorRegistry

    init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        cycleDuration = registry.makeDurationHistogram(
            descriptor: Self.name("cycle_duration", "seconds", "Duration of reconcile cycles that did work (not idle polls)."),
            buckets: [.milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(15), .seconds(60), .seconds(300), .seconds(1800)])
        migrationDuration = registry.makeDurationHistogram(
            descriptor: Self.name("migration_duration", "seconds", "Duration of each migration step run on production."),
            buckets: [.milliseconds(10), .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(30), .seconds(120), .seconds(600)])
        lastSuccess = registry.makeGauge(descriptor: Self.name("last_success", "timestamp_seconds", "Unix time of the last cycle that ended without a failure."))
        lockWaits = registry.makeCounter(descriptor: Self.name("lock_waits", "total", "Times a run found the migration lock held by another runner."))
        drift = registry.makeGauge(descriptor: Self.name("schema_drift", "changes", "Changes made to the managed schema outside Sluice, as last checked."))
        cloneDuration = registry.makeGauge(descriptor: Self.name("rehearsal_clone_duration", "seconds", "How long the last rehearsal clone took."))
        cloneSize = registry.makeGauge(descriptor: Self.name("rehearsal_clone_size", "bytes", "Size of the last rehearsal clone."))
        var cycles: [CycleOutcome.Result: Prometheus.Counter] = [:]
        for result in CycleOutcome.Result.allCases {
            cycles[result] = registry.makeCounter(descriptor: Self.name("cycles", "total", "Reconcile cycles by outcome."), labels: [("outcome", result.rawValue)])
        }
        self.cycles = cycles
        var revisions: [String: Prometheus.Gauge] = [:]
        for state in ["applied", "pending", "held", "dirty"] {
            revisions[state] = registry.makeGauge(descriptor: Self.name("migrations", "count", "Migrations by state, as of the last cycle."), labels: [("state", state)])
        }
        self.revisions = revisions
    }

    /// The process's metrics: swift-metrics is bootstrapped onto this registry once.
    static let shared: DaemonMetrics = {
        let metrics = DaemonMetrics()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics.registry))
        return metrics
    }()

    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "sluice", metricName: metric, unitName: unit, helpText: help)
    }

    private let cycleDuration: DurationHistogram
    private let migrationDuration: DurationHistogram
    private let lastSuccess: Prometheus.Gauge
    private let lockWaits: Prometheus.Counter
    private let drift: Prometheus.Gauge
    private let cloneDuration: Prometheus.Gauge
    private let cloneSize: Prometheus.Gauge
    private let cycles: [CycleOutcome.Result: Prometheus.Counter]
    private let revisions: [String: Prometheus.Gauge]

    func cycleEnded(_ outcome: CycleOutcome) {
        cycles[outcome.result]?.increment()
        if outcome.result != .noop && outcome.result != .waiting {
            cycleDuration.record(.milliseconds(outcome.durationMs))
        }
        if [.noop, .applied, .stopped, .locked].contains(outcome.result) {
            lastSuccess.set(Date().timeIntervalSince1970)
        }
        if outcome.result == .locked { lockWaits.increment() }
    }

    func event(_ event: EngineEvent) {
        switch event {
        case .stepFinished(_, _, _, let ms): migrationDuration.record(.milliseconds(ms))
        case .waitingForLock: lockWaits.increment()
        case .cloned(let clone):
            cloneDuration.set(Double(clone.milliseconds) / 1000)
            cloneSize.set(Double(clone.bytes))
        case .schemaDrift(let changes): drift.set(Double(changes))
        default: break
        }
    }

    func counts(applied: Int, pending: Int, held: Int, dirty: Int) {
        revisions["applied"]?.set(Double(applied))
        revisions["pending"]?.set(Double(pending))
        revisions["held"]?.set(Double(held))
        revisions["dirty"]?.set(Double(dirty))
    }

    func webhookFailed(kind: String) {
        registry.makeCounter(descriptor: Self.name("webhook_failures", "total", "Webhook deliveries that failed after their retries."), labels: [("event", kind)]).increment()
    }

    func webhookSent(kind: String) {
        registry.makeCounter(descriptor: Self.name("webhooks_sent", "total", "Webhook deliveries that succeeded."), labels: [("event", kind)]).increment()
    }

    /// The exposition format (text/plain; version=0.0.4).
    func exposition() -> String { registry.emitToString() }
}
