import ArgumentParser
import SluiceCore
import SluiceEngine

struct Hash: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hash", abstract: "Write sluice.sum: a checksum per migration file and one over all of them.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var source: SourceOptions

    func run() async throws {
        let context = try await Context.make(common, source: source, command: "hash", gitAllowed: false)
        let out = context.output
        try await context.run {
            let count = try Scaffold(folder: context.engine.folder, requireDown: context.config.policy.requireDown).hash()
            if out.format == .json { return out.json(["file": "\(context.engine.folder.path)/\(SumFile.fileName)", "files": "\(count)"]) }
            out.line("wrote \(context.engine.folder.path)/\(SumFile.fileName) (\(count) files)")
        }
    }
}
