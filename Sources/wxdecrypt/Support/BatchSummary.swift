#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WeChatOpenData

/// Counts results, draws the progress bar on a terminal and prints the closing summary line.
struct BatchSummary {
    let showProgress: Bool
    private let started = Date()
    private var lastProgress = Date.distantPast
    private(set) var records = 0
    private(set) var failed = 0
    /// Failures by code, at the code's index in `OpenDataError.Code.allCodes`.
    private var failures = RecordTally.noFailures
    /// Records that decrypted only with their `previous_session_key`.
    private var previousKeyMatches = 0

    init(showProgress: Bool) { self.showProgress = showProgress }

    mutating func add(_ tally: RecordTally) {
        records += tally.records
        failed += tally.failed
        previousKeyMatches += tally.previousKeyMatches
        for index in failures.indices { failures[index] += tally.failures[index] }
    }

    private var elapsed: Double { max(Date().timeIntervalSince(started), 1e-9) }

    /// Redraws the progress bar, at most ten times a second.
    mutating func progress() {
        guard showProgress, Date().timeIntervalSince(lastProgress) >= 0.1 else { return }
        lastProgress = Date()
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
        let byCode = zip(OpenDataError.Code.allCodes, failures).filter { $0.1 > 0 }.sorted { $0.0.name < $1.0.name }
            .map { "\($0.0.name): \($0.1)" }.joined(separator: ", ")
        let rate = Int(Double(records) / elapsed)
        Console.standardError(
            "wxdecrypt: \(records) records, \(records - failed) ok"
                + (previousKeyMatches == 0 ? "" : " (\(previousKeyMatches) with the previous session key)")
                + ", \(failed) failed"
                + (byCode.isEmpty ? "" : " (\(byCode))")
                + ", \(Self.seconds(elapsed)) s, \(rate) records/s")
    }

    /// `elapsed` with three decimals, rounded as printf's `%.3f` rounds them.
    private static func seconds(_ elapsed: Double) -> String {
        // vsnprintf ends the text with a NUL even when it cuts it short.
        var text = [CChar](repeating: 0, count: 64)
        _ = withVaList([elapsed]) { vsnprintf(&text, text.count, "%.3f", $0) }
        return text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}

/// What became of the records of one chunk, counted by the worker that decrypted them.
struct RecordTally {
    static let noFailures = [Int](repeating: 0, count: OpenDataError.Code.allCodes.count)

    var records = 0
    var failed = 0
    /// Failures by code, at the code's index in `OpenDataError.Code.allCodes`: a fixed array,
    /// so that counting a failure neither hashes nor allocates.
    var failures = noFailures
    var previousKeyMatches = 0

    mutating func count(_ result: borrowing BatchDecryptor.RecordResult) {
        if let error = result.error { return countFailure(error.code) }
        records += 1
        if result.key == .previous { previousKeyMatches += 1 }
    }

    /// Counts a record that failed with `code`.
    mutating func countFailure(_ code: OpenDataError.Code) {
        records += 1
        failed += 1
        // Every code is in allCodes; one that were not would still count as failed.
        if let index = OpenDataError.Code.allCodes.firstIndex(of: code) { failures[index] += 1 }
    }

    mutating func reset() {
        records = 0
        failed = 0
        for index in failures.indices { failures[index] = 0 }
        previousKeyMatches = 0
    }
}
