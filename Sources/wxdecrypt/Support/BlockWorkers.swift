import Dispatch
import Foundation
import WeChatOpenData

/// Splits a block of lines between worker threads at line boundaries; each worker writes
/// its results into its own buffer, and the buffers are read back in order, so the output
/// keeps the input's order whatever the number of workers.
final class BlockWorkers: @unchecked Sendable {
    final class Worker {
        var output: [UInt8] = []
        var records = 0
        var failures: [String: Int] = [:]
        /// Records decrypted with their `previous_session_key`.
        var previousKeyMatches = 0
        var lineCount = 0
    }

    let workers: [Worker]

    /// The most output buffer a worker keeps between blocks.
    static let retainedOutputCapacity = 1 << 20

    init(count: Int) { workers = (0..<count).map { _ in Worker() } }

    /// The number of lines in the last block processed.
    var lineCount: Int { workers.reduce(0) { $0 + $1.lineCount } }

    func process(_ block: [UInt8], firstLineNumber: Int, with decryptor: BatchDecryptor) {
        block.withUnsafeBytes { bytes in
            let parts = Self.split(bytes, into: workers.count)
            let slices = UnsafeSendable(parts)
            let input = UnsafeSendable(bytes)
            // First pass: count lines per part, so every worker knows its first line number.
            DispatchQueue.concurrentPerform(iterations: workers.count) { index in
                let part = slices.value[index]
                workers[index].lineCount = part.isEmpty ? 0 : Self.countLines(UnsafeRawBufferPointer(rebasing: input.value[part]))
            }
            var lineNumber = firstLineNumber
            var firstNumbers: [Int] = []
            for worker in workers {
                firstNumbers.append(lineNumber)
                lineNumber += worker.lineCount
            }
            let starts = UnsafeSendable(firstNumbers)
            DispatchQueue.concurrentPerform(iterations: workers.count) { index in
                let worker = workers[index]
                // A block of huge lines leaves a huge buffer behind: keep only a modest one, so that
                // memory stays bounded however many workers there are.
                if worker.output.capacity > Self.retainedOutputCapacity {
                    worker.output = []
                } else {
                    worker.output.removeAll(keepingCapacity: true)
                }
                worker.records = 0
                worker.failures.removeAll(keepingCapacity: true)
                worker.previousKeyMatches = 0
                Self.processLines(
                    UnsafeRawBufferPointer(rebasing: input.value[slices.value[index]]), firstLineNumber: starts.value[index],
                    decryptor: decryptor, worker: worker)
            }
        }
    }

    /// Cuts `bytes` into `count` contiguous parts that end at line ends.
    private static func split(_ bytes: UnsafeRawBufferPointer, into count: Int) -> [Range<Int>] {
        var parts: [Range<Int>] = []
        var start = 0
        for index in 1...count {
            var end = max(bytes.count * index / count, start)
            if index == count {
                end = bytes.count
            } else {
                // Move forward to just after a newline.
                while end > 0, end < bytes.count, bytes[end - 1] != 0x0A { end += 1 }
            }
            parts.append(start..<end)
            start = end
        }
        return parts
    }

    /// The number of lines in `bytes`, a last line without newline included.
    private static func countLines(_ bytes: UnsafeRawBufferPointer) -> Int {
        let count = Newlines.count(in: bytes).count
        return bytes.last == 0x0A ? count : count + 1
    }

    private static func processLines(
        _ bytes: UnsafeRawBufferPointer, firstLineNumber: Int, decryptor: BatchDecryptor, worker: Worker
    ) {
        var lineNumber = firstLineNumber
        var start = 0
        while start < bytes.count {
            let end = Newlines.next(in: bytes, from: start) ?? bytes.count
            let line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                worker.records += 1
                let outcome = decryptor.process(line: line, lineNumber: lineNumber, appendingTo: &worker.output)
                if let failure = outcome.failure {
                    worker.failures[failure.name, default: 0] += 1
                } else if outcome.matchedKey == .previous {
                    worker.previousKeyMatches += 1
                }
            }
            lineNumber += 1
            start = end + 1
        }
    }
}

/// Hands immutable values to `concurrentPerform`'s closure, which is `@Sendable`.
struct UnsafeSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
