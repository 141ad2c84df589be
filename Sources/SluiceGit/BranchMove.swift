/// How a branch moved between two fetches.
public enum BranchMove: Sendable, Equatable {
    /// Same commit as before.
    case same
    /// The new tip descends from the old one: ordinary pushes.
    case forward
    /// There was no previous tip.
    case firstSeen
    /// The new tip is an ancestor of the old one: the branch was reset back.
    case backward
    /// Neither is an ancestor of the other (a force-push of rewritten history), or the old tip
    /// is no longer in the mirror at all.
    case rewritten
}
