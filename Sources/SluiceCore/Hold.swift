/// A version `sluice rollback` took down and that must not be applied again until released.
public struct Hold: Sendable, Equatable {
    public var version: Version
    /// The checksum of the file when the hold was set: a new checksum (a fixed migration) lifts it.
    public var checksum: String?
    public var reason: String?

    public init(version: Version, checksum: String? = nil, reason: String? = nil) {
        self.version = version
        self.checksum = checksum
        self.reason = reason
    }
}
