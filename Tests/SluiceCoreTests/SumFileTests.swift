import Foundation
import SluiceCore
import Testing

@Suite("sluice.sum")
struct SumFileTests {
    /// The folder's files plus a `sluice.sum` written for them.
    static func withSum(_ entries: [FolderEntry]) throws -> [FolderEntry] {
        let sql = entries.filter { $0.name.hasSuffix(".sql") }
        let files = Dictionary(uniqueKeysWithValues: sql.map { ($0.name, Checksum.sha256($0.bytes)) })
        return entries + [FolderEntry(name: SumFile.fileName, text: SumFile(files: files).text)]
    }

    @Test func textLayout() {
        let sum = SumFile(files: [
            "0002_b.up.sql": String(repeating: "b", count: 64),
            "0001_a.up.sql": String(repeating: "a", count: 64),
            "0001_a.down.sql": String(repeating: "c", count: 64),
        ])
        let lines = sum.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 6)
        #expect(lines[0].hasPrefix("#"))
        #expect(lines[1] == "total sha256:\(sum.total)")
        #expect(Array(lines[2...4]) == [
            "0001_a.down.sql sha256:\(String(repeating: "c", count: 64))",
            "0001_a.up.sql sha256:\(String(repeating: "a", count: 64))",
            "0002_b.up.sql sha256:\(String(repeating: "b", count: 64))",
        ])
        #expect(lines[5] == "", "ends in a newline")
        #expect(sum.total.count == 64)
        #expect(sum.total == Checksum.sha256(lines[2...4].map { $0 + "\n" }.joined()))
    }

    @Test func roundTripsThroughTheFolderParser() throws {
        let entries = try Self.withSum(Folders.paired([1, 2, 3]) + Folders.entries(["README.md": "hello"]))
        let folder = try Folders.parse(entries)
        let sum = try #require(folder.sum)
        #expect(sum == SumFile(files: folder.fileChecksums))
        #expect(sum.files.count == 6)
        #expect(sum.files["README.md"] == nil)
        #expect(sum.files[SumFile.fileName] == nil, "the sum does not list itself")
        #expect(!folder.ignored.contains(SumFile.fileName))
        #expect(folder.fileChecksums[SumFile.fileName] == nil)
        #expect(sum.mismatches(against: folder.fileChecksums).isEmpty)
    }

    @Test func roundTripsFlywayAndDbmateFolders() throws {
        let flyway = try Folders.parse(Self.withSum(Folders.entries([
            "V1__init.sql": "SELECT 1;", "V1.1__more.sql": "SELECT 2;", "R__views.sql": "SELECT 3;",
        ])), requireDown: false)
        #expect(flyway.sum?.files.keys.sorted() == ["R__views.sql", "V1.1__more.sql", "V1__init.sql"])
        #expect(flyway.sum?.mismatches(against: flyway.fileChecksums).isEmpty == true)

        let dbmate = try Folders.parse(Self.withSum(Folders.entries([
            "20240101000000_a.sql": "-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 1;\n",
        ])))
        #expect(dbmate.sum?.mismatches(against: dbmate.fileChecksums).isEmpty == true)
    }

    @Test func aChangedFileIsNamed() throws {
        var entries = try Self.withSum(Folders.paired([1, 2]))
        let index = try #require(entries.firstIndex { $0.name == "0002_m2.up.sql" })
        entries[index] = FolderEntry(name: "0002_m2.up.sql", text: "CREATE TABLE t2 (id bigint);\n")
        let folder = try Folders.parse(entries)
        let problems = try #require(folder.sum).mismatches(against: folder.fileChecksums)
        #expect(problems.count == 1)
        #expect(problems.first?.file == "0002_m2.up.sql")
        #expect(problems.first?.message.contains("does not match") == true)
        #expect(problems.first?.hint.contains("sluice hash") == true)
        let error = SluiceError.badFolder(problems)
        #expect(error.status == .badInput)
        #expect(error.message.contains("0002_m2.up.sql"))
    }

    @Test func aFileMissingFromTheSumIsNamed() throws {
        let entries = try Self.withSum(Folders.paired([1])) + Folders.paired([2])
        let folder = try Folders.parse(entries)
        let problems = try #require(folder.sum).mismatches(against: folder.fileChecksums)
        #expect(Set(problems.map(\.file)) == ["0002_m2.up.sql", "0002_m2.down.sql"])
        #expect(problems.allSatisfy { $0.message.contains("not listed") })
    }

    @Test func aListedButAbsentFileIsNamed() throws {
        let entries = try Self.withSum(Folders.paired([1, 2])).filter { !$0.name.hasPrefix("0002_") }
        let folder = try Folders.parse(entries)
        let problems = try #require(folder.sum).mismatches(against: folder.fileChecksums)
        #expect(Set(problems.map(\.file)) == ["0002_m2.up.sql", "0002_m2.down.sql"])
        #expect(problems.allSatisfy { $0.message.contains("missing from the folder") })
    }

    @Test func anEditedTotalLineIsFound() throws {
        let entries = try Self.withSum(Folders.paired([1, 2]))
        let edited = entries.map { entry -> FolderEntry in
            guard entry.name == SumFile.fileName else { return entry }
            let text = String(decoding: entry.bytes, as: UTF8.self)
                .replacingOccurrences(of: #"total sha256:[0-9a-f]{64}"#, with: "total sha256:" + String(repeating: "0", count: 64), options: .regularExpression)
            return FolderEntry(name: entry.name, text: text)
        }
        let folder = try Folders.parse(edited)
        let problems = try #require(folder.sum).mismatches(against: folder.fileChecksums)
        #expect(problems.count == 1)
        #expect(problems.first?.file == SumFile.fileName)
        #expect(problems.first?.message.contains("total") == true)
    }

    @Test func anEditedFileLineWithAMatchingFolderStillFailsTheTotal() throws {
        // Someone "fixes" the sum by hand after editing an applied migration: the file line agrees
        // with the folder, but the total no longer agrees with the lines.
        var entries = Folders.paired([1, 2])
        let original = try Self.withSum(entries)
        let sumText = String(decoding: try #require(original.last).bytes, as: UTF8.self)
        let oldHash = Checksum.sha256(Planning.upSQL(2))
        let newText = "CREATE TABLE t2 (id bigint);\n"
        entries[2] = FolderEntry(name: "0002_m2.up.sql", text: newText)
        entries.append(FolderEntry(name: SumFile.fileName, text: sumText.replacingOccurrences(of: oldHash, with: Checksum.sha256(newText))))
        let folder = try Folders.parse(entries)
        let problems = try #require(folder.sum).mismatches(against: folder.fileChecksums)
        #expect(problems.map(\.file) == [SumFile.fileName])
    }

    @Test func aSumWithCRLFLineEndingsReadsTheSame() throws {
        // What a Windows checkout with core.autocrlf=true hands over.
        let entries = Folders.paired([1, 2])
        let folder = try Folders.parse(entries)
        let sum = SumFile(files: folder.fileChecksums)
        let crlf = sum.text.replacingOccurrences(of: "\n", with: "\r\n")
        let parsed = try Folders.parse(entries + [FolderEntry(name: SumFile.fileName, text: crlf)])
        #expect(parsed.sum == sum)
    }

    @Test func conflictMarkersAreAClearError() throws {
        let base = SumFile(files: ["0001_a.up.sql": String(repeating: "a", count: 64)])
        let text = """
            \(base.text.split(separator: "\n")[0])
            <<<<<<< HEAD
            total sha256:\(String(repeating: "1", count: 64))
            =======
            total sha256:\(String(repeating: "2", count: 64))
            >>>>>>> feature
            0001_a.up.sql sha256:\(String(repeating: "a", count: 64))

            """
        let error = try #require(Folders.error(Folders.paired([1]) + [FolderEntry(name: SumFile.fileName, text: text)]))
        #expect(error.status == .badInput)
        #expect(error.file == SumFile.fileName)
        #expect(error.message.contains("sluice.sum:2"))
        #expect(error.message.contains("conflict"))
        #expect(error.hint?.contains("sluice hash") == true)
    }

    @Test("unreadable sums are errors naming sluice.sum", arguments: [
        "# only a comment\n",
        "total sha256:abc\n",
        "total sha256:\(String(repeating: "a", count: 64))\n0001_a.up.sql md5:0123\n",
        "",
    ])
    func unreadable(_ text: String) throws {
        let error = try #require(Folders.error(Folders.paired([1]) + [FolderEntry(name: SumFile.fileName, text: text)]))
        #expect(error.status == .badInput)
        #expect(error.fullText.contains(SumFile.fileName))
    }

    // MARK: the design property: two branches that each add a migration conflict

    @Test func twoBranchesThatEachAddAMigrationConflictInGit() throws {
        let base = Folders.paired([1, 2])
        let branchA = base + Folders.entries([
            "0003_add_invoices.up.sql": "CREATE TABLE invoices (id int);\n",
            "0003_add_invoices.down.sql": "DROP TABLE invoices;\n",
        ])
        let branchB = base + Folders.entries([
            "0003_add_refunds.up.sql": "CREATE TABLE refunds (id int);\n",
            "0003_add_refunds.down.sql": "DROP TABLE refunds;\n",
        ])
        try expectSumConflict(base: base, ours: branchA, theirs: branchB)

        let branchC = base + Folders.entries([
            "0004_add_coupons.up.sql": "CREATE TABLE coupons (id int);\n",
            "0004_add_coupons.down.sql": "DROP TABLE coupons;\n",
        ])
        try expectSumConflict(base: base, ours: branchA, theirs: branchC)
    }

    private func expectSumConflict(base: [FolderEntry], ours: [FolderEntry], theirs: [FolderEntry]) throws {
        func sumText(_ entries: [FolderEntry]) throws -> String {
            let folder = try Folders.parse(entries)
            return SumFile(files: folder.fileChecksums).text
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-sum-merge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let paths = ["ours.sum", "base.sum", "theirs.sum"].map { dir.appendingPathComponent($0) }
        for (path, entries) in zip(paths, [ours, base, theirs]) {
            try sumText(entries).write(to: path, atomically: true, encoding: .utf8)
        }

        let git = Process()
        git.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        git.arguments = ["merge-file", "-p", "--quiet"] + paths.map(\.path)
        let output = Pipe()
        git.standardOutput = output
        git.standardError = FileHandle.nullDevice
        try git.run()
        let merged = output.fileHandleForReading.readDataToEndOfFile()
        git.waitUntilExit()

        #expect(git.terminationReason == .exit)
        #expect(git.terminationStatus > 0, "git merge-file exits with the number of conflicts; the sums merged cleanly")
        let mergedText = String(decoding: merged, as: UTF8.self)
        #expect(mergedText.contains("<<<<<<<"))

        // And the merged-with-markers sum is refused by every command that reads the folder.
        let union = Dictionary((ours + theirs).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a }).values
        let error = try #require(Folders.error(Array(union) + [FolderEntry(name: SumFile.fileName, text: mergedText)]))
        #expect(error.status == .badInput)
        #expect(error.fullText.contains("conflict"))
    }
}
