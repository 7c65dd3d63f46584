import Foundation

/// Counts results, draws the progress bar on a terminal and prints the closing summary line.
struct BatchSummary {
    let showProgress: Bool
    private let started = Date()
    private(set) var records = 0
    private(set) var failed = 0
    private var failures: [String: Int] = [:]
    /// Records that decrypted only with their `previous_session_key`.
    private var previousKeyMatches = 0

    init(showProgress: Bool) { self.showProgress = showProgress }

    mutating func add(records count: Int, failures counts: [String: Int], previousKeyMatches matches: Int = 0) {
        records += count
        previousKeyMatches += matches
        for (code, number) in counts {
            failed += number
            failures[code, default: 0] += number
        }
    }

    private var elapsed: Double { max(Date().timeIntervalSince(started), 1e-9) }

    func progress() {
        guard showProgress else { return }
        Console.writeStandardError("\r\(records) records, \(Int(Double(records) / elapsed)) records/s   ")
    }

    /// The summary of a run the input or output stopped: no "ok" count, since results that
    /// never reached the output are not results.
    func finish(failedAfterWriting written: Int) {
        if showProgress { Console.writeStandardError("\n") }
        Console.standardError(
            "wxdecrypt: stopped after \(records) records; the results of \(written) were written before the failure")
    }

    func finish() {
        if showProgress { Console.writeStandardError("\n") }
        let byCode = failures.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        let rate = Int(Double(records) / elapsed)
        Console.standardError(
            "wxdecrypt: \(records) records, \(records - failed) ok"
                + (previousKeyMatches == 0 ? "" : " (\(previousKeyMatches) with the previous session key)")
                + ", \(failed) failed"
                + (byCode.isEmpty ? "" : " (\(byCode))")
                + String(format: ", %.3f s, %d records/s", elapsed, rate))
    }
}
