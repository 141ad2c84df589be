import Foundation
import SluiceCore

/// Where and how to connect. The password never travels in argv: it comes from the
/// URL (discouraged), `PGPASSWORD`, `PGPASSFILE`/`~/.pgpass`, or `database.password_file`.
public struct ConnectionSettings: Sendable {
    /// A `postgres://` URL or a `key=value` conninfo string.
    public var url: String
    /// A file whose first line is the password (`database.password_file`).
    public var passwordFile: String?
    public var applicationName: String

    public init(url: String, passwordFile: String? = nil, applicationName: String = "sluice") {
        self.url = url
        self.passwordFile = passwordFile
        self.applicationName = applicationName
    }

    /// The URL with any password replaced by `***`: the only form that may be shown.
    public var redactedURL: String { Redactor.redact(url) }

    /// The same server and credentials, another database.
    public func with(database: String) -> ConnectionSettings {
        var copy = self
        copy.url = Redactor.replacingDatabase(in: url, with: database)
        return copy
    }

    /// Every secret these settings know of (password file, URL password, `PGPASSWORD`), for
    /// scrubbing text that leaves the process (webhook payloads).
    public var secrets: [String] {
        var found: [String] = []
        if let password = try? password() { found.append(password) }
        if let urlPassword = URLComponents(string: url)?.password { found.append(urlPassword) }
        if let env = ProcessInfo.processInfo.environment["PGPASSWORD"] { found.append(env) }
        return found.filter { !$0.isEmpty }
    }

    /// Reads the password file; the error names the file, never its content.
    func password() throws(SluiceError) -> String? {
        guard let passwordFile else { return nil }
        guard let data = FileManager.default.contents(atPath: passwordFile), let text = String(data: data, encoding: .utf8) else {
            throw SluiceError(.badInput, "cannot read database.password_file \(passwordFile)", hint: "check that the file exists and that this user may read it")
        }
        return text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
    }
}

/// Keeps secrets out of everything shown, logged or recorded.
public enum Redactor {
    /// `postgres://user:secret@host/db` → `postgres://user:***@host/db`; `password=x` (any case,
    /// spaces around `=`, a `'quoted value'` too) → `password=***`.
    ///
    /// Read by hand rather than with a Swift Regex: the daemon redacts at start, and the Regex
    /// engine is ~850 KiB of code it would otherwise keep resident.
    public static func redact(_ text: String) -> String {
        maskingKeywordPasswords(maskingURLPasswords(text))
    }

    /// `scheme://user:password@` → `scheme://user:***@`, for each `://` in `text`. The user part
    /// has no `:`, `/`, `@` or space; the password runs to the next `@` and has no space.
    static func maskingURLPasswords(_ text: String) -> String {
        let chars = Array(text)
        var out = ""
        var i = 0, copied = 0
        while i + 2 < chars.count {
            guard chars[i] == ":", chars[i + 1] == "/", chars[i + 2] == "/" else { i += 1; continue }
            var j = i + 3
            while j < chars.count, !":/@".contains(chars[j]), !chars[j].isWhitespace { j += 1 }
            guard j < chars.count, chars[j] == ":" else { i += 1; continue }
            var k = j + 1
            while k < chars.count, chars[k] != "@", !chars[k].isWhitespace { k += 1 }
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

    /// Removes every occurrence of the given secrets from `text`, then redacts URLs.
    public static func scrub(_ text: String, secrets: [String]) -> String {
        var out = text
        for secret in secrets where secret.count >= 3 { out = out.replacingOccurrences(of: secret, with: "***") }
        return redact(out)
    }

    /// `text` without its `keyword = value` settings (value `'quoted'` or up to a space).
    static func removingKeyword(_ keyword: String, from text: String) -> String {
        let chars = Array(text), key = Array(keyword)
        var out = ""
        var i = 0
        while i < chars.count {
            if i + key.count <= chars.count, Array(chars[i..<(i + key.count)]) == key,
               let setting = setting(in: chars, after: i + key.count) {
                i = setting.end
                continue
            }
            out.append(chars[i])
            i += 1
        }
        return out
    }

    /// After a keyword that ends at `index`: ` = value`, the value `'quoted'` or running to a
    /// space (or to one of `stops`). Where the value starts and where the setting ends; nil
    /// when there is no `=` or no value.
    private static func setting(in chars: [Character], after index: Int, stops: Set<Character> = []) -> (value: Int, end: Int)? {
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

    /// Swaps the database of a URL (`…/app?x` → `…/other?x`) or conninfo (`dbname=`).
    static func replacingDatabase(in url: String, with database: String) -> String {
        if url.contains("://") {
            guard var components = URLComponents(string: url) else { return url }
            components.path = "/" + database
            return components.string ?? url
        }
        let stripped = removingKeyword("dbname", from: url)
        return stripped + " dbname='\(database.replacingOccurrences(of: "'", with: "\\'"))'"
    }
}
