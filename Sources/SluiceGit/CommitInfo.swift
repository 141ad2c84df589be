import CLibGit2
import Foundation

/// A commit as the revision rows and events record it.
public struct CommitInfo: Sendable, Equatable, Codable {
    /// The full 40-digit SHA.
    public var sha: String
    /// The author as `Name <email>`.
    public var author: String
    /// The first paragraph of the message on one line, as `git log --format=%s` shows it.
    public var subject: String
    /// The whole message.
    public var message: String
    /// When the commit was authored.
    public var time: Date

    public init(sha: String, author: String, subject: String, message: String, time: Date) {
        self.sha = sha
        self.author = author
        self.subject = subject
        self.message = message
        self.time = time
    }

    /// The twelve-digit abbreviation used in messages.
    public var shortSHA: String { String(sha.prefix(12)) }
}

extension CommitInfo {
    /// Copies what we keep out of a `git_commit*` (which stays owned by the caller).
    init(commit: OpaquePointer) {
        let signature = git_commit_author(commit)?.pointee
        let name = signature?.name.map { String(cString: $0) } ?? ""
        let email = signature?.email.map { String(cString: $0) } ?? ""
        self.init(
            sha: ObjectID(git_commit_id(commit)).hex,
            author: "\(name) <\(email)>",
            subject: git_commit_summary(commit).map { String(cString: $0) } ?? "",
            message: git_commit_message(commit).map { String(cString: $0) } ?? "",
            time: Date(timeIntervalSince1970: TimeInterval(signature?.when.time ?? git_commit_time(commit))))
    }
}
