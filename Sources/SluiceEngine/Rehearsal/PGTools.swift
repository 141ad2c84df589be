import Foundation
import SluiceCore
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// PostgreSQL's client programs (`pg_dump`, `psql`) of a version that can read the server,
/// run through swift-subprocess. Connection settings, the password included, go to them by
/// environment (`PGHOST`, `PGPASSWORD`, …), never in their arguments.
struct PGTools: Sendable {
    /// Directory holding `pg_dump` and `psql`; nil: found on `PATH`.
    var bindir: String?
    var major: Int

    /// Picks client programs whose major version is at least the server's: `SLUICE_PG_BINDIR`
    /// when set, else the lowest such `/usr/lib/postgresql/N/bin` (Debian), else `PATH`.
    static func locate(serverVersion: Int) async throws -> PGTools {
        let serverMajor = serverVersion / 10000
        var tried: [String] = []
        func check(_ bindir: String?) async -> PGTools? {
            let path = bindir.map { "\($0)/pg_dump" } ?? "pg_dump"
            guard let major = await version(of: path) else { tried.append("\(path): not found"); return nil }
            guard major >= serverMajor else { tried.append("\(path): version \(major)"); return nil }
            return PGTools(bindir: bindir, major: major)
        }
        if let configured = ProcessInfo.processInfo.environment["SLUICE_PG_BINDIR"], !configured.isEmpty {
            if let tools = await check(configured) { return tools }
        } else {
            let root = "/usr/lib/postgresql"
            let majors = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
            for major in majors where major >= serverMajor {
                if let tools = await check("\(root)/\(major)/bin") { return tools }
            }
            if let tools = await check(nil) { return tools }
        }
        throw SluiceError(
            .badInput, "no pg_dump of version \(serverMajor) or later to clone a PostgreSQL \(serverMajor) server for the rehearsal (\(tried.joined(separator: "; ")))",
            hint: "install postgresql-client-\(serverMajor) (or newer), or point SLUICE_PG_BINDIR at its bin directory; rehearsal.strategy: template needs no client programs")
    }

    static func version(of path: String) async -> Int? {
        guard let result = try? await Subprocess.run(path.contains("/") ? .path(FilePath(path)) : .name(path), arguments: ["--version"], output: .string(limit: 4096)),
              case .exited(0) = result.terminationStatus else { return nil }
        let text = result.standardOutput
        // The first number: "pg_dump (PostgreSQL) 15.8" → 15.
        return Int(String(text.drop(while: { !$0.isASCII || !$0.isNumber }).prefix(while: { $0.isASCII && $0.isNumber })))
    }

    func executable(_ name: String) -> Executable {
        bindir.map { .path(FilePath("\($0)/\(name)")) } ?? .name(name)
    }

    /// `PG…` variables for the connection `parameters` (from `Connection.parameters`), with
    /// `database` as `PGDATABASE`. Variables not set here are inherited, minus any stray
    /// `PGSERVICE` that could point elsewhere.
    static func environment(_ parameters: [String: String], database: String) -> Environment {
        let names: [String: String] = [
            "host": "PGHOST", "hostaddr": "PGHOSTADDR", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD",
            "passfile": "PGPASSFILE", "options": "PGOPTIONS", "sslmode": "PGSSLMODE", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY",
            "sslrootcert": "PGSSLROOTCERT", "sslcrl": "PGSSLCRL", "sslcrldir": "PGSSLCRLDIR", "sslsni": "PGSSLSNI",
            "gssencmode": "PGGSSENCMODE", "krbsrvname": "PGKRBSRVNAME", "channel_binding": "PGCHANNELBINDING",
            "connect_timeout": "PGCONNECT_TIMEOUT", "target_session_attrs": "PGTARGETSESSIONATTRS",
            "ssl_min_protocol_version": "PGSSLMINPROTOCOLVERSION", "ssl_max_protocol_version": "PGSSLMAXPROTOCOLVERSION",
        ]
        var values: [Environment.Key: String?] = ["PGSERVICE": nil, "PGDATABASE": database, "PGAPPNAME": "sluice-rehearsal"]
        for (keyword, variable) in names {
            if let value = parameters[keyword], !value.isEmpty, let key = Environment.Key(rawValue: variable) { values[key] = value }
        }
        return .inherit.updating(values)
    }

    struct Failure: Error {
        var program: String
        var status: String
        var stderr: String
    }

    /// `pg_dump dumpArguments | psql` into the scratch database, the two processes joined by a
    /// pipe (no temporary files). Throws `Failure` with the tail of the failing program's stderr.
    func dumpIntoPsql(dumpArguments: [String], source: Environment, target: Environment) async throws {
        let (read, write) = try FileDescriptor.pipe()
        let dump = executable("pg_dump"), psql = executable("psql")
        async let dumped = Subprocess.run(dump, arguments: Arguments(["--no-password"] + dumpArguments), environment: source,
                                          output: .fileDescriptor(write, closeAfterSpawningProcess: true), error: .string(limit: 1 << 22))
        async let restored = Subprocess.run(psql, arguments: ["--no-password", "--no-psqlrc", "--quiet", "-v", "ON_ERROR_STOP=1", "--output=/dev/null"],
                                            environment: target, input: .fileDescriptor(read, closeAfterSpawningProcess: true),
                                            output: .discarded, error: .string(limit: 1 << 22))
        let (d, r) = try await (dumped, restored)
        if case .exited(0) = d.terminationStatus, case .exited(0) = r.terminationStatus { return }
        let failed = if case .exited(0) = d.terminationStatus { ("psql", r.terminationStatus, r.standardError) } else { ("pg_dump", d.terminationStatus, d.standardError) }
        let lines = failed.2.split(separator: "\n").suffix(6).joined(separator: "\n")
        let status = switch failed.1 {
        case .exited(let code): "exited with status \(code)"
        case .signaled(let signal): "was killed by signal \(signal)"
        }
        throw Failure(program: failed.0, status: status, stderr: lines)
    }
}
