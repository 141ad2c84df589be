import Foundation
import SluiceCore
import SluiceEngine

/// Turns engine events into progress lines: `[3/40] apply 0007_add_orders … 120 ms`.
/// On a terminal the line opens when a step starts and closes when it ends.
final class Renderer: @unchecked Sendable {
    private let output: Output
    private let lock = NSLock()

    /// Print the rehearsal report when a rehearsal ends (`rehearse` prints it itself).
    private let printsReport: Bool

    init(output: Output, printsReport: Bool = true) {
        self.output = output
        self.printsReport = printsReport
    }

    var sink: EventSink { { [self] event in handle(event) } }

    private func handle(_ event: EngineEvent) {
        guard output.format == .text else { return }
        lock.lock()
        defer { lock.unlock() }
        let terminal = output.isTerminal
        switch event {
        case .waitingForLock(let holder):
            say("waiting for the migration lock (held by \(holder ?? "another runner"))…")
        case .lockAcquired, .planned:
            break
        case .holdLifted(let version, let why):
            say("hold on \(version.text) lifted: \(why)")
        case .stepStarted(let index, let total, let step):
            if terminal { write("[\(index)/\(total)] \(step.verb) \(step.name) …") }
        case .statementDone(_, let statement, let of):
            if terminal { write(" \(statement)/\(of)") }
        case .retrying(let step, let attempt, let after, let reason):
            say("\n  \(step.name): \(reason); retry \(attempt) in \(DurationParser.format(after))")
        case .stepFinished(let index, let total, let step, let ms):
            if terminal { say(" \(ms) ms") } else { say("[\(index)/\(total)] \(step.verb) \(step.name) … \(ms) ms") }
        case .note(let text):
            say(text)
        case .fetching(let received, let total, let bytes):
            // A line redrawn in place on a terminal, at most every 1% of the objects.
            guard terminal, total > 0, received == total || received % max(1, total / 100) == 0 else { return }
            write("\rfetching: \(received)/\(total) objects, \(bytes / 1024) KiB" + (received == total ? "\n" : ""))
        case .cloning(let strategy, let database, let bytes):
            say("rehearsal: cloning the database (\(RehearsalReport.bytes(bytes))) into \(database) (strategy \(strategy))")
        case .cloneProgress(let bytes, let total, let elapsed):
            if terminal { write("\r  copied \(RehearsalReport.bytes(bytes)) of ~\(RehearsalReport.bytes(total)), \(DurationParser.format(elapsed))   ") }
        case .cloned(let clone):
            say((terminal ? "\r" : "") + "  clone ready: \(RehearsalReport.bytes(clone.bytes)) in \(clone.milliseconds) ms                ")
        case .rehearsed(let step):
            if terminal { say("  rehearsed \(step.verb) \(step.name) … \(step.milliseconds) ms") }
        case .schemaDrift:
            break
        case .rehearsalFinished(let report):
            if printsReport { say(report.text) }
        }
    }

    private func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    private func say(_ text: String) { print(text) }
}

/// Text for plans, shared by `plan`, `apply --dry-run` and `rollback`.
enum PlanText {
    static func lines(_ plan: Plan) -> [String] {
        var lines: [String] = []
        for (index, step) in plan.steps.enumerated() {
            var line = "  \(index + 1). \(step.verb) \(step.name)"
            if case .apply(let m, let resume) = step {
                var flags = m.up.directives.written
                if let resume { flags.append("resume at statement \(resume + 1)") }
                if !flags.isEmpty { line += " [\(flags.joined(separator: ", "))]" }
            }
            lines.append(line)
            if case .revert(let revision, _) = step {
                for destruction in Engine.destructions(revision.downSQL ?? "") { lines.append("       \(destruction)") }
            }
        }
        for version in plan.liftedHolds { lines.append("  hold on \(version.text) will be lifted (its file changed or was removed)") }
        for version in plan.held { lines.append("  held, skipped: \(version.text) (`sluice release \(version.text)` to apply it again)") }
        return lines
    }

    static func json(_ plan: Plan) -> [PlanStepJSON] { PlanStepJSON.steps(of: plan) }
}

struct RunJSON: Encodable {
    var dryRun: Bool
    var plan: [PlanStepJSON]
    var held: [String]
    var liftedHolds: [String]
    var steps: [StepResult]
    var notes: [String]

    init(_ report: RunReport) {
        dryRun = report.dryRun
        plan = PlanText.json(report.plan)
        held = report.plan.held.map(\.canonical)
        liftedHolds = report.plan.liftedHolds.map(\.canonical)
        steps = report.results
        notes = report.notes
    }
}

/// Text for a reconcile cycle's outcome, shared by `apply` (one cycle) and `daemon trigger --wait`.
enum CycleText {
    static func print(_ outcome: CycleOutcome, _ out: Output) {
        out.line("cycle \(outcome.result.rawValue) (\(outcome.cause), \(outcome.durationMs) ms)\(outcome.commit.map { " at \($0.prefix(12))" } ?? "")")
        for step in outcome.steps { out.line("  \(step.verb) \(step.name) … \(step.milliseconds) ms") }
        if outcome.result != .noop && outcome.result != .applied { out.line("  \(outcome.message)") }
    }
}
