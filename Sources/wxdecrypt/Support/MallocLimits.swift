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
    /// The main arena and one more. Each arena reserves 64 MiB of address space, which under
    /// `ulimit -v` is what the threads ran out of; a record's few small allocations come from
    /// glibc's per-thread cache, so threads that share an arena seldom wait for its lock.
    static let arenas: Int32 = 2

    /// Applies both limits; call before the first thread starts.
    static func apply() {
        #if canImport(Glibc)
        _ = CWeChatOpenDataProcess_limitMallocRetention(mmapThreshold, arenas)
        #endif
    }
}
