import ArgumentParser
import SluiceCore

enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

/// `--config FILE` and `--format`, shared by every command.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Config file (default: $SLUICE_CONFIG, else /etc/sluice/sluice.yaml when present).")
    var config: String?

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text
}

/// Where the migrations are.
struct SourceOptions: ParsableArguments {
    @Option(name: .long, help: "A local migrations folder (default: repository.path, `migrations`).")
    var dir: String?

    @Option(name: .long, help: "A Git repository to read migrations from (overrides repository.url).")
    var repo: String?

    @Option(name: .long, help: "The branch to read with --repo.")
    var branch: String?

    @Option(name: .long, help: "The folder inside the repository.")
    var path: String?
}

/// `--lock-wait`, for commands that change the database.
struct LockOptions: ParsableArguments {
    @Option(name: .long, help: "How long to wait for another runner's lock before exiting 5 (e.g. 60s, 2m).", transform: { text in
        guard let duration = DurationParser.parse(text) else { throw ValidationError("--lock-wait: `\(text)` is not a duration such as 60s or 2m") }
        return duration
    })
    var lockWait: Duration = .seconds(60)
}

extension Version: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(argument)
    }
}
