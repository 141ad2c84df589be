import Foundation

/// Keeps secrets out of everything shown, logged or recorded: one redactor for the Postgres,
/// Git and daemon layers.
///
/// - URL passwords: `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
/// - `password=x` settings (any case, spaces around `=`, a `'quoted value'` too) → `password=***`.
/// - Known secrets (a password file's content, a Git token) wherever they appear → `***`.
///
/// Read by hand rather than with a Swift Regex: the daemon redacts at start, and the Regex
/// engine is ~850 KiB of code it would otherwise keep resident.
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
        maskingKeywordPasswords(maskingURLPasswords(text))
    }

    /// Removes every occurrence of the given secrets (of three characters or more) from
    /// `text`, then redacts URLs and settings.
    public static func scrub(_ text: String, secrets: [String]) -> String {
        var out = text
        for secret in secrets where secret.count >= 3 { out = out.replacingOccurrences(of: secret, with: "***") }
        return redact(out)
    }

    /// `scheme://user:password@` → `scheme://user:***@`, for each `://` in `text`. The user part
    /// has no `:`, `/`, `@`, quote or space; the password runs to the next `@` and has no space
    /// or quote.
    static func maskingURLPasswords(_ text: String) -> String {
        let chars = Array(text)
        let quotes: Set<Character> = ["'", "\""]
        var out = ""
        var i = 0, copied = 0
        while i + 2 < chars.count {
            guard chars[i] == ":", chars[i + 1] == "/", chars[i + 2] == "/" else { i += 1; continue }
            var j = i + 3
            while j < chars.count, !":/@".contains(chars[j]), !chars[j].isWhitespace, !quotes.contains(chars[j]) { j += 1 }
            guard j < chars.count, chars[j] == ":" else { i += 1; continue }
            var k = j + 1
            while k < chars.count, chars[k] != "@", !chars[k].isWhitespace, !quotes.contains(chars[k]) { k += 1 }
            guard k < chars.count, chars[k] == "@" else { i += 1; continue }
            out += String(chars[copied...j]) + "***@"
            i = k + 1
            copied = i
        }
        return copied == 0 ? text : out + String(chars[copied...])
    }

    /// `password = value` → `password = ***`, where value is `'quoted'` or runs to a space or `&`.
    static func maskingKeywordPasswords(_ text: String) -> String {
        let chars = Array(text)
        let keyword = Array("password")
        var out = ""
        var i = 0, copied = 0
        while i + keyword.count <= chars.count {
            guard zip(keyword, chars[i..<(i + keyword.count)]).allSatisfy({ $1.lowercased() == String($0) }),
                  let setting = setting(in: chars, after: i + keyword.count, stops: ["&"]) else {
                i += 1
                continue
            }
            out += String(chars[copied..<setting.value]) + "***"
            i = setting.end
            copied = setting.end
        }
        return copied == 0 ? text : out + String(chars[copied...])
    }

    /// After a keyword that ends at `index`: ` = value`, the value `'quoted'` or running to a
    /// space (or to one of `stops`). Where the value starts and where the setting ends; nil
    /// when there is no `=` or no value. Shared with the conninfo editing in SluicePostgres.
    package static func setting(in chars: [Character], after index: Int, stops: Set<Character> = []) -> (value: Int, end: Int)? {
        var j = index
        while j < chars.count, chars[j].isWhitespace { j += 1 }
        guard j < chars.count, chars[j] == "=" else { return nil }
        j += 1
        while j < chars.count, chars[j].isWhitespace { j += 1 }
        var end = j
        if j < chars.count, chars[j] == "'", let close = chars[(j + 1)...].firstIndex(of: "'") {
            end = close + 1
        } else {
            while end < chars.count, !stops.contains(chars[end]), !chars[end].isWhitespace { end += 1 }
        }
        return end > j ? (j, end) : nil
    }
}
