import CWeChatOpenDataProcess
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the process sets up before it parses a flag or reads a byte of input.
enum ProcessHardening {
    static func apply() {
        // With stdin, stdout or stderr closed, the next file opened would take its number,
        // and error messages would land in the output file.
        // A closed stdout is reopened on /dev/full: every write to it fails, so the command ends
        // with output_failed (74) as with a closed pipe, instead of discarding its results. A
        // closed stdin is remembered: reading `-` then fails (66) rather than finding no records.
        for descriptor in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] where fcntl(descriptor, F_GETFD) < 0 {
            if descriptor == STDOUT_FILENO {
                Console.standardOutputWasClosed = true
                _ = open("/dev/full", O_WRONLY)
            } else {
                if descriptor == STDIN_FILENO { Console.standardInputWasClosed = true }
                _ = open("/dev/null", O_RDWR)
            }
        }
        // A core file of a batch run would hold every session key and phone number in
        // memory; a non-dumpable process also cannot be ptrace'd or read through
        // /proc/PID/mem by other processes of the same user.
        var none = rlimit(rlim_cur: 0, rlim_max: 0)
        _ = setrlimit(resourceCore, &none)
        _ = CWeChatOpenDataProcess_disableDumping()
        // One documented behaviour for every subcommand: a closed pipe or a file-size
        // limit is a failed write (error[output_failed], exit 74) that removes the
        // temporary file, not a signal that kills the process half-way.
        signal(SIGPIPE, SIG_IGN)
        signal(SIGXFSZ, SIG_IGN)
        TerminationCleanup.install()
    }

    #if canImport(Glibc)
    private static let resourceCore = __rlimit_resource_t(RLIMIT_CORE.rawValue)
    #else
    private static let resourceCore = RLIMIT_CORE
    #endif
}
