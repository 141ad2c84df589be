import ArgumentParser

struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon", abstract: "Run the Git-watching daemon, or talk to the running one.",
        subcommands: [DaemonRun.self, DaemonTrigger.self, DaemonStatusCommand.self])
}
