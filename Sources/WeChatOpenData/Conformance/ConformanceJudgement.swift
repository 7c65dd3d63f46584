/// Turns a run into a report: each case's answer against its expectation, then each check.
struct ConformanceJudgement {
    let suite: ConformanceSuite
    let run: ConformanceRun
    let sheet: AnswerSheet

    init(suite: ConformanceSuite, run: ConformanceRun) {
        self.suite = suite
        self.run = run
        sheet = AnswerSheet(output: run.standardOutput, cases: suite.cases)
    }

    func report() -> ConformanceReport {
        var byCheck: [String: [Int]] = [:]
        for (index, item) in suite.cases.enumerated() { byCheck[item.checkID, default: []].append(index) }
        let caseResults = suite.caseChecks.map { check in result(check, caseIndices: byCheck[check.id] ?? []) }
        return ConformanceReport(
            results: caseResults + informationalResults(), caseCount: suite.cases.count, answeredCount: sheet.answeredCount,
            termination: run.termination, elapsed: run.elapsed, skippedVectors: suite.skippedVectors)
    }

    // MARK: Cases

    /// What went wrong with a case: what happened, and a detail for the summary line.
    private struct CaseFailure {
        let kind: String
        var detail: String?
        /// The text for the case alone: `rejected (invalid_payload)`, `wrong fields: nickName`, `no answer`.
        let text: String

        init(_ kind: String, detail: String? = nil, text: String? = nil) {
            self.kind = kind
            self.detail = detail
            self.text = text ?? kind
        }
    }

    /// What went wrong with one case, or `nil` when its answer is right.
    private func failure(of index: Int) -> CaseFailure? {
        let item = suite.cases[index]
        let answers = sheet.answers[index]
        guard let answer = answers.first else { return CaseFailure("no answer") }
        guard answers.count == 1 else { return CaseFailure("answered \(answers.count) times") }
        switch (item.expectation, answer.ok) {
        case (.reject, false): return nil
        case (.reject, true): return CaseFailure("accepted")
        case (.accept, false):
            return CaseFailure("rejected", detail: answer.errorCode, text: answer.errorCode.map { "rejected (\($0))" })
        case (.accept(let plaintext), true):
            guard let data = answer.data else { return CaseFailure("accepted without a data object") }
            // A plaintext that is not one JSON object (only a vector file could have one) is judged on `ok` alone.
            guard let expected = JSONLeaves(object: plaintext) else { return nil }
            let paths = data.differences(from: expected).joined(separator: ", ")
            return paths.isEmpty ? nil : CaseFailure("wrong fields", detail: paths, text: "wrong fields: " + paths)
        }
    }

    private func result(_ check: ConformanceCheck, caseIndices: [Int]) -> ConformanceReport.CheckResult {
        let cases = caseIndices.map { suite.cases[$0] }
        let accepting = cases.filter(\.expectsAcceptance).count
        let expected =
            accepting == cases.count ? "accept" : accepting == 0 ? "reject" : "accept \(accepting), reject \(cases.count - accepting)"
        let failures = caseIndices.compactMap { index in failure(of: index).map { (suite.cases[index], $0) } }
        let got: String
        if failures.isEmpty {
            let verb = accepting == cases.count ? "accepted" : accepting == 0 ? "rejected" : "as expected"
            got = "\(verb) \(cases.count)/\(cases.count)"
        } else if failures.count == cases.count, failures.allSatisfy({ $0.1.kind == "no answer" }) {
            got = "no answer"
        } else {
            got = "\(cases.count - failures.count)/\(cases.count) right; " + Self.summarise(failures)
        }
        return ConformanceReport.CheckResult(
            check: check, expected: expected, got: got, passed: failures.isEmpty,
            failedCases: failures.map { ConformanceReport.FailedCase(id: $0.0.id, got: $0.1.text) })
    }

    /// `accepted: a, b; rejected: c (invalid_payload)`: failures grouped by what happened, in order of first appearance.
    private static func summarise(_ failures: [(ConformanceCase, CaseFailure)]) -> String {
        var order: [String] = []
        var labels: [String: [String]] = [:]
        for (item, failure) in failures {
            if labels[failure.kind] == nil { order.append(failure.kind) }
            labels[failure.kind, default: []].append(failure.detail.map { "\(item.label) (\($0))" } ?? item.label)
        }
        return order.map { "\($0): " + labels[$0]!.joined(separator: ", ") }.joined(separator: "; ")
    }

    // MARK: Informational

    private func informationalResults() -> [ConformanceReport.CheckResult] {
        let unanswered = suite.cases.count - sheet.answeredCount
        let exit: (got: String, passed: Bool)
        switch run.termination {
        case .exited(let status) where status == 0 || (status == 1 && unanswered == 0): exit = ("exit \(status)", true)
        case .exited(let status) where status == 1: exit = ("exit 1 with \(unanswered) cases unanswered", false)
        case .exited(let status): exit = ("exit \(status)", false)
        case .signalled(let signal): exit = ("killed by \(Self.signalName(signal))", false)
        case .timedOut: exit = ("killed at the time limit", false)
        case .outputLimitExceeded: exit = ("killed for writing too much output", false)
        }
        let limit = ConformanceReport.seconds(run.timeLimit)
        let timedOut = run.termination == .timedOut
        let leaks = LeakScan(suite: suite, sheet: sheet, standardError: run.standardError)
        let keyLeak = leaks.describe(.sessionKey)
        let plaintextLeak = leaks.describe(.plaintext)
        return [
            informational("exits-cleanly", expected: "exit 0 or 1", got: exit.got, passed: exit.passed),
            informational(
                "finishes-in-time", expected: "within \(limit)",
                got: timedOut ? "still running after \(limit)" : ConformanceReport.seconds(run.elapsed), passed: !timedOut),
            answersEveryCase(),
            informational("no-key-in-errors", expected: "none", got: keyLeak ?? "none", passed: keyLeak == nil),
            informational("no-plaintext-in-errors", expected: "none", got: plaintextLeak ?? "none", passed: plaintextLeak == nil),
        ]
    }

    private func informational(_ id: String, expected: String, got: String, passed: Bool) -> ConformanceReport.CheckResult {
        let check = ConformanceSuite.informationalChecks.first { $0.id == id }!
        return ConformanceReport.CheckResult(check: check, expected: expected, got: got, passed: passed, failedCases: [])
    }

    private func answersEveryCase() -> ConformanceReport.CheckResult {
        let total = suite.cases.count
        var problems: [String] = []
        if sheet.answeredCount < total { problems.append("\(total - sheet.answeredCount) unanswered") }
        if sheet.repeatedCount > 0 { problems.append("\(sheet.repeatedCount) answered more than once") }
        if sheet.malformedLines > 0 { problems.append("\(sheet.malformedLines) lines not an answer") }
        if sheet.unknownIDs > 0 { problems.append("\(sheet.unknownIDs) answers with an unknown id") }
        let got = problems.isEmpty ? "\(total) answers" : "\(sheet.answeredCount) of \(total) answered; " + problems.joined(separator: ", ")
        return informational("answers-every-case", expected: "\(total) answers", got: got, passed: problems.isEmpty)
    }

    private static func signalName(_ signal: Int32) -> String {
        let names: [Int32: String] = [
            4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 8: "SIGFPE", 9: "SIGKILL", 11: "SIGSEGV", 13: "SIGPIPE", 15: "SIGTERM",
        ]
        return names[signal].map { "signal \(signal) (\($0))" } ?? "signal \(signal)"
    }
}
