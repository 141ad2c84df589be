import Foundation
import Glibc
import SluicePostgres
import Testing

/// The daemon end to end: real Git remotes made in the test, the real binary, a real database.
/// Cycles are driven with `daemon trigger --wait`, so no test sleeps blindly.
@Suite struct DaemonTests {
    /// The heap trim (docs/daemon.md, "Footprint"): after start-up, after a cycle that did work
    /// and after an API page, the next quiet cycle hands the allocator's free pages back
    /// (`malloc_trim`); a quiet cycle with nothing before it, or after /metrics, does not.
    @Test func theHeapIsTrimmedAfterStartUpBusyCyclesAndPages() async throws {
        try await withTestDatabase { db in
            let git = try await GitFixture()
            try await git.commit(GitFixture.table(1, "users"), message: "Add users")
            let daemon = try DaemonProcess(git, db, arguments: ["--log-level", "debug"])
            try await daemon.ready(db: db)
            // The first poll must be over, or the first trigger would be answered by it.
            for _ in 0..<200 {
                let status = try await CLI.run(["daemon", "status", "--format", "json"], database: db, env: daemon.env)
                if let data = status.stdout.data(using: .utf8),
                   let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                   let cycles = json["cycles"] as? Int, cycles >= 1 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await daemon.cycle(db).status == 0)
            try await git.commit(GitFixture.table(2, "orders"), message: "Add orders")
            let applied = try await daemon.cycle(db)
            #expect(applied.status == 0 && applied.stdout.contains("apply 0002_orders"), "\(applied)")
            #expect(try await db.tableExists("orders"))
            #expect(try await daemon.http("/metrics").0 == 200)
            #expect(try await daemon.cycle(db).status == 0)
            #expect(try await daemon.http("/api/status").0 == 200)
            #expect(try await daemon.cycle(db).status == 0)
            #expect(try await daemon.cycle(db).status == 0)
            let stopped = try await daemon.stop()
            #expect(stopped.status == 0, "\(stopped)")
            // Trimmed on the quiet cycle after the first one (start-up), after the applying
            // cycle, and after the API page (not after /metrics, not on a quiet cycle with
            // nothing before it): three times.
            let trims = stopped.stderr.split(separator: "\n").filter { $0.contains("trimmed the heap") }
            #expect(trims.count == 3, "\(stopped.stderr.suffix(3000))")
        }
    }

    @Test func appliesNewCommitsAndRecordsWhoIntroducedThem() async throws {
        try await withTestDatabase { db in
            let git = try await GitFixture()
            let first = try await git.commit(GitFixture.table(1, "users").merging(GitFixture.table(2, "orders")) { a, _ in a }, message: "Add users and orders")
            let daemon = try DaemonProcess(git, db)
            try await daemon.ready(db: db)

            // The daemon's first poll runs at start; the triggered cycle comes after it.
            let cycle = try await daemon.cycle(db)
            #expect(cycle.status == 0, "\(cycle)")
            #expect(try await db.tableExists("orders"))
            let row = try await db.connect().query("SELECT commit_sha, commit_author, commit_subject FROM sluice.revisions WHERE version = '2'").records[0]
            #expect(row["commit_sha"] == first)
            #expect(row["commit_author"] == "Ada Lovelace <ada@example.com>")
            #expect(row["commit_subject"] == "Add users and orders")
            #expect(try await db.scalar("SELECT commit_sha FROM sluice.reconciled") == first)

            let second = try await git.commit(GitFixture.table(3, "invoices"), message: "Add invoices", author: "Grace Hopper <grace@example.com>")
            let next = try await daemon.cycle(db)
            #expect(next.status == 0, "\(next)")
            #expect(next.stdout.contains("apply 0003_invoices"), "\(next)")
            #expect(try await db.tableExists("invoices"))
            #expect(try await db.scalar("SELECT commit_author FROM sluice.revisions WHERE version = '3'") == "Grace Hopper <grace@example.com>")
            #expect(try await db.scalar("SELECT commit_sha FROM sluice.reconciled") == second)

            let noop = try await daemon.cycle(db)
            #expect(noop.status == 0)
            #expect(try await daemon.http("/healthz").0 == 200)
            let ready = try await daemon.http("/readyz")
            #expect(ready.0 == 200, "\(ready)")
            let status = try await CLI.run(["daemon", "status", "--format", "json"], database: db, env: daemon.env)
            #expect(status.status == 0, "\(status)")
            #expect(status.stdout.contains(second))
            let stopped = try await daemon.stop()
            #expect(stopped.status == 0, "SIGTERM ends the daemon cleanly: \(stopped)")
        }
    }

