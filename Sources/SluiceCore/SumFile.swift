/// `sluice.sum`: a checksum per migration file and one over all of them.
///
/// ```
/// # sluice.sum — written by `sluice hash`; do not edit. Two branches that each add a migration conflict here.
/// total sha256:<hex of the lines below>
/// 0001_create_users.down.sql sha256:<hex>
/// 0001_create_users.up.sql sha256:<hex>
/// ```
/// Every branch that adds a file rewrites the `total` line and appends a line at the
/// end, so two such branches conflict in Git and someone has to look at the order.
public struct SumFile: Sendable, Equatable {
    public static let fileName = "sluice.sum"
    static let header = "# sluice.sum — written by `sluice hash`; do not edit. Two branches that each add a migration conflict here."

    /// File name → lowercase hex SHA-256.
    public var files: [String: String]
    public var total: String

    public init(files: [String: String]) {
        self.files = files
        self.total = Self.total(of: files)
    }

    /// File lines sorted by byte order, each `name sha256:hex`.
    static func fileLines(_ files: [String: String]) -> [String] {
        files.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { "\($0) sha256:\(files[$0]!)" }
    }

    static func total(of files: [String: String]) -> String {
        Checksum.sha256(fileLines(files).map { $0 + "\n" }.joined())
    }

    /// The file's text, ending in a newline.
    public var text: String {
        ([Self.header, "total sha256:\(total)"] + Self.fileLines(files)).joined(separator: "\n") + "\n"
    }

    static func parse(_ text: String) throws(FolderProblem) -> SumFile {
        var files: [String: String] = [:]
        var total: String?
        for (index, line) in SQLText.lines(text).enumerated() {
            let trimmed = String(SQLText.trimmed(line))
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if trimmed.hasPrefix("<<<<<<<") || trimmed.hasPrefix(">>>>>>>") || trimmed == "=======" {
                throw FolderProblem(file: fileName, message: "\(fileName):\(index + 1): has Git conflict markers: two branches added migrations", hint: "merge the migration files, give the newer ones the next free versions, then run `sluice hash`")
            }
            // `name sha256:<64 hex>`, split by hand: this runs for every line on every read.
            guard let space = trimmed.lastIndex(where: { $0 == " " || $0 == "\t" }),
                  case let hash = trimmed[trimmed.index(after: space)...], hash.hasPrefix("sha256:"),
                  case let hex = hash.dropFirst(7), hex.utf8.count == 64,
                  hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }),
                  case let name = String(SQLText.trimmed(trimmed[..<space])), !name.isEmpty
            else {
                throw FolderProblem(file: fileName, message: "\(fileName):\(index + 1): cannot read `\(trimmed)`", hint: "run `sluice hash` to write the file again")
            }
            if name == "total" { total = String(hex) } else { files[name] = String(hex) }
        }
        guard let total else {
            throw FolderProblem(file: fileName, message: "\(fileName) has no `total` line", hint: "run `sluice hash` to write the file again")
        }
        return SumFile(files: files, total: total)
    }

    private init(files: [String: String], total: String) {
        self.files = files
        self.total = total
    }

    /// The differences between what this file records and the folder's files; empty when they match.
    public func mismatches(against actual: [String: String]) -> [FolderProblem] {
        var problems: [FolderProblem] = []
        let fix = "if the change is intended run `sluice hash`; otherwise restore the file from Git"
        for name in actual.keys.sorted() {
            guard let recorded = files[name] else {
                problems.append(.init(file: name, message: "is not listed in sluice.sum", hint: "a new migration: run `sluice hash` and commit sluice.sum with it"))
                continue
            }
            if recorded != actual[name] { problems.append(.init(file: name, message: "does not match its checksum in sluice.sum", hint: fix)) }
        }
        for name in files.keys.sorted() where actual[name] == nil {
            problems.append(.init(file: name, message: "is listed in sluice.sum but missing from the folder", hint: fix))
        }
        if problems.isEmpty, total != Self.total(of: files) {
            problems.append(.init(file: Self.fileName, message: "its total line does not match the lines below it", hint: "the file was edited by hand or merged: run `sluice hash`"))
        }
        return problems
    }
}

extension FolderProblem: Error {}

import Foundation
