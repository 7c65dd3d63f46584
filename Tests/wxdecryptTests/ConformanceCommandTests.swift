import Foundation
import Testing

/// `wxdecrypt conformance` through the real binary, against real commands: decrypt-file, the
/// Node.js adapters of Examples/Conformance, and commands that crash, hang or say nothing.
@Suite("wxdecrypt conformance", .serialized)
struct ConformanceCommandTests {
    static let strictNode = ["node", "Examples/Conformance/node/adapter.mjs"]
    static let lenientNode = ["node", "Examples/Conformance/node/lenient-adapter.mjs"]

    static func conformance(_ options: [String], _ command: [String]) throws -> WXDecryptRunner.Outcome {
        try WXDecryptRunner.run(["conformance"] + options + ["--"] + command)
    }

    struct Report {
        let json: [String: Any]
        let checks: [[String: Any]]

        init(_ outcome: WXDecryptRunner.Outcome) throws {
            json = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
            checks = try #require(json["checks"] as? [[String: Any]])
        }

        func failing(in groups: Set<String> = ["required", "recommended", "informational"]) -> [String] {
            checks.filter { $0["passed"] as? Bool == false && groups.contains($0["group"] as? String ?? "") }
                .compactMap { $0["id"] as? String }
        }

        func got(_ id: String) -> String? { checks.first { $0["id"] as? String == id }?["got"] as? String }
    }

    @Test("decrypt-file - passes every required check; with the records' own clocks, every check")
    func decryptFile() throws {
        let outcome = try Self.conformance(["--json"], [WXDecryptRunner.binary.path, "decrypt-file", "-"])
        let report = try Report(outcome)
        #expect(report.failing(in: ["required"]) == [])
        #expect(report.json["conforms"] as? Bool == true)
        #expect(outcome.status == 0)
        // decrypt-file exits 1 because the suite's negative records fail: a clean exit all the same.
        #expect(report.got("exits-cleanly") == "exit 1")
        #expect(report.failing(in: ["informational"]) == [])
        // One clock for the whole run cannot judge cases that each carry their own.
        #expect(report.failing(in: ["recommended"]) == ["freshness-rejects-stale", "freshness-rejects-future", "vectors-freshness"])

        let own = try Self.conformance(
            ["--json"], [WXDecryptRunner.binary.path, "decrypt-file", "-", "--freshness-from-records"])
        let ownReport = try Report(own)
        #expect(ownReport.failing(in: ["required", "recommended", "informational"]) == [])
        #expect(own.status == 0)
    }

    @Test("--freshness-from-records excludes --max-age")
    func freshnessFromRecordsExcludesMaxAge() throws {
        let outcome = try WXDecryptRunner.run(["decrypt-file", "-", "--freshness-from-records", "--max-age", "60"], stdin: "")
        #expect(outcome.status == 64 && outcome.stderr.contains("--freshness-from-records excludes --max-age"))
    }

    @Test("the strict Node.js adapter passes every check")
    func strictAdapter() throws {
        let outcome = try Self.conformance([], Self.strictNode)
        #expect(outcome.status == 0)
        #expect(outcome.stdout.contains("\nRequired\n") && outcome.stdout.contains("\nInformational\n"))
        #expect(!outcome.stdout.contains("FAIL"))
        #expect(outcome.stdout.hasSuffix(": conforms (every required check passed)\n"))
        #expect(outcome.stderr.isEmpty)
    }

