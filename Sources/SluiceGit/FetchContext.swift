import CLibGit2
import Foundation
import SluiceCore

/// Reports fetch progress: objects received so far, objects in the pack, bytes received.
public typealias FetchProgress = @Sendable (_ receivedObjects: Int, _ totalObjects: Int, _ receivedBytes: Int) -> Void

/// What libgit2's C callbacks need during one fetch, handed to them as their `payload`.
///
/// Lives only for the duration of one fetch on the fetching thread; libgit2 calls the callbacks
/// synchronously on that thread, so nothing here is shared across threads.
final class FetchContext {
    let credentials: GitCredentials
    let progress: FetchProgress?
    /// Grows to mask the token once it has been read.
    private(set) var redactor = Redactor.none
    /// Why a callback refused; it explains the failure better than libgit2's generic text.
    private(set) var failure: GitError?
    /// Credential types already answered: a second request for one means the remote rejected it.
    private var answered: Set<UInt32> = []

    init(credentials: GitCredentials, progress: FetchProgress?) {
        self.credentials = credentials
        self.progress = progress
    }

    /// The payload pointer for libgit2; valid while `self` is alive (the fetch keeps it so).
    var payload: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    static func from(_ payload: UnsafeMutableRawPointer?) -> FetchContext? {
        payload.map { Unmanaged<FetchContext>.fromOpaque($0).takeUnretainedValue() }
    }

    /// Fills the callbacks of `callbacks` with ours and points their payload at `self`.
    func install(into callbacks: inout git_remote_callbacks) {
        callbacks.payload = payload
        callbacks.credentials = { out, url, usernameFromURL, allowed, payload in
            guard let out, let context = FetchContext.from(payload) else { return GIT_ERROR.rawValue }
            return context.acquire(
                out, url: url.map { String(cString: $0) } ?? "remote",
                username: usernameFromURL.map { String(cString: $0) }, allowed: allowed)
        }
        callbacks.transfer_progress = { stats, payload in
            guard let stats, let context = FetchContext.from(payload), let progress = context.progress else { return 0 }
            progress(Int(stats.pointee.received_objects), Int(stats.pointee.total_objects), stats.pointee.received_bytes)
            return 0
        }
    }

    /// Answers libgit2's request for credentials of one of the `allowed` types.
    private func acquire(
        _ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>, url: String, username: String?, allowed: UInt32
    ) -> Int32 {
        let url = Redactor.redact(url)
        if allowed & GIT_CREDENTIAL_USERNAME.rawValue != 0 {
            return git_credential_username_new(out, username ?? "git")
        }
        if allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 {
            guard firstAnswer(GIT_CREDENTIAL_SSH_KEY.rawValue, url: url, what: "the SSH key") else { return GIT_EAUTH.rawValue }
            guard let key = credentials.sshKey else { return git_credential_ssh_key_from_agent(out, username ?? "git") }
            return git_credential_ssh_key_new(out, username ?? "git", nil, key, nil)
        }
        if allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0 {
            guard firstAnswer(GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue, url: url, what: "the token") else {
                return GIT_EAUTH.rawValue
            }
            return answerWithToken(out, url: url, username: username)
        }
        fail(GitError(
            .unreachable, "\(url) asks for a kind of authentication Sluice does not offer", operation: "authenticate",
            hint: "use an https:// URL with repository.token_file, or ssh:// with repository.ssh_key"))
        return GIT_EAUTH.rawValue
    }

    private func answerWithToken(_ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>, url: String, username: String?) -> Int32 {
        guard Self.mayCarryToken(url) else {
            fail(GitError(
                .unreachable, "refusing to send the token to \(url) over plain http", operation: "authenticate",
                hint: "use the https:// URL of the repository"))
            return GIT_EAUTH.rawValue
        }
        let token: String?
        do {
            token = try credentials.readToken()
        } catch {
            fail(error)
            return GIT_EAUTH.rawValue
        }
        guard let token else {
            fail(GitError(
                .unreachable, "\(url) requires authentication and no token is configured", operation: "authenticate",
                hint: "set repository.token_file to a file holding an access token"))
            return GIT_EAUTH.rawValue
        }
        redactor.secrets.append(token)
        return git_credential_userpass_plaintext_new(out, username ?? "x-access-token", token)
    }

    /// Whether a token may be sent to `url`: over TLS, or over plain http to this machine only.
    static func mayCarryToken(_ url: String) -> Bool {
        let lowered = url.lowercased()
        if lowered.hasPrefix("https://") { return true }
        guard lowered.hasPrefix("http://"), let host = URLComponents(string: url)?.host else { return false }
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { UInt8($0) != nil } && octets[0] == "127"
    }

    /// True the first time a credential type is asked for; a repeat means the remote said no.
    private func firstAnswer(_ type: UInt32, url: String, what: String) -> Bool {
        guard answered.insert(type).inserted else {
            let setting = type == GIT_CREDENTIAL_SSH_KEY.rawValue ? "repository.ssh_key" : "repository.token_file"
            fail(GitError(
                .unreachable, "\(url) rejected \(what)", operation: "authenticate",
                hint: "check \(setting) and that it grants read access to the repository"))
            return false
        }
        return true
    }

    private func fail(_ error: GitError) {
        if failure == nil { failure = error }
    }
}
