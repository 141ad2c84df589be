/// desired × applied × holds × policy → plan or refusal. Pure: no I/O, no clock.
public struct Planner: Sendable {
    public struct Input: Sendable {
        public var folder: MigrationFolder
        public var applied: [AppliedRevision]
        public var holds: [Hold]
        /// Checksums of the repeatables last applied, by title.
        public var appliedRepeatables: [String: String]
        /// For dirty versions: the statement hashes of the file as it is now.
        public var currentStatementHashes: [Version: [String]]
        /// Versions whose removal a revert commit explains (filled from Git; empty for a plain folder).
        public var revertedByCommit: Set<Version>

        public init(folder: MigrationFolder, applied: [AppliedRevision], holds: [Hold] = [], appliedRepeatables: [String: String] = [:], currentStatementHashes: [Version: [String]] = [:], revertedByCommit: Set<Version> = []) {
            self.folder = folder
            self.applied = applied
            self.holds = holds
            self.appliedRepeatables = appliedRepeatables
            self.currentStatementHashes = currentStatementHashes
            self.revertedByCommit = revertedByCommit
        }
    }

    public var policy: Policy

    public init(policy: Policy) {
        self.policy = policy
    }

    /// The plan that brings the database to the folder: resume dirty, revert removed, apply pending, re-run repeatables.
    public func reconcile(_ input: Input) throws(Refusal) -> Plan {
        var reasons: [Refusal.Reason] = []
        var plan = Plan()
        let desired = Dictionary(uniqueKeysWithValues: input.folder.migrations.map { ($0.version, $0) })
        let appliedByVersion = Dictionary(input.applied.map { ($0.version, $0) }, uniquingKeysWith: { a, _ in a })

        // Dirty no-transaction migrations first: resume when the finished statements are unchanged.
        for revision in input.applied where revision.state == .dirty {
            guard let migration = desired[revision.version] else {
                reasons.append(.init(rule: .dirty, version: revision.version, file: revision.file, message: "\(revision.name) stopped part-way (\(revision.statementsDone) of \(revision.statementHashes.count) statements) and its file is gone", hint: "inspect the database, then run `sluice resolve \(revision.version.text) --mark applied` or `--mark reverted`"))
                continue
            }
            let current = input.currentStatementHashes[revision.version] ?? []
            let done = revision.statementsDone
            if current.count >= done, Array(current.prefix(done)) == Array(revision.statementHashes.prefix(done)) {
                plan.steps.append(.apply(migration, resumeAt: done))
            } else {
                reasons.append(.init(rule: .dirty, version: revision.version, file: migration.file, message: "\(migration.file) stopped part-way (\(done) of \(revision.statementHashes.count) statements) and the statements it already ran have changed since", hint: "inspect the database, then run `sluice resolve \(revision.version.text) --mark applied` or `--mark reverted`"))
            }
        }

        // Drift: an applied file whose bytes changed.
        for revision in input.applied where revision.state == .applied {
            if let migration = desired[revision.version], migration.checksum != revision.checksum {
                reasons.append(.init(rule: .drift, version: revision.version, file: migration.file, message: "\(migration.file) was changed after version \(revision.version.text) was applied (checksum \(revision.checksum.prefix(12)) → \(migration.checksum.prefix(12)))", hint: "restore the applied file and put the change in a new migration (`sluice new`)"))
            }
        }

        // Removed files: revert newest first, as policy.rollback_on allows.
        let removed = input.applied.filter { $0.state == .applied && desired[$0.version] == nil }.sorted { $0.version > $1.version }
        for revision in removed {
            let allowed: Bool
            switch policy.rollbackOn {
            case .removal: allowed = true
            case .revert: allowed = input.revertedByCommit.contains(revision.version)
            case .never: allowed = false
            }
            if !allowed {
                let why = policy.rollbackOn == .never ? "policy.rollback_on is never" : "no revert commit removed it"
                reasons.append(.init(rule: .removal, version: revision.version, file: revision.file, message: "version \(revision.version.text) (\(revision.name)) is applied but its file is gone, and \(why)", hint: "restore the file, or take it down with `sluice rollback --to VERSION`, or `git revert` the commit that added it"))
            } else if let refusal = irreversibility(revision) {
                reasons.append(refusal)
            } else {
                plan.steps.append(.revert(revision, why: .removed))
            }
        }

        // Holds: lifted when the held file changed or went away; otherwise skipped.
        var held = Set<Version>()
        for hold in input.holds {
            guard let migration = desired[hold.version] else { plan.liftedHolds.append(hold.version); continue }
            if let checksum = hold.checksum, checksum != migration.checksum { plan.liftedHolds.append(hold.version); continue }
            held.insert(migration.version)
        }
        plan.held = held.sorted()

        // Pending: in the folder, not applied, not held; oldest first.
        let newestApplied = input.applied.filter { desired[$0.version] != nil }.map(\.version).max()
        for migration in input.folder.migrations where appliedByVersion[migration.version] == nil && !held.contains(migration.version) {
            if policy.outOfOrder == .refuse, let newestApplied, migration.version < newestApplied {
                reasons.append(.init(rule: .outOfOrder, version: migration.version, file: migration.file, message: "\(migration.file) is older than version \(newestApplied.text), which is already applied", hint: "give it a version after \(newestApplied.text) (`sluice new` picks one), or set policy.out_of_order: allow"))
                continue
            }
            plan.steps.append(.apply(migration, resumeAt: nil))
        }

        // Repeatables run last, when their checksum differs from the last one applied.
        for repeatable in input.folder.repeatables where input.appliedRepeatables[repeatable.title] != repeatable.checksum {
            plan.steps.append(.repeatable(repeatable))
        }

        if !reasons.isEmpty { throw Refusal(reasons: reasons) }
        return plan
    }

    /// Takes every applied version above `target` down, newest first. `0` means
    /// everything, a migration numbered 0 included.
    public func rollback(to target: Version, applied: [AppliedRevision]) throws(Refusal) -> Plan {
        var reasons: [Refusal.Reason] = []
        var plan = Plan()
        for revision in applied.sorted(by: { $0.version > $1.version }) where revision.version > target || target.isZero {
            if revision.state == .dirty {
                reasons.append(.init(rule: .dirty, version: revision.version, file: revision.file, message: "\(revision.name) stopped part-way and is dirty", hint: "run `sluice apply` to resume it, or `sluice resolve \(revision.version.text) --mark applied|reverted`"))
            } else if let refusal = irreversibility(revision) {
                reasons.append(refusal)
            } else {
                plan.steps.append(.revert(revision, why: .rollback))
            }
        }
        if !reasons.isEmpty { throw Refusal(reasons: reasons) }
        return plan
    }

    private func irreversibility(_ revision: AppliedRevision) -> Refusal.Reason? {
        if revision.baseline {
            return .init(rule: .baseline, version: revision.version, file: revision.file, message: "version \(revision.version.text) was recorded by `sluice baseline` and has no down", hint: "roll back to \(revision.version.text) or later, or write and run the reverse by hand")
        }
        if revision.downSQL == nil {
            return .init(rule: .irreversible, version: revision.version, file: revision.file, message: "\(revision.name) is irreversible (no down was recorded when it was applied)", hint: "roll back to \(revision.version.text) or later, or undo it with a new forward migration")
        }
        return nil
    }
}
