import Foundation
import Testing

/// decrypt-file under the conditions an adversarial review put it in (issue 11): refused
/// threads, a small address space, SIGKILL, a closed stdin or stdout, a byte-order mark that
/// arrives late, CSV cells with line breaks in a failed write, CR-only line ends.
@Suite("wxdecrypt decrypt-file under hostile conditions", .serialized)
struct PipelineHardeningTests {
    /// 30,000 records (10 MB), a tenth of them broken, and exit 1: more 1 MiB chunks than can be
    /// in flight at once, so that the reader thread is still there when the workers start.
    static let records: String = {
        let path = BatchCommandTests.temporaryPath("records.jsonl")
        _ = try! WXDecryptRunner.run(["generate", "--records", "30000", "--seed", "11", "--bad-fraction", "0.1", "--output", path])
        return path
    }()
    /// The results of ``records`` with no limit on anything.
    static let expected: String = try! WXDecryptRunner.run(["decrypt-file", records, "--jobs", "1"]).stdout
    /// A uid no process runs as: RLIMIT_NPROC counts every process and thread of the user, so
    /// the count is the child's alone.
    static let unusedUser: UInt32 = 61_011

    /// One good record whose result says whether it decrypted.
    static let record: String = {
        let line = try! WXDecryptRunner.run(["generate", "--records", "1", "--bad-fraction", "0"]).stdout
        return line.trimmingCharacters(in: .newlines)
    }()

    static func errorMessages(_ stdout: String) -> [String?] {
        BatchCommandTests.lines(stdout).map { ($0["error"] as? [String: Any])?["message"] as? String }
    }

    @Test("threads the system refuses (ulimit -u): the run goes on with fewer or on one thread, same output, a note")
    func refusedThreads() throws {
        try #require(geteuid() == 0, "running as another user, whose processes RLIMIT_NPROC counts, needs root")
        let reader = "note: could not start the reader thread (Resource temporarily unavailable); "
            + "reading and decrypting on one thread"
        func workers(_ started: Int, of asked: Int, _ instead: String) -> String {
            "note: could start only \(started) of \(asked) worker threads (Resource temporarily unavailable); \(instead)"
        }
        // The process itself is the first task of the user; each thread started is one more: the
        // reader, then the workers (one job has one worker too).
        let cases: [(processes: Int, jobs: Int, note: String?)] = [
            (1, 1, reader), (1, 8, reader),
            (2, 1, workers(0, of: 1, "decrypting on one thread")), (3, 1, nil),
            (2, 2, workers(0, of: 2, "decrypting on one thread")),
            (2, 64, workers(0, of: 8, "decrypting on one thread")),
            (3, 8, workers(1, of: 8, "decrypting on 1 thread")), (4, 3, workers(2, of: 3, "decrypting on 2 threads")),
        ]
        for (processes, jobs, note) in cases {
            // Under AddressSanitizer (scripts/sanitize.sh), LeakSanitizer needs a thread of its own at
            // exit, which this limit refuses too: its leak check is off for these runs only.
            let child = try ChildProcess(
                ["decrypt-file", "-", "--jobs", String(jobs)],
                shellPrefix: #"export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"; "#
                    + "prlimit --nproc=\(processes) --pid $$",
                stdin: FileHandle(forReadingAtPath: Self.records), user: Self.unusedUser)
            let outcome = child.finish()
            let label = "\(processes) processes, --jobs \(jobs)"
            #expect(outcome.reason == .exit && outcome.status == 1, "\(label): \(outcome.stderr)")
            #expect(outcome.stdout == Self.expected, "\(label)")
            let lines = outcome.stderr.split(separator: "\n").map(String.init)
            #expect(Array(lines.dropLast()) == (note.map { [$0] } ?? []), "\(label)")
            #expect(lines.last?.hasPrefix("wxdecrypt: 30000 records, ") == true, "\(label)")
        }
    }

    @Test("ulimit -v 120000 with worker threads decrypts everything (it ended in SIGSEGV with no message)",
          .disabled(
            if: ProcessInfo.processInfo.environment["WXDECRYPT_TEST_SANITIZER"] != nil,
            "a sanitizer reserves terabytes of address space for its shadow memory, so no ulimit -v can apply"),
          arguments: ["2", "8"])
    func smallAddressSpace(jobs: String) throws {
        let child = try ChildProcess(
            ["decrypt-file", "-", "--jobs", jobs], shellPrefix: "ulimit -v 120000",
            stdin: FileHandle(forReadingAtPath: Self.records))
        let outcome = child.finish()
        #expect(outcome.reason == .exit && outcome.status == 1, "\(outcome.stderr)")
        #expect(outcome.stdout == Self.expected)
        #expect(outcome.stderr.hasPrefix("wxdecrypt: 30000 records, "), "\(outcome.stderr)")
    }

