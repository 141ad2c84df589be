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
        // readdir(3) and openat(2) instead of FileManager: no path is built and resolved, and no
        // extra stat made, per file (a large folder is thousands of small files).
        guard let directory = opendir(path) else {
            throw SluiceError(.badInput, "cannot list migrations folder \(path): \(String(cString: strerror(errno)))", hint: "check the folder's permissions")
        }
        var visible: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
            if !name.hasPrefix(".") { visible.append(name) }
        }
        defer { closedir(directory) }
        // Read on every core, relative to the open folder.
        let folder = dirfd(directory)
        let names = visible
        var results = [ReadResult](repeating: .notAFile, count: visible.count)
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer
            DispatchQueue.concurrentPerform(iterations: visible.count) { out[$0] = Self.readFile(names[$0], in: folder) }
        }
        let prefix = path.hasSuffix("/") ? path : path + "/"
        var entries: [FolderEntry] = []
        for (index, name) in visible.enumerated() {
            let full = prefix + name
            switch results[index] {
            case .bytes(let bytes): entries.append(FolderEntry(name: name, bytes: bytes))
            case .notAFile: continue
            case .failed(let errno):
                throw SluiceError(.badInput, "cannot read \(full): \(String(cString: strerror(errno)))", hint: "check the file's permissions", file: name)
            }
        }
        return entries
    }

    enum ReadResult { case bytes([UInt8]), notAFile, failed(Int32) }

    /// One openat, fstat and read per file (`sluice lint` reads thousands): a directory or
    /// other non-regular entry is `.notAFile`, a file that cannot be read `.failed(errno)`.
    static func readFile(_ name: String, in folder: Int32) -> ReadResult {
        let fd = openat(folder, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            let error = errno
            var info = stat()
            // A dangling symlink or a directory we may not open is not a migration file.
            if error == EISDIR || (fstatat(folder, name, &info, 0) == 0 && (info.st_mode & S_IFMT) != S_IFREG) || error == ENOENT { return .notAFile }
            return .failed(error)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failed(errno) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return .notAFile }
        let size = max(Int(info.st_size), 0)
        var bytes = [UInt8](repeating: 0, count: size > 0 ? size : 4096)
        var count = 0
        while true {
            if count == bytes.count {
                // All that fstat promised: the usual case, one read(2) per file.
                if size > 0 && count == size { break }
                bytes.append(contentsOf: repeatElement(0, count: bytes.count))
            }
            let got = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
            if got < 0 {
                if errno == EINTR { continue }
                return .failed(errno)
            }
            if got == 0 { break }
            count += got
        }
        bytes.removeSubrange(count...)
        return .bytes(bytes)
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
