import Configuration
import Foundation
import SluiceCore
import Yams

/// Loads `sluice.yaml` and `SLUICE_…` variables through swift-configuration.
/// Variables win over the file; the file wins over defaults. Unknown keys and bad
/// values are exit-2 errors naming the key (and the variable that overrides it).
public enum ConfigLoader {
    public static let defaultPath = "/etc/sluice/sluice.yaml"

    /// - Parameter explicitPath: `--config FILE`; it must exist. Without it, `SLUICE_CONFIG`
    ///   or the default path is read when present, and defaults apply when not.
    public static func load(explicitPath: String?, environment: [String: String] = ProcessInfo.processInfo.environment) async throws(SluiceError) -> SluiceConfig {
        let path = explicitPath ?? environment["SLUICE_CONFIG"]
        let filePath: String?
        if let path {
            guard FileManager.default.fileExists(atPath: path) else {
                throw SluiceError(.badInput, "config file \(path) does not exist", hint: "pass an existing file to --config, or leave it out to use defaults and SLUICE_… variables")
            }
            filePath = path
        } else {
            filePath = FileManager.default.fileExists(atPath: defaultPath) ? defaultPath : nil
        }

        var providers: [any ConfigProvider] = [EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(with: ["sluice"])]
        var webhooks: [SluiceConfig.Webhook] = []
        if let filePath {
            guard let data = FileManager.default.contents(atPath: filePath), let text = String(data: data, encoding: .utf8) else {
                throw SluiceError(.badInput, "cannot read config file \(filePath)", hint: "check the file's permissions")
            }
            webhooks = try validate(yaml: text, file: filePath)
            providers.append(try fileProvider(text, file: filePath))
        }
        var config = try read(ConfigReader(providers: providers), environment: environment)
        config.webhooks = webhooks
        config.sourceFile = filePath
        return config
    }

    private static func read(_ reader: ConfigReader, environment: [String: String]) throws(SluiceError) -> SluiceConfig {
        var c = SluiceConfig()
        let v = Values(reader: reader, environment: environment)
        c.database.url = v.string("database.url")
        c.database.passwordFile = v.string("database.password_file")
        c.database.schema = v.string("database.schema") ?? c.database.schema
        c.database.lockTimeout = try v.duration("database.lock_timeout") ?? c.database.lockTimeout
        c.database.statementTimeout = try v.duration("database.statement_timeout") ?? c.database.statementTimeout
        c.database.lockRetries = try v.int("database.lock_retries", range: 0...100) ?? c.database.lockRetries

        c.repository.url = v.string("repository.url")
        c.repository.branch = v.string("repository.branch") ?? c.repository.branch
        c.repository.path = v.string("repository.path") ?? c.repository.path
        c.repository.pollInterval = try v.duration("repository.poll_interval") ?? c.repository.pollInterval
        c.repository.sshKey = v.string("repository.ssh_key")
        c.repository.tokenFile = v.string("repository.token_file")
        c.repository.stateDir = v.string("repository.state_dir") ?? c.repository.stateDir

        c.rehearsal.enabled = try v.bool("rehearsal.enabled") ?? c.rehearsal.enabled
        c.rehearsal.strategy = try v.choice("rehearsal.strategy", SluiceConfig.Rehearsal.Strategy.self) ?? c.rehearsal.strategy
        c.rehearsal.scratchURL = v.string("rehearsal.scratch_url")
        c.rehearsal.verifyDown = try v.bool("rehearsal.verify_down") ?? c.rehearsal.verifyDown
        c.rehearsal.keepFailed = try v.bool("rehearsal.keep_failed") ?? c.rehearsal.keepFailed
        c.rehearsal.ttl = try v.duration("rehearsal.ttl") ?? c.rehearsal.ttl

        c.policy.rollbackOn = try v.choice("policy.rollback_on", Policy.RollbackOn.self) ?? c.policy.rollbackOn
        c.policy.outOfOrder = try v.choice("policy.out_of_order", Policy.OutOfOrder.self) ?? c.policy.outOfOrder
        c.policy.requireDown = try v.bool("policy.require_down") ?? c.policy.requireDown
        c.policy.onSchemaDrift = try v.choice("policy.on_schema_drift", Policy.Gate.self) ?? c.policy.onSchemaDrift
        c.policy.lint = try v.choice("policy.lint", Policy.Gate.self) ?? c.policy.lint

        c.daemon.controlSocket = v.string("daemon.control_socket") ?? c.daemon.controlSocket
        c.daemon.http = v.string("daemon.http") ?? c.daemon.http
        return c
    }

