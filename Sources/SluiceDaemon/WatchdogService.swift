import ServiceLifecycle

/// Pings systemd's watchdog at half of `WatchdogSec`.
struct WatchdogService: Service {
    let notifier: SystemdNotifier

    func run() async throws {
        guard let interval = notifier.watchdogInterval else { return try await gracefulShutdown() }
        while !Task.isShuttingDownGracefully {
            notifier.watchdog()
            try? await Task.sleep(for: interval)
        }
    }
}
