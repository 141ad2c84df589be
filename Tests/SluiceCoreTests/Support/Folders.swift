import Foundation
import SluiceCore
import Testing

/// Builds `FolderEntry` lists the way a project's folder holds them, and reads back errors.
enum Folders {
    /// `name: text` pairs, in the order written.
    static func entries(_ files: KeyValuePairs<String, String>) -> [FolderEntry] {
        files.map { FolderEntry(name: $0.key, text: $0.value) }
    }

    static func parse(_ entries: [FolderEntry], requireDown: Bool = true) throws -> MigrationFolder {
        try FolderParser(requireDown: requireDown).parse(entries)
    }

    /// The error the parser throws for a bad folder, or nil when it accepts the folder.
    static func error(_ entries: [FolderEntry], requireDown: Bool = true) -> SluiceError? {
        do {
            _ = try FolderParser(requireDown: requireDown).parse(entries)
            return nil
        } catch {
            return error
        }
    }

    /// A paired (golang-migrate) folder with one table per version.
    static func paired(_ versions: [Int]) -> [FolderEntry] {
        versions.flatMap { v in
            [
                FolderEntry(name: Planning.fileName(v), text: Planning.upSQL(v)),
                FolderEntry(name: Planning.downFileName(v), text: Planning.downSQL(v)),
            ]
        }
    }
}

extension SluiceError {
    /// Everything a person would read: message, detail lines and hint.
    var fullText: String { ([message] + details + [hint ?? ""]).joined(separator: "\n") }
}

extension Version {
    /// For literals in tests, where a bad version is a bug in the test itself.
    static func v(_ text: String) -> Version {
        guard let version = Version(text) else { fatalError("bad test version \(text)") }
        return version
    }
}

/// The 1-based character position (in Unicode code points, as PostgreSQL counts) of `needle` in `text`.
func position(of needle: String, in text: String) -> Int? {
    guard let range = text.range(of: needle) else { return nil }
    return text.unicodeScalars.distance(from: text.unicodeScalars.startIndex, to: range.lowerBound) + 1
}

/// The file line of the first occurrence of `needle` in a section, via `Section.fileLine(forPosition:)`.
func fileLine(of needle: String, in section: Section?) -> Int? {
    guard let section, let position = position(of: needle, in: section.sql) else { return nil }
    return section.fileLine(forPosition: position)
}

/// The repository's own files, found from this source file.
enum CLIRoot {
    static var root: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }
    static var migrations: String { root + "/migrations" }
}

/// A folder on disk as entries (the test-side of `FolderSource.entries`).
enum FileManagerEntries {
    static func read(_ path: String) throws -> [FolderEntry] {
        try FileManager.default.contentsOfDirectory(atPath: path).filter { !$0.hasPrefix(".") }.map { name in
            FolderEntry(name: name, bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path + "/" + name))))
        }
    }
}