    @Test func aRevertCommitRunsTheRecordedDown() async throws {
        try await withTestDatabase { db in
            let git = try await GitFixture()
            try await git.commit(GitFixture.table(1, "users"), message: "Add users")
            let added = try await git.commit(GitFixture.table(2, "orders"), message: "Add orders")
            let daemon = try DaemonProcess(git, db)
            try await daemon.ready(db: db)
            #expect(try await daemon.cycle(db).status == 0)
            #expect(try await db.tableExists("orders"))

            try await git.revert(added)
            let cycle = try await daemon.cycle(db)
            #expect(cycle.status == 0, "\(cycle)")
            #expect(cycle.stdout.contains("revert 0002_orders"))
            #expect(try await !db.tableExists("orders"))
            #expect(try await db.count("SELECT count(*) FROM sluice.revisions") == 1)
            #expect(try await db.count("SELECT count(*) FROM sluice.holds") == 0, "a revert is not a hold")
            _ = try await daemon.stop()
        }
    }

    @Test func aPlainRemovalIsRefusedUnderRevertAndRunUnderRemoval() async throws {
        try await withTestDatabase { db in
            let git = try await GitFixture()
            try await git.commit(GitFixture.table(1, "users").merging(GitFixture.table(2, "orders")) { a, _ in a }, message: "Add tables")
            let daemon = try DaemonProcess(git, db)
            try await daemon.ready(db: db)
            #expect(try await daemon.cycle(db).status == 0)
            try await git.remove(["0002_orders.up.sql", "0002_orders.down.sql"], message: "Tidy up")
            let refused = try await daemon.cycle(db)
            #expect(refused.status == 3, "\(refused)")
            #expect(refused.stdout.contains("no revert commit removed it"))
            #expect(try await db.tableExists("orders"))
            _ = try await daemon.stop()

            let permissive = try DaemonProcess(git, db, env: ["SLUICE_POLICY_ROLLBACK_ON": "removal"], name: "removal")
            try await permissive.ready(db: db)
            let reverted = try await permissive.cycle(db)
            #expect(reverted.status == 0, "\(reverted)")
            #expect(try await !db.tableExists("orders"))
            _ = try await permissive.stop()
        }
    }

    @Test func driftAndFailuresComeBackAsTheCycleExitCode() async throws {
        try await withTestDatabase { db in
            let git = try await GitFixture()
            try await git.commit(GitFixture.table(1, "users"), message: "Add users")
            let daemon = try DaemonProcess(git, db)
            try await daemon.ready(db: db)
            #expect(try await daemon.cycle(db).status == 0)

            let edit = try await git.commit(["0001_users.up.sql": "CREATE TABLE users (id bigint);\n"], message: "Widen id in place")
            let drift = try await daemon.cycle(db)
            #expect(drift.status == 3, "\(drift)")
            #expect(drift.stdout.contains("0001_users.up.sql"))
            #expect(drift.stdout.contains("in commit \(edit.prefix(12)) (Ada Lovelace <ada@example.com>: Widen id in place)"), "\(drift)")
            try await git.commit(["0001_users.up.sql": "CREATE TABLE users (id int);\n"], message: "Restore")

            try await git.commit(["0002_bad.up.sql": "SELECT 1/0;\n", "0002_bad.down.sql": "\n"], message: "Broken")
            let failed = try await daemon.cycle(db)
            #expect(failed.status == 1, "\(failed)")
            #expect(failed.stdout.contains("22012"))
            let status = try await CLI.run(["daemon", "status"], database: db, env: daemon.env)
            #expect(status.stdout.contains("last cycle: failed"), "the daemon is still alive and reports: \(status)")
            let notReady = try await daemon.http("/readyz")
            #expect(notReady.0 == 503 && notReady.1.contains("failed"), "\(notReady)")
            #expect(try await daemon.http("/healthz").0 == 200)
            _ = try await daemon.stop()
        }
    }

