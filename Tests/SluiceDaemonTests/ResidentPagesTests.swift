import Foundation
import Glibc
@testable import SluiceDaemon
import Testing

/// ResidentPages unmaps clean file pages of read-only mappings, and nothing else. Checked on
/// this test process's own mappings of a temp file, with /proc/self/pagemap as the witness.
@Suite("Resident pages")
struct ResidentPagesTests {
    @Test("only private, read-only, file-backed mappings are candidates")
    func parsesMaps() {
        let maps = """
            00200000-00948000 r--p 00000000 fe:00 16220394                           /usr/bin/sluice
            00948000-024ab000 r-xp 00747000 fe:00 16220394                           /usr/bin/sluice
            025cf000-04b2b000 rw-p 023cc000 fe:00 16220394                           /usr/bin/sluice
            7f0000000000-7f0000001000 r--s 00000000 fe:00 1                          /dev/shm/x
            7f0000001000-7f0000002000 ---p 00000000 00:00 0
            7f0000002000-7f0000003000 r--p 00000000 00:00 0
            7f0000003000-7f0000004000 r-xp 00000000 00:00 0                          [vdso]
            7f0000004000-7f0000006000 r--p 00001000 fe:00 2                          /usr/lib/libc.so.6 (deleted)
            garbage line
            """
        #expect(ResidentPages.readOnlyFileMappings(Array(maps.utf8)) == [
            .init(start: 0x200000, end: 0x948000),
            .init(start: 0x948000, end: 0x24ab000),
            .init(start: 0x7f0000004000, end: 0x7f0000006000),
        ])
    }

    @Test("clean pages of a read-only file mapping are unmapped, and read back the same")
    func releasesCleanPages() throws {
        let file = try TempFile(pages: 64)
        let base = try #require(TempFile.map(file, protection: PROT_READ))
        defer { munmap(base, file.size) }
        let sum = touch(base, file.size)
        #expect(try presentPages(base, file.size) == 64)
        let released = ResidentPages.releaseCleanFilePages()
        #expect(released >= file.size, "released \(released) bytes in all")
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
        ResidentPages.releaseCleanFilePages()
        for page in 0..<8 {
            #expect(base.load(fromByteOffset: page * file.pageSize, as: UInt8.self) == 0xAB, "page \(page) lost its change")
        }
        #expect(try presentPages(base, file.size) == 8)
    }

    @Test("writable mappings are left alone, even where no page was written")
    func leavesWritableMappings() throws {
        let file = try TempFile(pages: 16)
        let base = try #require(TempFile.map(file, protection: PROT_READ | PROT_WRITE))
        defer { munmap(base, file.size) }
        _ = touch(base, file.size)
        ResidentPages.releaseCleanFilePages()
        #expect(try presentPages(base, file.size) == 16)
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
