/// The verdict on a decryptor: one result per check, grouped into required, recommended and
/// informational, as a table for people (``text``) or JSON for machines (``json``).
public struct ConformanceReport: Sendable {
    /// One check's verdict.
    public struct CheckResult: Sendable, Hashable {
        /// The check.
        public let check: ConformanceCheck
        /// What a correct decryptor does (`accept`, `reject`, `exit 0 or 1`, …).
        public let expected: String
        /// What the command did, in a few words.
        public let got: String
        /// Whether every case of the check went as expected.
        public let passed: Bool
        /// The cases that did not, with what happened.
        public let failedCases: [FailedCase]
    }

    /// A case that did not go as expected.
    public struct FailedCase: Sendable, Hashable {
        /// The ``ConformanceCase/id``.
        public let id: String
        /// What happened: `accepted`, `rejected (code)`, `wrong fields: path, …`, `no answer`, …
        public let got: String
    }

    /// Every check's result, in the suite's order.
    public let results: [CheckResult]
    /// How many cases the suite has.
    public let caseCount: Int
    /// How many of them the command answered.
    public let answeredCount: Int
    /// How the command ended.
    public let termination: ConformanceRun.Termination
    /// How long it ran.
    public let elapsed: Duration
    /// The vectors that were not judged, and why.
    public let skippedVectors: [ConformanceSuite.SkippedVector]

    /// Whether every required check passed: the decryptor conforms.
    public var conforms: Bool { results.allSatisfy { $0.passed || $0.check.group != .required } }

    /// How many checks of a group passed.
    ///
    /// - Parameter group: The group.
    /// - Returns: The passed and total counts.
    public func tally(_ group: ConformanceCheck.Group) -> (passed: Int, total: Int) {
        let members = results.filter { $0.check.group == group }
        return (members.filter(\.passed).count, members.count)
    }

    /// The score line: each group's tally and the verdict.
    public var scoreLine: String {
        let tallies = ConformanceCheck.Group.allCases.map { group in
            let (passed, total) = tally(group)
            return "\(group.rawValue) \(passed)/\(total)"
        }
        let failed = tally(.required).total - tally(.required).passed
        let verdict =
            conforms
            ? "conforms (every required check passed)"
            : "does not conform (\(failed) required check\(failed == 1 ? "" : "s") failed)"
        return "Score: " + tallies.joined(separator: ", ") + ": " + verdict
    }

    /// `0.42 s`.
    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let hundredths = seconds * 100 + attoseconds / 10_000_000_000_000_000
        let fraction = hundredths % 100
        guard fraction != 0 else { return "\(hundredths / 100) s" }
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction) s"
    }
}

// MARK: Text

extension ConformanceReport {
    /// The widest a `got` cell gets in the table; the JSON form has every case.
    static let gotColumnWidth = 64

    /// The report for people: a heading, a table per group (check, what it tests, expected,
    /// got, verdict), the skipped vectors and the score line. Ends with a newline.
    public var text: String {
        var lines = [heading, ""]
        let header = ["check", "what it tests", "expected", "got", "verdict"]
        let rows = results.map { result in
            [result.check.id, result.check.summary, result.expected, Self.clipped(result.got), result.passed ? "PASS" : "FAIL"]
        }
        // One set of column widths for all groups, so the tables line up.
        let table = Self.table([header] + rows)
        for group in ConformanceCheck.Group.allCases {
            let members = results.indices.filter { results[$0].check.group == group }
            guard !members.isEmpty else { continue }
            lines.append(group.description)
            lines.append(table[0])
            lines += members.map { table[$0 + 1] }
            lines.append("")
        }
        if !skippedVectors.isEmpty {
            lines.append("Not judged: \(skippedVectors.count) vector\(skippedVectors.count == 1 ? "" : "s") the protocol cannot express")
            var reasons: [String] = []
            var names: [String: [String]] = [:]
            for vector in skippedVectors {
                if names[vector.reason] == nil { reasons.append(vector.reason) }
                names[vector.reason, default: []].append(vector.name)
            }
            lines += reasons.map { "  \($0): " + names[$0]!.joined(separator: ", ") }
            lines.append("")
        }
        lines.append(scoreLine)
        return lines.joined(separator: "\n") + "\n"
    }

    private var heading: String {
        let ending: String
        switch termination {
        case .exited(let status): ending = "exited with status \(status)"
        case .signalled(let signal): ending = "was killed by signal \(signal)"
        case .timedOut: ending = "was killed at the time limit"
        case .outputLimitExceeded: ending = "was killed for writing too much output"
        }
        return "\(caseCount) cases; the command answered \(answeredCount) and \(ending) after \(Self.seconds(elapsed))."
    }

    private static func clipped(_ text: String) -> String {
        text.count <= gotColumnWidth ? text : String(text.prefix(gotColumnWidth - 3)) + "..."
    }

    /// Rows padded into columns two spaces apart, indented by two.
    private static func table(_ rows: [[String]]) -> [String] {
        var widths = [Int](repeating: 0, count: rows[0].count)
        for row in rows {
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
        }
        return rows.map { row in
            let cells = row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }
            return "  " + cells.joined(separator: "  ")
        }
    }
}

// MARK: JSON

extension ConformanceReport {
    /// The report for machines, one JSON object:
    /// `{"conforms": …, "cases": …, "answered": …, "command": {…}, "score": {…}, "checks": […], "skipped_vectors": […]}`.
    /// Each check carries `id`, `group`, `summary`, `expected`, `got`, `passed` and `failed_cases` (`id`, `got`).
    public var json: String {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("conforms")
        writer.raw(conforms ? "true" : "false")
        writer.member("cases", Int64(caseCount))
        writer.member("answered", Int64(answeredCount))
        writer.key("command")
        writer.beginObject()
        switch termination {
        case .exited(let status):
            writer.member("ended", "exited")
            writer.member("status", Int64(status))
        case .signalled(let signal):
            writer.member("ended", "signalled")
            writer.member("signal", Int64(signal))
        case .timedOut: writer.member("ended", "timed_out")
        case .outputLimitExceeded: writer.member("ended", "output_limit_exceeded")
        }
        writer.key("seconds")
        writer.raw(String(Self.seconds(elapsed).dropLast(2)))
        writer.endObject()
        writer.key("score")
        writer.beginObject()
        for group in ConformanceCheck.Group.allCases {
            let (passed, total) = tally(group)
            writer.key(group.jsonKey)
            writer.raw(#"{"passed":\#(passed),"total":\#(total)}"#)
        }
        writer.endObject()
        writer.beginArray("checks")
        for result in results {
            writer.beginObject()
            writer.member("id", result.check.id)
            writer.member("group", result.check.group.rawValue)
            writer.member("summary", result.check.summary)
            writer.member("expected", result.expected)
            writer.member("got", result.got)
            writer.key("passed")
            writer.raw(result.passed ? "true" : "false")
            writer.beginArray("failed_cases")
            for failed in result.failedCases {
                writer.beginObject()
                writer.member("id", failed.id)
                writer.member("got", failed.got)
                writer.endObject()
            }
            writer.endArray()
            writer.endObject()
        }
        writer.endArray()
        writer.beginArray("skipped_vectors")
        for vector in skippedVectors {
            writer.beginObject()
            writer.member("source", vector.source)
            writer.member("name", vector.name)
            writer.member("reason", vector.reason)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}

extension ConformanceCheck.Group {
    fileprivate var jsonKey: StaticString {
        switch self {
        case .required: "required"
        case .recommended: "recommended"
        case .informational: "informational"
        }
    }
}