    @Test("the lenient adapter fails exactly the checks its bugs should, the JSON and the table agree, no secret is repeated")
    func lenientAdapter() throws {
        let listed = try String(
            contentsOf: WXDecryptRunner.packageRoot.appendingPathComponent("Examples/Conformance/node/lenient-adapter.failures"),
            encoding: .utf8)
        let expected = listed.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
        #expect(expected.count == 23)

        let json = try Self.conformance(["--json"], Self.lenientNode)
        #expect(json.status == 1)
        let report = try Report(json)
        #expect(report.failing() == expected)
        #expect(report.json["conforms"] as? Bool == false)

        let text = try Self.conformance([], Self.lenientNode)
        #expect(text.status == 1)
        let rows = text.stdout.split(separator: "\n")
        for check in report.checks {
            let id = try #require(check["id"] as? String)
            let row = try #require(rows.first { $0.hasPrefix("  \(id) ") }, "no row for \(id)")
            #expect(row.hasSuffix(check["passed"] as? Bool == true ? "PASS" : "FAIL"), "\(row)")
            #expect(row.contains(check["expected"] as? String ?? "?"), "\(row)")
        }
        let score = try #require(report.json["score"] as? [String: [String: Int]])
        let tallies = try ["required", "recommended", "informational"].map { group in
            let tally = try #require(score[group])
            return "\(group) \(tally["passed"]!)/\(tally["total"]!)"
        }
        let requiredFailures = report.failing(in: ["required"]).count
        #expect(text.stdout.hasSuffix(
            "Score: \(tallies.joined(separator: ", ")): does not conform (\(requiredFailures) required checks failed)\n"))

        // The adapter leaks keys and plaintext in its errors; the report says where, never what.
        let cases = try WXDecryptRunner.run(["conformance", "--print-cases"]).stdout.split(separator: "\n")
        let keys = try cases.map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])["session_key"] as? String ?? ""
        }
        #expect(report.got("no-key-in-errors")?.hasPrefix("in ") == true)
        for key in keys where key.count >= 16 {
            #expect(!text.stdout.contains(key) && !json.stdout.contains(key))
        }
    }

    @Test("a command that crashes after three answers: a clear report, the rest are failures")
    func crash() throws {
        let script = """
            let answered = 0;
            require('readline').createInterface({ input: process.stdin }).on('line', (line) => {
              process.stdout.write(JSON.stringify({ id: JSON.parse(line).id, ok: false }) + '\\n');
              if (++answered === 3) process.kill(process.pid, 'SIGSEGV');
            });
            """
        let outcome = try Self.conformance(["--json"], ["node", "-e", script])
        #expect(outcome.status == 1)
        let report = try Report(outcome)
        #expect(report.json["answered"] as? Int == 3)
        #expect((report.json["command"] as? [String: Any])?["signal"] as? Int == 11)
        #expect(report.got("exits-cleanly") == "killed by signal 11 (SIGSEGV)")
        #expect(report.got("accepts-werun") == "no answer")
        #expect(report.failing(in: ["informational"]) == ["exits-cleanly", "answers-every-case"])

        let text = try Self.conformance([], ["node", "-e", script])
        #expect(text.stdout.contains(" cases; the command answered 3 and was killed by signal 11 after "))
    }

    @Test("a command that hangs is killed at --timeout, with what it started")
    func hang() throws {
        // The background sleep holds the output pipe open: only killing the process group ends it.
        let marker = "37.\(Int.random(in: 100...999))"
        for command in [["sh", "-c", "sleep \(marker) & cat >/dev/null; wait"], ["sleep", "30"]] {
            let started = Date()
            let outcome = try Self.conformance(["--timeout", "1", "--json"], command)
            #expect(Date().timeIntervalSince(started) < 15, "\(command)")
            #expect(outcome.status == 1)
            let report = try Report(outcome)
            #expect(report.got("finishes-in-time") == "still running after 1 s")
            #expect(report.got("exits-cleanly") == "killed at the time limit")
            #expect((report.json["command"] as? [String: Any])?["ended"] as? String == "timed_out")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: "/proc").filter { entry in
            guard entry.allSatisfy(\.isNumber), let arguments = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline")
            else { return false }
            return String(decoding: arguments, as: UTF8.self).contains(marker)
        }
        #expect(leftovers == [])
    }

    @Test("a silent command, and one that exits without reading: every case unanswered")
    func silent() throws {
        for command in [["sh", "-c", "cat >/dev/null"], ["true"]] {
            let outcome = try Self.conformance(["--json"], command)
            #expect(outcome.status == 1, "\(command)")
            let report = try Report(outcome)
            #expect(report.json["answered"] as? Int == 0)
            #expect(report.got("exits-cleanly") == "exit 0")
            #expect(report.failing(in: ["informational"]) == ["answers-every-case"])
            #expect(report.checks.filter { $0["group"] as? String == "required" }.allSatisfy { $0["got"] as? String == "no answer" })
        }
    }

    @Test("usage errors exit 64; a missing suite file 66; a command that cannot start 1")
    func usageErrors() throws {
        let notVectors = FileManager.default.temporaryDirectory.appendingPathComponent("wx-\(UUID().uuidString).json")
        try Data(#"{"cases": []}"#.utf8).write(to: notVectors)
        defer { try? FileManager.default.removeItem(at: notVectors) }
        let cases: [([String], Int32, String)] = [
            (["conformance"], 64, "Pass the command to test after --"),
            (["conformance", "node", "adapter.mjs"], 64, "Pass the command to test after --"),
            (["conformance", "--timeout", "0", "--", "true"], 64, "--timeout must be more than 0"),
            (["conformance", "--timeout", "soon", "--", "true"], 64, "--timeout"),
            (["conformance", "--print-cases", "--", "true"], 64, "--print-cases runs no command"),
            (["conformance", "--suite", notVectors.path, "--", "true"], 64, "error[invalid_vector_file]: "),
            (["conformance", "--suite", "/nonexistent/vectors.json", "--", "true"], 66, "error[cannot_open_input]: "),
            (["conformance", "--", "/nonexistent/adapter"], 1, "error[cannot_start_command]: cannot start '/nonexistent/adapter'"),
        ]
        for (arguments, status, message) in cases {
            let outcome = try WXDecryptRunner.run(arguments)
            #expect(outcome.status == status, "\(arguments)")
            #expect(outcome.stderr.contains(message), "\(arguments): \(outcome.stderr)")
            #expect(outcome.stdout.isEmpty, "\(arguments)")
        }
    }

    @Test("--print-cases writes the same input every time; --suite adds required checks of the file")
    func printCasesAndSuiteFiles() throws {
        let first = try WXDecryptRunner.run(["conformance", "--print-cases"])
        #expect(first.status == 0)
        #expect(try WXDecryptRunner.run(["conformance", "--print-cases"]).stdout == first.stdout)
        let lines = first.stdout.split(separator: "\n")
        #expect(lines.count > 100)
        let freshness = lines.filter { $0.contains(#""max_age":"#) }
        #expect(!freshness.isEmpty && freshness.allSatisfy { $0.contains(#""now":"#) && $0.contains("freshness") })

        // A vector file of one good vector and one whose expectation is wrong: the adapter is right to refuse it.
        let url = WXDecryptRunner.packageRoot.appendingPathComponent("Fixtures/vectors.json")
        let fixture = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let vectors = try #require(fixture["vectors"] as? [[String: Any]])
        var good = try #require(vectors.first { $0["name"] as? String == "phone-mainland" })
        good["name"] = "mine-good"
        var wrong = good
        wrong["name"] = "mine-wrong-appid"
        wrong["appid"] = "wx0000000000000000"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("wx-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: ["vectors": [good, wrong]]).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let outcome = try Self.conformance(["--suite", file.path, "--json"], Self.strictNode)
        #expect(outcome.status == 1)
        let report = try Report(outcome)
        #expect(report.failing() == ["suite-1-accepts"])
        #expect(report.got("suite-1-accepts") == "1/2 right; rejected: mine-wrong-appid (appid_mismatch)")
    }
}
