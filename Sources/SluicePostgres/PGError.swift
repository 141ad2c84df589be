import SluiceCore

/// An error PostgreSQL or libpq reported, with the fields a person needs to act on it.
public struct PGError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case connection, query }

    public var kind: Kind
    /// SQLSTATE, e.g. `42P01`; nil for client-side failures.
    public var sqlState: String?
    public var message: String
    public var detail: String?
    public var hint: String?
    /// 1-based character position in the statement, when the server gave one.
    public var position: Int?

    public var description: String {
        var text = message
        if let sqlState { text = "\(text) (SQLSTATE \(sqlState))" }
        if let detail { text += "\ndetail: \(detail)" }
        if let hint { text += "\nhint: \(hint)" }
        return text
    }

    /// `55P03`: a lock_timeout expired.
    public var isLockTimeout: Bool { sqlState == "55P03" }
    /// Class 08 or a client-side failure: the connection is gone.
    public var isConnectionFailure: Bool { kind == .connection || sqlState?.hasPrefix("08") == true || sqlState == "57P01" }

    /// The exit-4 error for a server that cannot be reached.
    public func unreachable(_ settings: ConnectionSettings) -> SluiceError {
        SluiceError(
            .unreachable, "cannot connect to PostgreSQL at \(settings.redactedURL): \(message)",
            hint: "check database.url (SLUICE_DATABASE_URL), that the server is up, and the password source (PGPASSFILE, PGPASSWORD or database.password_file)",
            sqlState: sqlState)
    }
}
