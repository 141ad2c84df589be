import SluiceCore
import SluiceLint
import Testing

/// Every rule of SPEC §7: a migration it must flag and a safe rewrite it must not.
@Suite struct LintRuleTests {
    /// The folder `0001_base` (creates t, u, v and an index) plus `0002_change` with `up` (and `down`).
    static func lint(up: String, down: String? = "SELECT 1;\n", options: Linter.Options = .init(), extra: [String: String] = [:]) -> [LintFinding] {
        var files = [
            "0001_base.up.sql": "CREATE TABLE t (id int PRIMARY KEY, c int);\nCREATE TABLE u (id int PRIMARY KEY);\nCREATE VIEW v AS SELECT 1 AS one;\n",
            "0001_base.down.sql": "DROP VIEW v;\nDROP TABLE u;\nDROP TABLE t;\n",
            "0002_change.up.sql": up,
        ]
        if let down { files["0002_change.down.sql"] = down }
        files.merge(extra) { _, new in new }
        let (folder, problems) = FolderParser(requireDown: false).analyze(files.map { FolderEntry(name: $0.key, text: $0.value) })
        // The base migration is context; only what the tests add is checked.
        return Linter(options: options).lint(folder: folder, problems: problems).filter { !$0.file.hasPrefix("0001_base") }
    }

    static func rules(_ findings: [LintFinding]) -> [String] { findings.map(\.rule) }

    struct Case: Sendable, CustomTestStringConvertible {
        var rule: String
        var bad: String
        var good: String
        var options = Linter.Options()
        var testDescription: String { rule }
    }

