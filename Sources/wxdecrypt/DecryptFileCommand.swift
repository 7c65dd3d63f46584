import ArgumentParser
import Dispatch
import Foundation
import WeChatOpenData

struct DecryptFileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decrypt-file",
        abstract: "Decrypt a JSON Lines file of records: one result line per record, in input order.",
        discussion: """
            Input lines: {"id": any (optional), "appid": "wx…" (optional), "session_key": "…", "iv": "…", \
            "encrypted_data": "…"} (camelCase sessionKey, encryptedData, appId accepted). A bad line becomes a \
            failed result (invalid_record); blank lines are skipped. Exit 1 when any record failed.
            """)

    @Argument(help: ArgumentHelp("The JSON Lines input ('-' for stdin).", valueName: "input"))
    var input: String

    @Option(name: .customLong("app-id"), help: "The appid for records without one.")
    var appID: String?

    @Option(help: ArgumentHelp("Where to write results ('-' for stdout, the default).", valueName: "path"))
    var output: String?

    @Option(help: "jsonl or csv.")
    var format: String = "jsonl"

    @Option(help: "Worker threads; the number of cores by default.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Reject payloads older than this many seconds.")
    var maxAge: Int64?

    @Option(help: "Fix the clock (Unix seconds) for reproducible freshness checks.")
    var now: Int64?

    @Flag(help: "Mask phone numbers (135****6666).")
    var mask = false

    @Flag(help: "No progress bar, even on a terminal.")
    var noProgress = false

    func validate() throws {
        guard BatchDecryptor.Format(rawValue: format) != nil else { throw ValidationError("--format must be jsonl or csv.") }
        guard (1...256).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 256.") }
    }

    func run() throws {
        try Console.run {
            let decryptor = BatchDecryptor(
                defaultAppID: appID, freshness: FreshnessOptions.policy(maxAge: maxAge, now: now),
                maskPhoneNumbers: mask, format: BatchDecryptor.Format(rawValue: format)!)
            var reader = try LineReader(path: input)
            defer { reader.close() }
            let sink = try OutputFile(path: output)
            var summary = BatchSummary(showProgress: !noProgress && isatty(STDERR_FILENO) == 1)
            do {
                try sink.write(decryptor.header)
                var batch: [LineReader.Line] = []
                var batchBytes = 0
                func drain() throws {
                    let results = Self.process(batch, with: decryptor, jobs: jobs)
                    for result in results {
                        try sink.write(result.line)
                        summary.record(result.failure)
                    }
                    summary.progress()
                    batch.removeAll(keepingCapacity: true)
                    batchBytes = 0
                }
                while let line = try reader.next() {
                    if case .text(let bytes, _) = line { batchBytes += bytes.count }
                    batch.append(line)
                    if batch.count >= 4096 || batchBytes >= 16 << 20 { try drain() }
                }
                try drain()
                try sink.finish()
            } catch {
                sink.discard()
                summary.finish()
                throw error
            }
            summary.finish()
            if summary.failed > 0 { throw ExitCode(ExitStatus.failed) }
        }
    }

    /// Processes a batch on `jobs` threads; results keep the batch's order.
    static func process(_ batch: [LineReader.Line], with decryptor: BatchDecryptor, jobs: Int) -> [BatchDecryptor.Result] {
        guard jobs > 1, batch.count > 1 else { return batch.map { result($0, decryptor) } }
        let slots = ResultSlots(count: batch.count)
        defer { slots.deallocate() }
        let workers = min(jobs, batch.count)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            // Each worker fills its own contiguous slice: no two threads touch the same slot.
            let lower = batch.count * worker / workers, upper = batch.count * (worker + 1) / workers
            for index in lower..<upper { slots.store(result(batch[index], decryptor), at: index) }
        }
        return slots.results()
    }

    private static func result(_ line: LineReader.Line, _ decryptor: BatchDecryptor) -> BatchDecryptor.Result {
        switch line {
        case .text(let bytes, let number):
            bytes.withUnsafeBytes { decryptor.process(line: $0, lineNumber: number) }
        case .overlong(let length, let number):
            decryptor.overlongLine(lineNumber: number, length: length)
        }
    }
}

/// Result slots written by worker threads at distinct indices, read after they all finish.
private struct ResultSlots: @unchecked Sendable {
    private let base: UnsafeMutablePointer<BatchDecryptor.Result?>
    private let count: Int

    init(count: Int) {
        self.count = count
        base = .allocate(capacity: count)
        base.initialize(repeating: nil, count: count)
    }

    func store(_ result: BatchDecryptor.Result, at index: Int) { (base + index).pointee = result }

    func results() -> [BatchDecryptor.Result] { (0..<count).map { (base + $0).pointee! } }

    func deallocate() {
        base.deinitialize(count: count)
        base.deallocate()
    }
}
