/// Decoding of string tokens that `StrictJSONValidator` has already accepted.
enum JSONUnescape {
    /// The value of four hex digits at `offset`, or `nil`.
    static func hexQuad(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt32? {
        guard offset + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for position in offset..<offset + 4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// The decoded string. Without escapes this is a plain copy, and strings of up to
    /// 15 UTF-8 bytes are stored inline by Swift, without a heap allocation.
    static func string(_ bytes: UnsafeRawBufferPointer, _ span: JSONStringSpan) -> String {
        let raw = UnsafeRawBufferPointer(rebasing: bytes[span.start..<span.end])
        guard span.hasEscapes else { return String(decoding: raw, as: UTF8.self) }
        return String(unsafeUninitializedCapacity: raw.count) { decode(raw, into: UnsafeMutableRawBufferPointer($0)) }
    }

    /// Decodes the escapes of a string token's content (`raw`, between its quotes) into `output`,
    /// which holds at least `raw.count` bytes: escapes only ever shrink (`\uXXXX` is 6 bytes for
    /// at most 3 of UTF-8, a pair 12 for 4). Returns the number of UTF-8 bytes written.
    static func decode(_ raw: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int {
        var written = 0
        var index = 0
        while index < raw.count {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\") else {
                output[written] = byte
                written += 1
                index += 1
                continue
            }
            let escaped = raw[index + 1]
            index += 2
            let simple: UInt8?
            switch escaped {
            case UInt8(ascii: "b"): simple = 0x08
            case UInt8(ascii: "f"): simple = 0x0C
            case UInt8(ascii: "n"): simple = 0x0A
            case UInt8(ascii: "r"): simple = 0x0D
            case UInt8(ascii: "t"): simple = 0x09
            case UInt8(ascii: "u"): simple = nil
            default: simple = escaped  // " \ /
            }
            if let simple {
                output[written] = simple
                written += 1
                continue
            }
            var scalar = hexQuad(raw, at: index) ?? 0xFFFD
            index += 4
            if (0xD800...0xDBFF).contains(scalar), let low = hexQuad(raw, at: index + 2) {
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                index += 6
            }
            for unit in UTF8.encode(Unicode.Scalar(scalar) ?? "\u{FFFD}")! {
                output[written] = unit
                written += 1
            }
        }
        return written
    }

    /// Whether two string tokens decode to the same string. Inline: keys are compared often, and
    /// nearly always without escapes.
    @inline(__always)
    static func equal(_ bytes: UnsafeRawBufferPointer, _ lhs: JSONStringSpan, _ rhs: JSONStringSpan) -> Bool {
        if !lhs.hasEscapes && !rhs.hasEscapes {
            return rawEqual(bytes, lhs, UnsafeRawBufferPointer(rebasing: bytes[rhs.start..<rhs.end]))
        }
        return decodedEqual(bytes, lhs, rhs)
    }

    /// Whether a string token decodes to exactly `expected` (UTF-8).
    @inline(__always)
    static func equal(_ bytes: UnsafeRawBufferPointer, _ span: JSONStringSpan, _ expected: UnsafeRawBufferPointer) -> Bool {
        if !span.hasEscapes { return rawEqual(bytes, span, expected) }
        return decodedEqual(bytes, span, expected)
    }

    @inline(__always)
    private static func rawEqual(_ bytes: UnsafeRawBufferPointer, _ span: JSONStringSpan, _ expected: UnsafeRawBufferPointer) -> Bool {
        return ByteSearch.equal(UnsafeRawBufferPointer(rebasing: bytes[span.start..<span.end]), expected)
    }

    /// Compared as UTF-8 bytes: `String`'s `==` would equate canonically equivalent spellings
    /// (`\u212a` and `K`), which JSON keys are not. Decoded into stack space, not `String`s: a
    /// line of escaped keys compares every pair of them for duplicates.
    @inline(never)
    private static func decodedEqual(_ bytes: UnsafeRawBufferPointer, _ lhs: JSONStringSpan, _ rhs: JSONStringSpan) -> Bool {
        let right = UnsafeRawBufferPointer(rebasing: bytes[rhs.start..<rhs.end])
        guard right.count <= decodedCapacity else { return string(bytes, lhs).utf8.elementsEqual(string(bytes, rhs).utf8) }
        return withUnsafeTemporaryAllocation(byteCount: decodedCapacity, alignment: 1) { scratch in
            let count = decode(right, into: scratch)
            return decodedEqual(bytes, lhs, UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
        }
    }

    @inline(never)
    private static func decodedEqual(_ bytes: UnsafeRawBufferPointer, _ span: JSONStringSpan, _ expected: UnsafeRawBufferPointer) -> Bool {
        let raw = UnsafeRawBufferPointer(rebasing: bytes[span.start..<span.end])
        guard raw.count <= decodedCapacity else { return string(bytes, span).utf8.elementsEqual(expected) }
        return withUnsafeTemporaryAllocation(byteCount: decodedCapacity, alignment: 1) { scratch in
            let count = decode(raw, into: scratch)
            return ByteSearch.equal(UnsafeRawBufferPointer(rebasing: scratch[0..<count]), expected)
        }
    }

    /// The longest escaped string compared on the stack; longer ones (no key WeChat sends) are
    /// decoded into `String`s.
    private static let decodedCapacity = 256
}
