import ArgumentParser
import Foundation
import SluiceCore
import SluicePostgres

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
