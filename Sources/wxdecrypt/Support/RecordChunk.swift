import Foundation
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

    /// The most output a chunk keeps between uses: a chunk of tiny bad lines (each gives a
    /// 100-byte error) leaves a large buffer behind, and there are several chunks.
    static let retainedOutputCapacity = 1 << 20

    var content = Content.lines
    /// The chunk's place in the input, from 0.
    var sequence = 0
    let input = ByteBuffer()
    /// Where each line ends (its newline, or the end of the input), found once by the worker.
    var lineEnds: [Int] = []

    /// The result lines, and what became of the records.
    var output: [UInt8] = []
    var tally = RecordTally()

    /// Forgets the results, once they are written, before the chunk is filled again.
    func clearResults() {
        if output.capacity > Self.retainedOutputCapacity {
            output = []
        } else {
            output.removeAll(keepingCapacity: true)
        }
        tally.reset()
        content = .lines
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
