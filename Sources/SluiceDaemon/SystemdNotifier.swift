import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `sd_notify` for `Type=notify` units: datagrams to `$NOTIFY_SOCKET` (READY=1, STATUS=…,
/// WATCHDOG=1, STOPPING=1). Silent when not run by systemd.
public struct SystemdNotifier: Sendable {
    let socketPath: String?
    /// Half of `$WATCHDOG_USEC`: how often to ping, when systemd asked for it.
    public let watchdogInterval: Duration?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        if let usec = environment["WATCHDOG_USEC"].flatMap(Int64.init), usec > 0,
           environment["WATCHDOG_PID"].map({ Int32($0) == getpid() }) ?? true {
            watchdogInterval = .microseconds(usec / 2)
        } else {
            watchdogInterval = nil
        }
    }

    public func ready(status: String) { send("READY=1\nSTATUS=\(status)") }
    public func status(_ text: String) { send("STATUS=\(text)") }
    public func watchdog() { send("WATCHDOG=1") }
    public func stopping() { send("STOPPING=1") }

    func send(_ message: String) {
        guard var path = socketPath else { return }
        // An abstract socket is written with a leading '@'.
        if path.hasPrefix("@") { path = "\0" + path.dropFirst() }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = UnixSocket.withAddress(path) { address, length in
            message.withCString { text in sendto(fd, text, strlen(text), 0, address, length) }
        }
    }
}
