import Foundation
import SluiceCore
import SluicePostgres

/// One applied revision with its SQL and the rehearsal report that covered it.
public struct RevisionDetail: Sendable, Codable {
    public var revision: RevisionRecord
    public var upSQL: String
    public var downSQL: String?
    public var downFile: String?
    /// The newest passed rehearsal that ran this version (its whole report).
    public var rehearsal: RehearsalReport?
    /// The step of that report for this version (`apply`), for a quick look.
    public var rehearsedStep: RehearsalReport.Step?
    /// Whether the schema after this version was recorded (`/api/schema/VERSION`).
    public var hasSchema: Bool
}

/// The schema as recorded with a version (or the nearest version below it that has one).
public struct SchemaAtVersion: Sendable, Codable {
    /// The version asked for (nil: the newest).
    public var requested: String?
    /// The version whose snapshot this is.
    public var version: String
    public var schema: SchemaSnapshot
    /// Versions with a recorded schema, oldest first, and this one's neighbours among them.
    public var previous: String?
    public var next: String?
    /// What changed from `previous` to this version.
    public var changes: [SchemaDiff.Change]
}

/// The changes between the schemas of two versions.
public struct SchemaDiffReport: Sendable, Codable {
    public var from: String
    public var to: String
    public var changes: [SchemaDiff.Change]
}

/// Read-only views for the HTTP API and the dashboard; `status` and `history` use the same
/// engine calls, so the CLI and the dashboard never disagree. Nothing here writes.
extension Engine {
    public func revision(_ version: String) async throws -> RevisionDetail? {
        let store = try await connect()
        return try await mapConnectionErrors {
            guard try await store.isReadable(),
                  let record = try await store.revisionRecords().first(where: { $0.version == version }),
                  let sql = try await store.revisionSQL(version) else { return nil }
            var report: RehearsalReport?
            if let details = try await store.latestEvent(kind: "rehearsal", version: version, outcome: "passed")?.details {
                report = try? JSONDecoder().decode(RehearsalReport.self, from: Data(details.utf8))
            }
            let step = report?.steps.first { $0.version == version && ($0.verb == "apply" || $0.verb == "repeatable") }
            let hasSchema = try await store.schemaSnapshot(atOrBelow: version)?.version == version
            return RevisionDetail(revision: record, upSQL: sql.up, downSQL: sql.down, downFile: sql.downFile, rehearsal: report, rehearsedStep: step, hasSchema: hasSchema)
        }
    }

    /// The schema at `version` (nil: the newest recorded), with its neighbours and what it changed.
    public func schema(at version: String?) async throws -> SchemaAtVersion? {
        let store = try await connect()
        return try await mapConnectionErrors {
            guard try await store.isReadable(), let found = try await store.schemaSnapshot(atOrBelow: version) else { return nil }
            let schema = try JSONDecoder().decode(SchemaSnapshot.self, from: Data(found.json.utf8))
            let versions = try await store.versionsWithSchema()
            let index = versions.firstIndex(of: found.version)
            let previous = index.flatMap { $0 > 0 ? versions[$0 - 1] : nil }
            let next = index.flatMap { $0 + 1 < versions.count ? versions[$0 + 1] : nil }
            var changes: [SchemaDiff.Change] = []
            if let previous, let before = try await store.schemaSnapshot(atOrBelow: previous) {
                changes = SchemaDiff(from: try JSONDecoder().decode(SchemaSnapshot.self, from: Data(before.json.utf8)), to: schema).changes
            } else {
                changes = SchemaDiff(from: SchemaSnapshot(), to: schema).changes
            }
            return SchemaAtVersion(requested: version, version: found.version, schema: schema, previous: previous, next: next, changes: changes)
        }
    }

    /// What changed between the schemas recorded at two versions.
    public func schemaDiff(from: String, to: String) async throws -> SchemaDiffReport? {
        let store = try await connect()
        return try await mapConnectionErrors {
            guard try await store.isReadable(),
                  let a = try await store.schemaSnapshot(atOrBelow: from), let b = try await store.schemaSnapshot(atOrBelow: to) else { return nil }
            let decoder = JSONDecoder()
            let diff = SchemaDiff(from: try decoder.decode(SchemaSnapshot.self, from: Data(a.json.utf8)), to: try decoder.decode(SchemaSnapshot.self, from: Data(b.json.utf8)))
            return SchemaDiffReport(from: a.version, to: b.version, changes: diff.changes)
        }
    }

    /// What a deployment's page shows of its versions, on one connection: each migration's SQL
    /// and the newest passed rehearsal that covered any of them.
    public func deployment(versions: [String]) async throws -> (migrations: [(version: String, file: String, up: String, down: String?)], rehearsal: RehearsalReport?) {
        guard !versions.isEmpty else { return ([], nil) }
        let store = try await connect()
        return try await mapConnectionErrors {
            guard try await store.isReadable() else { return ([], nil) }
            let migrations = try await store.revisionsSQL(versions)
            var report: RehearsalReport?
            if let details = try await store.latestEvent(kind: "rehearsal", anyOf: versions, outcome: "passed")?.details {
                report = try? JSONDecoder().decode(RehearsalReport.self, from: Data(details.utf8))
            }
            return (migrations, report)
        }
    }

    /// A connection to the state tables for a reader that keeps one (the webhook notifier).
    public func openStore() async throws -> StateStore { try await connect() }

    /// One event by id (a deployment's page).
    public func event(id: Int) async throws -> EventRecord? {
        let store = try await connect()
        return try await mapConnectionErrors { try await store.isReadable() ? try await store.event(id: id) : nil }
    }
}
