import CWeChatOpenDataProcess

/// What glibc's malloc may keep of the memory decrypt-file's threads free.
///
/// By default the mmap threshold slides up to the size of each large block freed, after which
/// blocks that size come from an arena and stay resident once freed; and each thread gets an
/// arena of its own (up to eight per core), each keeping its own freed blocks. A chunk whose
/// output grows past its reserve on a megabyte line frees and reallocates a large buffer, so
/// with many workers the process held far more than it used (about 100 MB at `--jobs 64`).
enum MallocLimits {
    /// Every block this large or larger is mapped on its own and unmapped when freed.
    static let mmapThreshold: Int32 = 256 << 10
    /// The main arena only. Each further arena reserves 64 MiB of address space: under
    /// `ulimit -v 120000` with eight workers a second one left no room for a chunk's 2 MiB
    /// buffer (3 aborts in 12 runs side by side; none in 36 with one arena). A record's few small
    /// allocations come from glibc's per-thread cache, so threads seldom wait for the arena's lock.
    static let arenas: Int32 = 1

    /// Applies both limits; call before the first thread starts.
    static func apply() {
        #if canImport(Glibc)
        _ = CWeChatOpenDataProcess_limitMallocRetention(mmapThreshold, arenas)
        #endif
    }
}
