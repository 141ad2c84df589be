import ArgumentParser
import SluiceCore
import SluiceEngine

struct Apply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "apply", abstract: "Apply pending migrations now, in this process (for CI jobs, Kubernetes Jobs, pre-sync hooks).")

    @OptionGroup var common: CommonOptions
    @OptionGroup var source: SourceOptions
    @OptionGroup var lock: LockOptions

    @Flag(help: "Show the plan and change nothing.")
    var dryRun = false

    @Flag(help: "Skip the rehearsal on a clone of the database.")
    var noRehearse = false

    func run() async throws {
        var context = try await Context.make(common, source: source, command: "apply")
        if noRehearse { context.engine.config.rehearsal.enabled = false }
        let out = context.output
        try await context.run {
            let renderer = Renderer(output: out)
            if let git = context.git, !dryRun {
                // One reconcile cycle over the branch, as the daemon runs it.
                let outcome = await Reconciler(engine: context.engine, git: git).cycle(forced: true, lockWait: lock.lockWait, sink: renderer.sink)
                if out.format == .json { out.json(outcome) } else { CycleText.print(outcome, out) }
                if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
                return
            }
            let report = try await context.engine.apply(dryRun: dryRun, lockWait: lock.lockWait, sink: renderer.sink)
            guard out.format == .text else { return out.json(RunJSON(report)) }
            report.notes.forEach { out.line("note: \($0)") }
            if report.dryRun {
                out.line(report.plan.steps.isEmpty ? "nothing to apply" : "would run:")
                PlanText.lines(report.plan).forEach(out.line)
            } else if report.results.isEmpty {
                PlanText.lines(report.plan).forEach(out.line)
                out.line("nothing to apply: the database is up to date")
            } else {
                let total = report.results.reduce(0) { $0 + $1.milliseconds }
                out.line("applied \(report.results.count) step(s) in \(total) ms")
            }
        }
    }
}
