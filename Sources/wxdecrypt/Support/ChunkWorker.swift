import Foundation
import WeChatOpenData

/// What one worker thread does with a chunk: find its lines (the only time they are searched
/// for), then decrypt each record and write its result line into the chunk.
struct ChunkWorker {
    private var decryptor: BatchDecryptor.Worker
    private let writer: BatchResultWriter

    init(batch: BatchDecryptor, writer: BatchResultWriter) {
        decryptor = batch.makeWorker()
        self.writer = writer
    }

    /// Finds where the chunk's lines end; returns how many lines it holds, blank ones included,
    /// so that the chunks after it can be numbered before it is decrypted.
    static func findLines(in chunk: RecordChunk) -> Int {
        guard case .lines = chunk.content else { return 1 }
        chunk.lineEnds.removeAll(keepingCapacity: true)
        let bytes = chunk.input.bytes
        guard let base = bytes.baseAddress else { return 0 }
        var start = 0
        while start < bytes.count, let found = memchr(base + start, 0x0A, bytes.count - start) {
            let end = UnsafeRawPointer(found) - base
            chunk.lineEnds.append(end)
            start = end + 1
        }
        // The input's last line may lack its newline.
        if start < bytes.count { chunk.lineEnds.append(bytes.count) }
        return chunk.lineEnds.count
    }

    /// Decrypts the records of a chunk whose lines were found, and writes their results into it.
    /// Blank lines (spaces, tabs, a CR) count as lines but give no result.
    mutating func decrypt(_ chunk: RecordChunk, firstLineNumber: Int) {
        let writer = writer
        var output: [UInt8] = []
        var tally = RecordTally()
        swap(&output, &chunk.output)
        swap(&tally, &chunk.tally)
        defer {
            swap(&output, &chunk.output)
            swap(&tally, &chunk.tally)
        }
        if case .overlongLine(let length) = chunk.content {
            tally.records += 1
            tally.countFailure(.invalidRecord)
            return writer.appendOverlongLine(lineNumber: firstLineNumber, length: length, to: &output)
        }
        let bytes = chunk.input.bytes
        var start = 0
        for (index, end) in chunk.lineEnds.enumerated() {
            var line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            start = end + 1
            if line.last == 0x0D { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            let lineNumber = firstLineNumber + index
            guard line.count <= BatchInputRecord.maximumLineLength else {
                tally.records += 1
                tally.countFailure(.invalidRecord)
                writer.appendOverlongLine(lineNumber: lineNumber, length: line.count, to: &output)
                continue
            }
            decryptor.decrypt(line: line, lineNumber: lineNumber) { result in
                writer.append(result, to: &output)
                tally.count(result.outcome)
            }
        }
    }
}
