import Foundation
import Testing

/// decrypt-file and generate, through the real binary.
@Suite("wxdecrypt decrypt-file and generate", .serialized)
struct BatchCommandTests {
    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("wx-\(UUID().uuidString)-\(name)").path
    }

    static func lines(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    @Test("the sample file: one result per record, in order, summary on stderr, exit 1 for failed records")
    func sample() throws {
        let outcome = try WXDecryptRunner.run(
            ["decrypt-file", "Fixtures/sample-records.jsonl", "--app-id", "wx4f4bc4dec97d474b"])
        #expect(outcome.status == 1)
        let results = Self.lines(outcome.stdout)
        #expect(results.map { $0["id"] as? String } == [
            "wechat-demo-userinfo", "phone-mainland", "phone-overseas-numeric-country-code", "werun-30-days",
            "share-info", "group-enter-group-chat", "neg-stale-session-key", "neg-iv-12-bytes", "not-a-record",
        ])
        #expect(results.map { $0["ok"] as? Bool } == [true, true, true, true, true, true, false, false, false])
        let codes = results.compactMap { ($0["error"] as? [String: Any])?["code"] as? String }
        #expect(codes == ["decryption_failed", "invalid_iv", "invalid_record"])
        #expect(outcome.stderr.hasPrefix("wxdecrypt: 9 records, 6 ok, 3 failed (decryption_failed: 1, invalid_iv: 1, invalid_record: 1), "))
        #expect(!outcome.stdout.contains("tiihtNczf5v6AKRyjwEUhQ") && !outcome.stderr.contains("tiihtNczf5v6AKRyjwEUhQ"))
    }

    @Test("generate is deterministic for a seed, and --jobs 4 keeps input order with the counts generate made")
    func generatedInOrder() throws {
        let input = Self.temporaryPath("records.jsonl")
        defer { try? FileManager.default.removeItem(atPath: input) }
        let made = try WXDecryptRunner.run(
            ["generate", "--records", "3000", "--seed", "42", "--bad-fraction", "0.1", "--output", input])
        #expect(made.status == 0)
        let again = try WXDecryptRunner.run(["generate", "--records", "3000", "--seed", "42", "--bad-fraction", "0.1"])
        #expect(again.stdout == (try String(contentsOfFile: input, encoding: .utf8)))
        let other = try WXDecryptRunner.run(["generate", "--records", "3000", "--seed", "43", "--bad-fraction", "0.1"])
        #expect(other.stdout != again.stdout)
        // "wxdecrypt: generated 3000 records, X ok, Y broken (…)" vs "wxdecrypt: 3000 records, X ok, Y failed (…), …"
        let madeCounts = made.stderr.replacingOccurrences(of: "generated ", with: "").replacingOccurrences(of: " broken", with: " failed")
            .trimmingCharacters(in: .newlines)
        for jobs in ["1", "4"] {
            let output = Self.temporaryPath("out.jsonl")
            defer { try? FileManager.default.removeItem(atPath: output) }
            let run = try WXDecryptRunner.run(["decrypt-file", input, "--jobs", jobs, "--output", output])
            #expect(run.status == 1)
            #expect(run.stdout.isEmpty)
            #expect(run.stderr.hasPrefix(madeCounts + ", "), "\(run.stderr) vs \(madeCounts)")
            let results = Self.lines(try String(contentsOfFile: output, encoding: .utf8))
            #expect(results.map { $0["id"] as? Int } == Array(1...3000).map { Optional($0) })
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)
                .filter { $0.contains("wxdecrypt-") && $0.hasSuffix(".tmp") }
            #expect(leftovers.isEmpty)
        }
    }

    @Test("bad lines in the middle, blank lines, CRLF, camelCase keys and an over-long line")
    func messyInput() throws {
        let good = try WXDecryptRunner.run(
            ["encrypt", "--app-id", "wx1", "--phone", "13580006666", "--random-key", "--timestamp", "1"]).stdout
            .trimmingCharacters(in: .newlines)
        let camel = good.replacingOccurrences(of: "session_key", with: "sessionKey")
            .replacingOccurrences(of: "encrypted_data", with: "encryptedData")
        let input = [good, "not json", "", "   ", camel + "\r", #"{"id":[1,"x"],"iv":"a"}"#,
                     #"{"id":"x","session_key":"a","iv":"b","encrypted_data":"c"}"#,
                     String(repeating: "x", count: (1 << 20) + 10), good].joined(separator: "\n")
        let outcome = try WXDecryptRunner.run(["decrypt-file", "-", "--jobs", "2", "--app-id", "wx1"], stdin: input)
        let results = Self.lines(outcome.stdout)
        #expect(results.count == 7)
        #expect(results.map { $0["ok"] as? Bool } == [true, false, true, false, false, false, true])
        #expect(results[1]["id"] as? Int == 2)
        #expect((results[1]["error"] as? [String: Any])?["message"] as? String == "line 2: is not a JSON object")
        #expect(results[3]["id"] as? [Any] != nil, "any JSON value is an id")
        #expect(((results[4]["error"] as? [String: Any])?["code"] as? String) == "invalid_session_key")
        #expect(((results[5]["error"] as? [String: Any])?["message"] as? String)?.hasPrefix("line 8: is 1048586 bytes") == true)
        #expect(outcome.status == 1)
    }

    @Test("CSV output with quoting")
    func csv() throws {
        let outcome = try WXDecryptRunner.run(
            ["decrypt-file", "Fixtures/sample-records.jsonl", "--app-id", "wx4f4bc4dec97d474b", "--format", "csv", "--mask"])
        let rows = outcome.stdout.components(separatedBy: "\r\n")
        #expect(rows[0].hasPrefix("id,ok,code,phoneNumber,purePhoneNumber,countryCode,openId"))
        #expect(rows[2].hasPrefix("phone-mainland,true,,135****6666,135****6666,86,"))
        #expect(rows[7].hasPrefix("neg-stale-session-key,false,decryption_failed,") && rows[7].contains("\"the data did not decrypt"))
        #expect(rows.count == 11 && rows[10].isEmpty)
    }

    @Test("/dev/full as output: exit 74 and a clear message")
    func fullDisk() throws {
        let outcome = try WXDecryptRunner.run(
            ["decrypt-file", "Fixtures/sample-records.jsonl", "--app-id", "wx4f4bc4dec97d474b", "--output", "/dev/full"])
        #expect(outcome.status == 74)
        #expect(outcome.stderr.contains("error[output_failed]: cannot write output '/dev/full'"))
    }

    @Test("a device as --output is written directly and never replaced")
    func deviceOutput() throws {
        let outcome = try WXDecryptRunner.run(
            ["decrypt-file", "Fixtures/sample-records.jsonl", "--app-id", "wx4f4bc4dec97d474b", "--output", "/dev/null"])
        #expect(outcome.status == 1 && outcome.stdout.isEmpty)
        #expect(outcome.stderr.hasPrefix("wxdecrypt: 9 records, 6 ok, 3 failed"))
        var info = stat()
        #expect(stat("/dev/null", &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR)
    }

    @Test("input and output errors: 66 for a missing input, 74 for an unwritable directory, 64 for bad flags")
    func fileErrors() throws {
        #expect(try WXDecryptRunner.run(["decrypt-file", "/nonexistent.jsonl"]).status == 66)
        let unwritable = try WXDecryptRunner.run(
            ["decrypt-file", "Fixtures/sample-records.jsonl", "--output", "/nonexistent-dir/out.jsonl"])
        #expect(unwritable.status == 74)
        #expect(try WXDecryptRunner.run(["decrypt-file", "-", "--format", "xml"]).status == 64)
        #expect(try WXDecryptRunner.run(["decrypt-file", "-", "--jobs", "0"]).status == 64)
    }

    @Test("SIGTERM or SIGINT in the middle of a run leaves neither the target nor a temporary file",
          arguments: [SIGTERM, SIGINT])
    func interrupted(signal: Int32) throws {
        let directory = Self.temporaryPath("dir")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let target = directory + "/out.jsonl"
        let process = Process()
        process.executableURL = WXDecryptRunner.binary
        process.arguments = ["decrypt-file", "-", "--app-id", "wx1", "--output", target]
        let input = Pipe()
        process.standardInput = input
        process.standardError = Pipe()
        try process.run()
        // Keep the input open so the run is in progress, then stop it.
        input.fileHandleForWriting.write(Data(String(repeating: "{}\n", count: 5000).utf8))
        #expect(ChildProcess.waitUntil { openFile(of: process.processIdentifier, in: directory) != nil }, "the output file is open")
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == signal)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }

    @Test("100,000 records with 10% broken: one result per record, in order, counts as generate made them")
    func hundredThousand() throws {
        let input = Self.temporaryPath("100k.jsonl"), output = Self.temporaryPath("100k.out")
        defer {
            try? FileManager.default.removeItem(atPath: input)
            try? FileManager.default.removeItem(atPath: output)
        }
        let made = try WXDecryptRunner.run(
            ["generate", "--records", "100000", "--seed", "5", "--bad-fraction", "0.1", "--output", input])
        let run = try WXDecryptRunner.run(["decrypt-file", input, "--jobs", "2", "--output", output])
        let expected = made.stderr.replacingOccurrences(of: "generated ", with: "")
            .replacingOccurrences(of: " broken", with: " failed").trimmingCharacters(in: .newlines)
        #expect(run.stderr.hasPrefix(expected + ", "), "\(run.stderr) vs \(expected)")
        let text = try String(contentsOfFile: output, encoding: .utf8)
        var expectedID = 1
        var inOrder = true
        for line in text.split(separator: "\n") {
            // Every line starts with its id: {"id":N,
            if !line.hasPrefix(#"{"id":\#(expectedID),"#) { inOrder = false }
            expectedID += 1
        }
        #expect(inOrder && expectedID == 100_001)
    }

    @Test("truncated last line, a 10 MB line, only blank lines, a binary file: per-record errors, no crash")
    func hostileFiles() throws {
        let good = try WXDecryptRunner.run(
            ["encrypt", "--app-id", "wx1", "--phone", "13580006666", "--random-key", "--timestamp", "1"]).stdout
            .trimmingCharacters(in: .newlines)
        let cases: [(String, [UInt8], [String])] = [
            ("truncated", Array((good + "\n" + good.prefix(good.count / 2)).utf8), ["ok", "invalid_record"]),
            ("10 MB line", Array((good + "\n" + String(repeating: "A", count: 10_000_000) + "\n" + good + "\n").utf8),
             ["ok", "invalid_record", "ok"]),
            ("blank lines", Array(String(repeating: " \r\n\n\t\n", count: 1000).utf8), []),
            ("binary", (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }, nil),
        ].map { ($0.0, $0.1, $0.2 ?? []) }
        for (name, bytes, expected) in cases {
            let path = Self.temporaryPath(name)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let run = try WXDecryptRunner.run(["decrypt-file", path, "--app-id", "wx1", "--jobs", "2"])
            #expect(run.status == 0 || run.status == 1, "\(name): \(run.stderr)")
            let results = run.stdout.split(separator: "\n").map {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            #expect(!results.contains { $0 == nil }, "\(name): every output line is JSON")
            if name == "binary" {
                #expect(results.allSatisfy { ($0?["error"] as? [String: Any])?["code"] as? String == "invalid_record" })
                #expect(!results.isEmpty)
            } else {
                let codes = results.map { ($0?["ok"] as? Bool == true) ? "ok" : (($0?["error"] as? [String: Any])?["code"] as? String ?? "?") }
                #expect(codes == expected, "\(name)")
            }
        }
    }
}
