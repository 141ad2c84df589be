import Foundation
import Testing

/// `ssh://` remotes with `repository.ssh_key`, against a real sshd the test starts on loopback.
@Suite struct SSHRemoteTests {
    @Test func aRemoteOverSSHIsReadWithTheConfiguredKeyAndAWrongKeyIsRefused() async throws {
        try await withTestDatabase { db in
            let git = try await GitFixture()
            let sha = try await git.commit(GitFixture.table(1, "users"), message: "Add users")
            let ssh = try await SSHServer(root: git.root)
            defer { ssh.stop() }
            let args = ["--repo", "ssh://root@127.0.0.1:\(ssh.port)\(git.remote)", "--path", "migrations"]
            let env = ["HOME": ssh.home, "XDG_CACHE_HOME": git.root + "/cache", "SLUICE_REPOSITORY_SSH_KEY": ssh.userKey]

            let apply = try await CLI.run(["apply"] + args, database: db, env: env)
            #expect(apply.status == 0, "\(apply)")
            #expect(try await db.scalar("SELECT commit_sha FROM sluice.revisions WHERE version = '1'") == sha)

            let stranger = try await CLI.run(["plan"] + args, database: db, env: env.merging(["SLUICE_REPOSITORY_SSH_KEY": ssh.otherKey, "XDG_CACHE_HOME": git.root + "/cache2"]) { _, new in new })
            #expect(stranger.status == 4, "\(stranger)")
            let keyText = try String(contentsOfFile: ssh.otherKey, encoding: .utf8)
            let secretLine = keyText.split(separator: "\n").dropFirst().first.map(String.init) ?? "-"
            #expect(!stranger.output.contains(secretLine), "no key material in the output")
        }
    }
}

/// sshd on a free loopback port, with a host key, one authorised user key and a known_hosts for it.
final class SSHServer: @unchecked Sendable {
    let dir: String
    let port: Int
    let home: String
    let userKey: String
    let otherKey: String

    init(root: String) async throws {
        dir = root + "/ssh"
        home = dir + "/home"
        userKey = dir + "/user_key"
        otherKey = dir + "/other_key"
        port = DaemonProcess.freePort()
        try FileManager.default.createDirectory(atPath: home + "/.ssh", withIntermediateDirectories: true)
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd") else {
            throw TestSetupError("/usr/sbin/sshd is missing: scripts/test.sh installs openssh-server")
        }
        try await OwnServer.shell("""
            cd '\(dir)'
            ssh-keygen -q -t ed25519 -N '' -f host_key && ssh-keygen -q -t ed25519 -N '' -f user_key && ssh-keygen -q -t ed25519 -N '' -f other_key
            cp user_key.pub authorized_keys && chmod 600 authorized_keys
            printf '%s\\n' 'Port \(port)' 'ListenAddress 127.0.0.1' 'HostKey \(dir)/host_key' 'AuthorizedKeysFile \(dir)/authorized_keys' \
              'PidFile \(dir)/sshd.pid' 'UsePAM no' 'StrictModes no' 'PermitRootLogin prohibit-password' 'PasswordAuthentication no' > sshd_config
            echo "[127.0.0.1]:\(port) $(cut -d' ' -f1,2 host_key.pub)" > '\(home)/.ssh/known_hosts'
            mkdir -p /run/sshd
            /usr/sbin/sshd -f '\(dir)/sshd_config' -E '\(dir)/sshd.log' </dev/null >/dev/null 2>&1
            for _ in $(seq 100); do [ -s '\(dir)/sshd.pid' ] && break; sleep 0.05; done
            """)
    }

    func stop() {
        if let pid = try? String(contentsOfFile: dir + "/sshd.pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), let value = Int32(pid) {
            kill(value, SIGTERM)
        }
    }
}
