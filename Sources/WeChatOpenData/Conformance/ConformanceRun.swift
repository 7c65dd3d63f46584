/// What happened when a command under test was given a suite's input: its output and how it ended.
///
/// Whoever runs the command (as `wxdecrypt conformance` does with a child process) fills this
/// in and hands it to ``ConformanceSuite/judge(_:)``.
public struct ConformanceRun: Sendable {
    /// How the command ended.
    public enum Termination: Sendable, Hashable {
        /// It exited by itself with this status.
        case exited(status: Int32)
        /// A signal ended it (a crash: `SIGSEGV`, `SIGABRT`, …).
        case signalled(signal: Int32)
        /// It was still running at the time limit and was killed.
        case timedOut
        /// It wrote more output than the runner keeps and was killed.
        case outputLimitExceeded
    }

    /// Everything it wrote to stdout (its answers).
    public var standardOutput: [UInt8]
    /// What it wrote to stderr.
    public var standardError: [UInt8]
    /// How it ended.
    public var termination: Termination
    /// How long it ran.
    public var elapsed: Duration
    /// How long it was allowed to run.
    public var timeLimit: Duration

    /// Describes a finished run.
    ///
    /// - Parameters:
    ///   - standardOutput: Everything the command wrote to stdout.
    ///   - standardError: What it wrote to stderr.
    ///   - termination: How it ended.
    ///   - elapsed: How long it ran.
    ///   - timeLimit: How long it was allowed to run.
    public init(
        standardOutput: [UInt8], standardError: [UInt8], termination: Termination, elapsed: Duration, timeLimit: Duration
    ) {
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.termination = termination
        self.elapsed = elapsed
        self.timeLimit = timeLimit
    }
}
