import Foundation

/// A migrations folder in a temp directory, removed when the test ends.
final class TempFolder: @unchecked Sendable {
    let path: String

    init(_ files: [String: String] = [:]) throws {
        path = NSTemporaryDirectory() + "sluice-test-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, text) in files { try write(name, text) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: "\(path)/\(name)", atomically: true, encoding: .utf8)
    }

    func remove(_ name: String) throws { try FileManager.default.removeItem(atPath: "\(path)/\(name)") }

    /// A copy of the repository's example `migrations/`.
    static func examples() throws -> TempFolder {
        let source = CLI.packageRoot.appendingPathComponent("migrations").path
        let folder = try TempFolder()
        for name in try FileManager.default.contentsOfDirectory(atPath: source) {
            try folder.write(name, try String(contentsOfFile: "\(source)/\(name)", encoding: .utf8))
        }
        return folder
    }

    /// Paired migrations `000N_tN` that each create table `tN`, with downs.
    static func tables(_ versions: ClosedRange<Int>, extra: [String: String] = [:]) throws -> TempFolder {
        var files = extra
        for v in versions {
            files[String(format: "%04d_t%d.up.sql", v, v)] = "CREATE TABLE t\(v) (id int PRIMARY KEY);\n"
            files[String(format: "%04d_t%d.down.sql", v, v)] = "DROP TABLE t\(v);\n"
        }
        return try TempFolder(files)
    }
}
