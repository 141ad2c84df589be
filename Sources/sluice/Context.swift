import ArgumentParser
import Foundation
import Logging
import SluiceCore
import SluiceEngine
import SluicePostgres

/// Builds the engine for a command and turns errors into exit codes and messages.
struct Context {
    let config: SluiceConfig
    let engine: Engine
    let output: Output

    static func make(_ common: CommonOptions, source: SourceOptions? = nil, command: String, needsFolder: Bool = true) async throws -> Context {
        let output = Output(format: common.format)
        do {
            let config = try await ConfigLoader.load(explicitPath: common.config)
            let folder = needsFolder ? try folderPath(config, source) : config.repository.path
            var logger = Logger(label: "sluice")
            logger.logLevel = .warning
            let engine = Engine(config: config, folder: FolderSource(path: folder), identity: Identity(command: command), logger: logger)
            return Context(config: config, engine: engine, output: output)
        } catch {
            throw output.fail(error)
        }
    }

    private static func folderPath(_ config: SluiceConfig, _ source: SourceOptions?) throws(SluiceError) -> String {
        if let dir = source?.dir { return dir }
        if source?.repo != nil || config.repository.url != nil {
            throw SluiceError(.badInput, "reading migrations from a Git repository (--repo, repository.url) is not available in this build", hint: "pass --dir PATH with a checked-out migrations folder")
        }
        return source?.path ?? config.repository.path
    }

    /// Runs the command body; any error becomes a message and its exit code.
    func run(_ body: () async throws -> Void) async throws {
        do { try await body() } catch { throw output.fail(error) }
    }
}

/// Prints for people (text) or tools (json); errors to stderr with their exit code.
struct Output: Sendable {
    let format: OutputFormat
    var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    func line(_ text: String = "") { print(text) }

    func json<T: Encodable>(_ value: T) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        if let data = try? encoder.encode(value) { print(String(decoding: data, as: UTF8.self)) }
    }

    /// Reports the error and returns the ExitCode to throw.
    func fail(_ error: Error) -> Error {
        if error is ExitCode || error is CleanExit { return error }
        if let error = error as? ValidationError { return error }
        let sluiceError: SluiceError
        switch error {
        case let e as SluiceError: sluiceError = e
        case let e as PGError: sluiceError = SluiceError(e.isConnectionFailure ? .unreachable : .migrationFailed, Redactor.redact(e.description), sqlState: e.sqlState)
        default: sluiceError = SluiceError(.migrationFailed, Redactor.redact(String(describing: error)))
        }
        if sluiceError.status == .ok {
            FileHandle.standardError.write(Data((sluiceError.message + "\n").utf8))
            return ExitCode.success
        }
        if format == .json {
            json(ErrorJSON(error: .init(message: sluiceError.message, details: sluiceError.details, hint: sluiceError.hint, file: sluiceError.file, version: sluiceError.version, sqlstate: sluiceError.sqlState, exitCode: sluiceError.status.rawValue)))
        }
        FileHandle.standardError.write(Data("error: \(sluiceError.description)\n".utf8))
        return ExitCode(sluiceError.status.rawValue)
    }

    struct ErrorJSON: Encodable {
        struct Body: Encodable {
            var message: String
            var details: [String]
            var hint: String?
            var file: String?
            var version: String?
            var sqlstate: String?
            var exitCode: Int32
        }
        var error: Body
    }
}
