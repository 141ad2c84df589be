/// A failure that stops the daemon from starting.
public struct DaemonError: Error, CustomStringConvertible {
    public var description: String
    public var hint: String

    init(_ description: String, hint: String) {
        self.description = description
        self.hint = hint
    }
}
