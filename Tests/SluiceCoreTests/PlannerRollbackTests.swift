import SluiceCore
import Testing

/// One row of the rollback table: applied revisions and a target → plan or refusal.
struct RollbackCase: Sendable, CustomTestStringConvertible {
    var name: String
    var applied: [Row]
    var target: String
    var expected: Outcome

    var testDescription: String { name }

    func run() -> Result<Plan, Refusal> {
        do {
            return .success(try Planner(policy: Policy()).rollback(to: Version(target)!, applied: applied.map(\.revision)))
        } catch {
            return .failure(error)
        }
    }

    static let all: [RollbackCase] = [
        RollbackCase(name: "newest first, stopping at the target", applied: [.ok(1), .ok(2), .ok(3), .ok(4)], target: "2",
                     expected: .plan(["rollback 4", "rollback 3"])),
        RollbackCase(name: "the order applied rows arrive in does not matter", applied: [.ok(3), .ok(1), .ok(4), .ok(2)], target: "1",
                     expected: .plan(["rollback 4", "rollback 3", "rollback 2"])),
        RollbackCase(name: "to 0 takes everything", applied: [.ok(1), .ok(2), .ok(3)], target: "0",
                     expected: .plan(["rollback 3", "rollback 2", "rollback 1"])),
        RollbackCase(name: "to 0 takes a migration numbered 0 too", applied: [.ok(0), .ok(1)], target: "0",
                     expected: .plan(["rollback 1", "rollback 0"])),
        RollbackCase(name: "to the newest version does nothing", applied: [.ok(1), .ok(2)], target: "2", expected: .plan([])),
        RollbackCase(name: "a target between versions", applied: [.ok(10), .ok(20), .ok(30)], target: "15",
                     expected: .plan(["rollback 30", "rollback 20"])),
        RollbackCase(name: "the target compares as an integer", applied: [.ok(9), .ok(10), .ok(20261124093000)], target: "0010",
                     expected: .plan(["rollback 20261124093000"])),
        RollbackCase(name: "down to an irreversible version is fine", applied: [.ok(1), .irreversible(2), .ok(3)], target: "2",
                     expected: .plan(["rollback 3"])),
        RollbackCase(name: "past an irreversible version is refused", applied: [.ok(1), .irreversible(2), .ok(3)], target: "1",
                     expected: .refused(.irreversible, 2)),
        RollbackCase(name: "past a baselined version is refused", applied: [.baselined(1), .baselined(2), .ok(3)], target: "1",
                     expected: .refused(.baseline, 2)),
        RollbackCase(name: "down to the baseline is fine", applied: [.baselined(1), .baselined(2), .ok(3)], target: "2",
                     expected: .plan(["rollback 3"])),
        RollbackCase(name: "a dirty version is refused", applied: [.ok(1), .ok(2), .dirty(3, done: 1, hashes: ["a", "b"])], target: "1",
                     expected: .refused(.dirty, 3)),
        RollbackCase(name: "every refusal at once", applied: [.baselined(1), .irreversible(2), .ok(3), .dirty(4, done: 0, hashes: ["a"])], target: "0",
                     expected: .refused([
                        .init(rule: .dirty, version: 4, file: Planning.fileName(4)),
                        .init(rule: .irreversible, version: 2, file: Planning.fileName(2)),
                        .init(rule: .baseline, version: 1, file: Planning.fileName(1)),
                     ])),
        RollbackCase(name: "nothing applied", applied: [], target: "0", expected: .plan([])),
    ]
}

@Suite("Planner.rollback")
struct PlannerRollbackTests {
    @Test("applied × target", arguments: RollbackCase.all)
    func rollback(_ row: RollbackCase) {
        check(row.run(), row.expected)
    }

    @Test func rollbackStepsCarryTheRecordedDownAndTheReason() throws {
        let plan = try Planner(policy: Policy()).rollback(to: Version.v("1"), applied: [Row.ok(1).revision, Row.ok(2).revision])
        guard case .revert(let revision, let why) = try #require(plan.steps.first) else {
            Issue.record("expected a revert step")
            return
        }
        #expect(why == .rollback)
        #expect(revision.downSQL == Planning.downSQL(2))
        #expect(plan.steps.first?.verb == "rollback")
        #expect(plan.steps.first?.name == "0002_m2")
    }

    @Test func anEmptyRecordedDownIsANoOpNotIrreversible() throws {
        var row = Row.ok(2)
        row.hasDown = true
        var revision = row.revision
        revision.downSQL = ""
        let plan = try Planner(policy: Policy()).rollback(to: Version.v("1"), applied: [Row.ok(1).revision, revision])
        #expect(plan.steps.map(\.brief) == ["rollback 2"])
    }

    @Test func refusalIsExitThree() {
        do {
            _ = try Planner(policy: Policy()).rollback(to: Version.v("0"), applied: [Row.irreversible(1).revision])
            Issue.record("expected a refusal")
        } catch {
            #expect(error.error.status == .refused)
            #expect(error.error.message.contains("irreversible"))
            #expect(error.error.version == "1")
        }
    }
}
