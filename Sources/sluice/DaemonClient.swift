import AsyncHTTPClient
import Foundation
import NIOCore
import SluiceCore

/// Talks to the running daemon over its control socket (HTTP over a Unix socket).
struct DaemonClient {
    let socket: String

    func get(_ path: String, timeout: Duration = .seconds(10)) async throws -> (status: UInt, body: Data) {
        try await send(path, post: false, timeout: timeout)
    }

    func post(_ path: String, timeout: Duration) async throws -> (status: UInt, body: Data) {
        try await send(path, post: true, timeout: timeout)
    }

    private func send(_ path: String, post: Bool, timeout: Duration) async throws -> (status: UInt, body: Data) {
        guard let url = URL(httpURLWithSocketPath: socket, uri: path) else {
            throw SluiceError(.badInput, "daemon.control_socket \(socket) is not a usable socket path", hint: "set daemon.control_socket to an absolute path")
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = post ? .POST : .GET
        do {
            let seconds = Int64(DurationParser.milliseconds(timeout) / 1000) + 1
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(seconds))
            let body = try await response.body.collect(upTo: 16 << 20)
            return (response.status.code, Data(buffer: body))
        } catch {
            throw SluiceError(
                .unreachable, "cannot reach the sluice daemon on \(socket): \(error)",
                hint: "is `sluice daemon run` running with this daemon.control_socket, and may this user use the socket (group of the socket file)?")
        }
    }
}
