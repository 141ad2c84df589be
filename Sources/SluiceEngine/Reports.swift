import SluiceCore
import SluicePostgres

/// What `plan` and `apply --dry-run` show.
public struct PlanReport: Sendable {
    public var source: SourceSnapshot
    public var plan: Plan
    public var notes: [String]

    public var folder: MigrationFolder { source.folder }
}

/// What `apply` and `rollback` did.
public struct RunReport: Sendable {
    public var plan: Plan
    public var results: [StepResult]
    public var dryRun: Bool
    public var notes: [String]

    public init(plan: Plan, results: [StepResult], dryRun: Bool, notes: [String]) {
        self.plan = plan
        self.results = results
        self.dryRun = dryRun
        self.notes = notes
    }
}

/// What `status` shows: the database against the folder.
public struct StatusReport: Sendable, Codable {
    public struct Pending: Sendable, Codable { public var version: String; public var file: String }
    public struct Held: Sendable, Codable { public var version: String; public var reason: String?; public var lifted: Bool }
    public struct Drifted: Sendable, Codable { public var version: String; public var file: String; public var recorded: String; public var current: String }

    public var database: String
    public var schema: String
    public var folder: String?
    public var initialized: Bool
    public var applied: [RevisionRecord]
    public var pending: [Pending]
    public var held: [Held]
    public var dirty: [String]
    public var drifted: [Drifted]
    /// Applied versions whose file is no longer in the folder.
    public var missing: [String]
    public var lockHolder: String?
    /// The Git commit the daemon (or `apply --repo`) last reconciled.
    public var reconciledCommit: String?
    /// Schema changes made outside Sluice since it last recorded the schema (SPEC §4b).
    public var schemaDrift: [String] = []
    public var notes: [String]
}

/// The error object stored with failure events (`sluice.events.error`).
struct ErrorPayload: Codable {
    var message: String
    var hint: String?
    var sqlstate: String?
    var file: String?
    var version: String?
    var exitCode: Int32

    init(_ error: SluiceError) {
        message = error.description
        hint = error.hint
        sqlstate = error.sqlState
        file = error.file
        version = error.version
        exitCode = error.status.rawValue
    }
}

import Foundation

enum JSONText {
    static func encode<T: Encodable>(_ value: T) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// The managed schema changed outside Sluice (SPEC §4b).
public struct SchemaDrift: Sendable, Codable, Equatable {
    public var changes: [SchemaDiff.Change]
    /// Fingerprint of the live schema (so the same drift is reported once by the daemon).
    public var fingerprint: String
}

/// A plan step as JSON: what `plan`, `apply --format json` and the HTTP API show.
public struct PlanStepJSON: Sendable, Codable, Equatable {
    public var action: String
    public var version: String?
    public var name: String
    public var directives: [String]
    public var resumeAtStatement: Int?
    /// For a revert: what its down destroys (`drops table public.orders`).
    public var drops: [String]

    public static func steps(of plan: Plan) -> [PlanStepJSON] {
        plan.steps.map { step in
            var directives: [String] = []
            var resume: Int?
            if case .apply(let m, let r) = step { directives = m.up.directives.written; resume = r }
            var drops: [String] = []
            if case .revert(let revision, _) = step { drops = Engine.destructions(revision.downSQL ?? "") }
            return PlanStepJSON(action: step.verb, version: step.version?.canonical, name: step.name, directives: directives, resumeAtStatement: resume.map { $0 + 1 }, drops: drops)
        }
    }
}