    @Test func anUnreachableRemoteOrDatabaseIsReportedAndTheDaemonCatchesUp() async throws {
        try await withTestDatabase { db in
            let git = try await GitFixture()
            try await git.commit(GitFixture.table(1, "users"), message: "Add users")
            let daemon = try DaemonProcess(git, db)
            try await daemon.ready(db: db)
            #expect(try await daemon.cycle(db).status == 0)

            try FileManager.default.moveItem(atPath: git.remote, toPath: git.remote + ".away")
            let offline = try await daemon.cycle(db)
            #expect(offline.status == 4, "\(offline)")
            try FileManager.default.moveItem(atPath: git.remote + ".away", toPath: git.remote)

            try await git.commit(GitFixture.table(2, "orders"), message: "Add orders")
            let admin = try await Connection.connect(ConnectionSettings(url: try TestServer.adminURL(), applicationName: "sluice-tests"))
            try await admin.execute("ALTER DATABASE \(db.name) ALLOW_CONNECTIONS false")
            let dbDown = try await daemon.cycle(db)
            #expect(dbDown.status == 4, "\(dbDown)")
            try await admin.execute("ALTER DATABASE \(db.name) ALLOW_CONNECTIONS true")

            let back = try await daemon.cycle(db)
            #expect(back.status == 0, "\(back)")
            #expect(try await db.tableExists("orders"))
            _ = try await daemon.stop()
        }
    }

