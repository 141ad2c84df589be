@testable import SluicePostgres
import Testing

/// Secrets never leave the process: the hand-written scanners that mask URL passwords and
/// `password=` settings (they replaced two Swift Regexes; the cases are what those matched).
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
    ])
    func leavesAlone(_ text: String) {
        #expect(Redactor.redact(text) == text)
    }

    @Test("known secrets are removed wherever they appear, then URLs redacted")
    func scrubs() {
        let text = "FATAL: role \"app\" hunter2 postgres://app:other@db"
        #expect(Redactor.scrub(text, secrets: ["hunter2", "x"]) == "FATAL: role \"app\" *** postgres://app:***@db")
    }

    @Test("the database of a URL or a conninfo string is swapped", arguments: [
        ("postgres://u@db:5432/app?sslmode=require", "postgres://u@db:5432/scratch?sslmode=require"),
        ("host=db dbname=app user=u", "host=db  user=u dbname='scratch'"),
        ("dbname = 'my db' host=x", " host=x dbname='scratch'"),
        ("host=db", "host=db dbname='scratch'"),
    ])
    func replacesDatabase(_ url: String, _ expected: String) {
        #expect(Redactor.replacingDatabase(in: url, with: "scratch") == expected)
    }
}
