import Dispatch

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
        typealias Header = (directives: Directives, problems: [FolderProblem])
        var ups: [Version: [(layout: Layout, file: String, title: String, text: String, checksum: String, header: Header)]] = [:]
        var downs: [Version: [(file: String, title: String, text: String, header: Header)]] = [:]
        var singles: [(version: Version, file: String, title: String, text: String, checksum: String)] = []
        var repeatables: [RepeatableMigration] = []
        var ignored: [String] = []
        var checksums: [String: String] = [:]
        var sum: SumFile?
        var layoutsSeen: [Layout: String] = [:]
        var unreadableUps = Set<Version>()

        // By name as bytes (the order of `ls` in the C locale); sorting indices moves no entries.
        let order = Self.sortedByName(entries)
        let prepared = Self.prepare(order.map { entries[$0] })
        for (entry, file) in zip(order.lazy.map({ entries[$0] }), prepared) {
            let kind = file.kind
            if kind == .ignored { ignored.append(entry.name); continue }
            if kind == .sum {
                do { sum = try SumFile.parse(file.text ?? "") } catch { problems.append(error) }
                continue
            }
            checksums[entry.name] = file.checksum
            guard let text = file.text else {
                problems.append(.init(file: entry.name, message: "is not UTF-8 text", hint: "save the file as UTF-8"))
                if case .pairedUp(let v, _) = kind { unreadableUps.insert(v) }
                if case .flywayUp(let v, _) = kind { unreadableUps.insert(v) }
                continue
            }
            switch kind {
            case .pairedUp(let v, let title):
                layoutsSeen[.paired] = layoutsSeen[.paired] ?? entry.name
                ups[v, default: []].append((.paired, entry.name, title, text, file.checksum, file.header))
            case .pairedDown(let v, let title):
                layoutsSeen[.paired] = layoutsSeen[.paired] ?? entry.name
                downs[v, default: []].append((entry.name, title, text, file.header))
            case .flywayUp(let v, let title):
                layoutsSeen[.flyway] = layoutsSeen[.flyway] ?? entry.name
                ups[v, default: []].append((.flyway, entry.name, title, text, file.checksum, file.header))
            case .flywayDown(let v, let title):
                layoutsSeen[.flyway] = layoutsSeen[.flyway] ?? entry.name
                downs[v, default: []].append((entry.name, title, text, file.header))
            case .flywayRepeatable(let title):
                layoutsSeen[.flyway] = layoutsSeen[.flyway] ?? entry.name
                problems += file.header.problems
                repeatables.append(.init(title: title, section: .init(file: entry.name, sql: text, directives: file.header.directives), checksum: file.checksum))
            case .single(let v, let title):
                singles.append((v, entry.name, title, text, file.checksum))
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
            ups[single.version, default: []].append((parsed.layout, single.file, single.title, single.text, single.checksum, (Directives(), [])))
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
            let upSection = Section(file: up.file, sql: up.text, directives: up.header.directives)
            problems += up.header.problems
            var downSection: Section?
            if let d = downCandidates.first {
                downSection = Section(file: d.file, sql: d.text, directives: d.header.directives)
                problems += d.header.problems
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

    /// What is known of one file before the folder is put together: its kind, checksum,
    /// text (nil when not UTF-8) and, for a whole-file section, its directives.
    struct Prepared {
        var kind: FileName
        var checksum = ""
        var text: String?
        var header: (directives: Directives, problems: [FolderProblem]) = (Directives(), [])
    }

    /// Each file's name, checksum, text and directives, on every core for a large folder
    /// (each file is independent; the folder is put together in order afterwards).
    static func prepare(_ entries: [FolderEntry]) -> [Prepared] {
        @Sendable func one(_ entry: FolderEntry) -> Prepared {
            var file = Prepared(kind: FileName(entry.name))
            switch file.kind {
            case .ignored: return file
            case .sum: file.text = text(entry.bytes); return file
            default: break
            }
            file.checksum = Checksum.sha256(entry.bytes)
            file.text = text(entry.bytes)
            switch file.kind {
            case .pairedUp, .pairedDown, .flywayUp, .flywayDown, .flywayRepeatable:
                if let text = file.text {
                    DirectiveParser.parse(text, file: entry.name, lineOffset: 0, into: &file.header.directives, problems: &file.header.problems)
                }
            default: break
            }
            return file
        }
        guard entries.count >= 64 else { return entries.map(one) }
        var results = [Prepared?](repeating: nil, count: entries.count)
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer
            DispatchQueue.concurrentPerform(iterations: entries.count) { out[$0] = one(entries[$0]) }
        }
        return results.map { $0! }
    }

    /// The entries' indices in byte order of their names (the order of `ls` in the C
    /// locale). The names are packed into one buffer first: comparing `String`s retains and
    /// releases both at every step, which costs more than the comparison.
    static func sortedByName(_ entries: [FolderEntry]) -> [Int] {
        var blob: [UInt8] = []
        var spans: [Range<Int>] = []
        spans.reserveCapacity(entries.count)
        for entry in entries {
            let start = blob.count
            blob.append(contentsOf: entry.name.utf8)
            spans.append(start..<blob.count)
        }
        return blob.withUnsafeBufferPointer { bytes in
            spans.withUnsafeBufferPointer { spans in
                Array(spans.indices).sorted { a, b in
                    let x = spans[a], y = spans[b]
                    var i = x.lowerBound, j = y.lowerBound
                    while i < x.upperBound && j < y.upperBound {
                        if bytes[i] != bytes[j] { return bytes[i] < bytes[j] }
                        i += 1; j += 1
                    }
                    return x.count < y.count
                }
            }
        }
    }

    private static func text(_ bytes: [UInt8]) -> String? {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        return String(validating: body, as: UTF8.self)
    }
}
