import Foundation
import SluicePostgres
import Testing

/// Bad input gets a clear error naming the file or key, the SPEC §6 exit code, and touches nothing.
@Suite struct BadInputTests {
    struct BadFolder: CustomStringConvertible, Sendable {
        var name: String
        var files: [String: String]
        var mentions: [String]
        var description: String { name }
    }

    static let folders: [BadFolder] = [
        .init(name: "duplicate versions", files: ["0001_a.up.sql": "select 1;", "0001_a.down.sql": "", "1_b.up.sql": "select 1;", "1_b.down.sql": ""], mentions: ["0001_a.up.sql", "1_b.up.sql", "version 0001 is used by"]),
        .init(name: "a file matching no layout", files: ["0001_a.up.sql": "select 1;", "0001_a.down.sql": "", "schema.sql": "select 1;"], mentions: ["schema.sql", "matches no migration layout"]),
        .init(name: "up without down", files: ["0001_a.up.sql": "select 1;", "0002_b.up.sql": "select 1;", "0002_b.down.sql": ""], mentions: ["0001_a.up.sql", "without a down", "sluice:irreversible"]),
        .init(name: "down without up", files: ["0001_a.up.sql": "select 1;", "0001_a.down.sql": "", "0002_b.down.sql": "select 1;"], mentions: ["0002_b.down.sql", "down without an up"]),
        .init(name: "unknown directive", files: ["0001_a.up.sql": "-- sluice:no-transation\nselect 1;", "0001_a.down.sql": ""], mentions: ["0001_a.up.sql:1", "no-transation"]),
        .init(name: "sum mismatch", files: ["0001_a.up.sql": "select 1;", "0001_a.down.sql": "", "sluice.sum": "total sha256:\(String(repeating: "0", count: 64))\n0001_a.up.sql sha256:\(String(repeating: "1", count: 64))\n"], mentions: ["0001_a.up.sql", "sluice.sum", "sluice hash"]),
    ]

