import ArgumentParser
import Foundation
import Logging
import SluiceCore
import SluiceEngine
import SluiceGit
import SluicePostgres

/// Builds the engine for a command and turns errors into exit codes and messages.
struct Context {
    let config: SluiceConfig
    var engine: Engine
    let output: Output
    /// Set when the migrations come from Git (`--repo`, or `repository.url` without `--dir`).
    let git: GitSource?

    /// - Parameter gitAllowed: false for commands that write into a local folder (`new`, `hash`) or need one.
    static func make(_ common: CommonOptions, source: SourceOptions? = nil, command: String, needsFolder: Bool = true, gitAllowed: Bool = true) async throws -> Context {
        let output = Output(format: common.format)
        do {
            var config = try await ConfigLoader.load(explicitPath: common.config)
            if let branch = source?.branch { config.repository.branch = branch }
            if let path = source?.path { config.repository.path = path }
            var logger = Logger(label: "sluice")
            logger.logLevel = .warning
            let remote = source?.dir == nil ? (source?.repo ?? config.repository.url) : nil
            var git: GitSource?
            if needsFolder, let remote {
                guard gitAllowed else {
                    throw SluiceError(.badInput, "`sluice \(command)` writes into a local folder and cannot work on a Git remote", hint: "run it with --dir PATH in your checkout, then commit and push")
                }
                git = try GitSource(remote: remote, branch: config.repository.branch, path: config.repository.path,
                                    stateDir: mirrorDirectory(config, explicitRepo: source?.repo != nil),
                                    credentials: GitCredentials(tokenFile: config.repository.tokenFile, sshKey: config.repository.sshKey))
            }
            let folder = source?.dir ?? config.repository.path
            // One source per process: the Git branch (shared with `apply`'s cycle) or the folder.
            let engine = Engine(config: config, folder: FolderSource(path: folder), source: git, identity: Identity(command: command), logger: logger)
            return Context(config: config, engine: engine, output: output, git: git)
        } catch {
            throw output.fail(error)
        }
    }

    /// The daemon's `repository.state_dir` when it is writable (a Job or hook on the daemon's
    /// volume reuses the mirror); otherwise, and for an ad-hoc `--repo`, the user's cache.
    private static func mirrorDirectory(_ config: SluiceConfig, explicitRepo: Bool) -> String {
        let stateDir = config.repository.stateDir
        if !explicitRepo, FileManager.default.isWritableFile(atPath: stateDir) || FileManager.default.isWritableFile(atPath: (stateDir as NSString).deletingLastPathComponent) {
            return stateDir
        }
        let environment = ProcessInfo.processInfo.environment
        let cache = environment["XDG_CACHE_HOME"] ?? ((environment["HOME"] ?? NSTemporaryDirectory()) + "/.cache")
        return cache + "/sluice"
    }

    /// Runs the command body; any error becomes a message and its exit code.
    func run(_ body: () async throws -> Void) async throws {
        do { try await body() } catch { throw output.fail(error) }
    }
}
