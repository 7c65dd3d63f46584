#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WeChatOpenData

/// The process group of the command under test, for the signal handler: an interrupted
/// conformance run takes the command down with it instead of leaving it orphaned.
nonisolated(unsafe) private var runningGroup: pid_t = 0

/// Runs the command under test once: writes the suite's input to its stdin and closes it,
/// collects stdout and stderr, and kills it (with everything it started) at the time limit.
/// One thread, one `poll` loop, so a command that never reads its input, never closes its
/// output or never exits cannot hang the run.
enum CommandUnderTest {
    /// More stdout than this is not a decryptor answering a hundred cases.
    static let outputLimit = 64 << 20
    /// The stderr kept for the leak check; the rest is read and dropped.
    static let errorLimit = 1 << 20

    /// - Throws: `CommandFailure` when the command cannot be started.
    static func run(_ arguments: [String], input: [UInt8], timeLimit: Duration) throws -> ConformanceRun {
        signal(SIGPIPE, SIG_IGN)
        let clock = ContinuousClock()
        let started = clock.now
        let deadline = started + timeLimit
        let child = try spawn(arguments)
        runningGroup = child.pid
        defer { runningGroup = 0 }
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            // A signal ignored when wxdecrypt started (nohup) stays ignored, as everywhere else.
            guard !TerminationCleanup.isIgnored(signalNumber) else { continue }
            signal(signalNumber) { received in
                if runningGroup > 0 { kill(-runningGroup, SIGKILL) }
                _exit(128 + received)
            }
        }

        var streams = Streams(input: input, stdin: child.stdin, stdout: child.stdout, stderr: child.stderr)
        let stopped = streams.pump(until: deadline, clock: clock)
        let exit = stopped == nil ? waitForExit(child.pid, until: deadline, clock: clock) : nil
        // A command still running goes now, and whatever it left running in its group goes too.
        kill(-child.pid, SIGKILL)
        if exit == nil {
            var status: Int32 = 0
            while waitpid(child.pid, &status, 0) < 0, errno == EINTR {}
        }
        return ConformanceRun(
            standardOutput: streams.stdout, standardError: streams.stderr, termination: exit ?? stopped ?? .timedOut,
            elapsed: clock.now - started, timeLimit: timeLimit)
    }

    private struct Child {
        let pid: pid_t
        let stdin: Int32
        let stdout: Int32
        let stderr: Int32
    }

    /// Starts the command in a process group of its own, with default signal handling, and
    /// returns our ends of its three pipes (non-blocking).
    private static func spawn(_ arguments: [String]) throws -> Child {
        var pipes: [[Int32]] = []
        for _ in 0..<3 {
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else {
                let code = errno
                for ends in pipes { close(ends[0]); close(ends[1]) }
                throw CommandFailure(
                    code: "cannot_start_command", reason: "cannot create a pipe: \(String(cString: strerror(code)))",
                    status: ExitStatus.failed)
            }
            for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            pipes.append(ends)
        }
        let childEnds = [pipes[0][0], pipes[1][1], pipes[2][1]]
        let ours = [pipes[0][1], pipes[1][0], pipes[2][0]]

        #if os(Linux)
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #else
        var actions: posix_spawn_file_actions_t?
        var attributes: posix_spawnattr_t?
        #endif
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        for (target, end) in childEnds.enumerated() { posix_spawn_file_actions_adddup2(&actions, end, Int32(target)) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signalNumber in [SIGPIPE, SIGXFSZ, SIGINT, SIGTERM, SIGHUP] { sigaddset(&defaults, signalNumber) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = arguments.map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, environ)
        for end in childEnds { close(end) }
        guard result == 0 else {
            for end in ours { close(end) }
            throw CommandFailure(
                code: "cannot_start_command", reason: "cannot start '\(arguments[0])': \(String(cString: strerror(result)))",
                status: ExitStatus.failed)
        }
        for descriptor in ours { _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK) }
        return Child(pid: pid, stdin: ours[0], stdout: ours[1], stderr: ours[2])
    }

    /// Polls for the command's exit once its output is closed: how it ended, or `nil` when it
    /// is still running at the deadline.
    private static func waitForExit(_ pid: pid_t, until deadline: ContinuousClock.Instant, clock: ContinuousClock)
        -> ConformanceRun.Termination?
    {
        var status: Int32 = 0
        while clock.now < deadline {
            if waitpid(pid, &status, WNOHANG) == pid { return termination(fromWaitStatus: status) }
            usleep(5_000)
        }
        return nil
    }

    private static func termination(fromWaitStatus status: Int32) -> ConformanceRun.Termination {
        // WIFEXITED and friends are macros that do not import.
        let signal = status & 0x7F
        return signal == 0 ? .exited(status: (status >> 8) & 0xFF) : .signalled(signal: signal)
    }
}

