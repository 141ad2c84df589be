import Foundation
import SluiceCore
import SluicePostgres

extension Engine {
    /// `sluice status`: applied, pending, held, dirty and drifted versions, against `given` or
    /// the engine's source as it is now.
    /// - Parameter localFolder: false in the daemon, which passes the tip it last fetched:
    ///   without `given` the report then shows no pending versions (no commit fetched yet).
    public func status(source given: SourceSnapshot? = nil, localFolder: Bool = true) async throws -> StatusReport {
        let store = try await connect()
        let folderResult: Result<SourceSnapshot, SluiceError>
        if let given { folderResult = .success(given) } else if !localFolder {
            folderResult = .failure(SluiceError(.badInput, "no commit fetched yet"))
        } else if !(source is FolderSource) {
            folderResult = .success(try await snapshot(store: store))
        } else {
            do { folderResult = .success(SourceSnapshot(folder: try loadFolder(), origin: folder.path)) } catch { folderResult = .failure(error) }
            if case .failure(let error) = folderResult, FileManager.default.fileExists(atPath: folder.path) { throw error }
        }
        return try await mapConnectionErrors {
            let initialized = try await store.isReadable()
            let records = initialized ? try await store.revisionRecords() : []
            let applied = initialized ? try await store.appliedRevisions() : []
            let holds = initialized ? try await store.holds() : []
            var report = StatusReport(
                database: try settings.redactedURL, schema: schema, folder: folder.path, initialized: initialized, applied: records,
                pending: [], held: [], dirty: applied.filter { $0.state == .dirty }.map(\.version.canonical), drifted: [], missing: [],
                lockHolder: try await AdvisoryLock.holder(on: store.connection, key: lockKey),
                reconciledCommit: initialized ? try await store.reconciledCommit() : nil, notes: [])
            if initialized { report.schemaDrift = try await schemaDrift(store) }
            guard case .success(let source) = folderResult else {
                report.folder = nil
                report.notes.append(localFolder ? "migrations folder \(self.folder.path) not found: pending and drift are not shown"
                                                : "no commit fetched yet: pending and drift are not shown")
                return report
            }
            report.folder = source.origin
            report.notes = notes(for: source)
            let folder = source.folder
            let appliedVersions = Set(applied.map(\.version))
            let heldVersions = Set(holds.map(\.version))
            for m in folder.migrations where !appliedVersions.contains(m.version) && !heldVersions.contains(m.version) {
                report.pending.append(.init(version: m.version.canonical, file: m.file))
            }
            for hold in holds {
                let current = folder.migration(hold.version)
                let lifted = current == nil || (hold.checksum != nil && hold.checksum != current?.checksum)
                report.held.append(.init(version: hold.version.canonical, reason: hold.reason, lifted: lifted))
            }
            for revision in applied {
                guard let m = folder.migration(revision.version) else { report.missing.append(revision.version.canonical); continue }
                if m.checksum != revision.checksum, revision.state == .applied {
                    report.drifted.append(.init(version: revision.version.canonical, file: m.file, recorded: revision.checksum, current: m.checksum))
                }
            }
            return report
        }
    }

    /// `sluice history`: the events journal, newest first.
    public func history(limit: Int, before: Int? = nil) async throws -> [EventRecord] {
        let store = try await connect()
        return try await mapConnectionErrors {
            try await store.isReadable() ? try await store.events(limit: limit, before: before) : []
        }
    }

    /// `sluice release`: lifts holds (nil: all). Returns the versions released.
    public func release(_ versions: [Version]?, lockWait: Duration, sink: @escaping EventSink) async throws -> [String] {
        try await withLock(wait: lockWait, sink: sink) { store in
            let started = ContinuousClock.now
            let released = try await store.release(versions)
            if let versions {
                let missing = versions.map(\.canonical).filter { !released.contains($0) }
                if !missing.isEmpty {
                    throw SluiceError(.badInput, "not held: \(missing.joined(separator: ", "))", hint: "`sluice status` lists the held versions", version: missing.first)
                }
            }
            if !released.isEmpty {
                try await record(store, kind: "release", outcome: "ok", versions: released, started: started, message: "released by hand")
            }
            return released
        }
    }

    public enum Resolution: String, Sendable, CaseIterable { case applied, reverted }

    /// `sluice resolve VERSION --mark applied|reverted`: settles a dirty migration after a person checked the database.
    public func resolve(_ version: Version, as mark: Resolution, lockWait: Duration, sink: @escaping EventSink) async throws {
        try await withLock(wait: lockWait, sink: sink) { store in
            let started = ContinuousClock.now
            guard let revision = try await store.appliedRevisions().first(where: { $0.version == version }) else {
                throw SluiceError(.badInput, "version \(version.text) has no revision row", hint: "`sluice status` lists applied and dirty versions", version: version.text)
            }
            guard revision.state == .dirty else {
                throw SluiceError(.badInput, "version \(version.text) is not dirty (it is \(revision.state.rawValue))", hint: "resolve settles only dirty no-transaction migrations; use `sluice rollback` to take an applied one down", version: version.text)
            }
            switch mark {
            case .applied: try await store.markApplied(version, durationMs: 0)
            case .reverted: try await store.deleteRevision(version)
            }
            try await record(store, kind: "resolve", outcome: "ok", versions: [version.canonical], started: started, message: "dirty \(revision.name) marked \(mark.rawValue) by hand (\(revision.statementsDone) of \(revision.statementHashes.count) statements had run)")
        }
    }

    /// `sluice baseline VERSION`: records the folder's versions up to VERSION as applied without running them.
    public func baseline(_ target: Version, lockWait: Duration, sink: @escaping EventSink) async throws -> [String] {
        let folder = try loadFolder()
        let chosen = folder.migrations.filter { $0.version <= target }
        guard !chosen.isEmpty else {
            throw SluiceError(.badInput, "no migration in \(self.folder.path) has a version up to \(target.text)", hint: "pass the version of the newest migration the database already has", version: target.text)
        }
        return try await withLock(wait: lockWait, sink: sink) { store in
            let started = ContinuousClock.now
            let applied = try await store.appliedRevisions()
            if !applied.isEmpty {
                throw SluiceError(.refused, "the database already has \(applied.count) recorded version(s); baseline is for adopting a database Sluice has never run on", hint: "use `sluice status` to see what is recorded")
            }
            try await store.connection.execute("BEGIN")
            do {
                for m in chosen {
                    var migration = m
                    migration.down = nil
                    try await store.insertRevision(NewRevision(migration: migration, state: .applied, host: identity.host, user: identity.user, durationMs: 0, baseline: true))
                }
                try await record(store, kind: "baseline", outcome: "ok", versions: chosen.map(\.version.canonical), started: started, message: "baselined up to \(target.text) without running")
                try await store.connection.execute("COMMIT")
            } catch {
                _ = try? await store.connection.execute("ROLLBACK")
                throw error
            }
            // The schema as adopted: later changes made outside Sluice are drift.
            await recordSchema(store)
            return chosen.map(\.version.canonical)
        }
    }
}
