import CLibGit2
import SluiceCore

/// A libgit2 failure, or one Sluice found while reading the repository, with what it was doing.
///
/// `message` never holds a secret: libgit2's text is scrubbed of the token and of any password in
/// a URL before it gets here (see ``Redactor``).
public struct GitError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is, which decides the exit code.
    public enum Kind: Sendable, Equatable {
        /// The remote could not be reached, refused us, or sent something unusable.
        case unreachable
        /// A branch, commit or folder that was asked for does not exist.
        case notFound
        /// An argument is malformed: a branch name, a SHA, a path.
        case invalidArgument
        /// The local mirror could not be read or written (disk, permissions, corruption).
        case repository
    }

    /// What went wrong, safe to show.
    public var message: String
    /// libgit2's error class (`git_error_t`), or 0 for errors Sluice raises itself.
    public var errorClass: Int32
    /// libgit2's return code (`git_error_code`), or 0 for errors Sluice raises itself.
    public var code: Int32
    /// What Sluice was doing, e.g. "fetch branch 'main' from https://git.example.com/app.git".
    public var operation: String
    public var kind: Kind
    /// What to do next, when there is something useful to say.
    public var hint: String?
    /// The commit involved, when there is one.
    public var commit: String?

    public init(
        _ kind: Kind, _ message: String, operation: String, errorClass: Int32 = 0, code: Int32 = 0,
        hint: String? = nil, commit: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.operation = operation
        self.errorClass = errorClass
        self.code = code
        self.hint = hint
        self.commit = commit
    }

    public var description: String {
        var text = "\(operation): \(message)"
        if let hint { text += "\nhint: \(hint)" }
        return text
    }

    /// The same failure as a ``SluiceError`` carrying the exit code of SPEC §6: 4 for an
    /// unreachable repository (or an unreadable mirror), 2 for a missing branch, commit or folder.
    public var sluiceError: SluiceError {
        let status: ExitStatus = switch kind {
        case .unreachable, .repository: .unreachable
        case .notFound, .invalidArgument: .badInput
        }
        return SluiceError(status, "git: \(operation): \(message)", hint: hint, commit: commit)
    }
}

extension GitError {
    /// The same error reclassified, e.g. any failure during a fetch is the remote's.
    func with(kind: Kind, hint: String? = nil) -> GitError {
        var copy = self
        copy.kind = kind
        if let hint { copy.hint = hint }
        return copy
    }

    /// The kind a libgit2 failure falls under, from its class and code.
    static func kind(errorClass: Int32, code: Int32) -> Kind {
        let network: Set<UInt32> = [
            GIT_ERROR_NET.rawValue, GIT_ERROR_SSH.rawValue, GIT_ERROR_SSL.rawValue, GIT_ERROR_HTTP.rawValue,
        ]
        if network.contains(UInt32(bitPattern: errorClass)) { return .unreachable }
        switch code {
        case GIT_EAUTH.rawValue, GIT_ECERTIFICATE.rawValue, GIT_EEOF.rawValue: return .unreachable
        case GIT_ENOTFOUND.rawValue: return .notFound
        case GIT_EINVALIDSPEC.rawValue, GIT_EAMBIGUOUS.rawValue: return .invalidArgument
        default: return .repository
        }
    }
}
