/// Standard base64 with padding (RFC 4648 §4), the form WeChat uses, written without table
/// look-ups: the same code encodes session keys, whose bytes must not steer memory accesses.
enum Base64Encoding {
    /// The base64 text of `bytes`.
    static func encode(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: (bytes.count + 2) / 3 * 4) { output in
            encode(bytes, into: UnsafeMutableRawBufferPointer(output))
        }
    }

    /// Writes the base64 text of `bytes` into `output` and returns the count written.
    @discardableResult
    static func encode(_ bytes: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int {
        var written = 0
        var index = 0
        while index + 3 <= bytes.count {
            let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            output[written] = symbol(chunk >> 18)
            output[written + 1] = symbol(chunk >> 12)
            output[written + 2] = symbol(chunk >> 6)
            output[written + 3] = symbol(chunk)
            written += 4
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            var chunk = UInt32(bytes[index]) << 16
            if rest == 2 { chunk |= UInt32(bytes[index + 1]) << 8 }
            output[written] = symbol(chunk >> 18)
            output[written + 1] = symbol(chunk >> 12)
            output[written + 2] = rest == 2 ? symbol(chunk >> 6) : UInt8(ascii: "=")
            output[written + 3] = UInt8(ascii: "=")
            written += 4
        }
        return written
    }

    /// The character for the low six bits of `value`, by arithmetic on masks: each step adds
    /// the distance to the next range of the alphabet when the value has reached it.
    @inline(__always)
    static func symbol(_ value: UInt32) -> UInt8 {
        let sextet = Int32(value & 63)
        var character = sextet + 65  // 'A'...'Z'
        character += ((25 - sextet) >> 31) & 6  // 'a'...'z' from 26
        character -= ((51 - sextet) >> 31) & 75  // '0'...'9' from 52
        character -= ((61 - sextet) >> 31) & 15  // '+' at 62
        character += ((62 - sextet) >> 31) & 3  // '/' at 63
        return UInt8(truncatingIfNeeded: character)
    }
}
