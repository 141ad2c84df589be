import Foundation

/// Who is running: host, OS user and command, for `applied_by` and event actors.
public struct Identity: Sendable {
    public var host: String
    public var user: String
    public var command: String

    public init(command: String, host: String = ProcessInfo.processInfo.hostName, user: String = Identity.currentUser()) {
        self.host = host
        self.user = user
        self.command = command
    }

    /// `alice@build-7 (sluice apply)`.
    public var actor: String { "\(user)@\(host) (sluice \(command))" }
    /// The `application_name` of our sessions, so the lock holder can be named.
    public var applicationName: String { "sluice \(command) \(user)@\(host) pid \(ProcessInfo.processInfo.processIdentifier)" }

    public static func currentUser() -> String {
        if let name = ProcessInfo.processInfo.environment["USER"], !name.isEmpty { return name }
        if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "uid\(getuid())"
    }
}
