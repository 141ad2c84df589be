/// glibc's allocator tuning for the daemon, which should give memory back after a busy cycle.
/// (malloc.h is not in Swift's Glibc module, hence the `@_silgen_name` declarations.)
public enum Malloc {
    #if os(Linux) && canImport(Glibc)
    @_silgen_name("mallopt") private static func mallopt(_ parameter: Int32, _ value: Int32) -> Int32
    @_silgen_name("malloc_trim") private static func malloc_trim(_ pad: Int) -> Int32
    #endif

    /// For the long-running daemon: at most two malloc arenas (glibc's default is eight per
    /// core). Each thread that allocates may otherwise get an arena of its own, and every
    /// arena keeps the free memory of the busiest moment it saw: after a first cycle that
    /// applied 500 migrations, 22 MiB stayed resident instead of 11 (bench/README.md). The
    /// daemon's threads seldom allocate at the same moment, so two arenas cost no waiting.
    public static func tuneForDaemon() {
        #if os(Linux) && canImport(Glibc)
        _ = mallopt(-8, 2)  // M_ARENA_MAX
        #endif
    }

    /// Hands the free pages of every malloc arena back to the kernel (`malloc_trim(0)`).
    ///
    /// glibc returns freed memory only from the top of an arena, and only above a threshold
    /// that grows (up to 32 MiB) each time a large block is freed; the clone or first walk of
    /// a long history frees tens of MiB that would otherwise stay resident for good. Costs a
    /// walk over the free lists; the daemon calls it after cycles that did work, not on
    /// no-change polls.
    public static func returnFreeMemory() {
        #if os(Linux) && canImport(Glibc)
        _ = malloc_trim(0)
        #endif
    }
}