    @Test func eightDaemonsApplyEachVersionExactlyOnce() async throws {
        try await withTestDatabase { db in
            let git = try await GitFixture()
            var files = ["0000_log.up.sql": "CREATE TABLE applied_log (version int);\n", "0000_log.down.sql": "DROP TABLE applied_log;\n"]
            for v in 1...12 {
                files[String(format: "%04d_m%d.up.sql", v, v)] = "CREATE TABLE m\(v) (id int);\nSELECT pg_sleep(0.02);\nINSERT INTO applied_log VALUES (\(v));\n"
                files[String(format: "%04d_m%d.down.sql", v, v)] = "DROP TABLE m\(v);\n"
            }
            try await git.commit(files, message: "Twelve migrations")
            let daemons = try (0..<8).map { try DaemonProcess(git, db, env: ["SLUICE_REPOSITORY_POLL_INTERVAL": "100ms"], name: "d\($0)") }
            for d in daemons { try await d.ready(db: db) }
            var done = false
            for _ in 0..<600 where !done {
                if try await db.tableExists("sluice.revisions") {
                    done = try await db.count("SELECT count(*) FROM sluice.revisions WHERE state = 'applied'") == 13
                }
                if !done { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(done, "all versions applied")
            #expect(try await db.count("SELECT count(*) FROM applied_log") == 12)
            #expect(try await db.count("SELECT count(*) FROM (SELECT version FROM applied_log GROUP BY version HAVING count(*) > 1) d") == 0)
            for d in daemons { #expect(try await d.stop().status == 0) }
        }
    }

    @Test func sigtermDuringALongMigrationFinishesItAndExitsZero() async throws {
        try await withTestDatabase { db in
            // The first migration waits on an advisory lock the test holds, so the test knows
            // exactly when it is under way and decides when it may finish.
            let gate = try await db.connect()
            try await gate.execute("SELECT pg_advisory_lock(4242)")
            let git = try await GitFixture()
            try await git.commit(GitFixture.table(1, "slow", extra: "SELECT pg_advisory_xact_lock(4242);\n").merging(GitFixture.table(2, "after")) { a, _ in a }, message: "Slow then fast")
            let daemon = try DaemonProcess(git, db, env: ["SLUICE_DATABASE_LOCK_TIMEOUT": "0"])
            var waiting = false
            for _ in 0..<500 where !waiting {
                waiting = try await db.count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())") > 0
                if !waiting { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(waiting, "the slow migration is under way")
            kill(daemon.running.process.processIdentifier, SIGTERM)
            try await Task.sleep(for: .milliseconds(300))
            #expect(daemon.running.process.isRunning, "the daemon waits for the migration under way")
            try await gate.execute("SELECT pg_advisory_unlock(4242)")
            let stopped = try await daemon.stop()
            #expect(stopped.status == 0, "\(stopped)")
            #expect(try await db.scalar("SELECT state FROM sluice.revisions WHERE version = '1'") == "applied", "the migration under way finished")
            #expect(try await !db.tableExists("after"), "nothing new started after SIGTERM")
            #expect(try await db.scalar("SELECT outcome FROM sluice.events WHERE kind = 'apply'") == "stopped")
        }
    }

    @Test func oneShotCommandsReadTheBranchWithRepo() async throws {
        try await withTestDatabase { db in
            let git = try await GitFixture(folder: "db/migrations")
            let sha = try await git.commit(GitFixture.table(1, "users"), message: "Add users")
            let args = ["--repo", "file://" + git.remote, "--branch", "main", "--path", "db/migrations"]
            let env = ["XDG_CACHE_HOME": git.root + "/cache"]
            let plan = try await CLI.run(["plan"] + args, database: db, env: env)
            #expect(plan.status == 0, "\(plan)")
            #expect(plan.stdout.contains("apply 0001_users"))
            let apply = try await CLI.run(["apply"] + args, database: db, env: env)
            #expect(apply.status == 0, "\(apply)")
            #expect(try await db.scalar("SELECT commit_sha FROM sluice.revisions WHERE version = '1'") == sha)
            let status = try await CLI.run(["status"] + args, database: db, env: env)
            #expect(status.stdout.contains("pending:  0"), "\(status)")
            #expect(status.stdout.contains("commit:   \(sha) (last reconciled from Git)"), "\(status)")
            let hash = try await CLI.run(["hash"] + args, database: db, env: env)
            #expect(hash.status == 2, "\(hash)")
            let missing = try await CLI.run(["plan", "--repo", git.root + "/nowhere.git"], database: db, env: env)
            #expect(missing.status == 4, "\(missing)")
        }
    }

    @Test func aForcePushIsReportedAndNeverCrashesTheDaemon() async throws {
        try await withTestDatabase { db in
            let git = try await GitFixture()
            let base = try await git.commit(GitFixture.table(1, "users"), message: "Add users")
            try await git.commit(GitFixture.table(2, "orders"), message: "Add orders")
            let daemon = try DaemonProcess(git, db)
            try await daemon.ready(db: db)
            #expect(try await daemon.cycle(db).status == 0)
            #expect(try await db.tableExists("orders"))

            try await git.forcePush(resetTo: base)
            let backward = try await daemon.cycle(db)
            #expect(backward.status == 3, "the applied 0002 is gone without a revert commit: \(backward)")
            #expect(try await db.scalar("SELECT outcome FROM sluice.events WHERE kind = 'branch' ORDER BY id DESC LIMIT 1") == "backward")

            try await git.commit(GitFixture.table(3, "invoices"), message: "Rewritten history")
            let rewritten = try await daemon.cycle(db)
            #expect(rewritten.status == 3, "\(rewritten)")
            #expect(try await db.scalar("SELECT outcome FROM sluice.events WHERE kind = 'branch' ORDER BY id DESC LIMIT 1") == "rewritten")
            #expect(try await daemon.stop().status == 0, "the daemon is still running and stops cleanly")
        }
    }

    @Test func systemdHearsReadyStatusAndStopping() async throws {
        try await withTestDatabase { db in
            let git = try await GitFixture()
            try await git.commit(GitFixture.table(1, "users"), message: "Add users")
            let notify = try NotifySocket(path: git.root + "/notify.sock")
            let daemon = try DaemonProcess(git, db, env: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "400000"])
            var messages: [String] = []
            for _ in 0..<100 where !messages.contains(where: { $0.hasPrefix("STATUS=applied") }) {
                if let message = notify.receive(timeoutMs: 100) { messages.append(message) }
            }
            #expect(messages.contains { $0.hasPrefix("READY=1\nSTATUS=watching") }, "\(messages)")
            #expect(messages.contains { $0.hasPrefix("STATUS=applied: 1 step(s)") }, "\(messages)")
            #expect(messages.contains("WATCHDOG=1"), "\(messages)")
            let mode = try FileManager.default.attributesOfItem(atPath: daemon.socket)[.posixPermissions] as? Int
            #expect(mode == 0o660, "control socket mode \(String(mode ?? 0, radix: 8))")
            #expect(try await daemon.stop().status == 0)
            var tail: [String] = []
            while let message = notify.receive(timeoutMs: 200) { tail.append(message) }
            #expect(tail.contains("STOPPING=1"), "\(tail)")
        }
    }

    @Test func aDatabaseServerStoppedMidRunAndStartedAgainIsCaughtUp() async throws {
        let server = try await OwnServer()
        let db = server.database
        let git = try await GitFixture()
        try await git.commit(GitFixture.table(1, "users"), message: "Add users")
        let daemon = try DaemonProcess(git, db, env: ["SLUICE_DATABASE_PASSWORD_FILE": server.dir + "/password", "SLUICE_DATABASE_LOCK_TIMEOUT": "0"])
        try await daemon.ready(db: db)
        #expect(try await daemon.cycle(db).status == 0)

        // Migration 2 waits on a lock the test holds, so the server stops in the middle of it.
        let gate = try await db.connect()
        try await gate.execute("SELECT pg_advisory_lock(4343)")
        try await git.commit(GitFixture.table(2, "orders", extra: "SELECT pg_advisory_xact_lock(4343);\n"), message: "Add orders")
        #expect(try await CLI.run(["daemon", "trigger"], database: db, env: daemon.env).status == 0)
        var waiting = false
        for _ in 0..<500 where !waiting {
            waiting = try await gate.query("SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())").scalar == "t"
            if !waiting { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(waiting, "migration 2 is under way")
        try await server.stop()
        let down = try await daemon.cycle(db)
        #expect(down.status == 4, "\(down)")
        let status = try await CLI.run(["daemon", "status"], database: db, env: daemon.env)
        #expect(status.status == 0, "the daemon survived: \(status)")

        try await server.start()
        let back = try await daemon.cycle(db)
        #expect(back.status == 0, "\(back)")
        #expect(try await db.tableExists("orders"))
        #expect(try await db.count("SELECT count(*) FROM sluice.revisions") == 2)
        #expect(try await daemon.stop().status == 0)
    }
}


/// A stand-in for systemd's notify socket: a datagram socket the daemon writes to.
final class NotifySocket: @unchecked Sendable {
    let path: String
    let fd: Int32

    init(path: String) throws {
        self.path = path
        fd = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard fd >= 0, bound == 0 else { throw TestSetupError("cannot bind \(path)") }
    }

    deinit { close(fd); unlink(path) }

    func receive(timeoutMs: Int32) -> String? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, timeoutMs) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(fd, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : nil
    }
}