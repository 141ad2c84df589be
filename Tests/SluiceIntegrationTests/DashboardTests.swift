import Foundation
import Testing

/// The dashboard (SPEC §9): server-rendered pages from a daemon running against the test
/// database, checked over HTTP and in a real headless Chromium (DOM, not pixels).
@Suite struct DashboardTests {
    /// A daemon that applied two commits with rehearsal on: users, then orders with a key to users.
    static func daemonWithHistory(_ db: TestDatabase) async throws -> (GitFixture, DaemonProcess) {
        let git = try await GitFixture()
        try await git.commit(["0001_users.up.sql": "CREATE TABLE users (id int PRIMARY KEY, email text);\n", "0001_users.down.sql": "DROP TABLE users;\n"], message: "Add users")
        let daemon = try DaemonProcess(git, db, env: ["SLUICE_REHEARSAL_ENABLED": "true", "SLUICE_REHEARSAL_STRATEGY": "dump"])
        try await daemon.ready(db: db)
        #expect(try await daemon.cycle(db).status == 0)
        try await git.commit(["0002_orders.up.sql": "CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users (id));\nALTER TABLE users ADD COLUMN name text;\n",
                        "0002_orders.down.sql": "ALTER TABLE users DROP COLUMN name;\nDROP TABLE orders;\n"], message: "Add orders", author: "Grace Hopper <grace@example.com>")
        #expect(try await daemon.cycle(db).status == 0)
        return (git, daemon)
    }

    @Test func pagesOverHTTP() async throws {
        try await withTestDatabase { db in
            // The fixture holds the remote and the daemon's state directory: it must outlive
            // the daemon (its deinit deletes them).
            let (git, daemon) = try await Self.daemonWithHistory(db)
            defer { withExtendedLifetime(git) {} }
            let (code, home) = try await daemon.http("/")
            #expect(code == 200)
            #expect(home.contains("<table id=\"deployments\">") && home.contains("Grace Hopper") && home.contains("Add orders"), "\(home.prefix(3000))")
            #expect(home.contains("<b>2</b>"), "two applied versions in the status cards")

            let id = try #require(try await db.scalar("SELECT id FROM sluice.events WHERE kind = 'apply' ORDER BY id DESC LIMIT 1"))
            let (detailCode, detail) = try await daemon.http("/deployments/\(id)")
            #expect(detailCode == 200)
            #expect(detail.contains("CREATE TABLE orders"), "the SQL of the migration")
            #expect(detail.contains("id=\"rehearsal\"") && detail.contains("public.users: AccessExclusiveLock"), "locks from the rehearsal report: \(detail.prefix(4000))")
            #expect(detail.contains("added column public.users.name"))
            #expect(try await daemon.http("/deployments/99999999").0 == 404)

            let (schemaCode, schema) = try await daemon.http("/schema")
            #expect(schemaCode == 200)
            #expect(schema.contains("Schema at version 2") && schema.contains("id=\"previous\" href=\"/schema/1\""))
            #expect(schema.contains("<svg"), "Graphviz drew the diagram")
            #expect(schema.contains("id=\"table-public.orders\"") && schema.contains("schema-table added"))
            #expect(try await daemon.http("/schema/1").1.contains("id=\"next\" href=\"/schema/2\""))
            _ = try await daemon.stop()
        }
    }

    @Test func withoutGraphvizTheSchemaPageSaysSoAndListsTheTables() async throws {
        try await withTestDatabase { db in
            let git = try await GitFixture()
            try await git.commit(GitFixture.table(1, "users"), message: "Add users")
            // No `dot` on this daemon's PATH (it needs no other program: Git is libgit2).
            let daemon = try DaemonProcess(git, db, env: ["PATH": "/nonexistent"])
            try await daemon.ready(db: db)
            #expect(try await daemon.cycle(db).status == 0)
            let (code, page) = try await daemon.http("/schema")
            #expect(code == 200)
            #expect(page.contains("id=\"no-graphviz\"") && page.contains("install the graphviz package"), "\(page.prefix(2000))")
            #expect(!page.contains("<svg") && page.contains("id=\"table-public.users\""))
            _ = try await daemon.stop()
        }
    }

    @Test func aRealBrowserRendersThePages() async throws {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let browser = try #require(chromium, "headless Chromium is needed (apt package chromium; scripts/test.sh installs it)")
        try await withTestDatabase { db in
            // The fixture holds the remote and the daemon's state directory: it must outlive
            // the daemon (its deinit deletes them).
            let (git, daemon) = try await Self.daemonWithHistory(db)
            defer { withExtendedLifetime(git) {} }
            let id = try #require(try await db.scalar("SELECT id FROM sluice.events WHERE kind = 'apply' ORDER BY id DESC LIMIT 1"))
            let shots = CLI.packageRoot.appendingPathComponent(".build/dashboard-screenshots").path
            try FileManager.default.createDirectory(atPath: shots, withIntermediateDirectories: true)
            for (name, path) in [("deployments", "/"), ("deployment", "/deployments/\(id)"), ("schema", "/schema")] {
                let url = "http://127.0.0.1:\(daemon.httpPort)\(path)"
                let dom = try await Self.run(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--dump-dom", url])
                _ = try await Self.run(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                                                  "--window-size=1280,1000", "--screenshot=\(shots)/\(name).png", url])
                #expect(FileManager.default.fileExists(atPath: "\(shots)/\(name).png"), "screenshot of \(name)")
                switch name {
                case "deployments":
                    #expect(dom.contains("<table id=\"deployments\">") && dom.contains("<td class=\"outcome\">ok</td>"), "\(dom.prefix(2000))")
                case "deployment":
                    #expect(dom.contains("<table id=\"rehearsal\">") && dom.contains("CREATE TABLE orders"))
                default:
                    #expect(dom.contains("<svg") && dom.contains("id=\"table-public.orders\""), "\(dom.prefix(2000))")
                    #expect(dom.contains("class=\"schema-table added\""), "the new table is highlighted")
                    #expect(dom.contains("<li class=\"added\">added table public.orders</li>"))
                }
            }
            _ = try await daemon.stop()
        }
    }

    /// Runs a program, returns its stdout (Chromium's DOM dump); waited for off the test pool.
    static func run(_ program: String, _ arguments: [String]) async throws -> String {
        try await offThePool { try runBlocking(program, arguments) }
    }

    private static func runBlocking(_ program: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = NSTemporaryDirectory()
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
