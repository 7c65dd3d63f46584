import Foundation
import Testing

/// A decrypt-file run with `--output` that a signal ends leaves no temporary file of
/// plaintext behind (issue 9, attack 6).
@Suite("wxdecrypt temporary files and signals", .serialized)
struct SignalCleanupTests {
    /// Starts `decrypt-file - --output DIR/out.jsonl` with its input held open and returns
    /// once it has its (unnamed) output file open in DIR.
    static func runInProgress(in directory: ScratchDirectory, shellPrefix: String? = nil) throws -> ChildProcess {
        let child = try ChildProcess(
            ["decrypt-file", "-", "--app-id", "wx1", "--output", directory.file("out.jsonl")], shellPrefix: shellPrefix)
        child.send(String(repeating: "{}\n", count: 5000))
        #expect(ChildProcess.waitUntil { openFile(of: child.pid, in: directory.path) != nil }, "the output file is open")
        return child
    }

    @Test("every catchable signal that terminates by default: the process dies of it and the temporary file is gone",
          arguments: [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU, SIGIO,
                      SIGPWR, SIGSTKFLT, SIGSYS, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGSEGV, 34, 64])
    func terminatingSignal(signal: Int32) throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let child = try Self.runInProgress(in: directory)
        kill(child.pid, signal)
        let outcome = child.finish()
        #expect(outcome.reason == .uncaughtSignal && outcome.status == signal, "\(outcome)")
        #expect(directory.entries.isEmpty, "signal \(signal) left \(directory.entries)")
    }

    /// Sends `signal` to a run in progress and checks that the run goes on and completes,
    /// with every result in place and no temporary file left.
    static func expectCompletes(despite signal: Int32, shellPrefix: String? = nil) throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let child = try runInProgress(in: directory, shellPrefix: shellPrefix)
        kill(child.pid, signal)
        usleep(200_000)
        #expect(child.process.isRunning, "signal \(signal)")
        let outcome = child.finish()
        #expect(outcome.reason == .exit && outcome.status == 1, "signal \(signal)")
        #expect(outcome.stderr.hasPrefix("wxdecrypt: 5000 records, 0 ok, 5000 failed (invalid_record: 5000)"))
        #expect(directory.entries == ["out.jsonl"])
        let lines = try String(contentsOfFile: directory.file("out.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 5000)
    }

    @Test("SIGPIPE and SIGXFSZ are ignored: the run goes on and completes", arguments: [SIGPIPE, SIGXFSZ])
    func ignoredSignal(signal: Int32) throws {
        try Self.expectCompletes(despite: signal)
    }

    @Test("a file-size limit (ulimit -f) is a failed write: exit 74, a clear error, no file left")
    func fileSizeLimit() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let child = try ChildProcess(
            ["decrypt-file", "-", "--app-id", "wx1", "--output", directory.file("out.jsonl")], shellPrefix: "ulimit -f 8")
        child.send(String(repeating: "{}\n", count: 5000))
        let outcome = child.finish()
        #expect(outcome.reason == .exit && outcome.status == 74, "\(outcome)")
        #expect(outcome.stderr.contains("error[output_failed]: cannot write output '\(directory.file("out.jsonl"))': File too large"))
        #expect(outcome.stderr.contains("wxdecrypt: stopped after 5000 records; the results of 0 were written"))
        #expect(directory.entries.isEmpty)
    }

    @Test("a signal ignored at start stays ignored: started as nohup does, SIGHUP does not end the run")
    func ignoredAtStart() throws {
        try Self.expectCompletes(despite: SIGHUP, shellPrefix: "trap '' HUP")
    }
}
