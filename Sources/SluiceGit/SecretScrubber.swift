import Foundation

/// Removes secrets from text that may reach an error message or a log.
///
/// libgit2 sometimes repeats the URL it was given, which may carry `user:password@`, and an
/// HTTP error could in principle echo what was sent; both are masked.
struct SecretScrubber: Sendable {
    /// Literal secrets (a token read from `repository.token_file`).
    var secrets: [String]

    static let none = SecretScrubber(secrets: [])

    func scrub(_ text: String) -> String {
        var result = Self.maskURLPasswords(text)
        for secret in secrets where secret.count >= 4 {
            result = result.replacingOccurrences(of: secret, with: "***")
        }
        return result
    }

    /// `scheme://user:password@host` → `scheme://user:***@host`, wherever it appears in `text`.
    static func maskURLPasswords(_ text: String) -> String {
        guard text.contains("://") else { return text }
        var output = ""
        var rest = Substring(text)
        while let schemeEnd = rest.range(of: "://") {
            output += rest[..<schemeEnd.upperBound]
            rest = rest[schemeEnd.upperBound...]
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == " " || $0 == "'" || $0 == "\"" } ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                output += authority[...colon] + "***" + authority[at...]
            } else {
                output += authority
            }
            rest = rest[authorityEnd...]
        }
        return output + rest
    }
}
