import ArgumentParser
import Foundation
import SluiceCore
import SluiceEngine

struct Rollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rollback", abstract: "Run the recorded downs of every applied version above VERSION, newest first, and hold them.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var source: SourceOptions
    @OptionGroup var lock: LockOptions

    @Option(help: "Roll back to this version (it stays applied); 0 takes down everything reversible.")
    var to: Version

    @Flag(help: "Show what would run and change nothing.")
    var dryRun = false

    @Flag(help: "Skip the rehearsal on a clone of the database.")
    var noRehearse = false

    @Option(help: "Why: recorded with the holds and the event.")
    var reason: String?

    @Flag(help: "Do not ask for confirmation.")
    var yes = false

    func run() async throws {
        var context = try await Context.make(common, source: source, command: "rollback", needsFolder: false)
        if noRehearse { context.engine.config.rehearsal.enabled = false }
        let out = context.output
        let interactive = isatty(STDIN_FILENO) == 1
        if !yes && !dryRun && !interactive {
            throw out.fail(SluiceError(.badInput, "rollback needs --yes when it is not run from a terminal", hint: "check the plan with `sluice rollback --to \(to.text) --dry-run`, then add --yes"))
        }
        try await context.run {
            let renderer = Renderer(output: out)
            let confirm: @Sendable (SluiceCore.Plan) async -> Bool = { [yes, to] plan in
                guard out.format == .text else { return yes }
                out.line("rollback to \(to.text) will run \(plan.steps.count) down(s), newest first, and hold those versions:")
                PlanText.lines(plan).forEach(out.line)
                if yes { return true }
                FileHandle.standardOutput.write(Data("Type yes to roll back: ".utf8))
                return readLine()?.trimmingCharacters(in: .whitespaces).lowercased() == "yes"
            }
            let report = try await context.engine.rollback(to: to, dryRun: dryRun, reason: reason, lockWait: lock.lockWait, confirm: confirm, sink: renderer.sink)
            if out.format == .json { return out.json(RunJSON(report)) }
            if report.plan.steps.isEmpty { return out.line("nothing to roll back: no applied version above \(to.text)") }
            if report.dryRun {
                out.line("would run \(report.plan.steps.count) down(s):")
                PlanText.lines(report.plan).forEach(out.line)
            } else {
                out.line("rolled back \(report.results.count) version(s); they are held until `sluice release`")
            }
        }
    }
}
