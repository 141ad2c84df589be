import Foundation

/// Keeps secrets out of everything shown, logged or recorded: one redactor for the Postgres,
/// Git and daemon layers.
///
/// - URL passwords: `postgres://user:secret@host/db` → `postgres://user:***@host/db` (the
///   user part has no `:`, `/`, `@`, quote or space; the password no space or quote).
/// - `password=x` settings (any case, spaces around `=`, a `'quoted value'` too) → `password=***`.
/// - Known secrets (a password file's content, a Git token) wherever they appear → `***`.
public struct Redactor: Sendable {
    /// Literal secrets to remove (a token read from `repository.token_file`, a password).
    public var secrets: [String]

    public init(secrets: [String] = []) { self.secrets = secrets }

    /// Masks URL and `password=` settings only.
    public static let none = Redactor()

    /// `text` without this redactor's secrets, its URL passwords and `password=` settings.
    public func scrub(_ text: String) -> String { Self.scrub(text, secrets: secrets) }

    /// Masks URL passwords and `password=` settings.
    public static func redact(_ text: String) -> String {
        text.replacing(/(:\/\/[^:\/@\s'"]*):[^@\s'"]*@/) { "\($0.output.1):***@" }
            .replacing(/(?i)(password\s*=\s*)('[^']*'|[^\s&]+)/) { "\($0.output.1)***" }
    }

    /// Removes every occurrence of the given secrets (of three characters or more) from
    /// `text`, then redacts URLs and settings.
    public static func scrub(_ text: String, secrets: [String]) -> String {
        var out = text
        for secret in secrets where secret.count >= 3 { out = out.replacingOccurrences(of: secret, with: "***") }
        return redact(out)
    }
}