    /// The file's scalar settings as a provider. swift-configuration's YAML snapshot parses
    /// the file; `notify.webhooks` (a list of mappings, which the snapshot does not model)
    /// is left out of what it sees and read by `validate` instead. An empty file is no settings.
    static func fileProvider(_ text: String, file: String) throws(SluiceError) -> InMemoryProvider {
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        guard var root = try? Yams.compose(yaml: text), root.mapping != nil else { return InMemoryProvider(name: file, values: values) }
        root.mapping?["notify"] = nil
        guard root.mapping?.isEmpty == false else { return InMemoryProvider(name: file, values: values) }
        let snapshot: YAMLSnapshot
        do {
            let bytes = Array(try Yams.serialize(node: root).utf8)
            snapshot = try YAMLSnapshot(data: bytes.span.bytes, providerName: file, parsingOptions: .default)
        } catch {
            throw SluiceError(.badInput, "cannot read config file \(file): \(error)", hint: "check the YAML syntax")
        }
        for (section, keys) in SluiceConfig.knownKeys where section != "notify" {
            for key in keys {
                let absolute = AbsoluteConfigKey([section, key])
                if let value = try? snapshot.value(forKey: absolute, type: .string).value { values[absolute] = value }
            }
        }
        return InMemoryProvider(name: file, values: values)
    }

    /// Checks the YAML's shape and keys with line numbers; returns the webhooks list.
    static func validate(yaml text: String, file: String) throws(SluiceError) -> [SluiceConfig.Webhook] {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw SluiceError(.badInput, "config file \(file) is not valid YAML: \(error)", hint: "fix the YAML syntax at the line named")
        }
        guard let root else { return [] }
        guard let top = root.mapping else { throw SluiceError(.badInput, "config file \(file): the top level must be a mapping of sections (database:, repository:, …)", hint: "see config/sluice.yaml for the layout") }
        var webhooks: [SluiceConfig.Webhook] = []
        for (keyNode, value) in top {
            let section = keyNode.string ?? ""
            let line = keyNode.mark.map { ":\($0.line)" } ?? ""
            guard let keys = SluiceConfig.knownKeys[section] else {
                let near = SluiceConfig.knownKeys.keys.first { editDistance($0, section.lowercased()) <= 2 }
                throw SluiceError(.badInput, "\(file)\(line): unknown config section `\(section)`", hint: near.map { "did you mean `\($0)`?" } ?? "known sections: \(SluiceConfig.knownKeys.keys.sorted().joined(separator: ", "))")
            }
            if value.scalar?.string == "~" || value.null != nil { continue }
            guard let mapping = value.mapping else {
                throw SluiceError(.badInput, "\(file)\(line): `\(section)` must be a mapping of keys", hint: "indent its keys under `\(section):`")
            }
            for (subKey, subValue) in mapping {
                let name = subKey.string ?? ""
                let subLine = subKey.mark.map { ":\($0.line)" } ?? ""
                guard keys.contains(name) else {
                    let near = keys.min { editDistance($0, name.lowercased()) < editDistance($1, name.lowercased()) }.flatMap { editDistance($0, name.lowercased()) <= 3 ? $0 : nil }
                    throw SluiceError(.badInput, "\(file)\(subLine): unknown config key `\(section).\(name)`", hint: near.map { "did you mean `\(section).\($0)`?" } ?? "known keys in \(section): \(keys.joined(separator: ", "))")
                }
                if section == "notify", name == "webhooks" { webhooks = try readWebhooks(subValue, file: file) }
                else if subValue.scalar == nil {
                    throw SluiceError(.badInput, "\(file)\(subLine): `\(section).\(name)` must be a single value", hint: "write it as `\(name): value`")
                }
            }
        }
        return webhooks
    }

    private static func readWebhooks(_ node: Node, file: String) throws(SluiceError) -> [SluiceConfig.Webhook] {
        if node.null != nil { return [] }
        guard let items = node.sequence else {
            throw SluiceError(.badInput, "\(file): `notify.webhooks` must be a list of {url, events}", hint: "see config/sluice.yaml")
        }
        var hooks: [SluiceConfig.Webhook] = []
        for item in items {
            let line = item.mark.map { ":\($0.line)" } ?? ""
            guard let mapping = item.mapping, let url = mapping["url"]?.string, !url.isEmpty else {
                throw SluiceError(.badInput, "\(file)\(line): each entry of `notify.webhooks` needs a `url`", hint: "write `- url: https://…` with `events: [plan, applied, failed]`")
            }
            for key in mapping.keys.compactMap(\.string) where !["url", "events", "timeout"].contains(key) {
                throw SluiceError(.badInput, "\(file)\(line): unknown key `notify.webhooks[].\(key)`", hint: "a webhook has `url`, `events` and `timeout`")
            }
            let events = mapping["events"]?.sequence?.compactMap(\.string) ?? []
            for event in events where !SluiceConfig.Webhook.kinds.contains(event) {
                let near = SluiceConfig.Webhook.kinds.min { editDistance($0, event.lowercased()) < editDistance($1, event.lowercased()) }
                    .flatMap { editDistance($0, event.lowercased()) <= 2 ? $0 : nil }
                throw SluiceError(.badInput, "\(file)\(line): unknown webhook event `\(event)`",
                                  hint: (near.map { "did you mean `\($0)`? " } ?? "") + "events are \(SluiceConfig.Webhook.kinds.joined(separator: ", "))")
            }
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                throw SluiceError(.badInput, "\(file)\(line): webhook url is not an http(s) URL", hint: "write `- url: https://hooks.slack.com/services/…`")
            }
            var hook = SluiceConfig.Webhook(url: url, events: events.isEmpty ? ["applied", "failed", "refused", "rollback", "drift"] : events)
            if let node = mapping["timeout"] {
                guard let timeout = node.string.flatMap(DurationParser.parse), timeout > .zero else {
                    throw SluiceError(.badInput, "\(file)\(line): `notify.webhooks[].timeout` must be a duration above zero", hint: "write a duration such as 5s or 1500ms")
                }
                hook.timeout = timeout
            }
            hooks.append(hook)
        }
        return hooks
    }
}

