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

    /// What went wrong with one case, or `nil` when its answer is right.
    private func failure(of index: Int) -> String? {
        let item = suite.cases[index]
        let answers = sheet.answers[index]
        guard let answer = answers.first else { return "no answer" }
        guard answers.count == 1 else { return "answered \(answers.count) times" }
        switch (item.expectation, answer.ok) {
        case (.reject, false): return nil
        case (.reject, true): return "accepted"
        case (.accept, false): return answer.errorCode.map { "rejected (\($0))" } ?? "rejected"
        case (.accept(let plaintext), true):
            guard let data = answer.data else { return "accepted without a data object" }
            // A plaintext that is not one JSON object (only a vector file could have one) is judged on `ok` alone.
            guard let expected = JSONLeaves(object: plaintext) else { return nil }
            let differences = data.differences(from: expected)
            return differences.isEmpty ? nil : "wrong fields: " + differences.joined(separator: ", ")
        }
    }

    private func result(_ check: ConformanceCheck, caseIndices: [Int]) -> ConformanceReport.CheckResult {
        let cases = caseIndices.map { suite.cases[$0] }
        let accepting = cases.filter(\.expectsAcceptance).count
        let expected =
            accepting == cases.count ? "accept" : accepting == 0 ? "reject" : "accept \(accepting), reject \(cases.count - accepting)"
        let failures = caseIndices.compactMap { index in
            failure(of: index).map { ConformanceReport.FailedCase(id: suite.cases[index].id, got: $0) }
        }
        let got: String
        if failures.isEmpty {
            let verb = accepting == cases.count ? "accepted" : accepting == 0 ? "rejected" : "as expected"
            got = "\(verb) \(cases.count)/\(cases.count)"
        } else if failures.count == cases.count, failures.allSatisfy({ $0.got == "no answer" }) {
            got = "no answer"
        } else {
            got = "\(cases.count - failures.count)/\(cases.count) right; " + Self.summarise(failures)
        }
        return ConformanceReport.CheckResult(
            check: check, expected: expected, got: got, passed: failures.isEmpty, failedCases: failures)
    }

    /// `accepted: a, b; no answer: c`: failures grouped by what happened, in order of first appearance.
    private static func summarise(_ failures: [ConformanceReport.FailedCase]) -> String {
        var order: [String] = []
        var labels: [String: [String]] = [:]
        for failure in failures {
            let label = failure.id.split(separator: "/").last.map(String.init) ?? failure.id
            let (kind, detail) = failure.got.splitDetail()
            if labels[kind] == nil { order.append(kind) }
            labels[kind, default: []].append(detail.map { "\(label) (\($0))" } ?? label)
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

extension String {
    /// `rejected (invalid_payload)` → (`rejected`, `invalid_payload`); `wrong fields: a, b` → (`wrong fields`, `a, b`).
    fileprivate func splitDetail() -> (String, String?) {
        if hasSuffix(")"), let open = lastIndex(of: "(") {
            return (String(self[..<open]).trimmingWhitespace(), String(self[index(after: open)..<index(before: endIndex)]))
        }
        if let colon = firstIndex(of: ":") {
            return (String(self[..<colon]), String(self[index(after: colon)...]).trimmingWhitespace())
        }
        return (self, nil)
    }
}

/// Where a session key or a plaintext identifier shows up in what the command wrote: stderr,
/// rejecting answers, and output lines that are not answers.
struct LeakScan {
    private struct Places {
        var standardError = false
        var answers: [String] = []
        var otherLines = 0
    }

    private var places: [LeakMarker.Kind: Places] = [:]

    init(suite: ConformanceSuite, sheet: AnswerSheet, standardError: [UInt8]) {
        let everyMarker = Set(suite.cases.flatMap(\.leakMarkers))
        func kinds(in text: String, markers: some Sequence<LeakMarker>) -> Set<LeakMarker.Kind> {
            let text = text.replacing("\\/", with: "/")
            let lowercased = text.lowercased()
            return Set(markers.filter { $0.isFound(in: text, lowercased: lowercased) }.map(\.kind))
        }
        for kind in kinds(in: String(decoding: standardError, as: UTF8.self), markers: everyMarker) {
            places[kind, default: Places()].standardError = true
        }
        for (text, caseIndex) in sheet.errorTexts {
            for kind in kinds(in: text, markers: caseIndex.map { suite.cases[$0].leakMarkers } ?? Array(everyMarker)) {
                if let caseIndex {
                    places[kind, default: Places()].answers.append(suite.cases[caseIndex].id)
                } else {
                    places[kind, default: Places()].otherLines += 1
                }
            }
        }
    }

    /// `in stderr, 35 answers (first: rejects-…/…)`, or `nil` when markers of `kind` were nowhere.
    func describe(_ kind: LeakMarker.Kind) -> String? {
        guard let found = places[kind] else { return nil }
        var parts: [String] = []
        if found.standardError { parts.append("stderr") }
        if let first = found.answers.first {
            parts.append(found.answers.count == 1 ? "the answer to \(first)" : "\(found.answers.count) answers (first: \(first))")
        }
        if found.otherLines > 0 { parts.append("\(found.otherLines) other output line\(found.otherLines == 1 ? "" : "s")") }
        return "in " + parts.joined(separator: ", ")
    }
}
