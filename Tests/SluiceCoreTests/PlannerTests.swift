import SluiceCore
import Testing

/// One row of the planner's table: (folder, applied, holds, policy) → plan or refusal.
struct PlanCase: Sendable, CustomTestStringConvertible {
    var name: String
    var folder: [Int]
    var repeatables: [String] = []
    var applied: [Row] = []
    var holds: [HoldRow] = []
    var appliedRepeatables: [String: Bool] = [:]  // title → checksum still current
    var currentHashes: [Int: [String]] = [:]
    var revertedByCommit: [Int] = []
    var policy = Policy()
    var expected: Outcome

    var testDescription: String { name }

    func run() throws -> Result<Plan, Refusal> {
        let folder = try Planning.folder(self.folder, repeatables: repeatables)
        let input = Planner.Input(
            folder: folder,
            applied: applied.map(\.revision),
            holds: holds.map(\.hold),
            appliedRepeatables: Dictionary(uniqueKeysWithValues: appliedRepeatables.map { title, current in
                (title, Checksum.sha256((current ? "" : "-- an older body\n") + Planning.repeatableSQL(title)))
            }),
            currentStatementHashes: Dictionary(uniqueKeysWithValues: currentHashes.map { (Version("\($0.key)")!, $0.value) }),
            revertedByCommit: Set(revertedByCommit.map { Version("\($0)")! }))
        do { return .success(try Planner(policy: policy).reconcile(input)) } catch { return .failure(error) }
    }