    static let cases: [Case] = [
        Case(rule: "drop-table", bad: "DROP TABLE u;\n", good: "-- sluice:allow drop-table\nDROP TABLE u;\n"),
        Case(rule: "drop-column", bad: "ALTER TABLE t DROP COLUMN c;\n", good: "ALTER TABLE t DROP COLUMN c; -- sluice:allow drop-column\n"),
        Case(rule: "drop-schema", bad: "DROP SCHEMA legacy CASCADE;\n", good: "CREATE SCHEMA legacy_archive;\n"),
        Case(rule: "drop-index", bad: "DROP INDEX t_c_idx;\n", good: "-- sluice:no-transaction\nDROP INDEX CONCURRENTLY t_c_idx;\n"),
        Case(rule: "drop-view", bad: "DROP VIEW v;\n", good: "CREATE OR REPLACE VIEW v AS SELECT 1 AS one;\n"),
        Case(rule: "truncate", bad: "TRUNCATE t;\n", good: "DELETE FROM t WHERE id < 100;\n"),
        Case(rule: "delete-without-where", bad: "DELETE FROM t;\n", good: "DELETE FROM t WHERE c IS NULL;\n"),
        Case(rule: "column-type-change", bad: "ALTER TABLE t ALTER COLUMN c TYPE bigint;\n", good: "CREATE TABLE n (c int);\nALTER TABLE n ALTER COLUMN c TYPE bigint;\nDROP TABLE n; -- sluice:allow drop-table\n"),
        Case(rule: "rename-table", bad: "ALTER TABLE t RENAME TO things;\n", good: "CREATE VIEW things AS SELECT * FROM t;\n"),
        Case(rule: "rename-column", bad: "ALTER TABLE t RENAME COLUMN c TO d;\n", good: "ALTER TABLE t ADD COLUMN d int;\n"),
        Case(rule: "create-index-non-concurrently", bad: "CREATE INDEX t_c ON t (c);\n", good: "-- sluice:no-transaction\nCREATE INDEX CONCURRENTLY t_c ON t (c);\n"),
        Case(rule: "add-column-volatile-default", bad: "ALTER TABLE t ADD COLUMN token uuid DEFAULT gen_random_uuid();\n", good: "ALTER TABLE t ADD COLUMN seen timestamptz DEFAULT now();\n"),
        Case(rule: "set-not-null", bad: "ALTER TABLE t ALTER COLUMN c SET NOT NULL;\n", good: "ALTER TABLE t ADD CONSTRAINT t_c_not_null CHECK (c IS NOT NULL);\nALTER TABLE t ALTER COLUMN c SET NOT NULL; -- the CHECK above was validated as it was added\n"),
        Case(rule: "add-foreign-key-without-not-valid", bad: "ALTER TABLE t ADD CONSTRAINT t_u FOREIGN KEY (c) REFERENCES u (id);\n", good: "ALTER TABLE t ADD CONSTRAINT t_u FOREIGN KEY (c) REFERENCES u (id) NOT VALID;\n"),
        Case(rule: "add-check-without-not-valid", bad: "ALTER TABLE t ADD CONSTRAINT t_c_positive CHECK (c > 0);\n", good: "ALTER TABLE t ADD CONSTRAINT t_c_positive CHECK (c > 0) NOT VALID;\n"),
        Case(rule: "add-unique-without-index", bad: "ALTER TABLE t ADD CONSTRAINT t_c_key UNIQUE (c);\n", good: "ALTER TABLE t ADD CONSTRAINT t_c_key UNIQUE USING INDEX t_c_unique;\n"),
        Case(rule: "enum-add-value-in-transaction", bad: "ALTER TYPE mood ADD VALUE 'great';\n", good: "-- sluice:no-transaction\nALTER TYPE mood ADD VALUE 'great';\n", options: .init(serverVersion: 110_000)),
        Case(rule: "vacuum-full", bad: "-- sluice:no-transaction\nVACUUM FULL t;\n", good: "-- sluice:no-transaction\nVACUUM t;\n"),
        Case(rule: "cluster", bad: "CLUSTER t USING t_pkey;\n", good: "ANALYZE t;\n"),
        Case(rule: "missing-lock-timeout", bad: "ALTER TABLE t ADD COLUMN d int;\n", good: "-- sluice:lock-timeout 3s\nALTER TABLE t ADD COLUMN d int;\n", options: .init(lockTimeoutConfigured: false)),
        Case(rule: "concurrently-in-transaction", bad: "CREATE INDEX CONCURRENTLY t_c ON t (c);\n", good: "-- sluice:no-transaction\nCREATE INDEX CONCURRENTLY t_c ON t (c);\n"),
        Case(rule: "transaction-control", bad: "CREATE TABLE a (id int);\nCOMMIT;\nCREATE TABLE b (id int);\n", good: "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n"),
        Case(rule: "syntax-error", bad: "SELEC 1;\n", good: "SELECT 1;\n"),
        Case(rule: "unknown-rule", bad: "DROP TABLE u; -- sluice:allow drop-tabel\n", good: "DROP TABLE u; -- sluice:allow drop-table\n"),
    ]

    @Test(arguments: cases)
    func flagsTheHazardAndNotItsRewrite(_ c: Case) {
        #expect(LintRule.byName[c.rule] != nil)
        let bad = Self.lint(up: c.bad, down: nil, options: c.options)
        #expect(Self.rules(bad).contains(c.rule), "\(bad.map(\.located))")
        let good = Self.lint(up: c.good, down: nil, options: c.options)
        #expect(!Self.rules(good).contains(c.rule), "\(good.map(\.located))")
    }

    @Test func destructiveRulesLeaveDownsAlone() {
        let findings = Self.lint(up: "CREATE TABLE n (id int);\n", down: "DROP TABLE n;\n")
        #expect(findings.isEmpty, "\(findings.map(\.located))")
    }

    @Test func aTableMadeInTheSameMigrationIsNew() {
        let findings = Self.lint(up: """
            CREATE TABLE n (id int, c int);
            CREATE INDEX n_c ON n (c);
            ALTER TABLE n ADD CONSTRAINT n_c_key UNIQUE (c), ALTER COLUMN c SET NOT NULL, ADD COLUMN token uuid DEFAULT gen_random_uuid();
            ALTER TABLE n ADD CONSTRAINT n_t FOREIGN KEY (c) REFERENCES t (id);
            """, down: "DROP TABLE n;\n")
        #expect(findings.isEmpty, "\(findings.map(\.located))")
    }

