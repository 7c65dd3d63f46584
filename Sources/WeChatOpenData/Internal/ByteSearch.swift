#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte scans eight bytes at a time, and `memcmp`, for the JSON scanners, which otherwise spend
/// most of their time stepping through long base64 strings one byte at a time.
enum ByteSearch {
    /// Whether two buffers hold the same bytes (`memcmp`; not for secrets, which use `SecureMemory`).
    @inline(__always)
    static func equal(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer) -> Bool {
        guard lhs.count == rhs.count else { return false }
        guard lhs.count > 0 else { return true }
        return memcmp(lhs.baseAddress!, rhs.baseAddress!, lhs.count) == 0
    }

    /// Whether `text`, which has `name`'s length, is `name`: inline, a word or a few at a time,
    /// the name's words folded into constants, instead of a `memcmp` call for a short key.
    @inline(__always)
    static func equal(_ text: UnsafeRawBufferPointer, sameLengthAs name: StaticString) -> Bool {
        let count = name.utf8CodeUnitCount
        guard count > 0 else { return true }
        let lhs = text.baseAddress.unsafelyUnwrapped
        let rhs = UnsafeRawPointer(name.utf8Start)
        func same<Word: FixedWidthInteger>(_ offset: Int, _: Word.Type) -> Bool {
            lhs.loadUnaligned(fromByteOffset: offset, as: Word.self) == rhs.loadUnaligned(fromByteOffset: offset, as: Word.self)
        }
        // Two overlapping words cover the name: its first and its last.
        switch count {
        case 1: return same(0, UInt8.self)
        case 2...3: return same(0, UInt16.self) && same(count - 2, UInt16.self)
        case 4...7: return same(0, UInt32.self) && same(count - 4, UInt32.self)
        case 8...16: return same(0, UInt64.self) && same(count - 8, UInt64.self)
        default:
            var offset = 0
            while offset < count - 8 {
                guard same(offset, UInt64.self) else { return false }
                offset += 8
            }
            return same(count - 8, UInt64.self)
        }
    }

    /// The offset of the first byte at or after `start` that a JSON string scanner must stop at
    /// (`"`, `\`, a control below 0x20, or a byte of 0x80 and up), or `nil` when there is none
    /// before `count`. Sixteen bytes a step: on x86-64 a load, three compares and a byte mask.
    @inline(__always)
    static func stringStop(in base: UnsafeRawPointer, count: Int, from start: Int) -> Int? {
        var index = start
        while index &+ 16 <= count {
            let stops = stringStops(base.loadUnaligned(fromByteOffset: index, as: SIMD16<Int8>.self))
            if any(stops) { return index &+ firstLane(stops) }
            index &+= 16
        }
        return index < count ? stringStopInTail(in: base, count: count, from: index) : nil
    }

    /// The last, partial step: the buffer's final sixteen bytes with the lanes already passed
    /// masked off, so nothing is read past the end; a shorter buffer byte by byte.
    @inline(never)
    private static func stringStopInTail(in base: UnsafeRawPointer, count: Int, from start: Int) -> Int? {
        guard count >= 16 else {
            for index in start..<count {
                let byte = base.load(fromByteOffset: index, as: Int8.self)
                if byte < 0x20 || byte == 0x22 || byte == 0x5C { return index }
            }
            return nil
        }
        let passed = SIMD16<Int8>(repeating: Int8(truncatingIfNeeded: 16 - (count - start)))
        let lanes = SIMD16<Int8>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        let stops = stringStops(base.loadUnaligned(fromByteOffset: count - 16, as: SIMD16<Int8>.self)) .& (lanes .>= passed)
        return any(stops) ? count - 16 + firstLane(stops) : nil
    }

    /// The lanes a string scanner stops at. As signed bytes, both the controls and the bytes of
    /// 0x80 and up are below 0x20: one compare for the two.
    @inline(__always)
    private static func stringStops(_ chunk: SIMD16<Int8>) -> SIMDMask<SIMD16<Int8>> {
        (chunk .< SIMD16(repeating: 0x20)) .| (chunk .== SIMD16(repeating: 0x22)) .| (chunk .== SIMD16(repeating: 0x5C))
    }

    /// The first lane set in a mask that has one. The mask's halves are read as words in memory
    /// order, so lane 0 is the lowest byte on the little-endian machines this runs on.
    @inline(__always)
    private static func firstLane(_ mask: SIMDMask<SIMD16<Int8>>) -> Int {
        let halves = unsafeBitCast(mask, to: SIMD2<UInt64>.self)
        return halves[0] != 0 ? halves[0].trailingZeroBitCount &>> 3 : 8 &+ halves[1].trailingZeroBitCount &>> 3
    }

    /// The offset of the quote that closes a JSON string whose content starts at `start`,
    /// and whether the content has escapes. The document must be well formed there (it has been
    /// validated): an escape is a backslash and one more byte, and no other byte matters.
    @inline(__always)
    static func closingQuote(in bytes: UnsafeRawBufferPointer, contentStart start: Int) -> (end: Int, hasEscapes: Bool) {
        var index = start
        var hasEscapes = false
        while index < bytes.count {
            if index + 8 <= bytes.count {
                let stops = quotesAndBackslashes(
                    UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)))
                guard stops != 0 else {
                    index += 8
                    continue
                }
                index += stops.trailingZeroBitCount >> 3
            }
            switch bytes[index] {
            case UInt8(ascii: "\""): return (index, hasEscapes)
            case UInt8(ascii: "\\"):
                hasEscapes = true
                index += 2
            default: index += 1
            }
        }
        return (bytes.count, hasEscapes)
    }

    /// The bytes of `word` that are `"` or `\`, flagged as ``specialStringBytes(_:)`` flags them.
    @inline(__always)
    static func quotesAndBackslashes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func zeroBytes(_ value: UInt64) -> UInt64 { (value &- ones) & ~value & highs }
        return zeroBytes(word ^ (ones &* 0x22)) | zeroBytes(word ^ (ones &* 0x5C))
    }

    /// The bytes of `word` (little-endian: its first byte in the lowest bits) that a JSON string
    /// scanner must stop at: `"`, `\`, controls below 0x20 and bytes of 0x80 and up. The high bit
    /// of each such byte is set; only the lowest set bit is exact (a borrow can flag bytes after
    /// the first), which is all a scanner needs: `trailingZeroBitCount >> 3` is its offset.
    @inline(__always)
    static func specialStringBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let belowSpace = (word &- ones &* 0x20) & ~word & highs
        return (word & highs) | belowSpace | quotesAndBackslashes(word)
    }
}