/// The three pipes of a running command: writes its input as it reads, reads its output as it writes.
private struct Streams {
    let input: [UInt8]
    var written = 0
    var stdinDescriptor: Int32?
    var stdoutDescriptor: Int32?
    var stderrDescriptor: Int32?
    var stdout: [UInt8] = []
    var stderr: [UInt8] = []

    init(input: [UInt8], stdin: Int32, stdout: Int32, stderr: Int32) {
        self.input = input
        stdinDescriptor = stdin
        stdoutDescriptor = stdout
        stderrDescriptor = stderr
        if input.isEmpty { closeStdin() }
    }

    /// Runs until both outputs are closed (`nil`), the time runs out or the output is too large.
    mutating func pump(until deadline: ContinuousClock.Instant, clock: ContinuousClock) -> ConformanceRun.Termination? {
        defer {
            closeStdin()
            for descriptor in [stdoutDescriptor, stderrDescriptor].compactMap({ $0 }) { close(descriptor) }
            stdoutDescriptor = nil
            stderrDescriptor = nil
        }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while stdoutDescriptor != nil || stderrDescriptor != nil {
            let remaining = deadline - clock.now
            guard remaining > .zero else { return .timedOut }
            var descriptors: [pollfd] = []
            if let stdinDescriptor { descriptors.append(pollfd(fd: stdinDescriptor, events: Int16(POLLOUT), revents: 0)) }
            for descriptor in [stdoutDescriptor, stderrDescriptor].compactMap({ $0 }) {
                descriptors.append(pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0))
            }
            let (seconds, attoseconds) = remaining.components
            let milliseconds = Int32(clamping: seconds * 1_000 + attoseconds / 1_000_000_000_000_000 + 1)
            // poll fails only on a programming error or without memory: give up as at the deadline.
            guard poll(&descriptors, nfds_t(descriptors.count), milliseconds) >= 0 || errno == EINTR else { return .timedOut }
            for ready in descriptors where ready.revents != 0 {
                if ready.fd == stdinDescriptor {
                    writeInput()
                } else if ready.fd == stdoutDescriptor {
                    if !read(from: ready.fd, into: &stdout, keeping: CommandUnderTest.outputLimit + 1, buffer: &buffer) {
                        stdoutDescriptor = nil
                    }
                    if stdout.count > CommandUnderTest.outputLimit { return .outputLimitExceeded }
                } else if !read(from: ready.fd, into: &stderr, keeping: CommandUnderTest.errorLimit, buffer: &buffer) {
                    stderrDescriptor = nil
                }
            }
        }
        return nil
    }

    /// Writes as much input as the pipe takes; a command that stops reading (EPIPE) just gets no more.
    private mutating func writeInput() {
        guard let descriptor = stdinDescriptor else { return }
        let count = input.withUnsafeBytes { SystemCall.write(descriptor, $0.baseAddress! + written, $0.count - written) }
        if count > 0 {
            written += count
            if written == input.count { closeStdin() }
        } else if count < 0, errno != EAGAIN, errno != EINTR {
            closeStdin()
        }
    }

    private mutating func closeStdin() {
        if let descriptor = stdinDescriptor { close(descriptor) }
        stdinDescriptor = nil
    }

    /// Reads what is there; `false` (and the descriptor closed) at end of file or on an error.
    private func read(from descriptor: Int32, into output: inout [UInt8], keeping limit: Int, buffer: inout [UInt8]) -> Bool {
        let count = buffer.withUnsafeMutableBytes { SystemCall.read(descriptor, $0.baseAddress!, $0.count) }
        if count > 0 {
            output += buffer[0..<min(count, max(0, limit - output.count))]
            return true
        }
        if count < 0, errno == EAGAIN || errno == EINTR { return true }
        close(descriptor)
        return false
    }
}
