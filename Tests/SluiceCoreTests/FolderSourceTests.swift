import Foundation
import SluiceCore
import SluiceEngine
import Testing

/// `FolderSource.entries()` reads the folder with readdir/openat and one read per file:
/// what it must read, what it must leave alone, and that nothing blocks or is cut short.
@Suite struct FolderSourceTests {
    @Test func readsRegularFilesAndSkipsEverythingElse() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-folder-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let big = String(repeating: "-- padding line for a file larger than one read buffer\n", count: 3_000) + "SELECT 1;\n"
        try "CREATE TABLE a (id int);\n".write(toFile: dir + "/0001_a.up.sql", atomically: true, encoding: .utf8)
        try big.write(toFile: dir + "/0002_big.up.sql", atomically: true, encoding: .utf8)
        FileManager.default.createFile(atPath: dir + "/0003_empty.up.sql", contents: Data())
        try "hidden".write(toFile: dir + "/.hidden.sql", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir + "/sub.sql", withIntermediateDirectories: true)
        try "in a sub-folder".write(toFile: dir + "/sub.sql/0009_x.up.sql", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/0004_link.up.sql", withDestinationPath: dir + "/0001_a.up.sql")
        try FileManager.default.createSymbolicLink(atPath: dir + "/0005_dangling.up.sql", withDestinationPath: dir + "/nowhere.sql")
        #expect(mkfifo(dir + "/0006_fifo.up.sql", 0o600) == 0, "a FIFO must not block the read")

        let entries = try FolderSource(path: dir).entries()
        let byName = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0.bytes) })
        #expect(Set(byName.keys) == ["0001_a.up.sql", "0002_big.up.sql", "0003_empty.up.sql", "0004_link.up.sql"])
        #expect(byName["0001_a.up.sql"] == Array("CREATE TABLE a (id int);\n".utf8))
        #expect(byName["0002_big.up.sql"] == Array(big.utf8), "a file of \(big.utf8.count) bytes is read whole")
        #expect(byName["0003_empty.up.sql"] == [])
        #expect(byName["0004_link.up.sql"] == byName["0001_a.up.sql"], "a symlink to a file is read through")
    }

    @Test func aMissingFolderNamesItself() {
        #expect {
            try FolderSource(path: "/nonexistent/sluice-migrations").entries()
        } throws: { error in
            (error as? SluiceError)?.message.contains("/nonexistent/sluice-migrations") == true
        }
    }
}
