#if canImport(Glibc)
import CDynamicLoader
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
/// What: the read-only segments (`PT_LOAD` without write permission: code and constants) of the
/// executable and of every library loaded, as the dynamic loader lists them
/// (`dl_iterate_phdr`). Their pages that `/proc/self/pagemap` reports present and file-backed get
/// `madvise(MADV_DONTNEED)`. That drops this process's page-table entries only: the pages stay in
/// the page cache, so the next use is a minor fault, without I/O, and nothing is lost, because
/// such a page is an unmodified copy of the file. Pages that are not file-backed (data the
/// loader relocated and then made read-only, a debugger's breakpoints) are left alone, and so is
/// every writable segment, heap and stack. It all runs inside `dl_iterate_phdr`'s callback, which
/// holds the loader's lock: no library can be unloaded (and its addresses reused) meanwhile.
/// This is what the kernel does to these pages under memory pressure; doing it after a busy
/// cycle makes RSS show it.
public enum ResidentPages {
    /// An address range, page-aligned.
    struct Range: Equatable {
        let start: Int
        let end: Int
    }

    /// Releases what it can; returns the bytes unmapped (0 where `/proc` cannot be read).
    @discardableResult
    public static func releaseCleanFilePages() -> Int {
        #if os(Linux)
        let pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC)
        guard pagemap >= 0 else { return 0 }
        defer { close(pagemap) }
        var context = Context(pagemap: pagemap)
        withUnsafeMutablePointer(to: &context) { pointer in
            sluice_each_readonly_segment({ start, size, data in
                guard let data else { return }
                let context = data.assumingMemoryBound(to: Context.self)
                // Only pages wholly inside the segment: an edge page may belong to a neighbour.
                let page = ResidentPages.pageSize
                let first = (Int(start) + page - 1) / page * page
                let end = (Int(start) + size) / page * page
                guard end > first else { return }
                context.pointee.released += ResidentPages.release(ResidentPages.Range(start: first, end: end), pagemap: context.pointee.pagemap)
            }, pointer)
        }
        return context.released
        #else
        return 0
        #endif
    }

    #if os(Linux)
    private struct Context {
        let pagemap: Int32
        var released = 0
    }
    #endif

    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Unmaps the present, file-backed pages of `range` (which must be read-only memory: a
    /// write between the pagemap read and the `madvise` would be lost). Returns the bytes.
    static func release(_ range: Range, pagemap: Int32) -> Int {
        #if os(Linux)
        let page = pageSize
        let pages = (range.end - range.start) / page
        guard pages > 0 else { return 0 }
        var entries = [UInt64](repeating: 0, count: pages)
        let wanted = pages * 8
        var got = 0
        entries.withUnsafeMutableBytes { buffer in
            while got < wanted {
                let n = pread(pagemap, buffer.baseAddress! + got, wanted - got, off_t(range.start / page * 8 + got))
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { return }
                got += n
            }
        }
        guard got == wanted else { return 0 }
        // Runs of present (bit 63), file-backed (bit 61) pages.
        func clean(_ entry: UInt64) -> Bool { entry >> 63 & 1 == 1 && entry >> 61 & 1 == 1 }
        var released = 0
        var index = 0
        while index < pages {
            guard clean(entries[index]) else {
                index += 1
                continue
            }
            let runStart = index
            while index < pages, clean(entries[index]) { index += 1 }
            let length = (index - runStart) * page
            if madvise(UnsafeMutableRawPointer(bitPattern: range.start + runStart * page), length, MADV_DONTNEED) == 0 {
                released += length
            }
        }
        return released
        #else
        return 0
        #endif
    }
}
