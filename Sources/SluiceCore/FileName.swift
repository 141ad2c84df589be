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
        // Hand-written matching on bytes: this runs for every file of every read of the folder.
        guard Self.hasSuffix(name.utf8, ".sql", ignoringCase: true) else { self = .ignored; return }
        let stem = Substring(name.utf8.dropLast(4))
        if let paired = Self.paired(stem) {
            self = paired
        } else if let flyway = Self.flyway(stem) {
            self = flyway
        } else if let (digits, rest) = Self.leadingDigits(stem), let v = Version(String(digits)), rest.isEmpty || rest.hasPrefix("_") {
            self = .single(v, title: String(rest.dropFirst()))
        } else {
            self = .unknownSQL
        }
    }

    /// `{digits}_{title}.up` / `.down` (the `.sql` already dropped).
    private static func paired(_ stem: Substring) -> FileName? {
        let up = hasSuffix(stem.utf8, ".up"), down = hasSuffix(stem.utf8, ".down")
        guard up || down else { return nil }
        let base = Substring(stem.utf8.dropLast(up ? 3 : 5))
        guard let (digits, rest) = leadingDigits(base), rest.hasPrefix("_"), let v = Version(String(digits)) else { return nil }
        let title = String(rest.dropFirst())
        return up ? .pairedUp(v, title: title) : .pairedDown(v, title: title)
    }

    /// `V{version}__{title}`, `U{version}__{title}`, `R__{title}`.
    private static func flyway(_ stem: Substring) -> FileName? {
        guard let prefix = stem.first, "VUR".contains(prefix), let separator = stem.range(of: "__") else { return nil }
        let versionText = stem[stem.index(after: stem.startIndex)..<separator.lowerBound]
        let title = String(stem[separator.upperBound...])
        guard !title.isEmpty else { return nil }
        if prefix == "R" { return versionText.isEmpty ? .flywayRepeatable(title: title) : nil }
        guard let v = Version(String(versionText)) else { return nil }
        return prefix == "V" ? .flywayUp(v, title: title) : .flywayDown(v, title: title)
    }

    private static func leadingDigits(_ text: Substring) -> (Substring, Substring)? {
        let digits = text.utf8.prefix(while: { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        return digits.isEmpty ? nil : (Substring(digits), text[digits.endIndex...])
    }

    /// An ASCII suffix, compared on the UTF-8 bytes.
    private static func hasSuffix(_ text: some BidirectionalCollection<UInt8>, _ suffix: StaticString, ignoringCase: Bool = false) -> Bool {
        let tail = UnsafeBufferPointer(start: suffix.utf8Start, count: suffix.utf8CodeUnitCount)
        guard text.count >= tail.count else { return false }
        return zip(text.suffix(tail.count), tail).allSatisfy { byte, want in
            byte == want || (ignoringCase && byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") && byte + 32 == want)
        }
    }
}
