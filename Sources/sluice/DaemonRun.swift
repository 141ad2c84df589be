import ArgumentParser
import Foundation
import Logging
import SluiceCore
import SluiceDaemon
import SluiceEngine

struct DaemonRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Watch the configured branch and reconcile the database with it (systemd Type=notify).")

    @OptionGroup var common: CommonOptions

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        Malloc.tuneForDaemon()
        let output = Output(format: common.format)
        let config: SluiceConfig
        do { config = try await ConfigLoader.load(explicitPath: common.config) } catch { throw output.fail(error) }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = logLevel
            return handler
        }
        let logger = Logger(label: "sluice.daemon")
        do {
            let daemon = try buildDaemon(config: config, identity: Identity(command: "daemon"), logger: logger)
            logger.info("daemon started", metadata: ["git.branch": "\(config.repository.branch)", "control.socket": "\(config.daemon.controlSocket)"])
            try await daemon.group.run()
            logger.info("daemon stopped")
            // Done: the migration under way finished and everything is recorded. End the process
            // here, without exit()'s atexit handlers: a task the services left behind (the
            // dashboard drawing a diagram, a gauge update) may still be opening a connection, and
            // OpenSSL's exit-time clean-up under it crashed the daemon (SIGSEGV in a test run).
            fflush(nil)
            _exit(0)
        } catch let error as DaemonError {
            throw output.fail(SluiceError(.badInput, error.description, hint: error.hint))
        } catch {
            throw output.fail(error)
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