/// Typed reads that name the key and its variable when a value is bad.
private struct Values {
    let reader: ConfigReader
    let environment: [String: String]

    func string(_ key: String) -> String? {
        guard let value = reader.string(forKey: ConfigKey(key))?.trimmingCharacters(in: .whitespaces) else { return nil }
        return ["", "~", "null"].contains(value) ? nil : value
    }

    func bad(_ key: String, _ value: String, _ expected: String) -> SluiceError {
        let variable = SluiceConfig.environmentName(key)
        let source = environment[variable] != nil ? " (from \(variable))" : ""
        return SluiceError(.badInput, "config key \(key)\(source): `\(value)` is not \(expected)", hint: "set \(key) in the config file or \(variable) to \(expected)")
    }

    func duration(_ key: String) throws(SluiceError) -> Duration? {
        guard let text = string(key) else { return nil }
        guard let duration = DurationParser.parse(text) else { throw bad(key, text, "a duration such as 30s, 5m or 1h") }
        return duration
    }

    func int(_ key: String, range: ClosedRange<Int>) throws(SluiceError) -> Int? {
        guard let text = string(key) else { return nil }
        guard let value = Int(text), range.contains(value) else { throw bad(key, text, "a whole number from \(range.lowerBound) to \(range.upperBound)") }
        return value
    }

    func bool(_ key: String) throws(SluiceError) -> Bool? {
        guard let text = string(key) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw bad(key, text, "true or false")
        }
    }

    func choice<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type) throws(SluiceError) -> T? where T.RawValue == String {
        guard let text = string(key) else { return nil }
        guard let value = T(rawValue: text.lowercased()) else { throw bad(key, text, T.allCases.map(\.rawValue).joined(separator: " or ")) }
        return value
    }
}

/// Levenshtein distance, for "did you mean" on misspelled keys.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var previous = Array(0...b.count)
    for (i, ca) in a.enumerated() {
        var current = [i + 1]
        for (j, cb) in b.enumerated() {
            current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1)))
        }
        previous = current
    }
    return previous[b.count]
}
