import Foundation
import SluiceCore

/// `sluice new` and `sluice hash`: the commands that write into the folder.
public struct Scaffold: Sendable {
    public var folder: FolderSource
    public var requireDown: Bool

    public init(folder: FolderSource, requireDown: Bool) {
        self.folder = folder
        self.requireDown = requireDown
    }

    /// Writes `sluice.sum` for the folder as it is; returns the number of files listed.
    @discardableResult
    public func hash() throws(SluiceError) -> Int {
        let parsed = try FolderParser(requireDown: requireDown).parse(folder.entries())
        try folder.write(SumFile.fileName, SumFile(files: parsed.fileChecksums).text)
        return parsed.fileChecksums.count
    }

    /// Creates the next version's files in the folder's layout; returns their names.
    public func new(title rawTitle: String, now: Date = Date()) throws(SluiceError) -> [String] {
        let title = Self.slug(rawTitle)
        guard !title.isEmpty else {
            throw SluiceError(.badInput, "the title `\(rawTitle)` has no letters or digits", hint: "write something like `sluice new add_orders_index`")
        }
        let parsed = try FolderParser(requireDown: requireDown).parse(folder.entries())
        let version = Self.nextVersion(after: parsed.migrations.map(\.version), now: now)
        var files: [(String, String)]
        let upHeader = "-- \(rawTitle)\n-- Directives go here, e.g. -- sluice:lock-timeout 5s, -- sluice:no-transaction\n\n"
        switch parsed.layout ?? .paired {
        case .paired:
            files = [("\(version)_\(title).up.sql", upHeader), ("\(version)_\(title).down.sql", "-- Undo \(rawTitle)\n\n")]
        case .dbmate:
            files = [("\(version)_\(title).sql", "-- migrate:up\n\n\n-- migrate:down\n\n")]
        case .goose:
            files = [("\(version)_\(title).sql", "-- +goose Up\n\n\n-- +goose Down\n\n")]
        case .flyway:
            files = [("V\(version)__\(title).sql", upHeader), ("U\(version)__\(title).sql", "-- Undo \(rawTitle)\n\n")]
        }
        for (name, _) in files where folder.exists(name) {
            throw SluiceError(.badInput, "\(name) already exists", hint: "pick another title", file: name)
        }
        for (name, text) in files { try folder.write(name, text) }
        if parsed.sum != nil { try hash() }
        return files.map(\.0)
    }

    /// Counters continue with their width (`0007` → `0008`); timestamp folders get a UTC timestamp.
    static func nextVersion(after versions: [Version], now: Date) -> String {
        guard let last = versions.max() else { return "0001" }
        let text = last.text
        if text.count >= 12, text.allSatisfy(\.isNumber) {
            let formatter = DateFormatter()
            formatter.dateFormat = "yyyyMMddHHmmss"
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.locale = Locale(identifier: "en_US_POSIX")
            let stamp = formatter.string(from: now)
            return Version(stamp)! > last ? stamp : String(Int(text)! + 1)
        }
        let head = last.parts[0]
        let next = String((Int(head) ?? 0) + 1)
        let width = text.split(whereSeparator: { $0 == "." || $0 == "_" }).first?.count ?? 1
        return String(repeating: "0", count: max(0, width - next.count)) + next
    }

    static func slug(_ text: String) -> String {
        let lowered = text.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
        return lowered.split(separator: "_").joined(separator: "_")
    }
}
