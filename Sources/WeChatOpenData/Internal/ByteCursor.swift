/// Writes bytes into room reserved beforehand, with no check per write: the result writers
/// make a line of many small pieces, and `[UInt8].append` pays a uniqueness and a capacity
/// check, and often a call, for each.
///
/// It only lives inside ``Swift/Array/appendBytes(atMost:_:)``, which reserves the room; each
/// write's doc says the most it writes, and the caller's bound must cover them all.
struct ByteCursor: ~Copyable {
    private var next: UnsafeMutablePointer<UInt8>
    #if DEBUG
        private let end: UnsafeMutablePointer<UInt8>
    #endif

    fileprivate init(_ room: UnsafeMutableBufferPointer<UInt8>) {
        next = room.baseAddress.unsafelyUnwrapped
        #if DEBUG
            end = next + room.count
        #endif
    }

    /// How many bytes were written since `start`.
    fileprivate func written(since start: UnsafeMutablePointer<UInt8>) -> Int { next - start }

    @inline(__always)
    private mutating func advance(by count: Int) {
        next += count
        #if DEBUG
            precondition(next <= end, "ByteCursor: wrote past the room its caller reserved")
        #endif
    }

    /// Writes one byte.
    @inline(__always)
    mutating func write(_ byte: UInt8) {
        next.initialize(to: byte)
        advance(by: 1)
    }

    /// Writes a literal's bytes (constant lengths become plain moves once inlined).
    @inline(__always)
    mutating func write(_ literal: StaticString) {
        next.initialize(from: literal.utf8Start, count: literal.utf8CodeUnitCount)
        advance(by: literal.utf8CodeUnitCount)
    }

    /// Writes `bytes` as they are.
    @inline(__always)
    mutating func write(_ bytes: UnsafeRawBufferPointer) {
        if let source = bytes.baseAddress { UnsafeMutableRawPointer(next).copyMemory(from: source, byteCount: bytes.count) }
        advance(by: bytes.count)
    }

    /// The most ``writeJSONString(_:)`` writes for `count` bytes of text: each byte may become
    /// a six-byte `\u00XX`, and the quotes.
    static func jsonStringBound(_ count: Int) -> Int { 6 * count + 2 }

    /// Writes `utf8` as a JSON string literal, quotes included, escaping quotes, backslashes
    /// and control characters; at most ``jsonStringBound(_:)`` bytes.
    mutating func writeJSONString(_ utf8: UnsafeRawBufferPointer) {
        write(UInt8(ascii: "\""))
        var index = 0
        if let source = utf8.baseAddress {
            // Eight plain bytes at a time, which is all of nearly every string; the first word
            // with anything else (an escape or a non-ASCII byte) goes on byte by byte.
            while index + 8 <= utf8.count {
                let word = source.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                guard ByteSearch.isPlainASCII(word) else { break }
                UnsafeMutableRawPointer(next).storeBytes(of: word, as: UInt64.self)
                advance(by: 8)
                index += 8
            }
        }
        while index < utf8.count {
            writeEscaped(utf8[index])
            index += 1
        }
        write(UInt8(ascii: "\""))
    }

    /// Writes one byte of a string's text, as an escape when JSON needs one.
    @inline(__always)
    private mutating func writeEscaped(_ byte: UInt8) {
        guard Self.needsEscape(byte) else { return write(byte) }
        write(UInt8(ascii: "\\"))
        switch byte {
        case 0x22, 0x5C: write(byte)
        case 0x0A: write(UInt8(ascii: "n"))
        case 0x0D: write(UInt8(ascii: "r"))
        case 0x09: write(UInt8(ascii: "t"))
        default:
            write("u00")
            write(Self.hexDigit(byte >> 4))
            write(Self.hexDigit(byte & 0xF))
        }
    }

    /// A quote, a backslash or a control character.
    @inline(__always)
    static func needsEscape(_ byte: UInt8) -> Bool { byte < 0x20 || byte == 0x22 || byte == 0x5C }

    @inline(__always)
    private static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x57 + nibble }

    /// The most ``writeDecimal(_:)`` writes: a sign and 19 digits.
    static let decimalBound = 20

    /// Writes the decimal digits of `value`, without making a `String`.
    mutating func writeDecimal(_ value: Int64) {
        if value < 0 { write(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits = 1
        var power: UInt64 = 10
        // 10^19 overflows UInt64: a 20-digit magnitude cannot occur, 19 digits is the most.
        while digits < 19 && magnitude >= power {
            digits += 1
            power &*= 10
        }
        var last = next + digits
        repeat {
            last -= 1
            last.initialize(to: UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        advance(by: digits)
    }
}

extension [UInt8] {
    /// Appends what `body` writes, after one reservation of `bound` bytes: `body` must write no
    /// more than that (see each ``ByteCursor`` write).
    @inline(__always)
    mutating func appendBytes(atMost bound: Int, _ body: (inout ByteCursor) -> Void) {
        append(addingCapacity: bound) { span in
            span.withUnsafeMutableBufferPointer { room, count in
                var cursor = ByteCursor(room)
                body(&cursor)
                count = cursor.written(since: room.baseAddress.unsafelyUnwrapped)
            }
        }
    }
}
