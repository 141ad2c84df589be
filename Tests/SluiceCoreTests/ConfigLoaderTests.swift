import Foundation
import SluiceCore
@testable import SluiceEngine
import Testing

@Suite("ConfigLoader")
struct ConfigLoaderTests {
    /// Writes `text` to a fresh temporary `sluice.yaml` and hands its path to `body`.
    private func withConfigFile<T>(_ text: String, _ body: (String) async throws -> T) async throws -> T {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("sluice.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try await body(path)
    }

    /// The error `load` throws, or nil when it succeeds.
    private func loadError(_ path: String?, environment: [String: String] = [:]) async -> SluiceError? {
        do {
            _ = try await ConfigLoader.load(explicitPath: path, environment: environment)
            return nil
        } catch {
            return error
        }
    }

    private func validateError(_ yaml: String) -> SluiceError? {
        do {
            _ = try ConfigLoader.validate(yaml: yaml, file: "sluice.yaml")
            return nil
        } catch {
            return error
        }
    }

    static let webhooks = """
        notify:
          webhooks:
            - url: https://hooks.slack.com/services/T000/B000/XXXX
              events: [plan, applied, failed, rollback, drift]
            - url: https://example.com/hook
              events:
                - failed
              timeout: 1500ms
        """

    static let full = """
        database:
          url: postgres://migrator@db.internal:5432/app?sslmode=verify-full
          password_file: /etc/sluice/db-password
          schema: sluice_meta
          lock_timeout: 3s
          statement_timeout: 10m
          lock_retries: 7
        repository:
          url: https://git.example.com/acme/app.git
          branch: release
          path: db/migrations
          poll_interval: 1m
          ssh_key: /etc/sluice/id_ed25519
          token_file: /etc/sluice/git-token
          state_dir: /srv/sluice
        rehearsal:
          enabled: false
          strategy: template
          scratch_url: postgres://scratch@other:5432/postgres
          verify_down: false
          keep_failed: false
          ttl: 2h
        policy:
          rollback_on: removal
          out_of_order: allow
          require_down: false
          on_schema_drift: refuse
          lint: warn
        daemon:
          control_socket: /tmp/sluice.sock
          http: 0.0.0.0:9999
        """

    @Test func defaultsWithoutAFileOrVariables() async throws {
        #expect(!FileManager.default.fileExists(atPath: ConfigLoader.defaultPath), "this test assumes no \(ConfigLoader.defaultPath)")
        let c = try await ConfigLoader.load(explicitPath: nil, environment: [:])
        #expect(c.sourceFile == nil)
        #expect(c.database.url == nil)
        #expect(c.database.passwordFile == nil)
        #expect(c.database.schema == "sluice")
        #expect(c.database.lockTimeout == .seconds(5))
        #expect(c.database.statementTimeout == .zero)
        #expect(c.database.lockRetries == 3)
        #expect(c.repository.url == nil)
        #expect(c.repository.branch == "main")
        #expect(c.repository.path == "migrations")
        #expect(c.repository.pollInterval == .seconds(30))
        #expect(c.repository.stateDir == "/var/lib/sluice")
        #expect(c.rehearsal.enabled)
        #expect(c.rehearsal.strategy == .dump)
        #expect(c.rehearsal.scratchURL == nil)
        #expect(c.rehearsal.verifyDown)
        #expect(c.rehearsal.keepFailed)
        #expect(c.rehearsal.ttl == .seconds(86_400))
        #expect(c.policy == Policy())
        #expect(c.policy.rollbackOn == .revert)
        #expect(c.policy.outOfOrder == .refuse)
        #expect(c.policy.requireDown)
        #expect(c.policy.onSchemaDrift == .warn)
        #expect(c.policy.lint == .refuse)
        #expect(c.daemon.controlSocket == "/run/sluice/control.sock")
        #expect(c.daemon.http == "127.0.0.1:9187")
        #expect(c.webhooks.isEmpty)
    }

    @Test func everyKeyIsRead() async throws {
        let c = try await withConfigFile(Self.full) { try await ConfigLoader.load(explicitPath: $0, environment: [:]) }
        #expect(c.sourceFile?.hasSuffix("sluice.yaml") == true)
        #expect(c.database.url == "postgres://migrator@db.internal:5432/app?sslmode=verify-full")
        #expect(c.database.passwordFile == "/etc/sluice/db-password")
        #expect(c.database.schema == "sluice_meta")
        #expect(c.database.lockTimeout == .seconds(3))
        #expect(c.database.statementTimeout == .seconds(600))
        #expect(c.database.lockRetries == 7)
        #expect(c.repository.url == "https://git.example.com/acme/app.git")
        #expect(c.repository.branch == "release")
        #expect(c.repository.path == "db/migrations")
        #expect(c.repository.pollInterval == .seconds(60))
        #expect(c.repository.sshKey == "/etc/sluice/id_ed25519")
        #expect(c.repository.tokenFile == "/etc/sluice/git-token")
        #expect(c.repository.stateDir == "/srv/sluice")
        #expect(c.rehearsal.enabled == false)
        #expect(c.rehearsal.strategy == .template)
        #expect(c.rehearsal.scratchURL == "postgres://scratch@other:5432/postgres")
        #expect(c.rehearsal.verifyDown == false)
        #expect(c.rehearsal.keepFailed == false)
        #expect(c.rehearsal.ttl == .seconds(7200))
        #expect(c.policy == Policy(rollbackOn: .removal, outOfOrder: .allow, requireDown: false, onSchemaDrift: .refuse, lint: .warn))
        #expect(c.daemon.controlSocket == "/tmp/sluice.sock")
        #expect(c.daemon.http == "0.0.0.0:9999")
        #expect(c.webhooks.isEmpty)
    }

    @Test func webhookEventsAndURLsAreChecked() {
        let typo = validateError("notify:\n  webhooks:\n    - url: https://hooks.example.com/T/B/secret-token\n      events: [applied, faild]\n")
        #expect(typo?.status == .badInput)
        #expect(typo?.message == "sluice.yaml:3: unknown webhook event `faild`", "\(String(describing: typo))")
        #expect(typo?.hint?.hasPrefix("did you mean `failed`?") == true)
        let url = validateError("notify:\n  webhooks:\n    - url: hooks.example.com/T/B/secret-token\n")
        #expect(url?.message.contains("not an http(s) URL") == true)
        #expect(url?.description.contains("secret-token") == false, "a webhook URL is a secret: never in an error")
        let defaults = try? ConfigLoader.validate(yaml: "notify:\n  webhooks:\n    - url: https://example.com/hook\n", file: "sluice.yaml")
        #expect(defaults?.first?.events == ["applied", "failed", "refused", "rollback", "drift"])
        for timeout in ["0", "soon", "[5s]"] {
            let bad = validateError("notify:\n  webhooks:\n    - url: https://example.com/hook\n      timeout: \(timeout)\n")
            #expect(bad?.message == "sluice.yaml:3: `notify.webhooks[].timeout` must be a duration above zero", "\(timeout): \(String(describing: bad))")
        }
    }

    @Test func webhooksLoad() async throws {
        // The list of SPEC §8 (and the commented-out example in config/sluice.yaml), through the whole loader.
        let c = try await withConfigFile("database:\n  schema: sluice\n" + Self.webhooks) { try await ConfigLoader.load(explicitPath: $0, environment: [:]) }
        #expect(c.webhooks.map(\.url) == ["https://hooks.slack.com/services/T000/B000/XXXX", "https://example.com/hook"])
        #expect(c.webhooks.map(\.events) == [["plan", "applied", "failed", "rollback", "drift"], ["failed"]])
        #expect(c.webhooks.map(\.timeout) == [.seconds(5), .milliseconds(1500)], "5s unless set")
    }

    @Test func anEmptyWebhookListLoads() async throws {
        let c = try await withConfigFile("notify:\n  webhooks: []\n") { try await ConfigLoader.load(explicitPath: $0, environment: [:]) }
        #expect(c.webhooks.isEmpty)
    }

    @Test func aPartialFileKeepsTheOtherDefaults() async throws {
        let c = try await withConfigFile("database:\n  lock_timeout: 30s\nrehearsal:\n  scratch_url: ~\n") {
            try await ConfigLoader.load(explicitPath: $0, environment: [:])
        }
        #expect(c.database.lockTimeout == .seconds(30))
        #expect(c.database.schema == "sluice")
        #expect(c.rehearsal.scratchURL == nil)
        #expect(c.repository.branch == "main")
    }

    @Test func anEmptyFileMeansDefaults() async throws {
        let c = try await withConfigFile("# nothing set yet\n") { try await ConfigLoader.load(explicitPath: $0, environment: [:]) }
        #expect(c.database.lockTimeout == .seconds(5))
        #expect(c.sourceFile != nil)
    }

    @Test func variablesOverrideTheFile() async throws {
        let c = try await withConfigFile("database:\n  lock_timeout: 5s\n  schema: from_file\nrepository:\n  branch: main\n") {
            try await ConfigLoader.load(explicitPath: $0, environment: [
                "SLUICE_DATABASE_LOCK_TIMEOUT": "10s",
                "SLUICE_REPOSITORY_BRANCH": "production",
                "SLUICE_POLICY_OUT_OF_ORDER": "allow",
                "SLUICE_DATABASE_LOCK_RETRIES": "0",
                "SLUICE_REHEARSAL_ENABLED": "false",
            ])
        }
        #expect(c.database.lockTimeout == .seconds(10))
        #expect(c.database.schema == "from_file")
        #expect(c.repository.branch == "production")
        #expect(c.policy.outOfOrder == .allow)
        #expect(c.database.lockRetries == 0)
        #expect(c.rehearsal.enabled == false)
    }

    @Test func aVariableReplacesABadValueInTheFile() async throws {
        let c = try await withConfigFile("database:\n  lock_timeout: 5x\n") {
            try await ConfigLoader.load(explicitPath: $0, environment: ["SLUICE_DATABASE_LOCK_TIMEOUT": "2s"])
        }
        #expect(c.database.lockTimeout == .seconds(2))
    }

    @Test func aSectionWithEverythingCommentedOutLoads() async throws {
        let yaml = "database:\n  schema: app_sluice\nnotify:\n  # webhooks:\n  #   - url: https://example.com\n"
        let c = try await withConfigFile(yaml) { try await ConfigLoader.load(explicitPath: $0, environment: [:]) }
        #expect(c.database.schema == "app_sluice")
        #expect(c.webhooks.isEmpty)
    }

    @Test func variablesWithoutAFile() async throws {
        let c = try await ConfigLoader.load(explicitPath: nil, environment: ["SLUICE_DATABASE_URL": "postgres://app@localhost/app", "SLUICE_REHEARSAL_TTL": "30m"])
        #expect(c.database.url == "postgres://app@localhost/app")
        #expect(c.rehearsal.ttl == .seconds(1800))
        #expect(c.sourceFile == nil)
    }

    @Test func sluiceConfigVariableNamesTheFile() async throws {
        let c = try await withConfigFile("repository:\n  path: sql\n") { try await ConfigLoader.load(explicitPath: nil, environment: ["SLUICE_CONFIG": $0]) }
        #expect(c.repository.path == "sql")
    }

    @Test func environmentNames() {
        #expect(SluiceConfig.environmentName("database.url") == "SLUICE_DATABASE_URL")
        #expect(SluiceConfig.environmentName("database.lock_timeout") == "SLUICE_DATABASE_LOCK_TIMEOUT")
    }

    // MARK: errors

    @Test func aMisspelledKeyIsNamedWithASuggestion() async throws {
        let yaml = "database:\n  url: postgres://x@y/z\n  lock_timout: 5s\n"
        let error = try #require(validateError(yaml))
        #expect(error.status == .badInput)
        #expect(error.message.contains("database.lock_timout"))
        #expect(error.message.contains("sluice.yaml:3"), "\(error.message)")
        #expect(error.hint?.contains("did you mean `database.lock_timeout`?") == true, "hint: \(error.hint ?? "-")")

        let viaLoad = try await withConfigFile(yaml) { await loadError($0) }
        #expect(viaLoad?.status == .badInput)
        #expect(viaLoad?.message.contains("database.lock_timout") == true)
    }

    @Test("near misses get a suggestion", arguments: [
        ("database", "lock-timeout", "lock_timeout"),
        ("database", "LockTimeout", "lock_timeout"),
        ("database", "lock_timout", "lock_timeout"),
        ("repository", "pol_interval", "poll_interval"),
        ("policy", "rollback-on", "rollback_on"),
        ("policy", "outoforder", "out_of_order"),
        ("rehearsal", "stratgy", "strategy"),
    ])
    func suggestion(_ section: String, _ typo: String, _ key: String) throws {
        let error = try #require(validateError("\(section):\n  \(typo): x\n"))
        #expect(error.message.contains("\(section).\(typo)"))
        #expect(error.hint?.contains("did you mean `\(section).\(key)`?") == true, "hint: \(error.hint ?? "-")")
    }

    @Test func anUnknownSectionIsNamed() throws {
        let error = try #require(validateError("database:\n  schema: s\ndatabse:\n  url: x\n"))
        #expect(error.status == .badInput)
        #expect(error.message.contains("databse"))
        #expect(error.message.contains("sluice.yaml:3"))
        #expect(error.hint?.contains("database") == true)
    }

    @Test("badly shaped files", arguments: [
        "- database\n- policy\n",
        "database: [url, schema]\n",
        "database:\n  url: [a, b]\n",
        "database:\n  url: x\n    bad: indent\n",
        "notify:\n  webhooks: https://example.com\n",
        "notify:\n  webhooks:\n    - events: [plan]\n",
        "notify:\n  webhooks:\n    - url: https://example.com\n      secret: hunter2\n",
        "notify:\n  webhook:\n    - url: https://example.com\n",
    ])
    func badShape(_ yaml: String) {
        let error = validateError(yaml)
        #expect(error?.status == .badInput)
        #expect(error?.message.contains("sluice.yaml") == true)
    }

    @Test func webhooksAreReturnedByValidation() throws {
        let hooks = try ConfigLoader.validate(yaml: Self.webhooks, file: "sluice.yaml")
        #expect(hooks.count == 2)
        #expect(hooks.first?.events.contains("drift") == true)
        #expect(try ConfigLoader.validate(yaml: "notify:\n  webhooks:\n", file: "f").isEmpty)
        #expect(try ConfigLoader.validate(yaml: "", file: "f").isEmpty)
    }

    @Test func aBadDurationInTheFileNamesTheKey() async throws {
        let error = try await withConfigFile("database:\n  lock_timeout: 5x\n") { await loadError($0) }
        let e = try #require(error)
        #expect(e.status == .badInput)
        #expect(e.message.contains("database.lock_timeout"))
        #expect(e.message.contains("5x"))
        #expect(!e.message.contains("(from SLUICE_DATABASE_LOCK_TIMEOUT)"), "the value came from the file")
        #expect(e.hint?.contains("SLUICE_DATABASE_LOCK_TIMEOUT") == true)
    }

    @Test func aBadDurationInTheEnvironmentNamesTheVariable() async throws {
        let e = try #require(await loadError(nil, environment: ["SLUICE_DATABASE_LOCK_TIMEOUT": "5x"]))
        #expect(e.status == .badInput)
        #expect(e.message.contains("database.lock_timeout"))
        #expect(e.message.contains("SLUICE_DATABASE_LOCK_TIMEOUT"))
        #expect(e.message.contains("5x"))
    }

    @Test("bad values name their key", arguments: [
        ("policy:\n  rollback_on: sometimes\n", "policy.rollback_on", "revert or removal or never"),
        ("policy:\n  out_of_order: maybe\n", "policy.out_of_order", "refuse or allow"),
        ("rehearsal:\n  strategy: snapshot\n", "rehearsal.strategy", "template or dump or schema"),
        ("rehearsal:\n  enabled: perhaps\n", "rehearsal.enabled", "true or false"),
        ("policy:\n  require_down: nope\n", "policy.require_down", "true or false"),
        ("database:\n  lock_retries: many\n", "database.lock_retries", "whole number"),
        ("database:\n  lock_retries: -1\n", "database.lock_retries", "whole number"),
        ("repository:\n  poll_interval: 30\n", "repository.poll_interval", "duration"),
        ("rehearsal:\n  ttl: 1 day\n", "rehearsal.ttl", "duration"),
    ])
    func badValue(_ yaml: String, _ key: String, _ expected: String) async throws {
        let e = try #require(try await withConfigFile(yaml) { await loadError($0) }, "accepted: \(yaml)")
        #expect(e.status == .badInput)
        #expect(e.message.contains(key), "\(e.message)")
        #expect(e.description.contains(expected), "\(e.description)")
    }

    @Test func aMissingConfigFileIsAnError() async throws {
        let path = "/nonexistent/sluice-\(UUID().uuidString).yaml"
        let e = try #require(await loadError(path))
        #expect(e.status == .badInput)
        #expect(e.message.contains(path))
        let viaVariable = try #require(await loadError(nil, environment: ["SLUICE_CONFIG": path]))
        #expect(viaVariable.status == .badInput)
    }

    @Test func invalidYAMLIsAnError() async throws {
        let e = try #require(try await withConfigFile("database:\n  url: [unclosed\n") { await loadError($0) })
        #expect(e.status == .badInput)
        #expect(e.message.contains("YAML"))
    }

    @Test func theRepositoryExampleLoads() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let example = root.appendingPathComponent("config/sluice.yaml").path
        #expect(FileManager.default.fileExists(atPath: example), "SPEC §8 documents config/sluice.yaml as the example")
        guard FileManager.default.fileExists(atPath: example) else { return }
        let c = try await ConfigLoader.load(explicitPath: example, environment: [:])
        #expect(c.sourceFile == example)
        #expect(!c.database.schema.isEmpty)
    }
}
