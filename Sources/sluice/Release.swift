import ArgumentParser
import SluiceCore
import SluiceEngine

struct Release: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "release", abstract: "Lift holds so the versions are applied again.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var lock: LockOptions

    @Argument(help: "Versions to release.")
    var versions: [Version] = []

    @Flag(help: "Release every hold.")
    var all = false

    func validate() throws {
        if all == !versions.isEmpty { throw ValidationError("name the versions to release, or pass --all") }
    }

    func run() async throws {
        let context = try await Context.make(common, command: "release", needsFolder: false)
        let out = context.output
        try await context.run {
            let released = try await context.engine.release(all ? nil : versions, lockWait: lock.lockWait, sink: Renderer(output: out).sink)
            if out.format == .json { return out.json(["released": released]) }
            out.line(released.isEmpty ? "no holds to release" : "released: \(released.joined(separator: ", ")) — the next apply runs them")
        }
    }
}
