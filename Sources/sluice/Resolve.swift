import ArgumentParser
import SluiceCore
import SluiceEngine

extension Engine.Resolution: ExpressibleByArgument {}

struct Resolve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resolve", abstract: "Settle a dirty no-transaction migration after checking the database by hand.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var lock: LockOptions

    @Argument(help: "The dirty version.")
    var version: Version?

    @Option(help: "applied: the rest was done by hand; reverted: what it did was undone by hand.")
    var mark: Engine.Resolution?

    @Flag(help: "Accept schema drift: record the live schema (changed outside Sluice) as the expected one.")
    var acceptDrift = false

    func validate() throws {
        if acceptDrift {
            guard version == nil, mark == nil else { throw ValidationError("--accept-drift takes no VERSION or --mark") }
        } else {
            guard version != nil else { throw ValidationError("give the dirty VERSION and --mark applied|reverted (or --accept-drift)") }
            guard mark != nil else { throw ValidationError("--mark applied|reverted is required with VERSION") }
        }
    }

    func run() async throws {
        let context = try await Context.make(common, command: "resolve", needsFolder: false)
        let out = context.output
        try await context.run {
            if acceptDrift {
                let drift = try await context.engine.acceptDrift(lockWait: lock.lockWait, sink: Renderer(output: out).sink)
                if out.format == .json { return out.json(["accepted": drift?.changes.map(\.description) ?? []]) }
                return out.line(drift.map { "accepted \($0.changes.count) change(s) made outside Sluice as the expected schema" } ?? "no schema drift; the live schema is recorded as expected")
            }
            guard let version, let mark else { return }
            try await context.engine.resolve(version, as: mark, lockWait: lock.lockWait, sink: Renderer(output: out).sink)
            if out.format == .json { return out.json(["version": version.canonical, "mark": mark.rawValue]) }
            out.line("version \(version.text) marked \(mark.rawValue)")
        }
    }
}
