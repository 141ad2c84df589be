/// The `policy.*` settings of SPEC §8.
public struct Policy: Sendable, Equatable {
    public enum RollbackOn: String, Sendable, CaseIterable { case revert, removal, never }
    public enum OutOfOrder: String, Sendable, CaseIterable { case refuse, allow }
    public enum Gate: String, Sendable, CaseIterable { case warn, refuse }

    public var rollbackOn: RollbackOn
    public var outOfOrder: OutOfOrder
    public var requireDown: Bool
    public var onSchemaDrift: Gate
    public var lint: Gate

    public init(rollbackOn: RollbackOn = .revert, outOfOrder: OutOfOrder = .refuse, requireDown: Bool = true, onSchemaDrift: Gate = .warn, lint: Gate = .refuse) {
        self.rollbackOn = rollbackOn
        self.outOfOrder = outOfOrder
        self.requireDown = requireDown
        self.onSchemaDrift = onSchemaDrift
        self.lint = lint
    }
}