    @Test func transactionControlWrappingTheWholeMigrationIsOnlyAWarning() {
        let findings = Self.lint(up: "BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\n", down: "DROP TABLE a;\n")
        #expect(findings.map(\.rule) == ["transaction-control", "transaction-control"])
        #expect(findings.allSatisfy { $0.severity == .warning })
        let stray = Self.lint(up: "CREATE TABLE a (id int);\nCOMMIT;\n", down: "DROP TABLE a;\n")
        #expect(stray.first?.severity == .error)
    }

    @Test func enumValuesAreOnlyAProblemBeforeTwelve() {
        #expect(Self.lint(up: "ALTER TYPE mood ADD VALUE 'great';\n", options: .init(serverVersion: 150_000)).isEmpty)
        #expect(Self.lint(up: "ALTER TYPE mood ADD VALUE 'great';\n").isEmpty, "server unknown (sluice lint offline): not flagged")
    }

    @Test func aLockTimeoutSetInTheMigrationCounts() {
        let findings = Self.lint(up: "SET lock_timeout = '2s';\nALTER TABLE t ADD COLUMN d int;\n", options: .init(lockTimeoutConfigured: false))
        #expect(findings.isEmpty, "\(findings.map(\.located))")
    }

    // Cases found by bench/lint.sh against squawk.

    @Test func aDefaultCallingAFunctionIsVolatileUnlessDeclaredOtherwise() {
        let volatile = Self.lint(up: "ALTER TABLE t ADD COLUMN code text DEFAULT next_code();\n", extra: [
            "0001_base.up.sql": "CREATE TABLE t (id int PRIMARY KEY, c int);\nCREATE TABLE u (id int PRIMARY KEY);\nCREATE VIEW v AS SELECT 1 AS one;\nCREATE FUNCTION next_code() RETURNS text LANGUAGE sql AS $$ SELECT md5(random()::text) $$;\n"])
        #expect(Self.rules(volatile) == ["add-column-volatile-default"], "\(volatile.map(\.located))")
        let stable = Self.lint(up: "ALTER TABLE t ADD COLUMN code text DEFAULT tenant_code();\n", extra: [
            "0001_base.up.sql": "CREATE TABLE t (id int PRIMARY KEY, c int);\nCREATE TABLE u (id int PRIMARY KEY);\nCREATE VIEW v AS SELECT 1 AS one;\nCREATE FUNCTION tenant_code() RETURNS text LANGUAGE sql STABLE AS $$ SELECT current_setting('app.tenant') $$;\n"])
        #expect(stable.isEmpty, "declared STABLE in an earlier migration: \(stable.map(\.located))")
        #expect(Self.rules(Self.lint(up: "ALTER TABLE t ADD COLUMN code text DEFAULT unknown_fn();\n")) == ["add-column-volatile-default"], "not seen: assumed volatile")
        #expect(Self.lint(up: "ALTER TABLE t ADD COLUMN label text DEFAULT lower('X');\n").isEmpty)
    }

    @Test func inlineReferencesAndUniqueInAddColumn() {
        #expect(Self.rules(Self.lint(up: "ALTER TABLE t ADD COLUMN u_id int REFERENCES u (id);\n")) == ["add-foreign-key-without-not-valid"])
        #expect(Self.rules(Self.lint(up: "ALTER TABLE t ADD COLUMN slug text UNIQUE;\n")) == ["add-unique-without-index"])
        #expect(Self.lint(up: "ALTER TABLE t ADD COLUMN slug text;\n").isEmpty)
    }

