import Foundation
import WeChatOpenData

/// Reads an input file in large blocks and splits it into lines with bounded memory: a
/// line longer than the batch format's limit is skipped to its end and reported by length.
struct LineReader {
    enum Line: Sendable {
        case text([UInt8], number: Int)
        case overlong(length: Int, number: Int)
    }

    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    private var lineNumber = 0
    private var block = [UInt8](repeating: 0, count: 1 << 20)

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
    }

    func close() { if descriptor != STDIN_FILENO { _ = Foundation.close(descriptor) } }

    /// The next non-blank line, or `nil` at the end of the input.
    mutating func next() throws -> Line? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                lineNumber += 1
                let line = Array(buffer[start..<newline])
                start = newline + 1
                if isBlank(line) { continue }
                return .text(line, number: lineNumber)
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                lineNumber += 1
                let line = Array(buffer[start...])
                start = buffer.count
                if isBlank(line) { return nil }
                return .text(line, number: lineNumber)
            }
            if buffer.count - start > BatchInputRecord.maximumLineLength + 1 {
                lineNumber += 1
                return .overlong(length: try skipRestOfLine(), number: lineNumber)
            }
            try fill()
        }
    }

    private func isBlank(_ line: [UInt8]) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }

    private mutating func fill() throws {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        let count = block.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count >= 0 else {
            throw CommandFailure(
                code: "cannot_read_input", reason: "cannot read input: \(String(cString: strerror(errno)))",
                status: ExitStatus.noInput)
        }
        if count == 0 { atEnd = true } else { buffer += block[0..<count] }
    }

    /// Drops the current over-long line up to and including its newline; returns its length.
    private mutating func skipRestOfLine() throws -> Int {
        var length = buffer.count - start
        buffer.removeAll(keepingCapacity: true)
        start = 0
        while true {
            try fill()
            if let newline = buffer.firstIndex(of: 0x0A) {
                length += newline
                start = newline + 1
                return length
            }
            length += buffer.count
            buffer.removeAll(keepingCapacity: true)
            if atEnd { return length }
        }
    }
}
