import ArgumentParser
import Foundation
import SluiceCore
import SluiceEngine
import SluiceGit
import SluiceLint

struct Lint: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check the migrations with PostgreSQL's parser: syntax, destructive statements, locking and transaction hazards, folder problems.",
        discussion: "Exit 3 when an error-level finding remains, 2 when files cannot be read. Silence a finding you have checked with `-- sluice:allow RULE` on its statement. Rules: docs/lint.md.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var source: SourceOptions

    @Option(help: "Lint only the newest N migrations (folder rules still cover the whole folder).")
    var latest: Int?

    @Option(name: .customLong("git-base"), help: "Lint only migrations whose files were added since this Git ref (commits after it, staged or new files), e.g. origin/main.")
    var gitBase: String?

    func validate() throws {
        if let latest, latest < 1 { throw ValidationError("--latest takes a number of migrations, 1 or more") }
    }

    func run() async throws {
        let context = try await Context.make(common, source: source, command: "lint")
        let out = context.output
        try await context.run {
            let entries: [FolderEntry]
            var names: Set<String>?
            if context.git != nil, gitBase != nil {
                throw SluiceError(.badInput, "--git-base works on a local checkout", hint: "run `sluice lint --dir PATH --git-base REF` in the checkout (as a CI job does)")
            }
            // The folder, or the tip of the branch: the process's one source.
            let source = context.engine.source
            entries = try await source.entries(at: source.refresh(sink: Renderer(output: out).sink))
            if context.git == nil {
                if let gitBase {
                    do {
                        names = Set(try GitWorkTree(containing: context.engine.folder.path).addedFiles(since: gitBase, folder: context.engine.folder.path))
                    } catch let error as GitError {
                        throw SluiceError(.badInput, "--git-base \(gitBase): \(error.message)",
                                          hint: "run it inside a Git checkout, with a ref that exists there (fetch it first in a shallow CI clone: git fetch origin main)")
                    }
                }
            }
            let report = context.engine.lint(entries: entries, latest: latest, names: names)
            if !report.unreadable.isEmpty { throw SluiceError.badFolder(report.unreadable) }
            if out.format == .json {
                out.json(report)
            } else {
                for finding in report.findings {
                    out.line(finding.located)
                    out.line("  hint: \(finding.hint)")
                }
                let scope = names.map { " (\($0.count) file(s) added since \(gitBase ?? ""))" } ?? ""
                out.line("\(report.errors) error(s), \(report.warnings) warning(s) in \(report.migrations) migration(s)\(scope)")
            }
            if report.errors > 0 { throw ExitCode(ExitStatus.refused.rawValue) }
        }
    }
}
