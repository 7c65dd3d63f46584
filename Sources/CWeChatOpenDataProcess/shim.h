#ifndef CWECHATOPENDATAPROCESS_SHIM_H
#define CWECHATOPENDATAPROCESS_SHIM_H

// What wxdecrypt needs from the C library that Swift cannot call directly: prctl is
// variadic and SIGRTMIN/SIGRTMAX are macros, and neither imports into Swift; memrchr is a GNU
// extension that Swift's Glibc module leaves out.

#include <signal.h>
#include <stddef.h>
#ifdef __linux__
#include <sys/prctl.h>
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

#endif
