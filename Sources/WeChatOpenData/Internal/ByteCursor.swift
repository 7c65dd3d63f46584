/// Writes bytes into room reserved beforehand, with no check per write: the result writers
/// make a line of many small pieces, and `[UInt8].append` pays a uniqueness and a capacity
/// check, and often a call, for each.
///
/// It only lives inside `[UInt8].appendBytes(atMost:_:)`, which reserves the room; each write's
/// doc says the most it writes, and the caller's bound must cover them all (for JSON,
/// `JSONLength` counts them). As a `JSONOutput` it also keeps the JSON writer's comma state.
struct ByteCursor: ~Copyable, JSONOutput {
    private var next: UnsafeMutablePointer<UInt8>
    #if DEBUG
        private let end: UnsafeMutablePointer<UInt8>
    #endif
    var needsComma = false

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
        if let source = bytes.baseAddress {
            UnsafeMutableRawPointer(next).copyMemory(from: source, byteCount: bytes.count)
        }
        advance(by: bytes.count)
    }

    /// The most `writeJSONString(_:)` writes for `count` bytes of text: each byte may become a
    /// six-byte `\u00XX`, and the quotes.
    static func jsonStringBound(_ count: Int) -> Int { 6 &* count &+ 2 }

    /// Writes `text` as a JSON string literal, from its UTF-8 storage.
    @inline(__always)
    mutating func writeJSONString(_ text: String) {
        withContiguousUTF8(text) { writeJSONString($0) }
    }

    /// Writes `utf8` as a JSON string literal, quotes included, escaping quotes, backslashes
    /// and control characters; at most `jsonStringBound(_:)` bytes.
    @inline(__always)
    mutating func writeJSONString(_ utf8: UnsafeRawBufferPointer) {
        write(UInt8(ascii: "\""))
        let count = utf8.count
        var plain = 0
        if count >= 8, let source = utf8.baseAddress {
            // Eight plain bytes at a time, which is all of nearly every string, the last eight
            // overlapping the word before them; from the first word with anything else (an
            // escape, or a non-ASCII byte) on, byte by byte.
            let target = UnsafeMutableRawPointer(next)
            while plain < count {
                let offset = Swift.min(plain, count - 8)
                let word = source.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                guard ByteSearch.specialStringBytes(word) == 0 else { break }
                target.storeBytes(of: word, toByteOffset: offset, as: UInt64.self)
                plain = offset + 8
            }
            advance(by: plain)
        }
        for byte in UnsafeRawBufferPointer(rebasing: utf8[plain...]) { writeEscaped(byte) }
        write(UInt8(ascii: "\""))
    }

    /// Writes one byte of a string's text, as an escape when JSON needs one.
    @inline(__always)
    private mutating func writeEscaped(_ byte: UInt8) {
        guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { return write(byte) }
        write(UInt8(ascii: "\\"))
        switch byte {
        case 0x22, 0x5C: write(byte)
        case 0x0A: write(UInt8(ascii: "n"))
        case 0x0D: write(UInt8(ascii: "r"))
        case 0x09: write(UInt8(ascii: "t"))
        default:
            write("u00")
            write(Hex.digits[Int(byte >> 4)])
            write(Hex.digits[Int(byte & 0xF)])
        }
    }

    /// The most `writeDecimal(_:)` writes: a sign and 19 digits.
    static let decimalBound = 20

    /// Writes the decimal digits of `value`, two at a time, without making a `String`.
    mutating func writeDecimal(_ value: Int64) {
        if value < 0 { write(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        // The bit length gives the digit count or one more (1233/4096 is just above log10(2)),
        // and one comparison with a power of ten settles it; `| 1` gives zero its one digit.
        let probe = magnitude | 1
        let estimate = ((64 - probe.leadingZeroBitCount) &* 1233) >> 12
        let digits = probe < Self.powersOfTen[estimate] ? estimate : estimate &+ 1
        var last = next + digits
        while magnitude >= 10 {
            let pair = Self.digitPairs.utf8Start + 2 * Int(magnitude % 100)
            magnitude /= 100
            last -= 2
            last.initialize(to: pair[0])
            last[1] = pair[1]
        }
        if last > next {
            // One digit is left when the count is odd.
            last -= 1
            last.initialize(to: UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude))
        }
        advance(by: digits)
    }

    /// 10^0 to 10^19, which fits: an Int64's magnitude has at most 19 digits.
    private static let powersOfTen: [UInt64] = (0...19).map { exponent in
        (0..<exponent).reduce(1) { power, _ in power * 10 }
    }

    /// "00" to "99", each number's two digits at twice its offset.
    private static let digitPairs: StaticString = """
        00010203040506070809101112131415161718192021222324252627282930313233343536373839\
        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899
        """
}

extension [UInt8] {
    /// Appends what `body` writes, after one reservation of `bound` bytes: `body` must write no
    /// more than that (see each `ByteCursor` write).
    @inline(__always)
    mutating func appendBytes(atMost bound: Int, _ body: (inout ByteCursor) -> Void) {
        append(addingCapacity: bound) { span in
            span.withUnsafeMutableBufferPointer { room, count in
                var cursor = ByteCursor(room)
                body(&cursor)
                count = cursor.written(since: room.baseAddress.unsafelyUnwrapped)
                // Checked in every build, once per call: a bound too small must stop the process,
                // not go on past a heap overrun.
                precondition(count <= room.count, "ByteCursor: wrote past the room its caller reserved")
            }
        }
    }
}

extension String {
    /// The decimal digits of `value`: a small string, without the standard library's generic
    /// integer printing.
    init(decimal value: Int64) {
        // Digits on the stack, then decoded: up to 15 bytes make a small string, which
        // `String(unsafeUninitializedCapacity:)` would not (it allocates for a capacity of 20).
        self = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: ByteCursor.decimalBound) { room in
            var cursor = ByteCursor(room)
            cursor.writeDecimal(value)
            let count = cursor.written(since: room.baseAddress.unsafelyUnwrapped)
            return String(decoding: UnsafeBufferPointer(rebasing: room[..<count]), as: UTF8.self)
        }
    }
}
