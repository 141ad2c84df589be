import Foundation
import SluiceCore
@testable import SluiceGit
import Testing

@Suite("GitMirror credentials and secrets")
struct CredentialTests {
    private let token = "ghp_s3cr3tT0kenValue42"

    @Test("https: the token from token_file is offered as x-access-token, rejected once, never shown")
    func tokenRejected() throws {
        let fixture = try GitFixture()
        let server = try StubHTTPServer()
        defer { server.stop() }
        let tokenFile = fixture.root + "/token"
        try Data("\(token)\n".utf8).write(to: URL(fileURLWithPath: tokenFile))
        let mirror = try fixture.mirror(
            remote: "http://127.0.0.1:\(server.port)/acme/app.git", credentials: GitCredentials(tokenFile: tokenFile))

        let error = try #require(throws: GitError.self) { _ = try mirror.fetch(branch: "main") }
        #expect(error.kind == .unreachable)
        #expect(error.sluiceError.status == .unreachable)
        #expect(error.message.contains("rejected the token"))
        #expect(error.hint?.contains("repository.token_file") == true)
        for text in [error.description, error.sluiceError.description, String(reflecting: error)] {
            #expect(!text.contains(token))
        }
        let expected = "Authorization: Basic " + Data("x-access-token:\(token)".utf8).base64EncodedString()
        #expect(server.requests.contains { $0.contains(expected) })
        #expect(server.requests.count <= 4)
    }

    @Test("https without a token: the error says to set token_file")
    func noToken() throws {
        let fixture = try GitFixture()
        let server = try StubHTTPServer()
        defer { server.stop() }
        let mirror = try fixture.mirror(remote: "http://127.0.0.1:\(server.port)/acme/app.git")
        let error = try #require(throws: GitError.self) { _ = try mirror.fetch(branch: "main") }
        #expect(error.kind == .unreachable)
        #expect(error.hint?.contains("repository.token_file") == true)
        #expect(!server.requests.contains { $0.contains("Authorization:") })
    }

    @Test("an unreadable token file is reported by path, as unreachable")
    func unreadableTokenFile() throws {
        let fixture = try GitFixture()
        let server = try StubHTTPServer()
        defer { server.stop() }
        let missing = fixture.root + "/missing-token"
        let mirror = try fixture.mirror(
            remote: "http://127.0.0.1:\(server.port)/acme/app.git", credentials: GitCredentials(tokenFile: missing))
        let error = try #require(throws: GitError.self) { _ = try mirror.fetch(branch: "main") }
        #expect(error.kind == .unreachable)
        #expect(error.message.contains(missing))
    }

    @Test("a refused connection is unreachable, and a password in the URL is masked")
    func refusedConnection() throws {
        let fixture = try GitFixture()
        let server = try StubHTTPServer()
        let port = server.port
        server.stop()
        let mirror = try fixture.mirror(remote: "http://deploy:hunter2secret@127.0.0.1:\(port)/acme/app.git")
        let error = try #require(throws: GitError.self) { _ = try mirror.fetch(branch: "main") }
        #expect(error.kind == .unreachable)
        #expect(error.sluiceError.status == .unreachable)
        #expect(!error.description.contains("hunter2secret"))
        #expect(error.description.contains("deploy:***@127.0.0.1"))
    }

    @Test("a token goes over TLS, or plain http to this machine only", arguments: [
        ("https://git.example.com/a.git", true), ("HTTPS://git.example.com/a.git", true),
        ("http://127.0.0.1:8080/a.git", true), ("http://localhost/a.git", true), ("http://[::1]:80/a.git", true),
        ("http://git.example.com/a.git", false), ("http://127.example.com/a.git", false),
        ("http://10.0.0.5/a.git", false), ("ssh://git@host/a.git", false),
    ])
    func tokenTransport(_ url: String, _ allowed: Bool) {
        #expect(FetchContext.mayCarryToken(url) == allowed)
    }
}
