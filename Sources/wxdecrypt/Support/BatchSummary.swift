import Foundation

/// Counts results, draws the progress bar on a terminal and prints the closing summary line.
struct BatchSummary {
    let showProgress: Bool
    private let started = Date()
    private(set) var records = 0
    private(set) var failed = 0
    private var failures: [String: Int] = [:]

    init(showProgress: Bool) { self.showProgress = showProgress }

    mutating func add(records count: Int, failures counts: [String: Int]) {
        records += count
        for (code, number) in counts {
            failed += number
            failures[code, default: 0] += number
        }
    }

    private var elapsed: Double { max(Date().timeIntervalSince(started), 1e-9) }

    func progress() {
        guard showProgress else { return }
        FileHandle.standardError.write(Data("\r\(records) records, \(Int(Double(records) / elapsed)) records/s   ".utf8))
    }

    func finish() {
        if showProgress { FileHandle.standardError.write(Data("\n".utf8)) }
        let byCode = failures.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        let rate = Int(Double(records) / elapsed)
        Console.standardError(
            "wxdecrypt: \(records) records, \(records - failed) ok, \(failed) failed"
                + (byCode.isEmpty ? "" : " (\(byCode))")
                + String(format: ", %.3f s, %d records/s", elapsed, rate))
    }
}
