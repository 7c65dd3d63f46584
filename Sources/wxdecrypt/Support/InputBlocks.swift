import Foundation
import WeChatOpenData

/// Reads an input file in large blocks of whole lines, with bounded memory: a line longer
/// than the batch format's limit is skipped to its end and reported by its length.
struct InputBlocks {
    enum Block {
        /// Whole lines (the last may lack its newline at the end of the input).
        case lines([UInt8])
        /// One line longer than the limit, skipped.
        case overlong(length: Int)
    }

    static let blockSize = 4 << 20

    private let descriptor: Int32
    private var buffer: [UInt8] = []
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
            if atEnd {
                guard !buffer.isEmpty else { return nil }
                defer { buffer.removeAll(keepingCapacity: true) }
                return .lines(buffer)
            }
            if buffer.count > BatchInputRecord.maximumLineLength + 1, !buffer.contains(0x0A) {
                return .overlong(length: try skipRestOfLine())
            }
            if buffer.count >= Self.blockSize, let cut = buffer.lastIndex(of: 0x0A) {
                let lines = Array(buffer[...cut])
                buffer.removeFirst(cut + 1)
                return .lines(lines)
            }
            try fill()
        }
    }

    private mutating func fill() throws {
        let count = readBuffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
        if count > 0 { buffer.append(contentsOf: readBuffer[0..<count]) }
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
