import Foundation
import Testing
@testable import WeChatOpenData

/// The conformance suite and its judge, with answers made in-process by the library's own decryptor.
@Suite("The conformance suite")
struct ConformanceSuiteTests {
    static let suite = ConformanceSuite.builtIn()

    /// The answer a correct decryptor gives: the library's own, with the case's clock when it has one.
    static func answer(_ item: ConformanceCase) -> String {
        do {
            let freshness = item.maximumAge.map { maximumAge in
                let clock = Date(timeIntervalSince1970: TimeInterval(item.now ?? 0))
                return FreshnessPolicy(maximumAge: .seconds(maximumAge), now: { clock })
            }
            let decryptor = try OpenDataDecryptor(appID: item.record.appID ?? "", freshness: freshness)
            let verified = try decryptor.decryptJSON(
                encryptedData: item.record.encryptedData, iv: item.record.iv,
                sessionKey: try SessionKey(base64: item.record.sessionKey))
            return #"{"id":"\#(item.id)","ok":true,"data":\#(verified.jsonString)}"#
        } catch {
            return #"{"id":"\#(item.id)","ok":false,"error":{"code":"\#(error.code)","message":"\#(error.reason)"}}"#
        }
    }

    /// Every case's right answer, but for `replacements` and `dropped`, by case id.
    static func answers(replacing replacements: [String: String] = [:], dropping dropped: Set<String> = []) -> String {
        suite.cases.filter { !dropped.contains($0.id) }.map { (replacements[$0.id] ?? answer($0)) + "\n" }.joined()
    }

    static func run(
        _ output: String, standardError: String = "", termination: ConformanceRun.Termination = .exited(status: 0)
    ) -> ConformanceRun {
        ConformanceRun(
            standardOutput: Array(output.utf8), standardError: Array(standardError.utf8), termination: termination,
            elapsed: .milliseconds(420), timeLimit: .seconds(60))
    }

    static func failing(_ report: ConformanceReport) -> [String] { report.results.filter { !$0.passed }.map(\.check.id) }

    static func byID(_ report: ConformanceReport) -> [String: ConformanceReport.CheckResult] {
        Dictionary(uniqueKeysWithValues: report.results.map { ($0.check.id, $0) })
    }

    @Test("the same seed gives the same cases; another seed other keys for the same cases")
    func deterministic() {
        #expect(ConformanceSuite.builtIn().input == Self.suite.input)
        let other = ConformanceSuite.builtIn(seed: 7)
        #expect(other.checks == Self.suite.checks)
        #expect(other.cases.map(\.id) == Self.suite.cases.map(\.id))
        for (mine, theirs) in zip(Self.suite.cases, other.cases) {
            let fromVectorFile = mine.checkID.hasPrefix("vectors-") || mine.checkID == "accepts-wechat-demo-sample"
            #expect((mine.record == theirs.record) == fromVectorFile, "\(mine.id)")
        }
    }

