import WeChatOpenData

/// A run of whole input lines and, once a worker has been through it, their results: what moves
/// from the reader to a worker to the writer, then back to the reader to be filled again.
///
/// One stage owns a chunk at a time, and hands it on under the pipeline's lock, which orders
/// everything one stage wrote before the next stage reads it.
final class RecordChunk: @unchecked Sendable {
    enum Content {
        /// Whole lines (the last may lack its newline at the end of the input).
        case lines
        /// One line too long to hold, skipped to its end: only its length is known.
        case overlongLine(length: Int)
    }

    /// How much output a worker writes into a chunk before handing it to the writer, which gives
    /// it back for the rest: every record gets a result line, and a chunk of tiny bad lines
    /// (each gives a 100-byte error) would otherwise turn into 50 times its size in output.
    static let outputLimit = 1 << 20
    /// The output buffer's room: the limit and the line that crosses it, for most lines.
    private static let outputCapacity = outputLimit + (64 << 10)

    var content = Content.lines
    /// The chunk's place in the input, from 0.
    var sequence = 0
    let input = ByteBuffer()
    /// Where each line ends (its newline, or the end of the input), found once by the worker
    /// that takes the chunk first; empty until then.
    var lineEnds: [Int32] = []
    /// The number of the chunk's first line, once the chunks before it have counted theirs.
    var firstLineNumber = 0
    /// The index in `lineEnds` of the next line to decrypt.
    var nextLine = 0

    /// Results not yet written, and what became of their records.
    var output: [UInt8]
    var tally = RecordTally()

    /// The output buffer's capacity as reserved: malloc rounds the room asked for up (to a whole
    /// page for a mapped block), so only growth past this means a line left a larger buffer.
    private var reservedCapacity = 0

    init() {
        output = []
        reserveOutput()
        input.reserve(InputReader.chunkCapacity)
    }

    private func reserveOutput() {
        output.reserveCapacity(Self.outputCapacity)
        reservedCapacity = output.capacity
    }

    /// Whether its lines were found and numbered.
    var isNumbered: Bool { !lineEnds.isEmpty }
    /// Whether every line has its result.
    var isDecrypted: Bool { nextLine == lineEnds.count }

    /// Forgets the results once they are written; with `finished`, the chunk itself, before it
    /// is filled again.
    func clearResults(finished: Bool) {
        if output.capacity > reservedCapacity {
            // A line of a megabyte leaves a large buffer behind: give it back.
            output = []
            reserveOutput()
        } else {
            output.removeAll(keepingCapacity: true)
        }
        tally.reset()
        guard finished else { return }
        content = .lines
        lineEnds.removeAll(keepingCapacity: true)
        nextLine = 0
    }
}

/// Bytes that `read(2)` fills in place, so that reading copies nothing; only the pages written
/// count towards the process's memory.
final class ByteBuffer {
    private(set) var base: UnsafeMutableRawPointer?
    private(set) var capacity = 0
    var count = 0

    deinit { base?.deallocate() }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Room for at least `additional` more bytes after `count`.
    func reserve(_ additional: Int) {
        guard count + additional > capacity else { return }
        resize(to: max(count + additional, capacity * 2))
    }

    /// The free space after `count`.
    var spare: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: base.map { $0 + count }, count: capacity - count)
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        reserve(bytes.count)
        if let source = bytes.baseAddress, let base { (base + count).copyMemory(from: source, byteCount: bytes.count) }
        count += bytes.count
    }

    /// Drops the first `prefix` bytes.
    func removeFirst(_ prefix: Int) {
        if let base { base.copyMemory(from: base + prefix, byteCount: count - prefix) }
        count -= prefix
    }

    /// Empties the buffer, giving memory back when it grew past `retained` bytes (for a line
    /// of a megabyte, say).
    func removeAll(retaining retained: Int) {
        count = 0
        if capacity > retained { resize(to: retained) }
    }

    private func resize(to newCapacity: Int) {
        let resized = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        if let base {
            resized.copyMemory(from: base, byteCount: min(count, newCapacity))
            base.deallocate()
        }
        base = resized
        capacity = newCapacity
    }
}
