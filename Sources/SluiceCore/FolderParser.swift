/// Turns the files of a migrations folder into migrations, in any layout of SPEC §1.
///
/// Pure: the caller reads the files (from disk or from a Git tree) and hands over
/// names and bytes. Every problem found is reported at once, each naming its file.
public struct FolderParser: Sendable {
    /// `policy.require_down`: when false, a migration without a down is irreversible.
    public var requireDown: Bool

    public init(requireDown: Bool = true) {
        self.requireDown = requireDown
    }

    /// The version a file name carries, for any layout (`0007_x.up.sql`, `V1.2__x.sql`, …);
    /// nil for repeatables and files that are not migrations.
    public static func version(ofFile name: String) -> Version? {
        switch FileName(name) {
        case .pairedUp(let v, _), .pairedDown(let v, _), .single(let v, _), .flywayUp(let v, _), .flywayDown(let v, _): v
        default: nil
        }
    }

    /// Parses the folder and, when it has a `sluice.sum`, refuses files that do not match it
    /// (SPEC §1: every command that reads the folder verifies it).
    public func parseVerified(_ entries: [FolderEntry]) throws(SluiceError) -> MigrationFolder {
        let folder = try parse(entries)
        if let sum = folder.sum {
            let problems = sum.mismatches(against: folder.fileChecksums)
            if !problems.isEmpty { throw .badFolder(problems) }
        }
        return folder
    }

    public func parse(_ entries: [FolderEntry]) throws(SluiceError) -> MigrationFolder {
        let (folder, problems) = analyze(entries)
        if !problems.isEmpty { throw .badFolder(problems) }
        return folder
    }

    /// Parses what can be parsed and lists every problem, without throwing: `sluice lint`
    /// reports problems as findings next to the migrations that did parse.
    public func analyze(_ entries: [FolderEntry]) -> (folder: MigrationFolder, problems: [FolderProblem]) {
        var problems: [FolderProblem] = []
        var ups: [Version: [(layout: Layout, file: String, title: String, text: String, checksum: String)]] = [:]
        var downs: [Version: [(file: String, title: String, text: String)]] = [:]
        var singles: [(version: Version, file: String, title: String, text: String, checksum: String)] = []
        var repeatables: [RepeatableMigration] = []
        var ignored: [String] = []
        var checksums: [String: String] = [:]
        var sum: SumFile?
        var layoutsSeen: [Layout: String] = [:]
        var unreadableUps = Set<Version>()

        for entry in entries.sorted(by: { $0.name < $1.name }) {
            let kind = FileName(entry.name)
            if kind == .ignored { ignored.append(entry.name); continue }
            if kind == .sum {
                do { sum = try SumFile.parse(Self.text(entry.bytes) ?? "") } catch { problems.append(error) }
                continue
            }
            checksums[entry.name] = Checksum.sha256(entry.bytes)
            guard let text = Self.text(entry.bytes) else {
                problems.append(.init(file: entry.name, message: "is not UTF-8 text", hint: "save the file as UTF-8"))
                if case .pairedUp(let v, _) = kind { unreadableUps.insert(v) }
                if case .flywayUp(let v, _) = kind { unreadableUps.insert(v) }
                continue
            }
            switch kind {
            case .pairedUp(let v, let title):
                layoutsSeen[.paired] = layoutsSeen[.paired] ?? entry.name
                ups[v, default: []].append((.paired, entry.name, title, text, checksums[entry.name]!))
            case .pairedDown(let v, let title):
                layoutsSeen[.paired] = layoutsSeen[.paired] ?? entry.name
                downs[v, default: []].append((entry.name, title, text))
            case .flywayUp(let v, let title):
                layoutsSeen[.flyway] = layoutsSeen[.flyway] ?? entry.name
                ups[v, default: []].append((.flyway, entry.name, title, text, checksums[entry.name]!))
            case .flywayDown(let v, let title):
                layoutsSeen[.flyway] = layoutsSeen[.flyway] ?? entry.name
                downs[v, default: []].append((entry.name, title, text))
            case .flywayRepeatable(let title):
                layoutsSeen[.flyway] = layoutsSeen[.flyway] ?? entry.name
                var directives = Directives()
                DirectiveParser.parse(text, file: entry.name, lineOffset: 0, into: &directives, problems: &problems)
                repeatables.append(.init(title: title, section: .init(file: entry.name, sql: text, directives: directives), checksum: checksums[entry.name]!))
            case .single(let v, let title):
                singles.append((v, entry.name, title, text, checksums[entry.name]!))
            case .unknownSQL where Self.isFlywayCallback(entry.name):
                problems.append(.init(
                    file: entry.name, message: "is a Flyway callback, which Sluice does not run",
                    hint: "move it out of the migrations folder; SQL that must run after every apply can be a repeatable R__ migration"))
            case .unknownSQL:
                problems.append(.init(
                    file: entry.name, message: "matches no migration layout",
                    hint: "name it like 0007_title.up.sql/.down.sql (golang-migrate), 0007_title.sql (dbmate, goose) or V7__title.sql (Flyway); move files that are not migrations out of the folder"))
            case .ignored, .sum: break
            }
        }

        var migrations: [Migration] = []
        for single in singles {
            guard let parsed = SingleFileParser.parse(single.text, file: single.file, problems: &problems) else { continue }
            layoutsSeen[parsed.layout] = layoutsSeen[parsed.layout] ?? single.file
            ups[single.version, default: []].append((parsed.layout, single.file, single.title, single.text, single.checksum))
            if ups[single.version]!.count == 1 {
                migrations.append(finish(Migration(version: single.version, title: single.title, layout: parsed.layout, up: parsed.up, down: parsed.down, checksum: single.checksum), problems: &problems))
            }
        }

        if layoutsSeen.count > 1 {
            let examples = layoutsSeen.sorted { $0.value < $1.value }.map { "\($0.value) (\($0.key.rawValue))" }
            problems.append(.init(file: examples[0], message: "the folder mixes layouts: \(examples.joined(separator: ", "))", hint: "use one layout per folder; rename the odd files"))
        }

        for (version, candidates) in ups {
            if candidates.count > 1 {
                problems.append(.init(file: candidates[0].file, message: "version \(version) is used by \(candidates.map(\.file).joined(separator: " and "))", hint: "give one of them the next free version (`sluice new` picks it)"))
                continue
            }
            let up = candidates[0]
            guard up.layout == .paired || up.layout == .flyway else { continue }
            let downCandidates = downs[version] ?? []
            if downCandidates.count > 1 {
                problems.append(.init(file: downCandidates[0].file, message: "version \(version) has several downs: \(downCandidates.map(\.file).joined(separator: ", "))", hint: "keep one down file per version"))
                continue
            }
            var upSection = Section(file: up.file, sql: up.text)
            DirectiveParser.parse(up.text, file: up.file, lineOffset: 0, into: &upSection.directives, problems: &problems)
            var downSection: Section?
            if let d = downCandidates.first {
                var section = Section(file: d.file, sql: d.text)
                DirectiveParser.parse(d.text, file: d.file, lineOffset: 0, into: &section.directives, problems: &problems)
                downSection = section
            }
            migrations.append(finish(Migration(version: version, title: up.title, layout: up.layout, up: upSection, down: downSection, checksum: up.checksum), problems: &problems))
        }
        for (version, candidates) in downs where ups[version] == nil && !unreadableUps.contains(version) {
            for d in candidates {
                problems.append(.init(file: d.file, message: "is a down without an up (no version \(version) up migration)", hint: "add the up file for version \(version), or delete this down"))
            }
        }

        // A folder where no migration has a down (most Flyway folders, many goose ones) gets
        // one problem that names the setting, not one per file.
        let missingDowns = problems.filter { $0.message.hasPrefix("is an up") }
        if missingDowns.count > 1, missingDowns.count == migrations.filter({ !$0.up.directives.irreversible }).count {
            problems.removeAll { $0.message.hasPrefix("is an up") }
            problems.append(.init(
                file: "", message: "none of the folder's \(missingDowns.count) migrations has a down",
                hint: "a folder that never had downs needs policy.require_down: false (SLUICE_POLICY_REQUIRE_DOWN=false): its migrations are then irreversible and rollback stops above them"))
        }
        // Sorting indices, not the (large) migrations themselves.
        migrations = migrations.indices.sorted { migrations[$0].version < migrations[$1].version }.map { migrations[$0] }
        repeatables.sort { $0.title < $1.title }
        let layout = layoutsSeen.keys.first
        return (MigrationFolder(layout: layout, migrations: migrations, repeatables: repeatables, ignored: ignored, fileChecksums: checksums, sum: sum), problems)
    }