    @Test(arguments: folders)
    func badFolderExitsTwoNamingTheFile(_ bad: BadFolder) async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder(bad.files)
            for command in [["apply"], ["plan"]] {
                let result = try await CLI.run(command + ["--dir", folder.path], database: db)
                #expect(result.status == 2, "\(bad.name): \(result)")
                for text in bad.mentions { #expect(result.stderr.contains(text), "\(bad.name): missing `\(text)` in \(result)") }
            }
            #expect(try await db.scalar("SELECT to_regnamespace('sluice') IS NULL") == "t", "nothing was created")
        }
    }

    @Test func aSumWrittenByHashIsAcceptedAndCatchesAnEdit() async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder.tables(1...2)
            #expect(try await CLI.run(["hash", "--dir", folder.path]).status == 0)
            #expect(try await CLI.run(["apply", "--dir", folder.path], database: db).status == 0)
            try folder.write("0003_t3.up.sql", "CREATE TABLE t3 (id int);")
            try folder.write("0003_t3.down.sql", "DROP TABLE t3;")
            let unlisted = try await CLI.run(["apply", "--dir", folder.path], database: db)
            #expect(unlisted.status == 2, "\(unlisted)")
            #expect(unlisted.stderr.contains("0003_t3.up.sql is not listed in sluice.sum"))
            #expect(try await CLI.run(["hash", "--dir", folder.path]).status == 0)
            #expect(try await CLI.run(["apply", "--dir", folder.path], database: db).status == 0)
        }
    }

    @Test func unreachableDatabaseExitsFourWithoutThePassword() async throws {
        let secret = "hunter2-sluice-secret"
        let folder = try TempFolder.tables(1...1)
        let result = try await CLI.run(["apply", "--dir", folder.path], env: ["SLUICE_DATABASE_URL": "postgresql://app:\(secret)@127.0.0.1:1/app"])
        #expect(result.status == 4, "\(result)")
        #expect(!result.output.contains(secret))
        #expect(result.stderr.contains("***"))
    }

    @Test func wrongPasswordExitsFourWithoutThePassword() async throws {
        try await withTestDatabase { db in
            let secret = "wrong-pw-\(UUID().uuidString.prefix(6))"
            var components = URLComponents(string: db.url)!
            components.password = secret
            let folder = try TempFolder.tables(1...1)
            let result = try await CLI.run(["status", "--dir", folder.path], env: ["SLUICE_DATABASE_URL": components.string!], removeEnv: ["PGPASSFILE"])
            #expect(result.status == 4, "\(result)")
            #expect(result.stderr.contains("password authentication failed"))
            #expect(!result.output.contains(secret))
        }
    }

    @Test func passwordFileIsUsedAndNeverShown() async throws {
        try await withTestDatabase { db in
            let password = try TestServer.password()
            let secrets = try TempFolder(["pw": password + "\n"])
            let folder = try TempFolder.tables(1...1)
            let result = try await CLI.run(["apply", "--dir", folder.path], database: db, env: ["SLUICE_DATABASE_PASSWORD_FILE": secrets.path + "/pw"], removeEnv: ["PGPASSFILE"])
            #expect(result.status == 0, "\(result)")
            #expect(!result.output.contains(password))
        }
    }

    @Test func lockHeldByAnotherRunnerExitsFiveAfterLockWait() async throws {
        try await withTestDatabase { db in
            let session = try await Connection.connect(db.settings)
            let holder = try #require(try await AdvisoryLock.acquire(on: session, key: AdvisoryLock.key(schema: "sluice"), wait: .seconds(1)))
            let clock = ContinuousClock()
            let started = clock.now
            let folder = try TempFolder.tables(1...1)
            let result = try await CLI.run(["apply", "--lock-wait", "1s", "--dir", folder.path], database: db)
            let elapsed = clock.now - started
            #expect(result.status == 5, "\(result)")
            #expect(result.stderr.contains("sluice-tests"), "names the holder's application_name: \(result)")
            #expect(elapsed >= .seconds(1))
            #expect(try await !db.tableExists("t1"))
            await holder.release()
            #expect(try await CLI.run(["apply", "--dir", folder.path], database: db).status == 0)
        }
    }

    struct BadConfig: CustomStringConvertible, Sendable {
        var name: String
        var yaml: String?
        var env: [String: String]
        var mentions: [String]
        var description: String { name }
    }

    static let configs: [BadConfig] = [
        .init(name: "unknown key", yaml: "database:\n  lock_timout: 5s\n", env: [:], mentions: ["database.lock_timout", "lock_timeout"]),
        .init(name: "unknown section", yaml: "databse:\n  url: x\n", env: [:], mentions: ["databse"]),
        .init(name: "bad duration in file", yaml: "database:\n  lock_timeout: 5 seconds\n", env: [:], mentions: ["database.lock_timeout", "5 seconds"]),
        .init(name: "bad duration in env", yaml: nil, env: ["SLUICE_DATABASE_LOCK_TIMEOUT": "5x"], mentions: ["database.lock_timeout", "SLUICE_DATABASE_LOCK_TIMEOUT"]),
        .init(name: "bad enum", yaml: "policy:\n  rollback_on: sometimes\n", env: [:], mentions: ["policy.rollback_on", "revert or removal or never"]),
        .init(name: "bad bool", yaml: "policy:\n  require_down: maybe\n", env: [:], mentions: ["policy.require_down"]),
        .init(name: "bad YAML", yaml: "database: [\n", env: [:], mentions: ["not valid YAML"]),
    ]

    @Test(arguments: configs)
    func badConfigExitsTwoNamingTheKey(_ bad: BadConfig) async throws {
        let folder = try TempFolder.tables(1...1)
        var args = ["plan", "--dir", folder.path]
        if let yaml = bad.yaml {
            try folder.write("sluice.yaml", yaml)
            args = ["--config", folder.path + "/sluice.yaml"] + args
        }
        let result = try await CLI.run(args, env: bad.env.merging(["SLUICE_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/x"]) { a, _ in a })
        #expect(result.status == 2, "\(bad.name): \(result)")
        for text in bad.mentions { #expect(result.stderr.contains(text), "\(bad.name): missing `\(text)` in \(result)") }
    }

    @Test func aMissingConfigFileIsAnErrorButNoFileIsFine() async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder.tables(1...1)
            let missing = try await CLI.run(["--config", "/nonexistent/sluice.yaml", "plan", "--dir", folder.path], database: db)
            #expect(missing.status == 2)
            #expect(missing.stderr.contains("/nonexistent/sluice.yaml"))
            #expect(try await CLI.run(["plan", "--dir", folder.path], database: db).status == 0)
        }
    }

    @Test func theExampleConfigLoads() async throws {
        try await withTestDatabase { db in
            let config = CLI.packageRoot.appendingPathComponent("config/sluice.yaml").path
            let folder = try TempFolder.tables(1...1)
            let result = try await CLI.run(["--config", config, "plan", "--dir", folder.path], database: db)
            #expect(result.status == 0, "\(result)")
        }
    }

    @Test func aNewerStateLayoutIsRefused() async throws {
        try await withTestDatabase { db in
            let folder = try TempFolder.tables(1...1)
            #expect(try await CLI.run(["apply", "--dir", folder.path], database: db).status == 0)
            try await db.connect().execute("UPDATE sluice.meta SET value = '99' WHERE key = 'schema_version'")
            for command in ["apply", "status"] {
                let result = try await CLI.run([command, "--dir", folder.path], database: db)
                #expect(result.status == 2, "\(result)")
                #expect(result.stderr.contains("layout 99"))
            }
        }
    }

    @Test(arguments: [["frobnicate"], ["rollback"], ["history", "--limit", "0"], ["apply", "--lock-wait", "soon"], ["release"]])
    func badUsageExitsTwo(_ args: [String]) async throws {
        let result = try await CLI.run(args, env: ["SLUICE_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/x"])
        #expect(result.status == 2, "\(args): \(result)")
        #expect(!result.stderr.isEmpty)
    }
}
