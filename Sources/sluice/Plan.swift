import ArgumentParser
import SluiceEngine

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "Show what `apply` would do now, changing nothing.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var source: SourceOptions

    func run() async throws {
        let context = try await Context.make(common, source: source, command: "plan")
        let out = context.output
        try await context.run {
            let report = try await context.engine.plan(sink: Renderer(output: out).sink)
            if out.format == .json {
                return out.json(PlanJSON(layout: report.folder.layout?.rawValue, migrations: report.folder.migrations.count, steps: PlanText.json(report.plan), held: report.plan.held.map(\.canonical), ignored: report.folder.ignored, notes: report.notes))
            }
            let origin = report.source.origin + (report.source.commit.map { " at \($0.prefix(12))" } ?? "")
            out.line("folder: \(origin) (\(report.folder.layout?.rawValue ?? "empty"), \(report.folder.migrations.count) migrations)")
            report.notes.forEach { out.line("note: \($0)") }
            out.line(report.plan.steps.isEmpty ? "nothing to do" : "plan:")
            PlanText.lines(report.plan).forEach(out.line)
        }
    }

    struct PlanJSON: Encodable {
        var layout: String?
        var migrations: Int
        var steps: [PlanStepJSON]
        var held: [String]
        var ignored: [String]
        var notes: [String]
    }
}