    static let all: [PlanCase] = [
        // Applying
        PlanCase(name: "fresh database: everything, oldest first", folder: [1, 2, 3],
                 expected: .plan(["apply 1", "apply 2", "apply 3"])),
        PlanCase(name: "pending versions after the applied ones", folder: [1, 2, 3, 4], applied: [.ok(1), .ok(2)],
                 expected: .plan(["apply 3", "apply 4"])),
        PlanCase(name: "nothing to do", folder: [1, 2], applied: [.ok(1), .ok(2)], expected: .plan([])),
        PlanCase(name: "an empty folder and an empty database", folder: [], expected: .plan([])),
        PlanCase(name: "applied order does not matter", folder: [1, 2, 3], applied: [.ok(2), .ok(1)], expected: .plan(["apply 3"])),
        PlanCase(name: "timestamps compare as integers", folder: [9, 20261124093000], applied: [.ok(9)],
                 expected: .plan(["apply 20261124093000"])),

        // Out of order
        PlanCase(name: "a version below the newest applied is refused", folder: [1, 2, 3], applied: [.ok(1), .ok(3)],
                 expected: .refused(.outOfOrder, 2)),
        PlanCase(name: "out of order allowed by policy", folder: [1, 2, 3, 4], applied: [.ok(1), .ok(3)],
                 policy: Policy(outOfOrder: .allow), expected: .plan(["apply 2", "apply 4"])),
        PlanCase(name: "two out-of-order versions are both reported", folder: [1, 2, 3, 4, 5], applied: [.ok(1), .ok(4)],
                 expected: .refused([.init(rule: .outOfOrder, version: 2, file: Planning.fileName(2)), .init(rule: .outOfOrder, version: 3, file: Planning.fileName(3))])),

        // Drift
        PlanCase(name: "an applied file that changed is drift", folder: [1, 2, 3], applied: [.ok(1), .drifted(2)],
                 expected: .refused(.drift, 2)),
        PlanCase(name: "drift refuses the whole plan, pending included", folder: [1, 2, 3, 4], applied: [.drifted(1), .ok(2)],
                 expected: .refused(.drift, 1)),

        // Holds
        PlanCase(name: "held versions are skipped and listed", folder: [1, 2, 3, 4], applied: [.ok(1), .ok(2)],
                 holds: [HoldRow(version: 3), HoldRow(version: 4, checksum: .none)], expected: .plan([], held: [3, 4])),
        PlanCase(name: "a held version does not stop a later one", folder: [1, 2, 3], applied: [.ok(1)],
                 holds: [HoldRow(version: 2)], expected: .plan(["apply 3"], held: [2])),
        PlanCase(name: "a hold whose file changed is lifted and the fix applied", folder: [1, 2, 3], applied: [.ok(1), .ok(2)],
                 holds: [HoldRow(version: 3, checksum: .stale)], expected: .plan(["apply 3"], lifted: [3])),
        PlanCase(name: "a hold whose file is gone is lifted", folder: [1, 2], applied: [.ok(1), .ok(2)],
                 holds: [HoldRow(version: 3)], expected: .plan([], lifted: [3])),
        PlanCase(name: "holds lifted and kept together", folder: [1, 2, 3, 4], applied: [.ok(1)],
                 holds: [HoldRow(version: 2), HoldRow(version: 3, checksum: .stale), HoldRow(version: 5)],
                 expected: .plan(["apply 3", "apply 4"], held: [2], lifted: [3, 5])),

        // Dirty no-transaction migrations
        PlanCase(name: "dirty with unchanged finished statements resumes", folder: [1, 2, 3], applied: [.ok(1), .dirty(2, done: 2, hashes: ["a", "b", "c"])],
                 currentHashes: [2: ["a", "b", "c"]], expected: .plan(["resume 2@2", "apply 3"])),
        PlanCase(name: "dirty resumes when only unfinished statements changed", folder: [1, 2], applied: [.ok(1), .dirty(2, done: 1, hashes: ["a", "b"])],
                 currentHashes: [2: ["a", "x", "y"]], expected: .plan(["resume 2@1"])),
        PlanCase(name: "dirty with nothing done resumes at 0", folder: [1], applied: [.dirty(1, done: 0, hashes: ["a"])],
                 currentHashes: [1: ["z"]], expected: .plan(["resume 1@0"])),
        PlanCase(name: "dirty whose finished statements changed is refused", folder: [1, 2], applied: [.ok(1), .dirty(2, done: 2, hashes: ["a", "b", "c"])],
                 currentHashes: [2: ["a", "B", "c"]], expected: .refused(.dirty, 2)),
        PlanCase(name: "dirty whose file now has fewer statements than were done is refused", folder: [1, 2], applied: [.ok(1), .dirty(2, done: 2, hashes: ["a", "b", "c"])],
                 currentHashes: [2: ["a"]], expected: .refused(.dirty, 2)),
        PlanCase(name: "dirty whose file is gone is refused", folder: [1], applied: [.ok(1), .dirty(2, done: 1, hashes: ["a", "b"])],
                 revertedByCommit: [2], policy: Policy(rollbackOn: .removal), expected: .refused(.dirty, 2)),

        // Removed files
        PlanCase(name: "removal without a revert commit is refused under revert", folder: [1, 2], applied: [.ok(1), .ok(2), .ok(3)],
                 expected: .refused(.removal, 3)),
        PlanCase(name: "removal explained by a revert commit is reverted", folder: [1, 2], applied: [.ok(1), .ok(2), .ok(3)],
                 revertedByCommit: [3], expected: .plan(["revert 3"])),
        PlanCase(name: "removals revert newest first under removal", folder: [1], applied: [.ok(1), .ok(2), .ok(4), .ok(3)],
                 policy: Policy(rollbackOn: .removal), expected: .plan(["revert 4", "revert 3", "revert 2"])),
        PlanCase(name: "revert commits and new versions in one plan", folder: [1, 2, 5], applied: [.ok(1), .ok(2), .ok(3), .ok(4)],
                 revertedByCommit: [3, 4], expected: .plan(["revert 4", "revert 3", "apply 5"])),
        PlanCase(name: "only the removals a revert commit explains", folder: [1], applied: [.ok(1), .ok(2), .ok(3)],
                 revertedByCommit: [3], expected: .refused(.removal, 2)),
        PlanCase(name: "removal is refused under never, even with a revert commit", folder: [1], applied: [.ok(1), .ok(2)],
                 revertedByCommit: [2], policy: Policy(rollbackOn: .never), expected: .refused(.removal, 2)),
        PlanCase(name: "reverting an irreversible removal is refused", folder: [1], applied: [.ok(1), .irreversible(2)],
                 policy: Policy(rollbackOn: .removal), expected: .refused(.irreversible, 2)),
        PlanCase(name: "reverting a baselined removal is refused", folder: [2], applied: [.baselined(1), .ok(2)],
                 revertedByCommit: [1], expected: .refused(.baseline, 1)),

        // Repeatables
        PlanCase(name: "new repeatables run after versioned steps, in title order", folder: [1, 2], repeatables: ["views", "functions"],
                 applied: [.ok(1)], expected: .plan(["apply 2", "repeatable functions", "repeatable views"])),
        PlanCase(name: "unchanged repeatables do not run again", folder: [1], repeatables: ["functions", "views"], applied: [.ok(1)],
                 appliedRepeatables: ["functions": true, "views": true], expected: .plan([])),
        PlanCase(name: "a changed repeatable runs again", folder: [1, 2], repeatables: ["functions", "views"], applied: [.ok(1)],
                 appliedRepeatables: ["functions": true, "views": false], expected: .plan(["apply 2", "repeatable views"])),

        // Several refusals at once
        PlanCase(name: "every refusal is reported together", folder: [1, 2, 3, 4], applied: [.drifted(1), .ok(3), .ok(5), .dirty(4, done: 1, hashes: ["a"])],
                 currentHashes: [4: ["b"]],
                 expected: .refused([
                    .init(rule: .drift, version: 1, file: Planning.fileName(1)),
                    .init(rule: .outOfOrder, version: 2, file: Planning.fileName(2)),
                    .init(rule: .removal, version: 5, file: Planning.fileName(5)),
                    .init(rule: .dirty, version: 4, file: Planning.fileName(4)),
                 ])),
    ]
}

