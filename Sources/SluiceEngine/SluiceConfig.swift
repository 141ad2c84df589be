import SluiceCore

/// Every setting of SPEC §8, with its default.
public struct SluiceConfig: Sendable {
    public struct Database: Sendable {
        public var url: String?
        public var passwordFile: String?
        public var schema = "sluice"
        public var lockTimeout: Duration = .seconds(5)
        public var statementTimeout: Duration = .zero
        public var lockRetries = 3
    }

    public struct Repository: Sendable {
        public var url: String?
        public var branch = "main"
        public var path = "migrations"
        public var pollInterval: Duration = .seconds(30)
        public var sshKey: String?
        public var tokenFile: String?
        public var stateDir = "/var/lib/sluice"
    }

    public struct Rehearsal: Sendable {
        public enum Strategy: String, Sendable, CaseIterable { case template, dump, schema }
        public var enabled = true
        public var strategy: Strategy = .dump
        public var scratchURL: String?
        public var verifyDown = true
        public var keepFailed = true
        public var ttl: Duration = .seconds(86_400)
    }

    public struct Daemon: Sendable {
        public var controlSocket = "/run/sluice/control.sock"
        public var http = "127.0.0.1:9187"
    }

    public struct Webhook: Sendable {
        public var url: String
        public var events: [String]
        /// How long one attempt may take before it counts as failed and is retried.
        public var timeout: Duration = .seconds(5)

        /// The event kinds a webhook may ask for (docs/api.md#webhooks).
        public static let kinds = ["plan", "applied", "failed", "refused", "rollback", "drift", "lint", "rehearsal", "hold", "release", "resolve", "baseline", "branch"]
    }

    public var database = Database()
    public var repository = Repository()
    public var rehearsal = Rehearsal()
    public var policy = Policy()
    public var daemon = Daemon()
    public var webhooks: [Webhook] = []
    /// The file the settings came from, if any.
    public var sourceFile: String?

    public init() {}

    /// The known keys, for rejecting typos. `notify.webhooks` is a list checked on its own.
    static let knownKeys: [String: [String]] = [
        "database": ["url", "password_file", "schema", "lock_timeout", "statement_timeout", "lock_retries"],
        "repository": ["url", "branch", "path", "poll_interval", "ssh_key", "token_file", "state_dir"],
        "rehearsal": ["enabled", "strategy", "scratch_url", "verify_down", "keep_failed", "ttl"],
        "policy": ["rollback_on", "out_of_order", "require_down", "on_schema_drift", "lint"],
        "daemon": ["control_socket", "http"],
        "notify": ["webhooks"],
    ]

    /// The environment variable that overrides a key: `database.url` → `SLUICE_DATABASE_URL`.
    public static func environmentName(_ key: String) -> String {
        "SLUICE_" + key.uppercased().replacingOccurrences(of: ".", with: "_")
    }
}

import Foundation
