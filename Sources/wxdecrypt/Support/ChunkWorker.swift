#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
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
        guard case .lines = chunk.content else {
            chunk.lineEnds = [0]
            return 1
        }
        let bytes = chunk.input.bytes
        guard let base = bytes.baseAddress else { return 0 }
        var start = 0
        while start < bytes.count, let found = memchr(base + start, 0x0A, bytes.count - start) {
            let end = UnsafeRawPointer(found) - base
            chunk.lineEnds.append(Int32(end))
            start = end + 1
        }
        // The input's last line may lack its newline.
        if start < bytes.count { chunk.lineEnds.append(Int32(bytes.count)) }
        return chunk.lineEnds.count
    }

    /// Decrypts the records of a numbered chunk, from its next line on, and writes their results
    /// into it, until every line has its result or the output reaches ``RecordChunk/outputLimit``.
    /// Blank lines (spaces, tabs, a CR) count as lines but give no result.
    mutating func decrypt(_ chunk: RecordChunk) {
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
            Self.overlong(chunk.firstLineNumber, length: length, writer, &output, &tally)
            chunk.nextLine = 1
            return
        }
        let bytes = chunk.input.bytes
        let ends = chunk.lineEnds
        var index = chunk.nextLine
        var start = index == 0 ? 0 : Int(ends[index - 1]) + 1
        while index < ends.count && output.count < RecordChunk.outputLimit {
            let end = Int(ends[index])
            var line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            let lineNumber = chunk.firstLineNumber + index
            start = end + 1
            index += 1
            if line.last == 0x0D { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            guard line.count <= BatchInputRecord.maximumLineLength else {
                Self.overlong(lineNumber, length: line.count, writer, &output, &tally)
                continue
            }
            decryptor.decrypt(line: line, lineNumber: lineNumber) { result in
                writer.append(result, to: &output)
                tally.count(result)
            }
        }
        chunk.nextLine = index
    }

    /// A line too long to be a record: an `invalid_record` result that names its length.
    private static func overlong(
        _ lineNumber: Int, length: Int, _ writer: BatchResultWriter, _ output: inout [UInt8], _ tally: inout RecordTally
    ) {
        tally.countFailure(.invalidRecord)
        writer.appendOverlongLine(lineNumber: lineNumber, length: length, to: &output)
    }
}
