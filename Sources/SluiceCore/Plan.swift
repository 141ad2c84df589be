/// What a run will do, in order.
public struct Plan: Sendable, Equatable {
    public enum Step: Sendable, Equatable {
        /// Run the up section; `resumeAt` is the first statement still to run for a dirty no-transaction migration.
        case apply(Migration, resumeAt: Int?)
        /// Run the recorded down of an applied version.
        case revert(AppliedRevision, why: RevertReason)
        /// Re-run a Flyway repeatable whose checksum changed.
        case repeatable(RepeatableMigration)
    }

    public enum RevertReason: String, Sendable, Equatable {
        /// `sluice rollback --to`.
        case rollback
        /// A revert commit (or, under `rollback_on: removal`, any commit) removed the file.
        case removed
    }

    public var steps: [Step]
    /// Held versions left alone this time.
    public var held: [Version]
    /// Holds lifted because the held file changed or went away.
    public var liftedHolds: [Version]

    public init(steps: [Step] = [], held: [Version] = [], liftedHolds: [Version] = []) {
        self.steps = steps
        self.held = held
        self.liftedHolds = liftedHolds
    }

    public var isEmpty: Bool { steps.isEmpty && liftedHolds.isEmpty }
}

extension Plan.Step {
    public var version: Version? {
        switch self {
        case .apply(let m, _): m.version
        case .revert(let r, _): r.version
        case .repeatable: nil
        }
    }

    /// `0007_add_orders`, or `R__views` for a repeatable.
    public var name: String {
        switch self {
        case .apply(let m, _): m.name
        case .revert(let r, _): r.name
        case .repeatable(let r): "R__\(r.title)"
        }
    }

    public var verb: String {
        switch self {
        case .apply(_, let resume): resume == nil ? "apply" : "resume"
        case .revert(_, let why): why == .rollback ? "rollback" : "revert"
        case .repeatable: "repeatable"
        }
    }
}

/// Why a plan was not made: each reason names the version and file and says what to do.
public struct Refusal: Error, Sendable, Equatable {
    public enum Rule: String, Sendable, Equatable {
        case drift, dirty, outOfOrder = "out-of-order", removal, irreversible, baseline, unknownVersion = "unknown-version"
    }

    public struct Reason: Sendable, Equatable {
        public var rule: Rule
        public var version: Version
        public var file: String?
        public var message: String
        public var hint: String
    }

    public var reasons: [Reason]

    public var error: SluiceError {
        let first = reasons[0]
        if reasons.count == 1 {
            return SluiceError(.refused, "refused (\(first.rule.rawValue)): \(first.message)", hint: first.hint, file: first.file, version: first.version.text)
        }
        return SluiceError(
            .refused, "refused: \(reasons.count) safety rules stop this plan:", hint: first.hint, file: first.file,
            version: first.version.text, details: reasons.map { "\($0.rule.rawValue): \($0.message) (\($0.hint))" })
    }
}
