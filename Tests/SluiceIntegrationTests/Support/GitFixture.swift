import Foundation
import Glibc

/// A real Git setup in a temp folder: a bare "remote" and a work clone where commits are
/// made with the git CLI and pushed, as a team would.
final class GitFixture: @unchecked Sendable {
    let root: String
    let remote: String
    let work: String
    let folder: String

    init(folder: String = "migrations") async throws {
        root = NSTemporaryDirectory() + "sluice-git-" + UUID().uuidString.prefix(8)
        remote = root + "/remote.git"
        work = root + "/work"
        self.folder = folder
        try FileManager.default.createDirectory(atPath: root + "/home", withIntermediateDirectories: true)
        try await git(["init", "--bare", "-b", "main", remote], in: root)
        try await git(["clone", remote, work], in: root)
        try FileManager.default.createDirectory(atPath: work + "/" + folder, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Writes files into the migrations folder, commits and pushes; returns the commit.
    @discardableResult
    func commit(_ files: [String: String], message: String, author: String = "Ada Lovelace <ada@example.com>") async throws -> String {
        for (name, text) in files { try text.write(toFile: "\(work)/\(folder)/\(name)", atomically: true, encoding: .utf8) }
        try await git(["add", "-A"], in: work)
        try await git(["commit", "-q", "-m", message, "--author", author], in: work)
        try await git(["push", "-q", "origin", "HEAD:main"], in: work)
        return try await head()
    }

    /// Removes files in a plain commit (not a revert) and pushes.
    @discardableResult
    func remove(_ names: [String], message: String) async throws -> String {
        try await git(["rm", "-q"] + names.map { "\(folder)/\($0)" }, in: work)
        try await git(["commit", "-q", "-m", message], in: work)
        try await git(["push", "-q", "origin", "HEAD:main"], in: work)
        return try await head()
    }

    /// `git revert` of a commit, pushed.
    @discardableResult
    func revert(_ sha: String) async throws -> String {
        try await git(["revert", "--no-edit", sha], in: work)
        try await git(["push", "-q", "origin", "HEAD:main"], in: work)
        return try await head()
    }

    /// Moves the branch to `sha` and force-pushes it (history rewritten or moved backwards).
    func forcePush(resetTo sha: String) async throws {
        try await git(["reset", "-q", "--hard", sha], in: work)
        try await git(["push", "-q", "--force", "origin", "HEAD:main"], in: work)
    }

    func head() async throws -> String { try await git(["rev-parse", "HEAD"], in: work).trimmingCharacters(in: .whitespacesAndNewlines) }

    /// Paired migration files that create table `name`.
    static func table(_ version: Int, _ name: String, extra: String = "") -> [String: String] {
        [String(format: "%04d_%@.up.sql", version, name): "CREATE TABLE \(name) (id int);\n\(extra)",
         String(format: "%04d_%@.down.sql", version, name): "DROP TABLE \(name);\n"]
    }

    @discardableResult
    func git(_ args: [String], in directory: String) async throws -> String {
        try await offThePool { [self] in try gitBlocking(args, in: directory) }
    }

    private func gitBlocking(_ args: [String], in directory: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = ["-c", "init.defaultBranch=main", "-c", "user.name=Sluice Tests", "-c", "user.email=tests@example.com"] + args
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = ["HOME": root + "/home", "PATH": "/usr/bin:/bin", "GIT_TERMINAL_PROMPT": "0"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestSetupError("git \(args.joined(separator: " ")) failed: \(String(decoding: errData, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A `sluice daemon run` process watching a fixture's remote, with its own socket and state.
final class DaemonProcess: @unchecked Sendable {
    let running: CLI.Running
    let socket: String
    let env: [String: String]
    /// A port of its own for `/healthz` and `/readyz`.
    let httpPort = DaemonProcess.freePort()

    init(_ fixture: GitFixture, _ db: TestDatabase, env extra: [String: String] = [:], name: String = "d", arguments: [String] = []) throws {
        let dir = fixture.root + "/daemon-" + name
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        socket = dir + "/control.sock"
        env = [
            "SLUICE_REPOSITORY_URL": fixture.remote,
            "SLUICE_REPOSITORY_PATH": fixture.folder,
            "SLUICE_REPOSITORY_STATE_DIR": dir + "/state",
            "SLUICE_DAEMON_CONTROL_SOCKET": socket,
            "SLUICE_REPOSITORY_POLL_INTERVAL": "1h",
            "SLUICE_DAEMON_HTTP": "127.0.0.1:\(httpPort)",
        ].merging(extra) { _, new in new }
        running = try CLI.start(["daemon", "run"] + arguments, database: db, env: env)
    }

    /// Waits until the control socket answers (bounded), so tests never sleep blindly.
    func ready(db: TestDatabase) async throws {
        for _ in 0..<300 {
            if !running.process.isRunning {
                let result = try await CLI.finish(running)
                throw TestSetupError("daemon exited early: \(result)")
            }
            if try await CLI.run(["daemon", "status"], database: db, env: env).status == 0 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSetupError("daemon did not answer on \(socket)")
    }

    /// `sluice daemon trigger --wait`: runs a cycle now and returns its result.
    func cycle(_ db: TestDatabase) async throws -> CLIResult {
        try await CLI.run(["daemon", "trigger", "--wait", "--timeout", "60"], database: db, env: env)
    }

    /// A daemon whose test failed half-way must not outlive the test.
    deinit {
        if running.process.isRunning { kill(running.process.processIdentifier, SIGKILL) }
    }

    func stop() async throws -> CLIResult {
        if running.process.isRunning { kill(running.process.processIdentifier, SIGTERM) }
        return try await CLI.finish(running)
    }

    /// `GET http://127.0.0.1:<port><path>` with curl: (HTTP status, body).
    func http(_ path: String) async throws -> (Int, String) {
        try await offThePool { [httpPort] in try DaemonProcess.curl("http://127.0.0.1:\(httpPort)\(path)") }
    }

    private static func curl(_ url: String) throws -> (Int, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "-o", "-", "-w", "\n%{http_code}", url]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let lines = text.split(separator: "\n")
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    /// A loopback port nobody listens on: bound with port 0, read back, released; below the
    /// ephemeral range, so an outgoing connection does not take it in the meantime.
    static func freePort() -> Int {
        for _ in 0..<50 {
            let candidate = Int.random(in: 10_000..<32_000)
            let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(candidate).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(fd)
            if bound == 0 { return candidate }
        }
        return Int.random(in: 10_000..<32_000)
    }
}

/// A PostgreSQL server of the test's own (scripts/lib/pg.sh), which the test may stop and
/// start again; removed at the end.
final class OwnServer: @unchecked Sendable {
    let dir: String
    let port: Int
    let bindir: String
    let database: TestDatabase

    init() async throws {
        dir = try await OwnServer.shell("mktemp -d /tmp/sluice-own-pg.XXXXXX").trimmingCharacters(in: .whitespacesAndNewlines)
        let script = CLI.packageRoot.appendingPathComponent("scripts/lib/pg.sh").path
        // The server must not inherit this pipe, or reading it would wait for the server to end.
        let out = try await OwnServer.shell("source '\(script)' && sluice_pg_start '\(dir)' >'\(dir).start.log' 2>&1 </dev/null && echo \"$PGPORT $SLUICE_PG_BINDIR\"")
        let parts = out.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard parts.count == 2, let port = Int(parts[0]) else { throw TestSetupError("could not start a server: \(out)") }
        self.port = port
        bindir = parts[1]
        let pgpass = try String(contentsOfFile: dir + "/pgpass", encoding: .utf8)
        let password = pgpass.split(separator: "\n")[0].split(separator: ":", maxSplits: 4).last.map(String.init) ?? ""
        try (password + "\n").write(toFile: dir + "/password", atomically: true, encoding: .utf8)
        database = TestDatabase(name: "postgres", url: "postgresql://postgres@127.0.0.1:\(port)/postgres", passwordFile: dir + "/password")
    }

    deinit { _ = try? OwnServer.shellBlocking("source '\(CLI.packageRoot.appendingPathComponent("scripts/lib/pg.sh").path)' && sluice_pg_stop '\(dir)' >/dev/null 2>&1; rm -f '\(dir).start.log'") }

    func stop() async throws { _ = try await OwnServer.shell("runuser -u postgres -- '\(bindir)/pg_ctl' -D '\(dir)/data' -m fast -w -t 60 stop") }
    func start() async throws { _ = try await OwnServer.shell("runuser -u postgres -- '\(bindir)/pg_ctl' -D '\(dir)/data' -l '\(dir)/postgres.log' -w -t 60 start >/dev/null 2>&1 </dev/null") }

    /// Runs a bash command with `system(3)`; its output goes through files, not pipes, because
    /// a server it starts inherits the descriptors (and Foundation's Process did not always
    /// notice the shell's exit once a daemonised server hung off it).
    @discardableResult
    static func shell(_ command: String) async throws -> String {
        try await offThePool { try shellBlocking(command) }
    }

    @discardableResult
    static func shellBlocking(_ command: String) throws -> String {
        let base = NSTemporaryDirectory() + "sluice-shell-" + UUID().uuidString.prefix(8)
        defer { try? FileManager.default.removeItem(atPath: base + ".sh"); try? FileManager.default.removeItem(atPath: base + ".out"); try? FileManager.default.removeItem(atPath: base + ".err") }
        try ("set -euo pipefail\n" + command + "\n").write(toFile: base + ".sh", atomically: true, encoding: .utf8)
        let status = system("/bin/bash '\(base).sh' >'\(base).out' 2>'\(base).err' </dev/null")
        let out = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
        guard status == 0 else {
            throw TestSetupError("`\(command)` failed: \((try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? "")")
        }
        return out
    }
}