    @Test func notValidThenValidateInOneTransactionGainsNothing() {
        let same = Self.lint(up: "ALTER TABLE t ADD CONSTRAINT t_u FOREIGN KEY (c) REFERENCES u (id) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT t_u;\n")
        #expect(same.map { "\($0.rule)@\($0.line)" } == ["add-foreign-key-without-not-valid@2"], "\(same.map(\.located))")
        let later = Self.lint(up: "ALTER TABLE t VALIDATE CONSTRAINT t_u;\n", extra: [
            "0001_base.up.sql": "CREATE TABLE t (id int PRIMARY KEY, c int);\nCREATE TABLE u (id int PRIMARY KEY);\nCREATE VIEW v AS SELECT 1 AS one;\nALTER TABLE t ADD CONSTRAINT t_u FOREIGN KEY (c) REFERENCES u (id) NOT VALID;\n"])
        #expect(later.isEmpty, "validated in a later migration: \(later.map(\.located))")
    }

    @Test func setNotNullNeedsTheValidatedCheckOfThatColumn() {
        let base = "CREATE TABLE t (id int PRIMARY KEY, c int, d int);\nCREATE TABLE u (id int PRIMARY KEY);\nCREATE VIEW v AS SELECT 1 AS one;\nALTER TABLE t ADD CONSTRAINT t_c_nn CHECK (c IS NOT NULL) NOT VALID;\nALTER TABLE t ADD CONSTRAINT t_d_pos CHECK (d > 0) NOT VALID;\n"
        let validated = "0001_base.up.sql"
        let other = Self.lint(up: "ALTER TABLE t VALIDATE CONSTRAINT t_d_pos;\nALTER TABLE t ALTER COLUMN d SET NOT NULL;\n", extra: [validated: base])
        #expect(Self.rules(other) == ["set-not-null"], "a validated CHECK (d > 0) does not prove d is not null: \(other.map(\.located))")
        let wrongColumn = Self.lint(up: "ALTER TABLE t VALIDATE CONSTRAINT t_c_nn;\nALTER TABLE t ALTER COLUMN d SET NOT NULL;\n", extra: [validated: base])
        #expect(Self.rules(wrongColumn) == ["set-not-null"])
        let right = Self.lint(up: "ALTER TABLE t VALIDATE CONSTRAINT t_c_nn;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;\n", extra: [validated: base])
        #expect(right.isEmpty, "\(right.map(\.located))")
    }

    // MARK: Folder rules

    @Test func missingDownUnlessIrreversible() {
        #expect(Self.rules(Self.lint(up: "CREATE TABLE n (id int);\n", down: nil)) == ["missing-down"])
        #expect(Self.lint(up: "-- sluice:irreversible\nCREATE TABLE n (id int);\n", down: nil).isEmpty)
        #expect(Self.lint(up: "CREATE TABLE n (id int);\n", down: nil, options: .init(requireDown: false)).isEmpty, "policy.require_down: false")
    }

    @Test func versionConflictsAndSumMismatches() {
        let conflict = Self.lint(up: "SELECT 1;\n", extra: ["0002_other.up.sql": "SELECT 2;\n", "0002_other.down.sql": "SELECT 2;\n"])
        #expect(Self.rules(conflict).contains("version-conflict"), "\(conflict.map(\.located))")

        let files = ["0001_a.up.sql": "CREATE TABLE a (id int);\n", "0001_a.down.sql": "DROP TABLE a;\n"]
        var sum = SumFile(files: files.mapValues { Checksum.sha256($0) })
        sum.files["0001_a.up.sql"] = String(repeating: "0", count: 64)
        var entries = files.map { FolderEntry(name: $0.key, text: $0.value) }
        entries.append(FolderEntry(name: "sluice.sum", text: sum.text))
        let (folder, problems) = FolderParser(requireDown: false).analyze(entries)
        let findings = Linter().lint(folder: folder, problems: problems)
        #expect(findings.map(\.rule) == ["sum-mismatch"] && findings.first?.file == "0001_a.up.sql", "\(findings.map(\.located))")

        let orphan = Self.lint(up: "SELECT 1;\n", extra: ["0003_lost.down.sql": "SELECT 1;\n"])
        #expect(Self.rules(orphan) == ["invalid-folder"], "\(orphan.map(\.located))")
    }

