import Foundation
import Testing

/// Core dumps, usage errors for values no subcommand can use, and one behaviour for a
/// closed or full output in every subcommand (issue 9, attacks 13 and 14).
@Suite("wxdecrypt process hardening", .serialized)
struct ProcessHardeningTests {
    static let env = CommandTests.env
    static let payload = ["--iv", CommandTests.iv, "--data", CommandTests.data]

    @Test("core dumps are off before any input is read: RLIMIT_CORE 0 and not dumpable")
    func coreDumpsOff() throws {
        // Run as another user: /proc/PID of a non-dumpable process belongs to root.
        let child = try ChildProcess(["decrypt-file", "-", "--app-id", "wx1"], user: OutputSafetyTests.nobody)
        // Soft and hard limit 0, once setpriv has exec'd wxdecrypt and it has started.
        func coreLimit() -> [Substring] {
            let limits = (try? String(contentsOfFile: "/proc/\(child.pid)/limits", encoding: .utf8)) ?? ""
            let line = limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") } ?? ""
            return Array(line.split(separator: " ").dropFirst(4).prefix(2))
        }
        #expect(ChildProcess.waitUntil { coreLimit() == ["0", "0"] }, "core limit \(coreLimit())")
        let status = try String(contentsOfFile: "/proc/\(child.pid)/status", encoding: .utf8)
        #expect(status.contains("Uid:\t\(OutputSafetyTests.nobody)\t"), "the child runs as the other user")
        #expect(fileStatus("/proc/\(child.pid)/status")?.st_uid == 0, "not dumpable: /proc/PID is root's")
        #expect(child.finish().status == 0)
    }

    @Test("an --app-id that cannot be an appid is a usage error (64) in every subcommand that takes one")
    func invalidAppID() throws {
        let bad = "wx 1"
        let commands: [[String]] = [
            ["decrypt", "--app-id", bad] + Self.payload,
            ["diagnose", "--app-id", bad] + Self.payload,
            ["decrypt-file", "Fixtures/sample-records.jsonl", "--app-id", bad],
            ["encrypt", "--app-id", bad, "--phone", "13580006666"],
            ["generate", "--records", "1", "--app-id", bad],
        ]
        for arguments in commands {
            let outcome = try WXDecryptRunner.run(arguments, environment: Self.env)
            #expect(outcome.status == 64, "\(arguments[0]): \(outcome.stderr)")
            #expect(outcome.stderr.contains("--app-id: appid must be"), "\(arguments[0])")
            #expect(outcome.stdout.isEmpty)
        }
    }

    @Test("--now or --max-age out of range, huge or fractional: usage error 64, never a trap")
    func unrepresentableClock() throws {
        let cases: [([String], String)] = [
            (["--max-age", "60", "--now", "9223372036854775807"], "--now must be between"),
            (["--max-age", "60", "--now=-9223372036854775808"], "--now must be between"),
            (["--max-age", "60", "--now", "9007199254740993"], "--now must be between"),
            (["--max-age", "60", "--now", "1.5"], "--now"),
            (["--max-age", "9223372036854775808"], "--max-age"),
            (["--max-age", "0.5"], "--max-age"),
        ]
        for (flags, fragment) in cases {
            for command in [["decrypt", "--app-id", CommandTests.appID] + Self.payload,
                            ["decrypt-file", "Fixtures/sample-records.jsonl"]] {
                let outcome = try WXDecryptRunner.run(command + flags, environment: Self.env)
                #expect(outcome.status == 64, "\(command[0]) \(flags): \(outcome.stderr)")
                #expect(outcome.stderr.contains(fragment), "\(flags)")
            }
        }
        let widest = try WXDecryptRunner.run(
            ["decrypt", "--app-id", CommandTests.appID] + Self.payload
                + ["--max-age", "9223372036854775807", "--now", "9007199254740992"], environment: Self.env)
        #expect(widest.status == 0, "the widest accepted values decrypt: \(widest.stderr)")
    }

