import Foundation

/// Runs the real `sluice` binary, as a user would, and captures what it printed.
struct CLIResult: CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String
    var output: String { stdout + stderr }
    var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

enum CLI {
    /// The binary under test: `SLUICE_TEST_BINARY` (scripts/test.sh sets it to the release
    /// binary scripts/build.sh ships), else the debug build beside the tests.
    static var binary: URL {
        if let shipped = ProcessInfo.processInfo.environment["SLUICE_TEST_BINARY"], !shipped.isEmpty {
            return URL(fileURLWithPath: shipped)
        }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("sluice")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return packageRoot.appendingPathComponent(".build/debug/sluice")
    }

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Runs `sluice args…` with the database URL (no password: PGPASSFILE carries it) and extra variables.
    static func run(_ args: [String], database: TestDatabase? = nil, env: [String: String] = [:], removeEnv: [String] = [], stdin: String? = nil) async throws -> CLIResult {
        let process = try start(args, database: database, env: env, removeEnv: removeEnv)
        return try await finish(process, stdin: stdin)
    }

    struct Running: @unchecked Sendable {
        let process: Process
        let out: Pipe
        let err: Pipe
        let input: Pipe
    }

    static func start(_ args: [String], database: TestDatabase? = nil, env: [String: String] = [:], removeEnv: [String] = []) throws -> Running {
        let process = Process()
        process.executableURL = binary
        process.arguments = args
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SLUICE_") || $0.key == "SLUICE_TEST_DATABASE_URL" }
        environment["SLUICE_CONFIG"] = nil
        if let database { environment["SLUICE_DATABASE_URL"] = database.url }
        // The rehearsal (a clone per apply) has its own suite, RehearsalTests, which turns it
        // on; elsewhere it would only slow the tests of what runs on production.
        environment["SLUICE_REHEARSAL_ENABLED"] = "false"
        // Likewise the lint gate (LintTests turn it to refuse): the other suites' migrations
        // drop tables and build indexes on purpose. Findings are still recorded as warnings.
        environment["SLUICE_POLICY_LINT"] = "warn"
        for key in removeEnv { environment[key] = nil }
        environment.merge(env) { _, new in new }
        process.environment = environment
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        return Running(process: process, out: out, err: err, input: input)
    }

    /// Waits for the process on a thread of its own: blocking the cooperative pool here would
    /// starve the other tests running in parallel (and their polling).
    static func finish(_ running: Running, stdin: String? = nil) async throws -> CLIResult {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try finishBlocking(running, stdin: stdin) })
            }
        }
    }

    private static func finishBlocking(_ running: Running, stdin: String?) throws -> CLIResult {
        if let stdin { running.input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try running.input.fileHandleForWriting.close()
        let outData = running.out.fileHandleForReading.readDataToEndOfFile()
        let errData = running.err.fileHandleForReading.readDataToEndOfFile()
        running.process.waitUntilExit()
        return CLIResult(status: running.process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }
}

/// Runs blocking work (waiting for a child process) on a thread of its own: the parallel tests
/// share a cooperative pool of one thread per core, and a test blocking it starves the others
/// (a webhook receiver or a daemon poll in the test process then answers seconds late).
func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}
