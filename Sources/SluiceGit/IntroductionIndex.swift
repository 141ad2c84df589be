/// For one folder, the commit that introduced each file name in the history of `tip`.
///
/// A commit introduces a name when the name is a file of the folder in the commit and in none
/// of its parents; the index keeps the oldest such commit (by commit time, as a time-ordered
/// walk sees them). Extending the index from an old tip to a descendant walks only the new
/// commits, so a poll that brings one push costs one push's worth of history.
struct IntroductionIndex: Sendable {
    struct Introduction: Sendable, Equatable {
        var commit: ObjectID
        /// Commit time, seconds since 1970.
        var time: Int64
    }

    /// The commit whose whole history has been indexed.
    var tip: ObjectID
    private(set) var introductions: [String: Introduction] = [:]

    init(tip: ObjectID) {
        self.tip = tip
    }

    /// Records that `commit` introduced `name`, unless an older introduction is known.
    mutating func record(_ name: String, commit: ObjectID, time: Int64) {
        if let known = introductions[name], known.time <= time { return }
        introductions[name] = Introduction(commit: commit, time: time)
    }

    subscript(name: String) -> Introduction? { introductions[name] }
}
