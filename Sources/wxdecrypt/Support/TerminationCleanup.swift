import CWeChatOpenDataProcess
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The handler may run on any thread at any moment, so the only memory it touches is this
// buffer, allocated before the first handler is installed and never freed: the temporary
// file to remove, or an empty C string when there is none.
nonisolated(unsafe) private let pendingPath = UnsafeMutablePointer<CChar>.allocate(capacity: Int(PATH_MAX) + 1)

/// Only async-signal-safe calls: unlink, signal, raise.
private let removePendingAndRaise: @convention(c) (Int32) -> Void = { signalNumber in
    if pendingPath[0] != 0 { unlink(pendingPath) }
    // The signal is blocked while this handler runs, so raising it again leaves it pending
    // until the handler returns; it is then delivered under the default action and ends
    // the process with this signal, as if it had never been caught. The default, not the
    // runtime's crash handler that was there before: that one prints the memory its
    // registers point at (plaintext, keys) to stderr, and returns on a signal sent by kill.
    signal(signalNumber, SIG_DFL)
    raise(signalNumber)
}

/// Removes the run's temporary output file, which may hold plaintext, whatever signal
/// ends the process: every signal that can be caught and whose default action is to
/// terminate (with or without a core dump), real-time signals and crashes included.
///
/// A signal that was ignored when the process started stays ignored (`nohup` keeps
/// working). SIGPIPE and SIGXFSZ are not here: ``ProcessHardening`` ignores them, so a
/// closed pipe or a file-size limit comes back as a failed write, exit 74.
enum TerminationCleanup {
    static var signals: [Int32] {
        let classic = [
            SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGUSR1, SIGSEGV, SIGUSR2, SIGALRM,
            SIGTERM, SIGSTKFLT, SIGXCPU, SIGVTALRM, SIGPROF, SIGIO, SIGPWR, SIGSYS,
        ]
        let first = CWeChatOpenDataProcess_firstRealtimeSignal(), last = CWeChatOpenDataProcess_lastRealtimeSignal()
        return classic + (first <= last ? Array(first...last) : [])
    }

    /// Installs the handler for every signal in ``signals`` that is not ignored now, and
    /// unblocks them: a parent may have started us with them blocked.
    static func install() {
        pendingPath[0] = 0
        var handled = sigset_t()
        sigemptyset(&handled)
        for signalNumber in signals {
            var previous = sigaction()
            guard sigaction(signalNumber, nil, &previous) == 0, !isIgnored(previous) else { continue }
            var action = sigaction()
            action.__sigaction_handler.sa_handler = removePendingAndRaise
            sigfillset(&action.sa_mask)
            sigaction(signalNumber, &action, nil)
            sigaddset(&handled, signalNumber)
        }
        pthread_sigmask(SIG_UNBLOCK, &handled, nil)
    }

    /// Runs `create` (which makes the file at `path` and returns its descriptor, or -1)
    /// with termination signals held back, and arms the clean-up for `path` when it
    /// succeeds, so that no signal can fall between the two.
    static func create(_ path: String, with create: () -> Int32) -> Int32 {
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count <= Int(PATH_MAX) else { return create() }
        var all = sigset_t(), saved = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_BLOCK, &all, &saved)
        defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
        let descriptor = create()
        if descriptor >= 0 {
            for (index, byte) in bytes.enumerated().dropFirst() { pendingPath[index] = CChar(bitPattern: byte) }
            pendingPath[bytes.count] = 0
            // The first byte last: until then the handler sees an empty path.
            pendingPath[0] = CChar(bitPattern: bytes[0])
        }
        return descriptor
    }

    /// Forgets the temporary file once it was renamed into place or removed.
    static func disarm() { pendingPath[0] = 0 }

    private static func isIgnored(_ action: sigaction) -> Bool {
        unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    }

    /// Whether `signalNumber` is ignored now (as `nohup` leaves SIGHUP): such a signal stays ignored.
    static func isIgnored(_ signalNumber: Int32) -> Bool {
        var current = sigaction()
        return sigaction(signalNumber, nil, &current) == 0 && isIgnored(current)
    }
}
