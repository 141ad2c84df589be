import ArgumentParser
import Foundation
import SluiceCore
import SluiceEngine

struct Rehearse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rehearse",
        abstract: "Clone the database, run the plan and the down/up check there, and print the report. Production is not changed.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var source: SourceOptions

    @Flag(help: "Keep the scratch database afterwards, even when the rehearsal passes (it is swept after rehearsal.ttl).")
    var keep = false

    func run() async throws {
        let context = try await Context.make(common, source: source, command: "rehearse")
        let out = context.output
        try await context.run {
            let renderer = Renderer(output: out, printsReport: false)
            do {
                let (_, report) = try await context.engine.rehearse(keep: keep, sink: renderer.sink)
                guard let report else {
                    if out.format == .json { return out.json(Nothing(note: "nothing to rehearse: the database is up to date")) }
                    return out.line("nothing to rehearse: the database is up to date")
                }
                if out.format == .json { return out.json(report) }
                out.line(report.text)
            } catch let failed as RehearsalFailed {
                guard let report = failed.report else { throw failed.error }
                if out.format == .text {
                    out.line(report.text)
                    throw failed.error
                }
                // One JSON document on stdout (the report, with its failure); the error to stderr.
                out.json(report)
                throw Output(format: .text).fail(failed.error)
            }
        }
    }

    struct Nothing: Encodable {
        var passed = true
        var steps: [String] = []
        var note: String
    }
}
