import CWeChatOpenDataProcess
import Foundation

/// What the process sets up before it parses a flag or reads a byte of input.
enum ProcessHardening {
    static func apply() {
        // With stdin, stdout or stderr closed, the next file opened would take its number,
        // and error messages would land in the output file.
        for descriptor in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] where fcntl(descriptor, F_GETFD) < 0 {
            _ = open("/dev/null", O_RDWR)
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
