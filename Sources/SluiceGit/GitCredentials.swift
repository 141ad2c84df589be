import Foundation

/// How to authenticate to the remote. Only file paths are held here, never a secret:
/// the token is read from its file when the remote asks for it, so a rotated token is picked up
/// at the next fetch and never sits in memory between fetches.
public struct GitCredentials: Sendable {
    /// A file holding an access token for `https://` remotes (`repository.token_file`).
    public var tokenFile: String?
    /// A private key file for `ssh://` and scp-like remotes (`repository.ssh_key`), without passphrase.
    public var sshKey: String?

    public init(tokenFile: String? = nil, sshKey: String? = nil) {
        self.tokenFile = tokenFile
        self.sshKey = sshKey
    }
}

extension GitCredentials {
    /// The token in `tokenFile`, trimmed of surrounding whitespace.
    func readToken() throws(GitError) -> String? {
        guard let tokenFile else { return nil }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: tokenFile))
        } catch {
            throw GitError(
                .unreachable, "cannot read the token file \(tokenFile)", operation: "authenticate",
                hint: "check repository.token_file and that the sluice user may read it")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw GitError(
                .unreachable, "the token file \(tokenFile) is empty", operation: "authenticate",
                hint: "write the access token into repository.token_file")
        }
        return token
    }
}
