import ArgumentParser
import SluiceGit
import SluiceLint
import SluicePostgres

struct VersionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Show Sluice's version and the libraries it links.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let libpq = Connection.libraryVersion
        let info = [
            "sluice": SluiceVersion.number,
            "libpq": "\(libpq / 10000).\(libpq % 10000)",
            "libpg_query": "PostgreSQL \(StatementSplitter.parserVersion) grammar",
            "stateTables": String(StateStore.layoutVersion),
            "libgit2": GitMirror.libgit2Version,
        ]
        if common.format == .json { return Output(format: .json).json(info) }
        print("sluice \(info["sluice"]!)")
        print("libpq \(info["libpq"]!)")
        print("libpg_query (\(info["libpg_query"]!))")
        print("libgit2 \(info["libgit2"]!)")
        print("state table layout \(info["stateTables"]!)")
    }
}
