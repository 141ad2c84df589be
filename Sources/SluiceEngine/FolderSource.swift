import Foundation
import SluiceCore

/// Reads and writes a migrations folder on disk: the I/O that `SluiceCore` leaves out.
public struct FolderSource: Sendable {
    public var path: String

    public init(path: String) {
        self.path = path
    }

    /// The folder's top-level files (sub-folders are not read, as golang-migrate and dbmate do).
    public func entries() throws(SluiceError) -> [FolderEntry] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SluiceError(.badInput, "migrations folder \(path) does not exist", hint: "pass --dir PATH, or set repository.path (SLUICE_REPOSITORY_PATH)")
        }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
            throw SluiceError(.badInput, "cannot list migrations folder \(path): \(error.localizedDescription)", hint: "check the folder's permissions")
        }
        var entries: [FolderEntry] = []
        for name in names where !name.hasPrefix(".") {
            let full = (path as NSString).appendingPathComponent(name)
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue else { continue }
            guard let data = FileManager.default.contents(atPath: full) else {
                throw SluiceError(.badInput, "cannot read \(full)", hint: "check the file's permissions", file: name)
            }
            entries.append(FolderEntry(name: name, bytes: Array(data)))
        }
        return entries
    }

    /// Parses the folder and checks `sluice.sum` when there is one.
    public func load(requireDown: Bool) throws(SluiceError) -> MigrationFolder {
        try FolderParser(requireDown: requireDown).parseVerified(entries())
    }

    public func write(_ name: String, _ text: String) throws(SluiceError) {
        let full = (path as NSString).appendingPathComponent(name)
        do { try text.write(toFile: full, atomically: true, encoding: .utf8) } catch {
            throw SluiceError(.badInput, "cannot write \(full): \(error.localizedDescription)", hint: "check the folder's permissions", file: name)
        }
    }

    public func exists(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent(name))
    }
}
