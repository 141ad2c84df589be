import ArgumentParser
import Foundation
import SluiceCore

/// The entry point. Synchronous on purpose: an `async` main hands the main thread to
/// `dispatch_main()`, which ends it with `pthread_exit` — a forced unwind that reads the
/// binary's unwind tables at every start (2 MiB of them were resident in the daemon when
/// measured). Here the main thread waits while the command runs as a task.
@main
enum SluiceMain {
    static func main() {
        let finished = DispatchSemaphore(value: 0)
        Task.detached {
            await Sluice.start()
            finished.signal()
        }
        finished.wait()
    }
}

struct Sluice: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "Git-driven PostgreSQL migrations: plan, rehearse, apply, roll back.",
        discussion: """
            Exit codes: 0 done or nothing to do · 1 a migration failed (rolled back) · 2 bad usage, config or \
            migration files · 3 refused by a safety rule · 4 database unreachable · 5 lock held by another runner.
            """,
        version: SluiceVersion.number,
        subcommands: [
            Apply.self, PlanCommand.self, Lint.self, Rehearse.self, Status.self, History.self, Rollback.self, Release.self, Resolve.self,
            Baseline.self, New.self, Hash.self, VersionCommand.self, DaemonCommand.self,
        ])

    /// `sluice --config FILE COMMAND …`: the global option is handed to the subcommand.
    static func start() async {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if let first = arguments.first, first == "--config" || first.hasPrefix("--config=") {
            let taken = first == "--config" ? Array(arguments.prefix(2)) : [first]
            arguments.removeFirst(taken.count)
            arguments.append(contentsOf: taken)
        }
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            // SPEC §6: bad usage is exit 2 (ArgumentParser's own code for it is 64).
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(ExitStatus.badInput.rawValue)
            }
            exit(withError: error)
        }
    }
}

enum SluiceVersion {
    static let number = "0.1.0"
}
