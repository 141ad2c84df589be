import Foundation
import SluicePostgres
import Testing

/// Every way of looking at a branch — `plan`, `apply --dry-run`, `rehearse`, the daemon's
/// `/api/plan` — sees the same source as the cycle that then runs: after a revert commit they
/// all show the revert, and after a plain removal they all refuse it alike.
@Suite(.serialized) struct SourceSnapshotTests {
    /// The previews of one branch, run while the daemon (which has fetched the tip) cannot
    /// take the lock: (plan, apply --dry-run, rehearse, GET /api/plan).
    static func previews(_ git: GitFixture, _ db: TestDatabase, daemon: DaemonProcess) async throws -> [(String, CLIResult)] {
        let args = ["--repo", "file://" + git.remote, "--branch", "main", "--path", git.folder]
        let env = ["XDG_CACHE_HOME": git.root + "/cache"]
        // `dump`: the clone does not need production free of sessions (the daemon keeps one).
        let rehearsal = env.merging(["SLUICE_REHEARSAL_ENABLED": "true", "SLUICE_REHEARSAL_STRATEGY": "dump"]) { _, new in new }
        let (status, body) = try await daemon.http("/api/plan")
        return [
            ("plan", try await CLI.run(["plan"] + args, database: db, env: env)),
            ("apply --dry-run", try await CLI.run(["apply", "--dry-run"] + args, database: db, env: env)),
            ("rehearse", try await CLI.run(["rehearse"] + args, database: db, env: rehearsal)),
            ("/api/plan", CLIResult(status: status == 200 ? 0 : Int32(status), stdout: body, stderr: "")),
        ]
    }

    /// Holds the migration lock from the test, so the daemon's cycle fetches the new tip but
    /// stops at the lock (exit 5) and the database stays where it was.
    static func cycleThatOnlyFetches(_ daemon: DaemonProcess, _ db: TestDatabase) async throws -> AdvisoryLock {
        let session = try await Connection.connect(db.settings)
        let lock = try #require(try await AdvisoryLock.acquire(on: session, key: AdvisoryLock.key(schema: "sluice"), wait: .seconds(5)))
        let locked = try await daemon.cycle(db)
        #expect(locked.status == 5, "the cycle found the lock held: \(locked)")
        return lock
    }

    @Test func afterARevertCommitEveryPreviewShowsTheRevertTheDaemonRuns() async throws {
        try await withTestDatabase { db in
            let git = try await GitFixture()
            try await git.commit(GitFixture.table(1, "users"), message: "Add users")
            let added = try await git.commit(GitFixture.table(2, "orders"), message: "Add orders")
            let daemon = try DaemonProcess(git, db)
            try await daemon.ready(db: db)
            #expect(try await daemon.cycle(db).status == 0)
            #expect(try await db.tableExists("orders"))

            let revert = try await git.revert(added)
            let lock = try await Self.cycleThatOnlyFetches(daemon, db)
            for (what, result) in try await Self.previews(git, db, daemon: daemon) {
                #expect(result.status == 0, "\(what): \(result)")
                let shows = result.stdout.split(separator: "\n").contains { $0.contains("revert") && $0.contains("0002_orders") }
                #expect(shows, "\(what) shows the revert of 0002_orders: \(result)")
                #expect(!result.output.contains("no revert commit removed it"), "\(what): \(result)")
            }
            #expect(try await db.tableExists("orders"), "the previews changed nothing")
            await lock.release()

            let cycle = try await daemon.cycle(db)
            #expect(cycle.status == 0, "\(cycle)")
            #expect(cycle.stdout.contains("revert 0002_orders"), "\(cycle)")
            #expect(try await !db.tableExists("orders"))
            #expect(try await db.scalar("SELECT commit_sha FROM sluice.reconciled") == revert)
            _ = try await daemon.stop()
        }
    }

    @Test func afterAPlainRemovalEveryPreviewRefusesAsTheDaemonDoes() async throws {
        try await withTestDatabase { db in
            let git = try await GitFixture()
            try await git.commit(GitFixture.table(1, "users").merging(GitFixture.table(2, "orders")) { a, _ in a }, message: "Add tables")
            let daemon = try DaemonProcess(git, db)
            try await daemon.ready(db: db)
            #expect(try await daemon.cycle(db).status == 0)

            try await git.remove(["0002_orders.up.sql", "0002_orders.down.sql"], message: "Tidy up")
            let lock = try await Self.cycleThatOnlyFetches(daemon, db)
            for (what, result) in try await Self.previews(git, db, daemon: daemon) {
                #expect(result.status == (what == "/api/plan" ? 409 : 3), "\(what): \(result)")
                #expect(result.output.contains("no revert commit removed it"), "\(what): \(result)")
            }
            await lock.release()

            let refused = try await daemon.cycle(db)
            #expect(refused.status == 3, "\(refused)")
            #expect(refused.stdout.contains("no revert commit removed it"), "\(refused)")
            #expect(try await db.tableExists("orders"))
            _ = try await daemon.stop()
        }
    }
}