@Suite("Planner.reconcile")
struct PlannerTests {
    @Test("desired × applied × holds × policy", arguments: PlanCase.all)
    func reconcile(_ row: PlanCase) throws {
        check(try row.run(), row.expected)
    }

    @Test func applyStepsCarryTheMigration() throws {
        let folder = try Planning.folder([1, 2])
        let plan = try Planner(policy: Policy()).reconcile(.init(folder: folder, applied: [Row.ok(1).revision]))
        guard case .apply(let m, let resume) = try #require(plan.steps.first) else {
            Issue.record("expected an apply step")
            return
        }
        #expect(m == folder.migrations[1])
        #expect(resume == nil)
        #expect(plan.steps.first?.verb == "apply")
        #expect(plan.steps.first?.name == "0002_m2")
        #expect(plan.steps.first?.version == Version.v("2"))
    }

    @Test func revertStepsCarryTheRecordedDown() throws {
        let folder = try Planning.folder([1])
        var row = Row.ok(2)
        row.downNoTransaction = true
        let plan = try Planner(policy: Policy(rollbackOn: .removal)).reconcile(.init(folder: folder, applied: [Row.ok(1).revision, row.revision]))
        guard case .revert(let revision, let why) = try #require(plan.steps.first) else {
            Issue.record("expected a revert step")
            return
        }
        #expect(why == .removed)
        #expect(revision.downSQL == Planning.downSQL(2))
        #expect(revision.downNoTransaction)
        #expect(plan.steps.first?.verb == "revert")
    }

    @Test func aLiftedHoldAloneIsNotAnEmptyPlan() throws {
        let plan = try Planner(policy: Policy()).reconcile(.init(folder: try Planning.folder([1]), applied: [Row.ok(1).revision], holds: [HoldRow(version: 2).hold]))
        #expect(plan.steps.isEmpty)
        #expect(!plan.isEmpty, "lifting a hold is something to record")
    }

    @Test func refusalErrorIsExitThreeAndNamesTheFile() throws {
        let input = Planner.Input(folder: try Planning.folder([1, 2]), applied: [Row.drifted(1).revision])
        #expect(throws: Refusal.self) { try Planner(policy: Policy()).reconcile(input) }
        do {
            _ = try Planner(policy: Policy()).reconcile(input)
        } catch {
            let e = error.error
            #expect(e.status == .refused)
            #expect(e.file == "0001_m1.up.sql")
            #expect(e.version == "1")
            #expect(e.message.contains("drift"))
            #expect(e.message.contains("0001_m1.up.sql"))
            #expect(e.details.isEmpty)
        }
    }

    @Test func severalRefusalsBecomeDetailLines() throws {
        let input = Planner.Input(folder: try Planning.folder([1, 2, 3]), applied: [Row.drifted(1), .ok(3), .ok(4)].map(\.revision))
        do {
            _ = try Planner(policy: Policy()).reconcile(input)
            Issue.record("expected a refusal")
        } catch {
            #expect(error.reasons.count == 3)
            let e = error.error
            #expect(e.status == .refused)
            #expect(e.message.contains("3"))
            #expect(e.details.count == 3)
            #expect(e.details.contains { $0.hasPrefix("drift:") && $0.contains("0001_m1.up.sql") })
            #expect(e.details.contains { $0.hasPrefix("out-of-order:") && $0.contains("0002_m2.up.sql") })
            #expect(e.details.contains { $0.hasPrefix("removal:") && $0.contains("0004_m4") })
        }
    }
}
