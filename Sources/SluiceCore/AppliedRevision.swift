/// What the database says about one applied version (a row of `sluice.revisions`).
public struct AppliedRevision: Sendable, Equatable {
    public enum State: String, Sendable, Codable { case applied, dirty }

    public var version: Version
    public var title: String
    public var file: String
    public var checksum: String
    public var state: State
    /// The down SQL recorded at apply time; nil when the migration had none (irreversible or baselined).
    public var downSQL: String?
    public var downNoTransaction: Bool
    public var baseline: Bool
    /// For a dirty no-transaction migration: statements finished, and the hash of every statement.
    public var statementsDone: Int
    public var statementHashes: [String]

    public init(version: Version, title: String = "", file: String = "", checksum: String, state: State = .applied, downSQL: String? = nil, downNoTransaction: Bool = false, baseline: Bool = false, statementsDone: Int = 0, statementHashes: [String] = []) {
        self.version = version
        self.title = title
        self.file = file
        self.checksum = checksum
        self.state = state
        self.downSQL = downSQL
        self.downNoTransaction = downNoTransaction
        self.baseline = baseline
        self.statementsDone = statementsDone
        self.statementHashes = statementHashes
    }

    /// The file name without `.up.sql` / `.sql`, e.g. `0007_add_orders`.
    public var name: String {
        guard !file.isEmpty else { return title.isEmpty ? version.text : "\(version.text)_\(title)" }
        return SQLText.stem(file)
    }
}
