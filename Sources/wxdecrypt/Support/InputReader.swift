import CWeChatOpenDataProcess
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WeChatOpenData

/// Reads decrypt-file's input and cuts it into chunks of whole lines, with bounded memory: the
/// one place that frames the input (a byte-order mark, line ends, lines too long to hold).
///
/// Each chunk takes about ``chunkSize`` new bytes (less when the input is a pipe that has no
/// more for now) and ends just after the last newline in them, found backwards with `memrchr`:
/// the lines themselves are found only by the worker that decrypts them. The bytes after that
/// newline open the next chunk. A line so long that no newline comes within
/// ``BatchInputRecord/maximumLineLength`` bytes is skipped to its end and becomes a chunk of its
/// own that knows only its length.
struct InputReader {
    /// A megabyte: each chunk is handed from thread to thread four times (reader, worker, writer,
    /// back), and at 64 KiB those handoffs, each a wakeup on the other core, cost a tenth of the
    /// run's CPU time (1,266 context switches per 200,000 records; 121 now).
    static let chunkSize = 1 << 20
    /// The most input buffer a chunk or the reader keeps between uses: a megabyte line leaves
    /// a large buffer behind.
    static let retainedCapacity = 2 * chunkSize
    /// What a chunk's input buffer is made with: room for a chunk after the start of a line
    /// carried over from the one before, for every line under 64 KiB. Made smaller, it grew (to
    /// twice its size) as soon as one carried start was longer than the first: each chunk's
    /// first buffer was then touched, copied and given back (1,700 page faults a run).
    static let chunkCapacity = chunkSize + (64 << 10)

    /// An input opened for reading, and what its reader needs to know of it.
    struct Source: Sendable {
        let descriptor: Int32
        /// How errors name it.
        let name: String
        /// Whether it starts a file: a slice of one (`--first-line-number` past 1) does not, so a
        /// byte-order mark in it is part of a line, as in a run over the whole file.
        let startsTheFile: Bool
    }

    private let source: Source
    /// The start of a line whose end has not been read yet: the next chunk opens with it.
    private let carry = ByteBuffer()
    /// Whether the input's first bytes may still be a UTF-8 byte-order mark to drop (editors on
    /// Windows write one; it is not part of the first record). Until that is decided, nothing
    /// has left the reader, so the buffer holds the input from its first byte.
    private var atStart: Bool
    private var atEnd = false

    init(_ source: Source) {
        self.source = source
        atStart = source.startsTheFile
    }

    /// Opens `path`, or stdin for `-`, for an input whose first line has `firstLineNumber`.
    ///
    /// - Throws: Exit 66 when it cannot be opened, or is stdin and stdin was closed.
    static func open(_ path: String, firstLineNumber: Int) throws -> Source {
        let name = "input '\(path)'"
        return Source(
            descriptor: try Console.openInput(path, named: name), name: name, startsTheFile: firstLineNumber == 1)
    }

    /// Fills `chunk` with the next whole lines, or with the next over-long line; false once the
    /// input has ended and nothing is left.
    mutating func fill(_ chunk: RecordChunk) throws -> Bool {
        let input = chunk.input
        input.removeAll(retaining: Self.retainedCapacity)
        input.append(carry.bytes)
        carry.removeAll(retaining: Self.retainedCapacity)
        // The carried bytes hold no newline; only what is read after them is searched.
        var searched = input.count
        var fresh = 0
        while !atEnd {
            let before = input.count
            let count = try read(into: input)
            // A byte-order mark dropped from the start moves back what was searched before it.
            searched = max(0, searched - (before + count - input.count))
            fresh += count
            // A short read means nothing more is there yet (a pipe whose writer is slower than
            // us): the lines already here go on rather than wait for a full chunk.
            let drained = count < Self.chunkSize
            guard fresh >= Self.chunkSize || drained || input.count > BatchInputRecord.maximumLineLength + 1 else {
                continue
            }
            if let newline = Self.lastNewline(in: input.bytes, from: searched) {
                carry.append(UnsafeRawBufferPointer(rebasing: input.bytes[(newline + 1)...]))
                input.count = newline + 1
                return true
            }
            searched = input.count
            // No newline anywhere, and too long even with a CR to drop: it cannot be a record.
            if input.count > BatchInputRecord.maximumLineLength + 1 {
                chunk.content = .overlongLine(length: try skipRestOfLine(using: input))
                return true
            }
        }
        return input.count > 0
    }

    /// Reads up to ``chunkSize`` bytes after `input`'s end; returns how many (0 at the end).
    private mutating func read(into input: ByteBuffer) throws -> Int {
        input.reserve(Self.chunkSize)
        var count: Int
        while true {
            count = SystemCall.read(source.descriptor, input.spare.baseAddress, Self.chunkSize)
            guard count < 0 else { break }
            if errno == EINTR { continue }
            // A parent may hand us a non-blocking pipe (Node.js does): wait until it has data.
            guard errno == EAGAIN || errno == EWOULDBLOCK else { break }
            var ready = pollfd(fd: source.descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, -1) >= 0 || errno == EINTR else { break }
        }
        guard count >= 0 else {
            throw CommandFailure(
                code: "cannot_read_input", reason: "cannot read \(source.name): \(String(cString: strerror(errno)))",
                status: ExitStatus.noInput)
        }
        input.count += count
        if count == 0 { atEnd = true }
        if atStart { dropByteOrderMark(from: input) }
        return count
    }

    /// Drops a byte-order mark from the input's first three bytes once they are read, however
    /// few bytes each read brings; decides there is none as soon as the bytes read cannot begin
    /// one (a line shorter than three bytes may go on to a worker before more is read).
    private mutating func dropByteOrderMark(from input: ByteBuffer) {
        let mark: [UInt8] = [0xEF, 0xBB, 0xBF]
        let seen = input.bytes.prefix(mark.count)
        guard seen.count == mark.count || atEnd || !mark.starts(with: seen) else { return }
        atStart = false
        if seen.elementsEqual(mark) { input.removeFirst(mark.count) }
    }

    /// Reads on to the end of the over-long line that fills `input`, keeping only what follows
    /// it; returns the line's length without its line break.
    private mutating func skipRestOfLine(using input: ByteBuffer) throws -> Int {
        var length = input.count
        var lastByte = input.bytes.last
        while !atEnd {
            input.count = 0
            _ = try read(into: input)
            let bytes = input.bytes
            if let found = bytes.baseAddress.flatMap({ memchr($0, 0x0A, bytes.count) }) {
                let newline = UnsafeRawPointer(found) - bytes.baseAddress!
                length += newline
                if newline > 0 { lastByte = bytes[newline - 1] }
                carry.append(UnsafeRawBufferPointer(rebasing: bytes[(newline + 1)...]))
                break
            }
            length += bytes.count
            lastByte = bytes.last ?? lastByte
        }
        input.count = 0
        return lastByte == 0x0D ? length - 1 : length
    }

    /// The index of the last newline in `bytes` at or after `start`.
    private static func lastNewline(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < bytes.count, let base = bytes.baseAddress, let found = CWeChatOpenDataProcess_lastByte(base + start, 0x0A, bytes.count - start)
        else { return nil }
        return UnsafeRawPointer(found) - base
    }
}
