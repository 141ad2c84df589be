import ArgumentParser
import SluiceCore
import SluiceEngine

extension Engine.Resolution: ExpressibleByArgument {}

struct Resolve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Settle a dirty no-transaction migration after checking the database by hand.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var lock: LockOptions

    @Argument(help: "The dirty version.")
    var version: Version

    @Option(help: "applied: the rest was done by hand; reverted: what it did was undone by hand.")
    var mark: Engine.Resolution

    func run() async throws {
        let context = try await Context.make(common, command: "resolve", needsFolder: false)
        let out = context.output
        try await context.run {
            try await context.engine.resolve(version, as: mark, lockWait: lock.lockWait, sink: Renderer(output: out).sink)
            if out.format == .json { return out.json(["version": version.canonical, "mark": mark.rawValue]) }
            out.line("version \(version.text) marked \(mark.rawValue)")
        }
    }
}
