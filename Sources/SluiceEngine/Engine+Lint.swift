import Foundation
import SluiceCore
import SluiceLint
import SluicePostgres

/// What `sluice lint` found, for text and JSON.
public struct LintReport: Sendable, Codable {
    public var findings: [LintFinding]
    public var errors: Int
    public var warnings: Int
    /// How many migrations were linted.
    public var migrations: Int
    /// Files that could not be read as text (exit 2).
    public var unreadable: [FolderProblem] = []

    enum CodingKeys: String, CodingKey { case findings, errors, warnings, migrations }

    public init(findings: [LintFinding], migrations: Int) {
        self.findings = findings.sorted { ($0.file, $0.line, $0.column, $0.rule) < ($1.file, $1.line, $1.column, $1.rule) }
        errors = findings.filter { $0.severity == .error }.count
        warnings = findings.count - errors
        self.migrations = migrations
    }
}

extension Engine {
    func lintOptions(serverVersion: Int? = nil) -> Linter.Options {
        Linter.Options(requireDown: config.policy.requireDown, lockTimeoutConfigured: DurationParser.milliseconds(config.database.lockTimeout) > 0,
                       serverVersion: serverVersion)
    }

    /// `sluice lint`: the folder's entries (from disk or a commit) checked as a whole; with
    /// `latest`, only the newest N migrations' SQL; with `names`, only migrations one of whose
    /// files is named there (`--git-base`). Folder rules (versions, sums) always apply.
    public func lint(entries: [FolderEntry], latest: Int? = nil, names: Set<String>? = nil) -> LintReport {
        let (folder, allProblems) = FolderParser(requireDown: false).analyze(entries)
        // A file that is not text cannot be linted at all: exit 2, as every command does.
        let unreadable = allProblems.filter { $0.message == "is not UTF-8 text" }
        let problems = allProblems.filter { $0.message != "is not UTF-8 text" }
        var selected: Set<Version>?
        if let latest { selected = Set(folder.migrations.suffix(max(0, latest)).map(\.version)) }
        if let names {
            let touched = folder.migrations.filter { m in names.contains(m.up.file) || m.down.map { names.contains($0.file) } == true }.map(\.version)
            selected = (selected ?? Set(folder.migrations.map(\.version))).intersection(touched)
        }
        let findings = Linter(options: lintOptions()).lint(folder: folder, problems: problems, selected: selected)
        var report = LintReport(findings: findings, migrations: selected?.count ?? folder.migrations.count)
        report.unreadable = unreadable
        return report
    }

    /// The gate of SPEC §7: lints what the plan is about to apply. Findings are recorded as a
    /// `lint` event; an error-level one refuses the plan (exit 3) under `policy.lint: refuse`.
    /// `underLock` false: the gate runs before the rehearsal, and creates the state tables to
    /// record its event when they are not there yet.
    func lintGate(_ plan: Plan, folder: MigrationFolder, store: StateStore, underLock: Bool, commit: String?, sink: EventSink) async throws {
        let migrations = plan.steps.compactMap { if case .apply(let m, _) = $0 { m } else { nil } }
        let repeatables = plan.steps.compactMap { if case .repeatable(let r) = $0 { r } else { nil } }
        guard !migrations.isEmpty || !repeatables.isEmpty else { return }
        let findings = Linter(options: lintOptions(serverVersion: store.connection.serverVersion)).lint(migrations: migrations, repeatables: repeatables, history: folder.migrations)
        guard !findings.isEmpty else { return }
        let report = LintReport(findings: findings, migrations: migrations.count)
        let refuse = config.policy.lint == .refuse && report.errors > 0
        for finding in report.findings { sink(.note("lint: \(finding.located)")) }
        let message = "lint: \(report.errors) error(s), \(report.warnings) warning(s) in the \(migrations.count) migration(s) about to be applied"
        if !underLock { try? await store.prepare() }
        try? await record(store, kind: "lint", outcome: refuse ? "refused" : "warn", versions: migrations.map(\.version.canonical), commit: commit,
                          started: .now, message: message, details: JSONText.encode(report))
        guard refuse else { return }
        let first = report.findings.first { $0.severity == .error }
        throw SluiceError(
            .refused, message + (first.map { ": \($0.located)" } ?? ""),
            hint: "fix the migration, or silence a finding you have checked with `-- sluice:allow RULE` on its statement; policy.lint: warn reports without refusing",
            file: first?.file, version: first?.version,
            details: report.findings.filter { $0.severity == .error }.map { "\($0.located) — \($0.hint)" })
    }
}
