#if canImport(Glibc)
import Glibc
#endif

/// Unmaps the clean pages of code and read-only data that a busy moment left mapped, so that
/// the daemon's resident set between cycles is what its poll path uses, not what its busiest
/// cycle once touched.
///
/// Why: the kernel maps a file's pages 64 KiB at a time around each page a process reads or
/// executes ("fault-around"), and never unmaps them while memory is plentiful. One cycle that
/// lints, rehearses and applies, or one look at the dashboard, runs code spread over most of the
/// binary's 28 MiB of code and of its libraries', and all of it stayed resident — about 10 MiB
/// more than the poll path needs (bench/README.md, "Footprint").
///
/// What: for every read-only, file-backed mapping of the process (`r--p`, `r-xp`: the binary's
/// and the libraries' code and constants), the pages `/proc/self/pagemap` reports present and
/// file-backed get `madvise(MADV_DONTNEED)`. That drops this process's page-table entries only:
/// the pages stay in the page cache, so the next use is a minor fault, without I/O, and nothing is
/// lost, because such a page is an unmodified copy of the file. Pages that are not file-backed in
/// those mappings (the dynamic loader's relocated `RELRO` data, a debugger's breakpoints) are
/// left alone, and so is every writable mapping, heap and stack. This is what the kernel itself
/// does to these pages under memory pressure; doing it after a busy cycle makes RSS show it.
public enum ResidentPages {
    /// Releases what it can; returns the bytes unmapped (0 where `/proc` cannot be read).
    @discardableResult
    public static func releaseCleanFilePages() -> Int {
        #if os(Linux)
        guard let maps = readAll("/proc/self/maps") else { return 0 }
        let pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC)
        guard pagemap >= 0 else { return 0 }
        defer { close(pagemap) }
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        var released = 0
        var entries: [UInt64] = []
        for mapping in readOnlyFileMappings(maps) {
            let pages = (mapping.end - mapping.start) / pageSize
            guard pages > 0 else { continue }
            entries = [UInt64](repeating: 0, count: pages)
            let wanted = pages * 8
            var got = 0
            entries.withUnsafeMutableBytes { buffer in
                while got < wanted {
                    let n = pread(pagemap, buffer.baseAddress! + got, wanted - got, off_t(mapping.start / pageSize * 8 + got))
                    if n < 0, errno == EINTR { continue }
                    guard n > 0 else { return }
                    got += n
                }
            }
            guard got == wanted else { continue }
            // Runs of present (bit 63), file-backed (bit 61) pages.
            var index = 0
            while index < pages {
                guard entries[index] >> 63 & 1 == 1, entries[index] >> 61 & 1 == 1 else {
                    index += 1
                    continue
                }
                let runStart = index
                while index < pages, entries[index] >> 63 & 1 == 1, entries[index] >> 61 & 1 == 1 { index += 1 }
                let address = UnsafeMutableRawPointer(bitPattern: mapping.start + runStart * pageSize)
                let length = (index - runStart) * pageSize
                if madvise(address, length, MADV_DONTNEED) == 0 { released += length }
            }
        }
        return released
        #else
        return 0
        #endif
    }

    struct Mapping: Equatable {
        let start: Int
        let end: Int
    }

    /// The mappings of a `/proc/PID/maps` text that are private, not writable, and backed by a
    /// file (a path; not `[vdso]`, `[vvar]` or anonymous memory).
    static func readOnlyFileMappings(_ maps: [UInt8]) -> [Mapping] {
        var result: [Mapping] = []
        for line in maps.split(separator: UInt8(ascii: "\n")) {
            // "start-end perms offset dev inode   path"
            let fields = line.split(separator: UInt8(ascii: " "), maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6 else { continue }
            let perms = Array(fields[1])
            guard perms.count == 4, perms[0] == UInt8(ascii: "r"), perms[1] == UInt8(ascii: "-"), perms[3] == UInt8(ascii: "p") else { continue }
            let path = fields[5].drop(while: { $0 == UInt8(ascii: " ") })
            guard path.first == UInt8(ascii: "/") else { continue }
            let range = fields[0].split(separator: UInt8(ascii: "-"))
            guard range.count == 2, let start = hex(range[0]), let end = hex(range[1]), end > start else { continue }
            result.append(Mapping(start: start, end: end))
        }
        return result
    }

    private static func hex(_ digits: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for digit in digits {
            let nibble: Int
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = Int(digit - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = Int(digit - UInt8(ascii: "a")) + 10
            default: return nil
            }
            guard value <= (Int.max >> 4) else { return nil }
            value = value << 4 | nibble
        }
        return digits.isEmpty ? nil : value
    }

    #if os(Linux)
    /// A `/proc` file whole (its size is not known in advance: read until end of file).
    private static func readAll(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }
    #endif
}
