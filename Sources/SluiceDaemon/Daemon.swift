import Foundation
import Logging
import ServiceLifecycle
import SluiceCore
import SluiceEngine
import SluiceGit
import SluicePostgres

/// Builds the daemon: the watcher, the control socket and the systemd watchdog in one
/// ServiceGroup that shuts down gracefully on SIGTERM and SIGINT. The tests call this too.
public func buildDaemon(config: SluiceConfig, identity: Identity, logger: Logger) throws -> (group: ServiceGroup, state: DaemonState) {
    guard let remote = config.repository.url else {
        throw SluiceError(.badInput, "the daemon needs a repository to watch: repository.url is not set", hint: "set repository.url (SLUICE_REPOSITORY_URL) to the Git remote holding the migrations")
    }
    let git = try GitSource(
        remote: remote, branch: config.repository.branch, path: config.repository.path, stateDir: config.repository.stateDir,
        credentials: GitCredentials(tokenFile: config.repository.tokenFile, sshKey: config.repository.sshKey))
    let engine = Engine(config: config, folder: FolderSource(path: config.repository.path), source: git, identity: identity, logger: logger)
    let reconciler = Reconciler(engine: engine, git: git)
    let state = DaemonState(status: DaemonStatus(
        pid: ProcessInfo.processInfo.processIdentifier, startedAt: Date(), repository: Redactor.redact(remote),
        branch: config.repository.branch, path: config.repository.path, state: "starting", cycles: 0))
    let notifier = SystemdNotifier()
    // READY=1 once the control socket listens, so a `daemon trigger` right after start works.
    let watching = "watching \(Redactor.redact(remote)) \(config.repository.branch):\(config.repository.path)"
    let control = try ControlServer.application(socket: config.daemon.controlSocket, state: state, engine: engine, logger: logger) {
        notifier.ready(status: watching)
    }
    var watcher = WatcherService(reconciler: reconciler, state: state, pollInterval: config.repository.pollInterval, notifier: notifier, logger: logger)
    var webhooks: WebhookNotifier?
    if !config.webhooks.isEmpty {
        let hooks = WebhookNotifier(hooks: config.webhooks, engine: engine, metrics: .shared, logger: logger)
        watcher.beforeFirstCycle = { await hooks.prime() }
        webhooks = hooks
    }
    let api = DaemonAPI(engine: engine, state: state)
    let httpOn = !["", "off", "none"].contains(config.daemon.http.lowercased())
    // The dashboard's templates are compiled only when there is an HTTP listener to serve them.
    let dashboard = httpOn ? try Dashboard(api: api) : nil
    let warmed = StopFlag()
    watcher.onCycle = { [webhooks] outcome in
        webhooks?.poke()
        // The newest schema diagram is drawn ahead of the first visit (Graphviz takes a while
        // on a large schema): after the first cycle and after each that applied.
        if let dashboard, outcome.result == .applied || !warmed.isSet {
            warmed.set()
            Task { await dashboard.warm() }
        }
    }
    var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
        .init(service: control),
        .init(service: watcher, successTerminationBehavior: .gracefullyShutdownGroup),
        .init(service: WatchdogService(notifier: notifier)),
    ]
    if let webhooks { services.append(.init(service: WebhookService(notifier: webhooks))) }
    if let http = try HTTPServer.application(address: config.daemon.http, state: state, api: api, dashboard: dashboard, logger: logger) {
        services.append(.init(service: http))
    }
    let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    return (group, state)
}
