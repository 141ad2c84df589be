import SluiceCore

extension LintRule {
    /// The folder as a whole and each migration's pair of files. All but down-does-not-undo
    /// are reported by ``Linter/lint(folder:problems:selected:)`` from the folder parser's
    /// problems and `sluice.sum`.
    static let folderRules: [LintRule] = [missingDown, versionConflict, sumMismatch, downDoesNotUndo, invalidFolder]

    public static let missingDown = LintRule(name: "missing-down", severity: .error, category: .folder,
        summary: "the migration has no down, so it cannot be rolled back",
        hint: "add the down, or mark the up `-- sluice:irreversible` (or set policy.require_down: false for a folder that never had downs)",
        check: .linter)
    public static let versionConflict = LintRule(name: "version-conflict", severity: .error, category: .folder,
        summary: "two files claim the same version",
        hint: "give one of them the next free version (`sluice new` picks it)",
        check: .linter)
    public static let sumMismatch = LintRule(name: "sum-mismatch", severity: .error, category: .folder,
        summary: "the file does not match sluice.sum",
        hint: "run `sluice hash` and commit sluice.sum with the change (after a merge, re-run it)",
        check: .linter)
    public static let downDoesNotUndo = LintRule(name: "down-does-not-undo", severity: .warning, category: .folder,
        summary: "the down does not undo what the up did to tables",
        hint: "drop in the down every table the up creates, and re-create every table the up drops (or mark the up `-- sluice:irreversible`)",
        check: .migration { rule, up, down, migration in
            // Tables the up creates and the down leaves, and tables the up drops and the down does not re-create.
            guard !up.allowed.contains(rule.name), !down.allowed.contains(rule.name), let downSection = migration.down else { return [] }
            let left = up.created.filter { table in !down.dropped.contains { $0.same(as: table) } }
            let lost = up.dropped.filter { table in !down.created.contains { $0.same(as: table) } }
            var what: [String] = []
            if !left.isEmpty { what.append("the up creates \(left.map(\.display).joined(separator: ", ")) and the down does not drop it") }
            if !lost.isEmpty { what.append("the up drops \(lost.map(\.display).joined(separator: ", ")) and the down does not re-create it") }
            guard !what.isEmpty else { return [] }
            return [LintFinding(rule, file: downSection.file, line: down.firstLine, version: migration.version.canonical, message: what.joined(separator: "; "))]
        })
    public static let invalidFolder = LintRule(name: "invalid-folder", severity: .error, category: .folder,
        summary: "the migrations folder has a problem every command would refuse",
        hint: "fix the file as the message says",
        check: .linter)
}