    @Test("unique ids, every case in a check, every case check with cases, what the issue asks for")
    func shape() throws {
        let suite = Self.suite
        #expect(Set(suite.cases.map(\.id)).count == suite.cases.count)
        #expect(Set(suite.checks.map(\.id)).count == suite.checks.count)
        for item in suite.cases {
            #expect(item.id.hasPrefix(item.checkID + "/"))
            #expect(suite.checks.contains { $0.id == item.checkID && $0.group != .informational })
            #expect((item.now == nil) == (item.maximumAge == nil))
        }
        for check in suite.checks {
            #expect(suite.cases.contains { $0.checkID == check.id } == (check.group != .informational), "\(check.id)")
        }
        let required = Set(suite.checks.filter { $0.group == .required }.map(\.id))
        for id in [
            "accepts-phone-mainland", "accepts-phone-overseas", "accepts-country-code-number", "accepts-userinfo",
            "accepts-userinfo-without-openid", "accepts-emoji-nickname", "accepts-werun", "accepts-share-info",
            "accepts-group-enter", "accepts-wechat-demo-sample", "vectors-accepts", "vectors-rejects",
            "rejects-pad-byte-zero", "rejects-pad-over-16", "rejects-pad-17-to-32", "rejects-pad-inconsistent",
            "rejects-key-15-bytes", "rejects-key-24-bytes", "rejects-key-32-bytes", "rejects-iv-15-bytes",
            "rejects-iv-24-bytes", "rejects-iv-32-bytes", "rejects-empty-iv", "rejects-foreign-appid",
            "rejects-missing-watermark", "rejects-truncated-data", "rejects-data-not-block-multiple",
            "rejects-invalid-json", "rejects-invalid-utf8", "rejects-invalid-base64",
        ] {
            #expect(required.contains(id), "\(id)")
        }
        let recommended = Set(suite.checks.filter { $0.group == .recommended }.map(\.id))
        #expect(recommended.isSuperset(of: [
            "repairs-spaces-as-plus", "repairs-url-safe-alphabet", "repairs-missing-padding", "repairs-line-breaks",
            "freshness-rejects-stale", "freshness-rejects-future",
        ]))
        // The input: one JSON object per case, in order, with the fields of decrypt-file's input.
        let lines = suite.input.split(separator: "\n")
        #expect(lines.count == suite.cases.count)
        for (line, item) in zip(lines, suite.cases) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["id"] as? String == item.id)
            #expect(object["session_key"] as? String == item.record.sessionKey)
            #expect(object["encrypted_data"] as? String == item.record.encryptedData)
            #expect((object["max_age"] as? Int).map(Int64.init) == item.maximumAge)
        }
    }

    @Test("the library's own decryptor agrees with every case")
    func libraryAgrees() {
        let disagreements = Self.suite.cases.filter { item in
            Self.answer(item).contains(#""ok":true"#) != item.expectsAcceptance
        }
        #expect(disagreements.map(\.id) == [])
    }

    @Test("the embedded vectors are Fixtures/vectors.json (after changing it, run Fixtures/embed-vectors.sh)")
    func embeddedVectors() throws {
        let fixture = String(decoding: try Fixtures.data("vectors.json"), as: UTF8.self)
        #expect(EmbeddedVectors.json + "\n" == fixture)
    }

    @Test("Examples/Conformance/README.md names every check")
    func readmeNamesEveryCheck() throws {
        let url = Fixtures.directory.deletingLastPathComponent().appendingPathComponent("Examples/Conformance/README.md")
        let readme = try String(contentsOf: url, encoding: .utf8)
        #expect(Self.suite.checks.map(\.id).filter { !readme.contains("`\($0)`") } == [])
    }

    @Test("right answers, in any order, pass every check")
    func rightAnswers() {
        let shuffled = Self.answers().split(separator: "\n").reversed().map { $0 + "\n" }.joined()
        let report = Self.suite.judge(Self.run(shuffled))
        #expect(report.conforms)
        #expect(Self.failing(report) == [])
        #expect(report.answeredCount == Self.suite.cases.count)
        #expect(report.scoreLine.hasSuffix(": conforms (every required check passed)"))
    }

    @Test("a wrong answer fails exactly its check and names the case and what happened")
    func wrongAnswers() throws {
        let accepted = #"{"id":"rejects-pad-17-to-32/value-17","ok":true,"data":{}}"#
        let emoji = try #require(Self.suite.cases.first { $0.id == "accepts-emoji-nickname/emoji-cjk" })
        let renamed = Self.answer(emoji).replacingOccurrences(of: "小明🐼✨", with: "小明")
        // The same text in another Unicode normal form is not the same nickName.
        let family = try #require(Self.suite.cases.first { $0.id == "accepts-emoji-nickname/family-zwj" })
        let normalised = Self.answer(family).replacingOccurrences(of: "Zoe\u{308}", with: "Zo\u{EB}")
        let rejected = #"{"id":"accepts-werun/31-days","ok":false,"error":{"code":"invalid_payload"}}"#
        let report = Self.suite.judge(
            Self.run(
                Self.answers(replacing: [
                    "rejects-pad-17-to-32/value-17": accepted, emoji.id: renamed, family.id: normalised,
                    "accepts-werun/31-days": rejected,
                ], dropping: ["accepts-share-info/share"])))
        #expect(!report.conforms)
        #expect(
            Self.failing(report) == [
                "accepts-emoji-nickname", "accepts-werun", "accepts-share-info", "rejects-pad-17-to-32", "answers-every-case",
            ])
        let results = Self.byID(report)
        #expect(results["rejects-pad-17-to-32"]?.failedCases == [ConformanceReport.FailedCase(id: "rejects-pad-17-to-32/value-17", got: "accepted")])
        #expect(results["rejects-pad-17-to-32"]?.got == "1/2 right; accepted: value-17")
        #expect(results["accepts-emoji-nickname"]?.got == "0/2 right; wrong fields: emoji-cjk (nickName), family-zwj (nickName)")
        #expect(results["accepts-werun"]?.got == "0/1 right; rejected: 31-days (invalid_payload)")
        #expect(results["accepts-share-info"]?.got == "no answer")
        #expect(results["answers-every-case"]?.got == "\(Self.suite.cases.count - 1) of \(Self.suite.cases.count) answered; 1 unanswered")
    }

    @Test("numbers and strings of the same integer are equal, extra fields are fine, a missing field is not")
    func fieldComparison() throws {
        let phone = try #require(Self.suite.cases.first { $0.id == "accepts-phone-mainland/mobile-a" })
        let numeric = Self.answer(phone).replacingOccurrences(of: #""countryCode":"86""#, with: #""countryCode":86,"extra":[]"#)
        let missing = Self.answer(phone).replacingOccurrences(of: #""purePhoneNumber""#, with: #""purePhone""#)
        #expect(Self.failing(Self.suite.judge(Self.run(Self.answers(replacing: [phone.id: numeric])))) == [])
        let report = Self.suite.judge(Self.run(Self.answers(replacing: [phone.id: missing])))
        #expect(report.results.first { !$0.passed }?.failedCases.map(\.got) == ["wrong fields: purePhoneNumber"])
    }

    @Test("repeated answers, unknown ids and lines that are not answers are counted, not trusted")
    func badLines() {
        let id = "rejects-invalid-json/nan"
        let twice = #"{"id":"\#(id)","ok":false}"# + "\n" + #"{"id":"\#(id)","ok":true,"data":{}}"#
        let output = Self.answers(replacing: [id: twice]) + "Traceback (most recent call last):\n" + #"{"id":"nope","ok":true}"# + "\n"
        let report = Self.suite.judge(Self.run(output))
        #expect(Self.failing(report) == ["rejects-invalid-json", "answers-every-case"])
        let results = Self.byID(report)
        #expect(results["rejects-invalid-json"]?.failedCases.map(\.got) == ["answered 2 times"])
        #expect(results["answers-every-case"]?.got.hasSuffix("answered; 1 answered more than once, 1 lines not an answer, 1 answers with an unknown id") == true)
    }

    @Test("a crash, a time-out or another exit status is informational; unanswered cases are failures")
    func terminations() {
        let full = Self.answers()
        let crashed = Self.suite.judge(Self.run(full, termination: .signalled(signal: 11)))
        #expect(crashed.conforms)
        #expect(Self.failing(crashed) == ["exits-cleanly"])
        #expect(crashed.results.first { $0.check.id == "exits-cleanly" }?.got == "killed by signal 11 (SIGSEGV)")

        let half = full.split(separator: "\n").prefix(40).map { $0 + "\n" }.joined()
        let stopped = Self.suite.judge(Self.run(half, termination: .exited(status: 1)))
        #expect(!stopped.conforms)
        #expect(stopped.results.first { $0.check.id == "exits-cleanly" }?.got == "exit 1 with \(Self.suite.cases.count - 40) cases unanswered")

        let hung = Self.suite.judge(Self.run("", termination: .timedOut))
        #expect(hung.results.filter { $0.check.group == .required }.allSatisfy { !$0.passed && $0.got == "no answer" })
        #expect(hung.results.first { $0.check.id == "finishes-in-time" }?.got == "still running after 60 s")
        #expect(hung.text.hasPrefix("\(Self.suite.cases.count) cases; the command answered 0 and was killed at the time limit after 0.42 s."))
    }

    @Test("a session key in base64 or hex, or a phone number, in an error or on stderr is found")
    func leaks() throws {
        let item = try #require(Self.suite.cases.first { $0.id == "rejects-pad-byte-zero/zero-fill" })
        let key = try #require(Data(base64Encoded: item.record.sessionKey))
        let hex = key.map { String(format: "%02X", $0) }.joined()
        let escaped = item.record.sessionKey.replacingOccurrences(of: "/", with: #"\/"#)
        let phone = try #require(Self.suite.cases.first { $0.id == "accepts-phone-mainland/mobile-b" })
        let number = try #require(phone.leakMarkers.first { $0.kind == .plaintext }?.text)
        for message in ["key \(hex)", "record \(escaped)"] {
            let leaking = #"{"id":"\#(item.id)","ok":false,"error":{"message":"\#(message)"}}"#
            let report = Self.suite.judge(Self.run(Self.answers(replacing: [item.id: leaking])))
            #expect(Self.failing(report) == ["no-key-in-errors"], "\(message)")
            #expect(report.results.first { $0.check.id == "no-key-in-errors" }?.got == "in the answer to \(item.id)")
        }
        let report = Self.suite.judge(Self.run(Self.answers(), standardError: "warning: bad user \(number)\n"))
        #expect(Self.failing(report) == ["no-plaintext-in-errors"])
        #expect(report.results.first { $0.check.id == "no-plaintext-in-errors" }?.got == "in stderr")
    }

    @Test("a vector file adds suite-N checks; what the protocol cannot express is skipped, with the reason")
    func vectorFiles() throws {
        let added = try Self.suite.adding(vectors: Fixtures.vectors, from: "mine.json")
            .adding(vectors: Array(Fixtures.vectors.prefix(3)), from: "more.json")
        let ids = added.checks.map(\.id).filter { $0.hasPrefix("suite-") }
        // Group by group: the required checks of both files before the recommended ones.
        #expect(ids == ["suite-1-accepts", "suite-1-rejects", "suite-2-accepts", "suite-1-repairs", "suite-1-freshness"])
        #expect(added.checks.last?.group == .informational)
        #expect(added.checks.first { $0.id == "suite-1-freshness" }?.group == .recommended)
        let skipped = added.skippedVectors.filter { $0.source == "mine.json" }.map(\.name)
        #expect(skipped == ["neg-data-over-limit", "neg-missing-phone-field", "neg-wrong-type"])
        #expect(added.cases.contains { $0.id == "suite-1-rejects/neg-plaintext-duplicate-key" })
        let report = added.judge(Self.run(added.cases.map { Self.answer($0) + "\n" }.joined()))
        #expect(Self.failing(report) == [])

        let twice = Array(Fixtures.vectors.prefix(2)) + [Fixtures.vectors[0]]
        #expect(throws: OpenDataError.self) { try Self.suite.adding(vectors: twice, from: "twice.json") }
    }

    @Test("the JSON report says what the text report says")
    func jsonAgreesWithText() throws {
        let report = Self.suite.judge(
            Self.run(Self.answers(replacing: ["rejects-empty-iv/key-as-iv": #"{"id":"rejects-empty-iv/key-as-iv","ok":true,"data":{}}"#])))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json.utf8)) as? [String: Any])
        #expect(json["conforms"] as? Bool == false)
        #expect(json["cases"] as? Int == Self.suite.cases.count)
        let checks = try #require(json["checks"] as? [[String: Any]])
        #expect(checks.count == Self.suite.checks.count)
        let rows = report.text.split(separator: "\n")
        for check in checks {
            let id = try #require(check["id"] as? String)
            let row = try #require(rows.first { $0.hasPrefix("  \(id) ") }, "\(id)")
            #expect(row.hasSuffix((check["passed"] as? Bool) == true ? "PASS" : "FAIL"), "\(id)")
        }
        let score = try #require(json["score"] as? [String: [String: Int]])
        #expect(score["required"] == ["passed": report.tally(.required).passed, "total": report.tally(.required).total])
        #expect(report.text.hasSuffix(report.scoreLine + "\n"))
    }
}
