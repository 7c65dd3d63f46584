import Foundation
import Testing

/// decrypt-file's framing and pipeline through the real binary: line numbers, order and the
/// length limit across chunk boundaries, for any number of workers.
@Suite("wxdecrypt decrypt-file: framing and order across chunks", .serialized)
struct BatchPipelineTests {
    static let maximumLineLength = 1 << 20

    static func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = BatchCommandTests.temporaryPath(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The summary line without its timing: "wxdecrypt: N records, N ok, N failed (…)".
    static func counts(_ stderr: String) -> String {
        stderr.components(separatedBy: ", ").dropLast(2).joined(separator: ", ")
    }

    /// The ids and error messages of the result lines, in order.
    static func results(_ stdout: String) -> [(id: Int?, message: String?)] {
        BatchCommandTests.lines(stdout).map { ($0["id"] as? Int, ($0["error"] as? [String: Any])?["message"] as? String) }
    }

    @Test("ids are line numbers across chunks, blank lines, CRLF and a byte-order mark, for --jobs 1 to 256; --first-line-number shifts them")
    func lineNumbers() throws {
        let made = try WXDecryptRunner.run(["generate", "--records", "4000", "--seed", "9", "--bad-fraction", "0.05"])
        // Records without ids, so that each result's id is its line number.
        let records = made.stdout.split(separator: "\n").map {
            $0.replacingOccurrences(of: #"^\{"id": ?[0-9]+, ?"#, with: "{", options: .regularExpression)
        }
        var lines: [String] = []
        var expected: [Int] = []
        for (index, record) in records.enumerated() {
            if index % 7 == 3 { lines.append(" \t") }
            if index % 11 == 5 {
                lines.append("1")
                expected.append(lines.count)
            }
            lines.append(index % 13 == 0 ? record + "\r" : record)
            expected.append(lines.count)
        }
        let input = try Self.write([0xEF, 0xBB, 0xBF] + Array(lines.joined(separator: "\n").utf8), "numbered.jsonl")
        defer { try? FileManager.default.removeItem(atPath: input) }
        var outputs: Set<String> = [], summaries: Set<String> = []
        for jobs in ["1", "2", "7", "256"] {
            let run = try WXDecryptRunner.run(["decrypt-file", input, "--jobs", jobs])
            #expect(run.status == 1, "\(run.stderr)")
            #expect(Self.results(run.stdout).map(\.id) == expected.map { Optional($0) }, "--jobs \(jobs)")
            outputs.insert(run.stdout)
            summaries.insert(Self.counts(run.stderr))
        }
        #expect(outputs.count == 1 && summaries.count == 1, "every --jobs writes the same bytes and counts")
        #expect(summaries.first?.hasPrefix("wxdecrypt: \(expected.count) records, ") == true, "\(summaries)")
        let garbage = Self.results(outputs.first ?? "").filter { $0.message?.hasSuffix("is not a JSON object") == true }
        #expect(garbage.count > records.count / 11 && garbage.allSatisfy { $0.message == "line \($0.id!): is not a JSON object" })

        // A slice of a file after its first line has no byte-order mark (one there would be part of the line).
        let slice = try Self.write(Array(lines.joined(separator: "\n").utf8), "slice.jsonl")
        defer { try? FileManager.default.removeItem(atPath: slice) }
        let shifted = try WXDecryptRunner.run(["decrypt-file", slice, "--jobs", "2", "--first-line-number", "1000001"])
        let shiftedResults = Self.results(shifted.stdout)
        #expect(shiftedResults.map(\.id) == expected.map { Optional($0 + 1_000_000) })
        #expect(shiftedResults.filter { $0.message?.hasSuffix("is not a JSON object") == true }
            .allSatisfy { $0.message == "line \($0.id!): is not a JSON object" })
        #expect(summaries == [Self.counts(shifted.stderr)])
    }

    @Test("--first-line-number must be a line number")
    func firstLineNumberRange() throws {
        for value in ["0", "-3", "1000000000000001", "x"] {
            let run = try WXDecryptRunner.run(["decrypt-file", "-", "--first-line-number", value], stdin: "")
            #expect(run.status == 64, "\(value): \(run.stderr)")
        }
        let last = try WXDecryptRunner.run(
            ["decrypt-file", "-", "--first-line-number", "1000000000000000"], stdin: "\n\n{}\n")
        #expect(Self.results(last.stdout).map(\.id) == [1_000_000_000_000_002])
    }

    @Test("lines at the length limit, whether the reader or a worker finds them too long, and the lines after them")
    func lengthLimit() throws {
        let good = try WXDecryptRunner.run(
            ["encrypt", "--app-id", "wx1", "--phone", "13580006666", "--random-key", "--timestamp", "1"]).stdout
            .trimmingCharacters(in: .newlines)
        let x = { (count: Int) in String(repeating: "x", count: count) }
        let limit = Self.maximumLineLength
        let lines = [
            good, x(limit) + "\r", good, x(limit + 1), x(limit + 1) + "\r", good, x(3_000_000) + "\r", good,
            x(limit - 10), x(2_000_000),
        ]
        let input = try Self.write(Array(lines.joined(separator: "\n").utf8), "limit.jsonl")
        defer { try? FileManager.default.removeItem(atPath: input) }
        for jobs in ["1", "3"] {
            let run = try WXDecryptRunner.run(["decrypt-file", input, "--app-id", "wx1", "--jobs", jobs])
            let results = Self.results(run.stdout)
            #expect(results.map(\.id) == Array(1...10).map { Optional($0) }, "--jobs \(jobs)")
            #expect(results.map(\.message) == [
                nil, "line 2: is not a JSON object", nil, "line 4: is 1048577 bytes, longer than the limit of 1048576",
                "line 5: is 1048577 bytes, longer than the limit of 1048576", nil,
                "line 7: is 3000000 bytes, longer than the limit of 1048576", nil, "line 9: is not a JSON object",
                "line 10: is 2000000 bytes, longer than the limit of 1048576",
            ], "--jobs \(jobs)")
            #expect(run.stderr.hasPrefix("wxdecrypt: 10 records, 4 ok, 6 failed (invalid_record: 6), "), "\(run.stderr)")
        }
    }

    @Test("an input that cannot be read is exit 66, with the summary of what was written")
    func unreadableInput() throws {
        let directory = FileManager.default.temporaryDirectory.path
        let run = try WXDecryptRunner.run(["decrypt-file", directory])
        #expect(run.status == 66)
        #expect(run.stderr.contains("error[cannot_read_input]: cannot read input '\(directory)': Is a directory"), "\(run.stderr)")
        #expect(run.stderr.contains("wxdecrypt: stopped after 0 records; the results of 0 were written before the failure"))
    }

    @Test("a full disk stops the run at once, even while the input is a pipe that stays open")
    func outputFailsWhileInputWaits() throws {
        let process = Process()
        process.executableURL = WXDecryptRunner.binary
        process.arguments = ["decrypt-file", "-", "--app-id", "wx1", "--jobs", "2", "--output", "/dev/full"]
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardError = errors
        try process.run()
        // Two megabytes of error lines, more than the output buffer holds; then the producer stalls.
        input.fileHandleForWriting.write(Data(String(repeating: "1\n", count: 20_000).utf8))
        var waited = 0
        while process.isRunning && waited < 200 {
            usleep(50_000)
            waited += 1
        }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try input.fileHandleForWriting.close()
        #expect(process.terminationReason == .exit && process.terminationStatus == 74)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(stderr.contains("error[output_failed]: cannot write output '/dev/full'"), "\(stderr)")
    }

    @Test("CSV: formula cells are neutralised, and a profile without openId leaves its cells empty")
    func csvCells() throws {
        let directory = BatchCommandTests.temporaryPath("csv")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func record(nickName: String, id: String) throws -> String {
            let profile = directory + "/profile.json"
            try Data(#"{"nickName":"\#(nickName)","gender":0,"language":"","city":"","province":"","country":"","avatarUrl":""}"#.utf8)
                .write(to: URL(fileURLWithPath: profile))
            let line = try WXDecryptRunner.run(
                ["encrypt", "--app-id", "wx1", "--json", profile, "--random-key", "--timestamp", "1"]).stdout
            return #"{"id":\#(id),"# + line.trimmingCharacters(in: .newlines).dropFirst()
        }
        let nickNames = ["=HYPERLINK(\\\"http://x\\\")", "+1", "-2", "@SUM(A1)", "\\tx", "\\rx", "a;=1+1", "微信用户"]
        var lines: [String] = []
        for nickName in nickNames { lines.append(try record(nickName: nickName, id: #""=cmd|' /C calc'!A0""#)) }
        lines.append(try record(nickName: "微信用户", id: #""p1""#))
        let input = directory + "/in.jsonl"
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: input))
        let run = try WXDecryptRunner.run(["decrypt-file", input, "--app-id", "wx1", "--format", "csv"])
        #expect(run.status == 0, "\(run.stderr)")
        let rows = run.stdout.components(separatedBy: "\r\n")
        #expect(rows.count == nickNames.count + 3 && rows.last == "")
        let cells = [
            #""'=HYPERLINK(""http://x"")""#, #""'+1""#, #""'-2""#, #""'@SUM(A1)""#, "\"'\tx\"", "\"'\rx\"", #""a;=1+1""#, "微信用户",
        ]
        for (row, cell) in zip(rows.dropFirst(), cells) {
            #expect(row == #""'=cmd|' /C calc'!A0",true,,,,,,,"# + cell + ",,,,wx1,1,,", "\(row)")
        }
        #expect(rows[nickNames.count + 1] == "p1,true,,,,,,,微信用户,,,,wx1,1,,", "\(rows[nickNames.count + 1])")
    }
}
