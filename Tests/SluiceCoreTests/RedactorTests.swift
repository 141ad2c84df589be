@testable import SluiceCore
import Testing

/// Secrets never leave the process: the one redactor the Postgres, Git and daemon layers use,
/// its hand-written scanners that mask URL passwords and `password=` settings (they replaced
/// two Swift Regexes; the cases are what those matched), and known secrets.
@Suite("Redactor")
struct RedactorTests {
    @Test("URL passwords and password settings are masked", arguments: [
        ("postgres://app:s3cret@db:5432/app", "postgres://app:***@db:5432/app"),
        ("postgresql://:pw@host/db", "postgresql://:***@host/db"),
        ("postgres://u:p:q/x@h", "postgres://u:***@h"),
        ("see postgres://u:p@h/d and https://x:y@z/", "see postgres://u:***@h/d and https://x:***@z/"),
        ("connect to postgres://app:pw@db failed: password authentication failed",
         "connect to postgres://app:***@db failed: password authentication failed"),
        ("host=db password=secret user=app", "host=db password=*** user=app"),
        ("PASSWORD = 'a b c' sslmode=require", "PASSWORD = *** sslmode=require"),
        ("PGPASSWORD=hunter2 psql", "PGPASSWORD=*** psql"),
        ("postgres://db/app?password=x&sslmode=require", "postgres://db/app?password=***&sslmode=require"),
        ("password='unterminated more", "password=*** more"),
        ("password=a password=b", "password=*** password=***"),
        // What libgit2 repeats of a remote's URL.
        ("https://u:p4ss@host/x.git", "https://u:***@host/x.git"),
        ("failed for 'https://x-access-token:abc@github.com/a/b' (401)", "failed for 'https://x-access-token:***@github.com/a/b' (401)"),
        ("https://host/x and http://a:b@c/d", "https://host/x and http://a:***@c/d"),
        ("url \"https://u:p@h\" and 'postgres://v:q@g'", "url \"https://u:***@h\" and 'postgres://v:***@g'"),
    ])
    func masks(_ text: String, _ expected: String) {
        #expect(Redactor.redact(text) == expected)
    }

    @Test("text without a secret is left alone", arguments: [
        "postgres://app@db/app",
        "postgres://u:pass word@h",
        "password=",
        "password= &x",
        "the password is wrong",
        "no secrets here: host=db user=app",
        "",
        "://",
        "ssh://git@host:22/x",
        "no url here",
        "'https://u:p' @host",
    ])
    func leavesAlone(_ text: String) {
        #expect(Redactor.redact(text) == text)
    }

    @Test("known secrets are removed wherever they appear, then URLs redacted")
    func scrubs() {
        let text = "FATAL: role \"app\" hunter2 postgres://app:other@db"
        #expect(Redactor.scrub(text, secrets: ["hunter2", "x"]) == "FATAL: role \"app\" *** postgres://app:***@db")
    }

    @Test("a redactor's own secrets (a Git token) are removed too")
    func instanceSecrets() {
        let token = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"
        var redactor = Redactor.none
        #expect(redactor.scrub("server said \(token) is bad") == "server said \(token) is bad")
        redactor.secrets.append(token)
        #expect(redactor.scrub("server said \(token) is bad at https://x:\(token)@h password=\(token)")
                == "server said *** is bad at https://x:***@h password=***")
        #expect(Redactor(secrets: ["ab"]).scrub("about") == "about", "secrets shorter than three characters are not searched for")
    }
}
