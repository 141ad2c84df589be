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
        copy.url = Self.replacingDatabase(in: url, with: database)
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

extension ConnectionSettings {
    /// Swaps the database of a URL (`…/app?x` → `…/other?x`) or conninfo (`dbname=`).
    static func replacingDatabase(in url: String, with database: String) -> String {
        if url.contains("://") {
            guard var components = URLComponents(string: url) else { return url }
            components.path = "/" + database
            return components.string ?? url
        }
        let stripped = url.replacing(/dbname\s*=\s*('[^']*'|\S+)/, with: "")
        return stripped + " dbname='\(database.replacingOccurrences(of: "'", with: "\\'"))'"
    }
}