    @Test("SIGKILL in the middle of a run leaves no file of plaintext behind")
    func killed() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let child = try ChildProcess(["decrypt-file", "-", "--output", directory.file("out.jsonl")])
        child.send(try String(contentsOfFile: Self.records, encoding: .utf8))
        #expect(ChildProcess.waitUntil { openFile(of: child.pid, in: directory.path) != nil }, "the output file is open")
        kill(child.pid, SIGKILL)
        let outcome = child.finish()
        #expect(outcome.reason == .uncaughtSignal && outcome.status == SIGKILL)
        #expect(directory.entries.isEmpty, "\(directory.entries)")
    }

    @Test("a byte-order mark is dropped from the first three bytes only, however they arrive, and never from a slice")
    func byteOrderMark() throws {
        let mark = "\u{FEFF}"
        // A first read of two bytes, then the mark: it is inside the input, as in a file.
        let late = try ChildProcess(["decrypt-file", "-"])
        late.send("x\n")
        usleep(300_000)
        late.send(mark + Self.record + "\n")
        let lateOutcome = late.finish()
        #expect(Self.errorMessages(lateOutcome.stdout) == ["line 1: is not a JSON object", "line 2: is not a JSON object"])
        let file = try WXDecryptRunner.run(["decrypt-file", "-"], stdin: "x\n" + mark + Self.record + "\n")
        #expect(lateOutcome.stdout == file.stdout)

        // The mark itself a byte at a time: still the input's first three bytes.
        let split = try ChildProcess(["decrypt-file", "-"])
        for byte: UInt8 in [0xEF, 0xBB] {
            split.input.fileHandleForWriting.write(Data([byte]))
            usleep(200_000)
        }
        split.input.fileHandleForWriting.write(Data([0xBF] + Array((Self.record + "\n").utf8)))
        let splitOutcome = split.finish()
        #expect(splitOutcome.status == 0, "\(splitOutcome.stderr)")
        #expect(Self.errorMessages(splitOutcome.stdout) == [nil])

        // The mark split across reads, then a blank line and an over-long one: the newline right
        // after the mark is still found (what was searched before the mark moves back with it).
        let blank = try ChildProcess(["decrypt-file", "-"])
        blank.input.fileHandleForWriting.write(Data([0xEF, 0xBB]))
        usleep(200_000)
        blank.input.fileHandleForWriting.write(
            Data([0xBF, 0x0A] + Array(repeating: UInt8(ascii: "x"), count: (1 << 20) + 10) + [0x0A]
                + Array((Self.record + "\n").utf8)))
        let blankOutcome = blank.finish()
        // Line 1 is blank (no result), line 2 the over-long one, named by its number.
        let results = blankOutcome.stdout.split(separator: "\n")
        #expect(results.count == 2 && results[0].hasPrefix(#"{"id":2,"ok":false"#), "\(blankOutcome.stdout.prefix(300))")

        // A slice of a file (a Spark partition) does not start the file.
        let slice = try WXDecryptRunner.run(
            ["decrypt-file", "-", "--first-line-number", "2"], stdin: mark + Self.record + "\n")
        #expect(Self.errorMessages(slice.stdout) == ["line 2: is not a JSON object"])
        let whole = try WXDecryptRunner.run(["decrypt-file", "-"], stdin: "x\n" + mark + Self.record + "\n")
        #expect(whole.stdout.split(separator: "\n").last == slice.stdout.split(separator: "\n").first)
    }

    @Test("a closed stdin is exit 66, 'standard input is closed', not an empty input that succeeds")
    func closedStandardInput() throws {
        let commands: [(arguments: [String], name: String)] = [
            (["decrypt-file", "-"], "input '-'"),
            (["decrypt", "--app-id", CommandTests.appID, "--iv", CommandTests.iv, "--data-file", "-"], "--data-file '-'"),
        ]
        for (arguments, name) in commands {
            let child = try ChildProcess(arguments, shellPrefix: "exec <&-", environment: CommandTests.env)
            let outcome = child.finish()
            #expect(outcome.reason == .exit && outcome.status == 66, "\(arguments[0]): \(outcome)")
            #expect(outcome.stderr == "error[cannot_open_input]: cannot read \(name): standard input is closed\n")
            #expect(outcome.stdout.isEmpty)
        }
    }

    @Test("--output /dev/stdout with stdout closed says it was closed, as for stdout itself")
    func closedStandardOutputByName() throws {
        let child = try ChildProcess(OutputSafetyTests.sample + ["--output", "/dev/stdout"], shellPrefix: "exec >&-")
        let outcome = child.finish()
        #expect(outcome.reason == .exit && outcome.status == 74)
        #expect(outcome.stderr.contains(
            "error[output_failed]: cannot write output '/dev/stdout': standard output was closed when wxdecrypt started"),
            "\(outcome.stderr)")
    }

    @Test("CSV after a failed write: the summary counts results, not the line breaks inside their cells")
    func csvResultsAfterFailedWrite() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let input = directory.file("input.jsonl")
        // Each record lacks its key, so its result is a failure that still carries its id.
        let lines = (1...60_000).map { #"{"id":"a\nb\nc\n\#($0)"}"# }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: input))
        let path = directory.file("stdout.csv")
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        let child = try ChildProcess(
            ["decrypt-file", input, "--app-id", "wx1", "--format", "csv"], shellPrefix: "ulimit -f 4096", stdout: handle)
        let outcome = child.finish()
        try handle.close()
        #expect(outcome.status == 74, "\(outcome.stderr)")
        let written = try String(contentsOfFile: path, encoding: .utf8)
        let rows = written.components(separatedBy: "missing session_key\r\n").count - 1
        #expect(rows > 0 && rows < 60_000)
        #expect(written.filter { $0 == "\n" || $0 == "\r\n" }.count > 3 * rows, "the cells hold line breaks")
        let summary = try #require(outcome.stderr.split(separator: "\n").first)
        #expect(summary.hasSuffix("; the results of \(rows) were written before the failure"), "\(summary)")
    }

    @Test("a line that is not JSON and holds a bare CR hints at CR-only line ends; other lines do not")
    func carriageReturnHint() throws {
        let run = try WXDecryptRunner.run(["decrypt-file", "-"], stdin: "{\"a\":1}\r{\"b\":2}\r\n1\n{}\r\n")
        #expect(Self.errorMessages(run.stdout) == [
            "line 1: is not a JSON object (CR-only line endings?)", "line 2: is not a JSON object",
            "line 3: missing session_key",
        ])
    }
}