    /// A pipe whose reader is already gone.
    static func closedPipe() throws -> Pipe {
        let pipe = Pipe()
        try pipe.fileHandleForReading.close()
        return pipe
    }

    @Test("a closed stdout is error[output_failed], exit 74, in every subcommand that prints")
    func closedStandardOutput() throws {
        let commands: [[String]] = [
            ["decrypt", "--app-id", CommandTests.appID] + Self.payload,
            ["diagnose", "--app-id", CommandTests.appID] + Self.payload,
            ["decrypt-file", "Fixtures/sample-records.jsonl", "--app-id", CommandTests.appID],
            ["encrypt", "--app-id", "wx1", "--phone", "13580006666"],
            ["generate", "--records", "3"],
            ["verify-vectors"],
            ["verify-signature", "--signature", "209fbe7aa3d83ad61a1f56e4fe8d84dd1373991c", "--raw-data",
             #"{"nickName":"Band","gender":1}"#],
            ["session-signature"],
        ]
        for arguments in commands {
            let pipe = try Self.closedPipe()
            let child = try ChildProcess(arguments, stdout: pipe.fileHandleForWriting, environment: Self.env)
            try pipe.fileHandleForWriting.close()
            let outcome = child.finish()
            #expect(outcome.reason == .exit && outcome.status == 74, "\(arguments[0]): \(outcome)")
            #expect(outcome.stderr.contains("error[output_failed]: "), "\(arguments[0])")
            #expect(!outcome.stderr.contains(" ok, "), "\(arguments[0]): no summary claims records as ok")
        }
    }

    @Test("after a full disk the summary says how many results were written, never 'N ok'")
    func summaryAfterFailedOutput() throws {
        let full = try WXDecryptRunner.run(
            ["decrypt-file", "Fixtures/sample-records.jsonl", "--app-id", CommandTests.appID, "--output", "/dev/full"])
        #expect(full.status == 74)
        #expect(full.stderr == """
            wxdecrypt: stopped after 9 records; the results of 0 were written before the failure
            error[output_failed]: cannot write output '/dev/full': No space left on device

            """)
        // Some results reach a file on stdout before the size limit stops the rest: the
        // count must be the number of whole lines that are there.
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let path = directory.file("stdout")
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        let input = directory.file("input")
        try Data(String(repeating: "{}\n", count: 100_000).utf8).write(to: URL(fileURLWithPath: input))
        let child = try ChildProcess(
            ["decrypt-file", "-", "--app-id", "wx1", "--jobs", "1"], shellPrefix: "ulimit -f 4096",
            stdin: FileHandle(forReadingAtPath: input), stdout: handle)
        let outcome = child.finish()
        try handle.close()
        #expect(outcome.status == 74, "\(outcome.stderr)")
        let written = try Data(contentsOf: URL(fileURLWithPath: path)).split(separator: 0x0A, omittingEmptySubsequences: false)
            .dropLast().count
        #expect(written > 0 && written < 100_000)
        let summary = try #require(outcome.stderr.split(separator: "\n").first)
        #expect(summary.hasPrefix("wxdecrypt: stopped after ") && !summary.contains(" ok"))
        #expect(summary.hasSuffix("; the results of \(written) were written before the failure"), "\(summary)")
    }

    @Test("a full or closed stderr does not stop a run")
    func unwritableStandardError() throws {
        for arguments in [["decrypt-file", "Fixtures/sample-records.jsonl", "--app-id", CommandTests.appID],
                          ["decrypt", "--app-id", "wx0000000000000000"] + Self.payload] {
            for shellPrefix in ["exec 2>/dev/full", "exec 2>&-"] {
                let child = try ChildProcess(arguments, shellPrefix: shellPrefix, environment: Self.env)
                let outcome = child.finish()
                #expect(outcome.reason == .exit && outcome.status == 1, "\(arguments[0]) \(shellPrefix): \(outcome)")
            }
        }
    }
}
