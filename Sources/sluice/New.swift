import ArgumentParser
import SluiceEngine

struct New: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "new", abstract: "Create the next version's migration files in the folder's layout.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var source: SourceOptions

    @Argument(help: "What the migration does, e.g. add_orders_index.")
    var title: String

    func run() async throws {
        let context = try await Context.make(common, source: source, command: "new", gitAllowed: false)
        let out = context.output
        try await context.run {
            let files = try Scaffold(folder: context.engine.folder, requireDown: context.config.policy.requireDown).new(title: title)
            if out.format == .json { return out.json(["created": files]) }
            files.forEach { out.line("created \(context.engine.folder.path)/\($0)") }
        }
    }
}
