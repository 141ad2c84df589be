/// What a file's name says it is, before its content is read.
enum FileName: Equatable {
    case pairedUp(Version, title: String)
    case pairedDown(Version, title: String)
    /// dbmate or goose; the markers inside decide which.
    case single(Version, title: String)
    case flywayUp(Version, title: String)
    case flywayDown(Version, title: String)
    case flywayRepeatable(title: String)
    /// A `.sql` file that matches no layout.
    case unknownSQL
    /// Not a `.sql` file: left alone.
    case ignored
    case sum

    static let sumFileName = "sluice.sum"

    init(_ name: String) {
        if name == Self.sumFileName { self = .sum; return }
        guard name.lowercased().hasSuffix(".sql") else { self = .ignored; return }
        if let m = name.wholeMatch(of: /(\d+)_(.*)\.(up|down)\.sql/), let v = Version(String(m.1)) {
            self = m.3 == "up" ? .pairedUp(v, title: String(m.2)) : .pairedDown(v, title: String(m.2))
        } else if let m = name.wholeMatch(of: /([VU])(\d+(?:[._]\d+)*)__(.+)\.sql/), let v = Version(String(m.2)) {
            self = m.1 == "V" ? .flywayUp(v, title: String(m.3)) : .flywayDown(v, title: String(m.3))
        } else if let m = name.wholeMatch(of: /R__(.+)\.sql/) {
            self = .flywayRepeatable(title: String(m.1))
        } else if let m = name.wholeMatch(of: /(\d+)(?:_(.*))?\.sql/), let v = Version(String(m.1)) {
            self = .single(v, title: String(m.2 ?? ""))
        } else {
            self = .unknownSQL
        }
    }
}
