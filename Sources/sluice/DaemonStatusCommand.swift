import ArgumentParser
import Foundation
import SluiceCore
import SluiceDaemon

struct DaemonStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the running daemon's state: last cycle, next poll, commit, lock holder.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let context = try await Context.make(common, command: "daemon status", needsFolder: false)
        let out = context.output
        try await context.run {
            let (_, body) = try await DaemonClient(socket: context.config.daemon.controlSocket).get("/status")
            if out.format == .json { return out.line(String(decoding: body, as: UTF8.self)) }
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let s = try decoder.decode(DaemonStatus.self, from: body)
            out.line("daemon:     pid \(s.pid), up since \(s.startedAt.formatted(.iso8601)), \(s.cycles) cycle(s)")
            out.line("watching:   \(s.repository) \(s.branch):\(s.path)")
            out.line("state:      \(s.state)\(s.progress.map { " — \($0)" } ?? "")")
            out.line("commit:     \(s.commit ?? "not fetched yet")")
            if let last = s.lastCycle {
                out.line("last cycle: \(last.result.rawValue) at \(last.startedAt.formatted(.iso8601)) (\(last.cause), \(last.durationMs) ms, exit \(last.exitCode))")
                if last.result != .noop { out.line("            \(last.message.split(separator: "\n").first ?? "")") }
            }
            out.line("next poll:  \(s.nextPoll.map { $0.formatted(.iso8601) } ?? "—")")
            out.line("lock:       \(s.lockHolder ?? "free")")
        }
    }
}
