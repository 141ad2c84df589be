import ArgumentParser
import SluiceEngine

struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "Show the events journal, newest first.")

    @OptionGroup var common: CommonOptions

    @Option(help: "How many events to show.")
    var limit = 20

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        let context = try await Context.make(common, command: "history", needsFolder: false)
        let out = context.output
        try await context.run {
            let events = try await context.engine.history(limit: limit)
            if out.format == .json { return out.json(events) }
            if events.isEmpty { return out.line("no events yet") }
            for e in events {
                let versions = e.versions.isEmpty ? "" : " [\(e.versions.prefix(8).joined(separator: ", "))\(e.versions.count > 8 ? ", … \(e.versions.count) in all" : "")]"
                let ms = e.durationMs.map { " \($0) ms" } ?? ""
                out.line("\(e.at)  \(e.kind.padding(toLength: 9, withPad: " ", startingAt: 0)) \(e.outcome.padding(toLength: 8, withPad: " ", startingAt: 0))\(versions)\(ms)  \(e.actor)")
                if !e.message.isEmpty { out.line("    \(e.message.split(separator: "\n").first ?? "")") }
            }
        }
    }
}
