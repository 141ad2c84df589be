import CLibGit2

/// A Git object id (`git_oid`), hashable so it can key the in-memory caches.
struct ObjectID: Hashable, Sendable, CustomStringConvertible {
    var raw: git_oid

    init(_ raw: git_oid) {
        self.raw = raw
    }

    init(_ pointer: UnsafePointer<git_oid>) {
        self.raw = pointer.pointee
    }

    /// Parses a full 40-digit hexadecimal SHA; nil for anything else.
    init?(hex: String) {
        guard hex.utf8.count == Int(GIT_OID_HEXSZ), hex.utf8.allSatisfy(\.isHexDigit) else { return nil }
        var oid = git_oid()
        guard git_oid_fromstr(&oid, hex) == 0 else { return nil }
        self.raw = oid
    }

    /// The 40-digit lowercase hexadecimal form.
    var hex: String {
        var buffer = [CChar](repeating: 0, count: Int(GIT_OID_HEXSZ) + 1)
        var copy = raw
        git_oid_fmt(&buffer, &copy)
        buffer[Int(GIT_OID_HEXSZ)] = 0
        return String(cString: buffer)
    }

    var description: String { hex }

    /// Calls `body` with a pointer to the id, as libgit2's `const git_oid *` parameters want.
    @discardableResult
    func withPointer<T, E: Error>(_ body: (UnsafePointer<git_oid>) throws(E) -> T) throws(E) -> T {
        var copy = raw
        return try body(&copy)
    }

    static func == (lhs: ObjectID, rhs: ObjectID) -> Bool {
        withUnsafeBytes(of: lhs.raw) { left in withUnsafeBytes(of: rhs.raw) { right in left.elementsEqual(right) } }
    }

    func hash(into hasher: inout Hasher) {
        withUnsafeBytes(of: raw) { hasher.combine(bytes: $0) }
    }
}

extension UInt8 {
    var isHexDigit: Bool {
        (0x30...0x39).contains(self) || (0x41...0x46).contains(self) || (0x61...0x66).contains(self)
    }
}
