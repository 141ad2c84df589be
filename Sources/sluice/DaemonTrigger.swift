import ArgumentParser
import Foundation
import SluiceCore
import SluiceEngine

struct DaemonTrigger: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "trigger", abstract: "Ask the running daemon for a cycle now.")

    @OptionGroup var common: CommonOptions

    @Flag(help: "Wait for the cycle, print its outcome and exit with its code.")
    var wait = false

    @Option(help: "Seconds to wait with --wait.")
    var timeout: Double = 600

    func run() async throws {
        let context = try await Context.make(common, command: "daemon trigger", needsFolder: false)
        let out = context.output
        try await context.run {
            let client = DaemonClient(socket: context.config.daemon.controlSocket)
            let path = wait ? "/trigger?wait=true&timeout=\(timeout)" : "/trigger"
            let (status, body) = try await client.post(path, timeout: .milliseconds(Int64(timeout * 1000) + 5000))
            guard wait else {
                if out.format == .json { return out.line(String(decoding: body, as: UTF8.self)) }
                return out.line("cycle requested")
            }
            guard status == 200 else {
                throw SluiceError(.unreachable, "the daemon did not finish a cycle within \(timeout)s", hint: "`sluice daemon status` shows what it is doing")
            }
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let outcome = try decoder.decode(CycleOutcome.self, from: body)
            if out.format == .json { out.line(String(decoding: body, as: UTF8.self)) } else { CycleText.print(outcome, out) }
            if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
        }
    }
}
