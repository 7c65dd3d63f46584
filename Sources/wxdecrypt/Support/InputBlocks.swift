import Foundation
import WeChatOpenData

/// Reads an input file in large blocks of whole lines, with bounded memory: a line longer
/// than the batch format's limit is skipped to its end and reported by its length.
///
/// A block holds at most ``blockSize`` bytes of lines and at most ``maximumLines`` lines:
/// every line gets a result line of its own, so a block of tiny lines (`1\n` over and
/// over) would otherwise turn 4 MiB of input into 200 MB of error lines held at once.
struct InputBlocks {
    enum Block {
        /// Whole lines (the last may lack its newline at the end of the input).
        case lines([UInt8])
        /// One line longer than the limit, skipped.
        case overlong(length: Int)
    }

    static let blockSize = 4 << 20
    static let maximumLines = 16_384

    private let descriptor: Int32
    private var buffer: [UInt8] = []
    /// Whether a UTF-8 byte-order mark at the very start of the input may still be dropped
    /// (editors on Windows write one; it is not part of the first record).
    private var atStart = true
    private var atEnd = false
    private var readBuffer = [UInt8](repeating: 0, count: 1 << 20)

    /// Opens `path`, or stdin for `-`; exit 66 when it cannot be opened.
    init(path: String) throws {
        if path == "-" {
            descriptor = STDIN_FILENO
        } else {
            descriptor = open(path, O_RDONLY)
            guard descriptor >= 0 else {
                throw CommandFailure(
                    code: "cannot_open_input", reason: "cannot open input '\(path)': \(String(cString: strerror(errno)))",
                    status: ExitStatus.noInput)
            }
        }
        buffer.reserveCapacity(Self.blockSize + BatchInputRecord.maximumLineLength)
    }

    func close() { if descriptor != STDIN_FILENO { _ = Foundation.close(descriptor) } }

    mutating func next() throws -> Block? {
        while true {
            if let end = endOfBlock() {
                let lines = Array(buffer[..<end])
                buffer.removeFirst(end)
                return .lines(lines)
            }
            if atEnd {
                guard !buffer.isEmpty else { return nil }
                defer { buffer.removeAll(keepingCapacity: true) }
                return .lines(buffer)
            }
            if buffer.count > BatchInputRecord.maximumLineLength + 1, !buffer.contains(0x0A) {
                return .overlong(length: try skipRestOfLine())
            }
            try fill()
        }
    }

    /// Where the next block ends, just after a newline: after ``maximumLines`` lines, or
    /// after the last whole line once the buffer holds ``blockSize`` bytes or the input ended.
    private func endOfBlock() -> Int? {
        let (lines, end) = buffer.withUnsafeBytes { Newlines.count(in: $0, limit: Self.maximumLines) }
        return lines == Self.maximumLines || (lines > 0 && (atEnd || buffer.count >= Self.blockSize)) ? end : nil
    }

    private mutating func fill() throws {
        let count = readBuffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
        if count > 0 { buffer.append(contentsOf: readBuffer[0..<count]) }
        if atStart, buffer.count >= 3 || count == 0 {
            atStart = false
            if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { buffer.removeFirst(3) }
        }
        guard count >= 0 else {
            throw CommandFailure(
                code: "cannot_read_input", reason: "cannot read input: \(String(cString: strerror(errno)))",
                status: ExitStatus.noInput)
        }
        if count == 0 { atEnd = true }
    }

    /// Drops the current over-long line up to and including its newline; returns its length.
    private mutating func skipRestOfLine() throws -> Int {
        var length = 0
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                length += newline
                buffer.removeFirst(newline + 1)
                return length
            }
            length += buffer.count
            buffer.removeAll(keepingCapacity: true)
            if atEnd { return length }
            try fill()
        }
    }
}
