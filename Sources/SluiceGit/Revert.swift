/// A revert commit and the migration files it took away.
public struct Revert: Sendable, Equatable {
    /// The revert commit itself.
    public var commit: CommitInfo
    /// The commit it says it reverts ("This reverts commit <sha>"), expanded to 40 digits when
    /// the mirror knows it; nil when the message names none.
    public var revertedSHA: String?
    /// Names (inside the folder) of the files present in its first parent and gone in it.
    public var removedFiles: [String]

    public init(commit: CommitInfo, revertedSHA: String?, removedFiles: [String]) {
        self.commit = commit
        self.revertedSHA = revertedSHA
        self.removedFiles = removedFiles
    }
}

extension Revert {
    static let marker = "This reverts commit "

    /// Whether `message` is a revert's, and the SHA (7–40 hex digits) it names if so.
    /// `git revert` writes the full SHA; people writing it by hand often abbreviate.
    static func revertedSHA(in message: String) -> (isRevert: Bool, sha: String?) {
        guard let range = message.range(of: marker) else { return (false, nil) }
        let hex = message[range.upperBound...].prefix { $0.isHexDigit }
        return (true, (7...40).contains(hex.count) ? hex.lowercased() : nil)
    }
}