    @Test func downThatDoesNotUndoTheUp() {
        let kept = Self.lint(up: "CREATE TABLE n (id int);\n", down: "SELECT 1;\n")
        #expect(kept.map(\.rule) == ["down-does-not-undo"] && kept[0].file == "0002_change.down.sql", "\(kept.map(\.located))")
        #expect(kept[0].message.contains("creates n"))
        let lost = Self.lint(up: "-- sluice:allow drop-table\nDROP TABLE u;\n", down: "SELECT 1;\n")
        #expect(lost.map(\.rule) == ["down-does-not-undo"] && lost[0].message.contains("drops u"), "\(lost.map(\.located))")
        #expect(Self.lint(up: "CREATE TABLE public.n (id int);\n", down: "DROP TABLE n;\n").isEmpty, "public.n and n are one table")
    }

    // MARK: Positions and silencing

    @Test func positionsAreExactAcrossCommentsBodiesAndMultiLineStatements() {
        let findings = Self.lint(up: """
            -- header comment
            CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              -- DROP TABLE t; inside a body is not a statement
              RETURN NEW;
            END $$;

            /* block
               comment */ CREATE INDEX t_c ON t
              (c);
            DELETE
              FROM t;
            """, down: "DROP FUNCTION f();\n")
        #expect(findings.map { "\($0.rule)@\($0.line):\($0.column)" } == ["create-index-non-concurrently@9:15", "delete-without-where@11:1"], "\(findings.map(\.located))")
    }

    @Test func syntaxErrorsGiveLineAndColumn() {
        let findings = Self.lint(up: "SELECT 1;\n\nSELECT 'ää', FROM t;\n")
        let error = try? #require(findings.first)
        #expect(error?.rule == "syntax-error" && error?.line == 3 && error?.column == 14, "columns count characters: \(findings.map(\.located))")
        #expect(error?.message.contains("syntax error") == true)
    }

    @Test func singleFileLayoutsCountLinesFromTheFile() {
        let entries = [FolderEntry(name: "20240101000000_x.sql", text: "-- migrate:up\nCREATE TABLE a (id int);\nCREATE INDEX a_id ON t (id);\n\n-- migrate:down\nDROP TABLE a;\nDROP INDEX a_id;\n")]
        let (folder, problems) = FolderParser(requireDown: false).analyze(entries)
        let findings = Linter().lint(folder: folder, problems: problems)
        #expect(findings.map { "\($0.file):\($0.line):\($0.rule)" } == ["20240101000000_x.sql:3:create-index-non-concurrently"], "\(findings.map(\.located))")
    }

    @Test func anAllowCommentSilencesItsOwnStatementOnly() {
        let findings = Self.lint(up: """
            DROP TABLE u; -- sluice:allow drop-table
            DROP TABLE v_old;
            -- sluice:allow drop-column, truncate
            ALTER TABLE t DROP COLUMN c;
            TRUNCATE t;
            """, down: nil, options: .init(requireDown: false))
        #expect(findings.map { "\($0.rule)@\($0.line)" } == ["drop-table@2", "truncate@5"], "\(findings.map(\.located))")
    }

    @Test func theExampleMigrationsAreClean() throws {
        let folder = CLIRoot.migrations
        let entries = try FileManagerEntries.read(folder)
        let (parsed, problems) = FolderParser(requireDown: true).analyze(entries)
        #expect(problems.isEmpty)
        let findings = Linter().lint(folder: parsed, problems: problems)
        #expect(findings.isEmpty, "\(findings.map(\.located))")
        #expect(parsed.migrations.count >= 6)
    }
}
