@testable import SluicePostgres
import Testing

/// Pointing the same server and credentials at another database (a rehearsal's clone).
@Suite("Connection settings")
struct ConnectionSettingsTests {
    @Test("the database of a URL or a conninfo string is swapped", arguments: [
        ("postgres://u@db:5432/app?sslmode=require", "postgres://u@db:5432/scratch?sslmode=require"),
        ("host=db dbname=app user=u", "host=db  user=u dbname='scratch'"),
        ("dbname = 'my db' host=x", " host=x dbname='scratch'"),
        ("host=db", "host=db dbname='scratch'"),
    ])
    func replacesDatabase(_ url: String, _ expected: String) {
        #expect(ConnectionSettings.replacingDatabase(in: url, with: "scratch") == expected)
    }
}
