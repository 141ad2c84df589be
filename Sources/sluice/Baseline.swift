import ArgumentParser
import SluiceCore
import SluiceEngine

struct Baseline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "baseline", abstract: "Record the versions up to VERSION as applied without running them (adopting an existing database).")

    @OptionGroup var common: CommonOptions
    @OptionGroup var source: SourceOptions
    @OptionGroup var lock: LockOptions

    @Argument(help: "The newest version the database already has.")
    var version: Version

    func run() async throws {
        let context = try await Context.make(common, source: source, command: "baseline", gitAllowed: false)
        let out = context.output
        try await context.run {
            let versions = try await context.engine.baseline(version, lockWait: lock.lockWait, sink: Renderer(output: out).sink)
            if out.format == .json { return out.json(["baselined": versions]) }
            out.line("recorded \(versions.count) version(s) up to \(version.text) as applied, without running them; rollback stops above \(version.text)")
        }
    }
}
