#ifndef CWECHATOPENDATAPROCESS_SHIM_H
#define CWECHATOPENDATAPROCESS_SHIM_H

// What wxdecrypt needs from the C library that Swift cannot call directly: prctl is
// variadic and SIGRTMIN/SIGRTMAX are macros, and neither imports into Swift; memrchr is a GNU
// extension and mallopt lives in <malloc.h>, both of which Swift's Glibc module leaves out;
// <fcntl.h> names O_TMPFILE only under _GNU_SOURCE, which the importer does not define
// (glibc's __O_TMPFILE is always there), nor sync_file_range, for the same reason.

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <sys/types.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#ifdef __GLIBC__
#include <malloc.h>
#endif

/// Makes the process non-dumpable (no core file, no ptrace by other users); 0 on success.
static inline int CWeChatOpenDataProcess_disableDumping(void) {
#ifdef __linux__
    return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#else
    return 0;
#endif
}

/// The first real-time signal, or 0 where there are none.
static inline int CWeChatOpenDataProcess_firstRealtimeSignal(void) {
#ifdef SIGRTMIN
    return SIGRTMIN;
#else
    return 0;
#endif
}

/// The last real-time signal, or -1 where there are none.
static inline int CWeChatOpenDataProcess_lastRealtimeSignal(void) {
#ifdef SIGRTMAX
    return SIGRTMAX;
#else
    return -1;
#endif
}

/// The last byte equal to `byte` among the `count` bytes at `bytes` (memrchr), or NULL.
static inline void *CWeChatOpenDataProcess_lastByte(const void *bytes, int byte, size_t count) {
#ifdef __GLIBC__
    extern void *memrchr(const void *, int, size_t);
    return memrchr(bytes, byte, count);
#else
    const unsigned char *cursor = (const unsigned char *)bytes + count;
    while (cursor > (const unsigned char *)bytes) {
        if (*--cursor == (unsigned char)byte) return (void *)cursor;
    }
    return NULL;
#endif
}

#ifdef __GLIBC__
/// Sets glibc's mmap threshold (fixed from then on, no longer sliding up as large blocks are
/// freed) and the most malloc arenas there may be; 1 when both were accepted.
static inline int CWeChatOpenDataProcess_limitMallocRetention(int mmapThreshold, int arenas) {
    return mallopt(M_MMAP_THRESHOLD, mmapThreshold) && mallopt(M_ARENA_MAX, arenas);
}
#endif

/// Opens an unnamed regular file for writing in `directory` (O_TMPFILE), or -1 with errno set
/// (EOPNOTSUPP where the system has no such thing).
static inline int CWeChatOpenDataProcess_openUnnamedFile(const char *directory, mode_t mode) {
#if defined(__linux__) && defined(__O_TMPFILE)
    // glibc's own spelling of O_TMPFILE (O_DIRECTORY included), defined without _GNU_SOURCE and
    // right for every architecture.
    return open(directory, __O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
#else
    (void)directory;
    (void)mode;
    errno = EOPNOTSUPP;
    return -1;
#endif
}

/// Starts writing the `count` bytes at `offset` of `descriptor`'s file to its device, without
/// waiting for them (sync_file_range with SYNC_FILE_RANGE_WRITE): a later fsync then waits only
/// for what is still in flight. 0 on success; -1 with errno set, or where there is no such call.
static inline int CWeChatOpenDataProcess_startWriteback(int descriptor, long long offset, long long count) {
#if defined(__linux__) && defined(__GLIBC__)
    extern int sync_file_range(int, __off64_t, __off64_t, unsigned int);
    // SYNC_FILE_RANGE_WRITE in <linux/fs.h>; <fcntl.h> names it only under _GNU_SOURCE.
    return sync_file_range(descriptor, (__off64_t)offset, (__off64_t)count, 2);
#else
    (void)descriptor;
    (void)offset;
    (void)count;
    errno = ENOSYS;
    return -1;
#endif
}

#endif