    /// Applies `irreversible` and `policy.require_down` to a parsed migration.
    private func finish(_ migration: Migration, problems: inout [FolderProblem]) -> Migration {
        var m = migration
        if m.up.directives.irreversible { m.down = nil; return m }
        if m.down == nil {
            if requireDown {
                let what = m.layout == .paired || m.layout == .flyway ? "an up without a down" : "an up section without a down section"
                problems.append(.init(file: m.file, message: "is \(what)", hint: downHint(m)))
            }
        }
        return m
    }

    private func downHint(_ m: Migration) -> String {
        let add: String
        switch m.layout {
        case .paired: add = "add \(m.version.text)_\(m.title).down.sql"
        case .flyway: add = "add U\(m.version.text)__\(m.title).sql"
        case .dbmate: add = "add a `-- migrate:down` section"
        case .goose: add = "add a `-- +goose Down` section"
        }
        return "\(add), or mark the up `-- sluice:irreversible`, or set policy.require_down: false for a folder that never had downs"
    }

    /// `beforeMigrate.sql`, `afterEachMigrate__note.sql`, `afterMigrateError.sql`, …
    static func isFlywayCallback(_ name: String) -> Bool {
        let events = ["Migrate", "EachMigrate", "MigrateError", "EachMigrateError", "MigrateApplied", "Validate", "ValidateError",
                      "Clean", "CleanError", "Info", "InfoError", "Repair", "RepairError", "Baseline", "BaselineError", "Undo", "EachUndo",
                      "UndoError", "EachUndoError", "EachMigrateStatement", "EachMigrateStatementError", "EachUndoStatement", "EachUndoStatementError", "Connect", "Version"]
        let stem = name.dropLast(4)
        let base = stem.split(separator: "__", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? String(stem)
        return ["before", "after", "create"].contains { prefix in events.contains { base == prefix + $0 } || base == prefix + "Schema" }
    }

    private static func text(_ bytes: [UInt8]) -> String? {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        return String(validating: body, as: UTF8.self)
    }
}
