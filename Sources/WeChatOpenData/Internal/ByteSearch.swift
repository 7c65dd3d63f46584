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
