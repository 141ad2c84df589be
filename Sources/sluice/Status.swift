import ArgumentParser
import SluiceEngine

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show applied, pending, held, dirty and drifted versions.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var source: SourceOptions

    func run() async throws {
        let context = try await Context.make(common, source: source, command: "status")
        let out = context.output
        try await context.run {
            let s = try await context.engine.status()
            if out.format == .json { return out.json(s) }
            out.line("database: \(s.database) (schema \(s.schema)\(s.initialized ? "" : ", not yet initialised"))")
            if let folder = s.folder { out.line("folder:   \(folder)") }
            s.notes.forEach { out.line("note: \($0)") }
            out.line("lock:     \(s.lockHolder ?? "free")")
            if let commit = s.reconciledCommit { out.line("commit:   \(commit) (last reconciled from Git)") }
            out.line("applied:  \(s.applied.filter { $0.state == "applied" }.count)")
            for r in s.applied {
                let flags = [r.baseline ? "baseline" : nil, r.reversible ? nil : "irreversible", r.state == "dirty" ? "DIRTY \(r.statementsDone)/\(r.statementsTotal)" : nil].compactMap { $0 }
                let ms = r.durationMs.map { " \($0) ms" } ?? ""
                out.line("  \(r.version.padding(toLength: 8, withPad: " ", startingAt: 0)) \(r.file)  \(r.appliedAt) by \(r.appliedBy)\(ms)\(flags.isEmpty ? "" : " [\(flags.joined(separator: ", "))]")")
            }
            out.line("pending:  \(s.pending.count)")
            s.pending.forEach { out.line("  \($0.version.padding(toLength: 8, withPad: " ", startingAt: 0)) \($0.file)") }
            if !s.held.isEmpty {
                out.line("held:     \(s.held.count)")
                s.held.forEach { out.line("  \($0.version)\($0.reason.map { " — \($0)" } ?? "")\($0.lifted ? " (file changed: lifted at the next apply)" : "")") }
            }
            if !s.dirty.isEmpty { out.line("dirty:    \(s.dirty.joined(separator: ", ")) — `sluice apply` resumes, or `sluice resolve VERSION --mark applied|reverted`") }
            if !s.drifted.isEmpty {
                out.line("drifted:  \(s.drifted.count) (files changed after they were applied)")
                s.drifted.forEach { out.line("  \($0.version) \($0.file): \($0.recorded.prefix(12)) → \($0.current.prefix(12))") }
            }
            if !s.schemaDrift.isEmpty {
                out.line("schema drift: \(s.schemaDrift.count) change(s) made outside Sluice since its last run")
                s.schemaDrift.prefix(20).forEach { out.line("  \($0)") }
            }
            if !s.missing.isEmpty { out.line("missing:  \(s.missing.joined(separator: ", ")) (applied, file no longer in the folder)") }
        }
    }
}
