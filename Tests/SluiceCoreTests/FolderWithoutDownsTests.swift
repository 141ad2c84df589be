import SluiceCore
import Testing

/// A folder that never had downs gets one clear problem naming the setting, not one per file.
@Suite struct FolderWithoutDownsTests {
    @Test func aFlywayFolderWithoutUndoFilesNamesTheSetting() throws {
        let entries = ["V1__init.sql", "V1.1__users.sql", "V2__orders.sql"].map { FolderEntry(name: $0, text: "SELECT 1;") }
        let error = try parseError(entries)
        #expect(error.status == .badInput)
        #expect(error.description.contains("none of the folder's 3 migrations has a down"))
        #expect(error.description.contains("policy.require_down: false"))
        #expect(error.details.isEmpty, "one problem, not three")
        let folder = try FolderParser(requireDown: false).parse(entries)
        #expect(folder.migrations.allSatisfy { $0.isIrreversible })
    }

    @Test func oneMissingDownAmongManyIsStillNamedByFile() throws {
        let entries = [
            FolderEntry(name: "0001_a.up.sql", text: "SELECT 1;"), FolderEntry(name: "0001_a.down.sql", text: ""),
            FolderEntry(name: "0002_b.up.sql", text: "SELECT 1;"),
        ]
        let error = try parseError(entries)
        #expect(error.description.contains("0002_b.up.sql is an up without a down"))
    }

    @Test func aFlywayCallbackIsNamedAsSuch() throws {
        let entries = [FolderEntry(name: "V1__init.sql", text: "SELECT 1;"), FolderEntry(name: "afterMigrate.sql", text: "SELECT 1;")]
        let error = try parseError(entries)
        #expect(error.description.contains("afterMigrate.sql is a Flyway callback"))
    }

    private func parseError(_ entries: [FolderEntry]) throws -> SluiceError {
        do {
            _ = try FolderParser(requireDown: true).parse(entries)
        } catch {
            return error
        }
        throw TestFailure("the folder parsed without an error")
    }
}

struct TestFailure: Error { let message: String; init(_ message: String) { self.message = message } }
