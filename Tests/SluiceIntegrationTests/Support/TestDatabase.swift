import Foundation
import SluicePostgres
import Testing

/// The server `scripts/test.sh` starts. A missing URL is a failure with instructions, never a skip.
enum TestServer {
    static func adminURL() throws -> String {
        if let url = ProcessInfo.processInfo.environment["SLUICE_TEST_DATABASE_URL"], !url.isEmpty { return url }
        let ci = ProcessInfo.processInfo.environment["CI"] == "true" ? " (CI=true: integration tests never skip)" : ""
        throw TestSetupError("SLUICE_TEST_DATABASE_URL is not set\(ci): run the suite with `bash scripts/test.sh`, which starts a throwaway PostgreSQL and exports it")
    }

    /// The admin URL with another database.
    static func url(database: String) throws -> String {
        var components = URLComponents(string: try adminURL())!
        components.path = "/" + database
        return components.string!
    }

    /// The password of the test cluster, read from PGPASSFILE (never printed).
    static func password() throws -> String {
        guard let path = ProcessInfo.processInfo.environment["PGPASSFILE"], let text = try? String(contentsOfFile: path, encoding: .utf8),
              let line = text.split(separator: "\n").first, let password = line.split(separator: ":", maxSplits: 4).last else {
            throw TestSetupError("PGPASSFILE is not set or unreadable: run the suite with `bash scripts/test.sh`")
        }
        return String(password)
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A database of its own for one test: `sluice_test_<random>`, dropped afterwards.
struct TestDatabase: Sendable {
    let name: String
    let url: String
    /// For a server of the test's own whose password is not in PGPASSFILE.
    var passwordFile: String?

    var settings: ConnectionSettings { ConnectionSettings(url: url, passwordFile: passwordFile, applicationName: "sluice-tests") }

    func connect() async throws -> Connection { try await Connection.connect(settings) }

    /// Runs one query and returns the first column of the first row.
    func scalar(_ sql: String, _ parameters: [String?] = []) async throws -> String? {
        try await connect().query(sql, parameters).scalar
    }

    func count(_ sql: String) async throws -> Int { Int(try await scalar(sql) ?? "0") ?? 0 }

    func tableExists(_ name: String) async throws -> Bool {
        try await scalar("SELECT to_regclass($1) IS NOT NULL", [name]) == "t"
    }
}

/// Creates a fresh database, runs `body`, and drops the database whatever happens.
func withTestDatabase<T>(_ body: (TestDatabase) async throws -> T) async throws -> T {
    let admin = try await Connection.connect(ConnectionSettings(url: try TestServer.adminURL(), applicationName: "sluice-tests"))
    let name = "sluice_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
    try await admin.execute("CREATE DATABASE \(try admin.quoteIdentifier(name))")
    let db = TestDatabase(name: name, url: try TestServer.url(database: name), passwordFile: nil)
    do {
        let result = try await body(db)
        try await drop(name, admin)
        return result
    } catch {
        try? await drop(name, admin)
        throw error
    }
}

private func drop(_ name: String, _ admin: Connection) async throws {
    try await admin.execute("DROP DATABASE IF EXISTS \(try admin.quoteIdentifier(name)) WITH (FORCE)")
}
