#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Vectorised byte searches and comparisons (libc's `memchr`, `memcmp`) for the scanners, which otherwise spend
/// most of their time stepping through long base64 strings one byte at a time.
enum ByteSearch {
    /// The offset of the first `byte` in `bytes[start..<end]`, or `nil`.
    @inline(__always)
    static func first(_ byte: UInt8, in bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Int? {
        guard start < end, let base = bytes.baseAddress else { return nil }
        guard let found = memchr(base + start, Int32(byte), end - start) else { return nil }
        return UnsafeRawPointer(found) - base
    }

    /// Whether two buffers hold the same bytes (`memcmp`; not for secrets, which use `SecureMemory`).
    @inline(__always)
    static func equal(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer) -> Bool {
        guard lhs.count == rhs.count else { return false }
        guard lhs.count > 0 else { return true }
        return memcmp(lhs.baseAddress!, rhs.baseAddress!, lhs.count) == 0
    }

    /// The offset of the quote that closes a JSON string whose content starts at `start`,
    /// and whether the content has escapes. The document must be well formed there.
    @inline(__always)
    static func closingQuote(in bytes: UnsafeRawBufferPointer, contentStart start: Int) -> (end: Int, hasEscapes: Bool) {
        var searchFrom = start
        while true {
            let quote = first(UInt8(ascii: "\""), in: bytes, from: searchFrom, to: bytes.count) ?? bytes.count
            guard first(UInt8(ascii: "\\"), in: bytes, from: start, to: quote) != nil else { return (quote, false) }
            // Escapes present: the quote closes the string only if preceded by an even run of backslashes.
            var backslashes = 0
            while quote - backslashes - 1 >= start, bytes[quote - backslashes - 1] == UInt8(ascii: "\\") { backslashes += 1 }
            if backslashes % 2 == 0 || quote >= bytes.count { return (quote, true) }
            searchFrom = quote + 1
        }
    }

    /// The bytes of `word` (little-endian: its first byte in the lowest bits) that a JSON string
    /// scanner must stop at: `"`, `\`, controls below 0x20 and bytes of 0x80 and up. The high bit
    /// of each such byte is set; only the lowest set bit is exact (a borrow can flag bytes after
    /// the first), which is all a scanner needs: `trailingZeroBitCount >> 3` is its offset.
    @inline(__always)
    static func specialStringBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func zeroBytes(_ value: UInt64) -> UInt64 { (value &- ones) & ~value & highs }
        let belowSpace = (word &- ones &* 0x20) & ~word & highs
        return (word & highs) | belowSpace | zeroBytes(word ^ (ones &* 0x22)) | zeroBytes(word ^ (ones &* 0x5C))
    }
}
