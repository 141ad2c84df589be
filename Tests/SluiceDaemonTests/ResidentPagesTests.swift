import Foundation
import Glibc
@testable import SluiceDaemon
import Testing

/// ResidentPages unmaps clean file pages of loaded objects' read-only segments, and nothing
/// else. Checked on this test process: its own code, and its own mappings of a temp file,
/// with /proc/self/pagemap as the witness.
@Suite("Resident pages")
struct ResidentPagesTests {
    @Test("the process's own code is released, and runs on")
    func releasesOwnCode() throws {
        let released = ResidentPages.releaseCleanFilePages()
        // The test binary and its libraries have many MiB of code, much of it run by now.
        #expect(released > 1 << 20, "released \(released) bytes")
        // Code unmapped a moment ago runs again (it faults back in from the page cache).
        #expect(CodeToRun.sample() == "ok")
        #expect(ResidentPages.releaseCleanFilePages() >= 0)
    }

    @Test("clean pages of a read-only file mapping are unmapped, and read back the same")
    func releasesCleanPages() throws {
        let file = try TempFile(pages: 64)
        let base = try #require(TempFile.map(file, protection: PROT_READ))
        defer { munmap(base, file.size) }
        let sum = touch(base, file.size)
        #expect(try presentPages(base, file.size) == 64)
        let released = try release(base, file.size)
        #expect(released == file.size, "released \(released) bytes")
        #expect(try presentPages(base, file.size) == 0)
        #expect(touch(base, file.size) == sum, "the contents read back unchanged")
    }

    @Test("a page changed in a private mapping, then made read-only, is kept with its change")
    func keepsModifiedPages() throws {
        // The dynamic loader's RELRO data is exactly this: written at start, then read-only.
        let file = try TempFile(pages: 8)
        let base = try #require(TempFile.map(file, protection: PROT_READ | PROT_WRITE))
        defer { munmap(base, file.size) }
        for page in 0..<8 { base.storeBytes(of: 0xAB, toByteOffset: page * file.pageSize, as: UInt8.self) }
        #expect(mprotect(base, file.size, PROT_READ) == 0)
        #expect(try release(base, file.size) == 0)
        for page in 0..<8 {
            #expect(base.load(fromByteOffset: page * file.pageSize, as: UInt8.self) == 0xAB, "page \(page) lost its change")
        }
        #expect(try presentPages(base, file.size) == 8)
    }

    @Test("a mapping that is not a loaded object's segment is not a candidate")
    func leavesOtherMappings() throws {
        // A read-only file mapping of our own (as libgit2 maps pack files): not listed by the
        // dynamic loader, so the public entry leaves it mapped.
        let file = try TempFile(pages: 16)
        let base = try #require(TempFile.map(file, protection: PROT_READ))
        defer { munmap(base, file.size) }
        _ = touch(base, file.size)
        ResidentPages.releaseCleanFilePages()
        #expect(try presentPages(base, file.size) == 16)
    }

    @Test("pages not present are skipped, and a partly touched range releases only what is there")
    func releasesOnlyPresentPages() throws {
        let file = try TempFile(pages: 32)
        let base = try #require(TempFile.map(file, protection: PROT_READ))
        defer { munmap(base, file.size) }
        // Every fourth page (fault-around may map its neighbours too: count, do not assume).
        for page in stride(from: 0, to: 32, by: 4) { _ = base.load(fromByteOffset: page * file.pageSize, as: UInt8.self) }
        let present = try presentPages(base, file.size)
        #expect(present >= 8)
        #expect(try release(base, file.size) == present * file.pageSize)
        #expect(try presentPages(base, file.size) == 0)
    }

    // MARK: - Helpers

    /// Reads a byte of every page; returns their sum.
    func touch(_ base: UnsafeMutableRawPointer, _ size: Int) -> Int {
        var sum = 0
        for offset in stride(from: 0, to: size, by: Int(sysconf(Int32(_SC_PAGESIZE)))) {
            sum += Int(base.load(fromByteOffset: offset, as: UInt8.self))
        }
        return sum
    }

    /// ResidentPages.release over [base, base + size).
    func release(_ base: UnsafeMutableRawPointer, _ size: Int) throws -> Int {
        let fd = open("/proc/self/pagemap", O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        let start = Int(bitPattern: base)
        return ResidentPages.release(.init(start: start, end: start + size), pagemap: fd)
    }

    /// How many pages of [base, base + size) have a page-table entry (pagemap bit 63).
    func presentPages(_ base: UnsafeMutableRawPointer, _ size: Int) throws -> Int {
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let fd = open("/proc/self/pagemap", O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        var entries = [UInt64](repeating: 0, count: size / pageSize)
        let offset = off_t(Int(bitPattern: base) / pageSize * 8)
        let n = entries.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
        try #require(n == entries.count * 8)
        return entries.filter { $0 >> 63 & 1 == 1 }.count
    }
}

/// A temp file of `pages` pages, each starting with its page number (mod 251) + 1.
final class TempFile {
    let path: String
    let size: Int
    let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    init(pages: Int) throws {
        path = NSTemporaryDirectory() + "sluice-resident-\(UUID().uuidString)"
        size = pages * pageSize
        var bytes = [UInt8](repeating: 0, count: size)
        for page in 0..<pages { bytes[page * pageSize] = UInt8(page % 251 + 1) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func map(_ file: TempFile, protection: Int32) -> UnsafeMutableRawPointer? {
        let size = file.size
        let fd = open(file.path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let base = mmap(nil, size, protection, MAP_PRIVATE, fd, 0)
        return base == MAP_FAILED ? nil : base
    }

    deinit { unlink(path) }
}

/// Some code of the test binary to run after its pages were released.
enum CodeToRun {
    @inline(never) static func sample() -> String {
        [3, 1, 2].sorted().map(String.init).joined() == "123" ? "ok" : "wrong"
    }
}
