import Foundation
import SluiceCore
import Testing

/// Builds planner inputs from version numbers: every version `n` is a table `tn`.
enum Planning {
    static func fileName(_ v: Int, flyway: Bool = false) -> String {
        flyway ? "V\(v)__m\(v).sql" : "\(padded(v))_m\(v).up.sql"
    }

    static func downFileName(_ v: Int, flyway: Bool = false) -> String {
        flyway ? "U\(v)__m\(v).sql" : "\(padded(v))_m\(v).down.sql"
    }

    /// `7` → `0007`: a counter four digits wide, as golang-migrate projects write them.
    static func padded(_ v: Int) -> String {
        let digits = String(v)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    static func upSQL(_ v: Int) -> String { "CREATE TABLE t\(v) (id int);\n" }
    static func downSQL(_ v: Int) -> String { "DROP TABLE t\(v);\n" }
    static func repeatableSQL(_ title: String) -> String { "CREATE OR REPLACE VIEW \(title) AS SELECT 1;\n" }

    /// A parsed folder holding `versions` (paired; Flyway when there are repeatables).
    static func folder(_ versions: [Int], repeatables: [String] = []) throws -> MigrationFolder {
        let flyway = !repeatables.isEmpty
        var entries: [FolderEntry] = versions.flatMap { v in
            [
                FolderEntry(name: fileName(v, flyway: flyway), text: upSQL(v)),
                FolderEntry(name: downFileName(v, flyway: flyway), text: downSQL(v)),
            ]
        }
        entries += repeatables.map { FolderEntry(name: "R__\($0).sql", text: repeatableSQL($0)) }
        return try FolderParser().parse(entries)
    }
}

/// One row of `sluice.revisions`, described briefly.
struct Row: Sendable, CustomStringConvertible {
    var version: Int
    var state: AppliedRevision.State = .applied
    var checksumMatches = true
    var hasDown = true
    var downNoTransaction = false
    var baseline = false
    var statementsDone = 0
    var statementHashes: [String] = []

    static func ok(_ v: Int) -> Row { Row(version: v) }
    static func drifted(_ v: Int) -> Row { Row(version: v, checksumMatches: false) }
    static func irreversible(_ v: Int) -> Row { Row(version: v, hasDown: false) }
    static func baselined(_ v: Int) -> Row { Row(version: v, hasDown: false, baseline: true) }
    static func dirty(_ v: Int, done: Int, hashes: [String]) -> Row {
        Row(version: v, state: .dirty, statementsDone: done, statementHashes: hashes)
    }

    var revision: AppliedRevision {
        AppliedRevision(
            version: Version("\(version)")!, title: "m\(version)", file: Planning.fileName(version),
            checksum: checksumMatches ? Checksum.sha256(Planning.upSQL(version)) : Checksum.sha256("-- an older edit\n" + Planning.upSQL(version)),
            state: state, downSQL: hasDown ? Planning.downSQL(version) : nil, downNoTransaction: downNoTransaction,
            baseline: baseline, statementsDone: statementsDone, statementHashes: statementHashes)
    }

    var description: String {
        var s = "\(version)"
        if state == .dirty { s += " dirty@\(statementsDone)" }
        if !checksumMatches { s += " drifted" }
        if baseline { s += " baseline" } else if !hasDown { s += " irreversible" }
        return s
    }
}

/// A hold as `sluice rollback` sets it.
struct HoldRow: Sendable {
    enum Checksum: Sendable { case current, stale, none }
    var version: Int
    var checksum: Checksum = .current

    var hold: Hold {
        let sum: String? = switch checksum {
        case .current: SluiceCore.Checksum.sha256(Planning.upSQL(version))
        case .stale: SluiceCore.Checksum.sha256("-- the broken first try\n" + Planning.upSQL(version))
        case .none: nil
        }
        return Hold(version: Version("\(version)")!, checksum: sum, reason: "rollback in a test")
    }
}

/// What the planner should answer.
enum Outcome: Sendable, Equatable, CustomStringConvertible {
    /// Steps written `apply 3`, `resume 5@2`, `revert 4`, `rollback 4`, `repeatable views`.
    case plan([String], held: [Int] = [], lifted: [Int] = [])
    /// Every reason, as (rule, version, file); order does not matter.
    case refused([Expected])

    struct Expected: Sendable, Hashable, CustomStringConvertible {
        var rule: Refusal.Rule
        var version: Int
        var file: String?
        var description: String { "\(rule.rawValue) \(version) \(file ?? "-")" }
    }

    var description: String {
        switch self {
        case .plan(let steps, let held, let lifted): "plan \(steps) held \(held) lifted \(lifted)"
        case .refused(let reasons): "refused \(reasons)"
        }
    }

    static func refused(_ rule: Refusal.Rule, _ version: Int, file: String? = nil) -> Outcome {
        .refused([Expected(rule: rule, version: version, file: file ?? Planning.fileName(version))])
    }
}

extension Plan.Step {
    /// `apply 3`, `resume 5@2`, `revert 4`, `rollback 4`, `repeatable views`.
    var brief: String {
        switch self {
        case .apply(let m, let resume): resume.map { "resume \(m.version.canonical)@\($0)" } ?? "apply \(m.version.canonical)"
        case .revert(let r, let why): "\(why == .rollback ? "rollback" : "revert") \(r.version.canonical)"
        case .repeatable(let r): "repeatable \(r.title)"
        }
    }
}

/// Compares what the planner did with what was expected, for both a plan and a refusal.
func check(_ result: Result<Plan, Refusal>, _ expected: Outcome, sourceLocation: SourceLocation = #_sourceLocation) {
    switch (result, expected) {
    case (.success(let plan), .plan(let steps, let held, let lifted)):
        #expect(plan.steps.map(\.brief) == steps, sourceLocation: sourceLocation)
        #expect(plan.held == held.map { Version("\($0)")! }, sourceLocation: sourceLocation)
        #expect(plan.liftedHolds.sorted() == lifted.map { Version("\($0)")! }, sourceLocation: sourceLocation)
    case (.failure(let refusal), .refused(let reasons)):
        let actual = refusal.reasons.map { Outcome.Expected(rule: $0.rule, version: Int($0.version.canonical)!, file: $0.file) }
        #expect(actual.count == reasons.count, "reasons: \(refusal.reasons.map(\.message))", sourceLocation: sourceLocation)
        #expect(Set(actual) == Set(reasons), sourceLocation: sourceLocation)
        for reason in refusal.reasons {
            #expect(!reason.message.isEmpty && !reason.hint.isEmpty, sourceLocation: sourceLocation)
            if [.drift, .outOfOrder].contains(reason.rule), let file = reason.file {
                #expect(reason.message.contains(file), "the message names the file: \(reason.message)", sourceLocation: sourceLocation)
            }
        }
        let error = refusal.error
        #expect(error.status == .refused, sourceLocation: sourceLocation)
        #expect(error.details.count == (reasons.count > 1 ? reasons.count : 0), sourceLocation: sourceLocation)
    case (.success(let plan), .refused):
        Issue.record("expected a refusal, got a plan: \(plan.steps.map(\.brief))", sourceLocation: sourceLocation)
    case (.failure(let refusal), .plan):
        Issue.record("expected a plan, got a refusal: \(refusal.reasons.map(\.message))", sourceLocation: sourceLocation)
    }
}
