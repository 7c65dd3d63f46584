/// Walks a document through a fixed layout of literal bytes and simple values: how a payload in
/// the exact layout WeChat writes is validated in one pass (see `PhoneNumber.Layout`), without
/// `StrictJSONValidator`'s per-token work.
///
/// The steps accept only a subset of strict JSON: literal bytes the layout spells out, strings
/// of printable ASCII (and DEL) without `"` or `\`, and integers without a sign or a leading zero,
/// of at most 19 digits. So a document that a layout of distinct keys walks to its last byte is
/// strict JSON: no escape, UTF-8 sequence, number range or duplicate key is left to check. A step
/// that fails means only "not this layout": the caller then runs the general validator.
struct JSONLayoutCursor {
    private let base: UnsafeRawPointer
    private let count: Int
    /// Where the next step starts.
    private(set) var offset = 0

    init?(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return nil }
        self.base = base
        count = bytes.count
    }

    /// Whether every byte has been walked.
    var isAtEnd: Bool { offset == count }

    @inline(__always)
    private func byte(at offset: Int) -> UInt8 { base.load(fromByteOffset: offset, as: UInt8.self) }

    /// Moves past `text` if the document has it here.
    @inline(__always)
    mutating func skip(_ text: StaticString) -> Bool {
        let length = text.utf8CodeUnitCount
        guard count - offset >= length,
            ByteSearch.equal(UnsafeRawBufferPointer(start: base + offset, count: length), sameLengthAs: text)
        else { return false }
        offset += length
        return true
    }

    /// Moves past the key `name` (its opening quote already passed), its closing quote and the
    /// colon; returns the key's span, as the validator gives it.
    @inline(__always)
    mutating func key(_ name: StaticString) -> JSONStringSpan? {
        let start = offset
        guard skip(name), skip("\":") else { return nil }
        return JSONStringSpan(start: start, end: start + name.utf8CodeUnitCount, hasEscapes: false)
    }

    /// Moves past a plain string or an integer; returns where it starts and ends, as the
    /// validator measures a value (a string with its quotes). Which of the two a member must be
    /// is its reader's check, as after the general validator.
    @inline(__always)
    mutating func value() -> Range<Int>? {
        let start = offset
        guard offset < count else { return nil }
        let first = byte(at: offset)
        if first == UInt8(ascii: "\"") {
            // The first byte that is a quote, a backslash, a control or not ASCII: only a quote
            // ends a plain string.
            guard let stop = ByteSearch.stringStop(in: base, count: count, from: offset + 1),
                byte(at: stop) == UInt8(ascii: "\"")
            else { return nil }
            offset = stop + 1
        } else if first == UInt8(ascii: "0") {
            offset += 1
        } else {
            guard first &- UInt8(ascii: "1") < 9 else { return nil }
            repeat { offset += 1 } while offset < count && byte(at: offset) &- UInt8(ascii: "0") < 10
            guard offset - start <= 19 else { return nil }
        }
        // After an integer the layout's next literal must follow, so no digit, '.', 'e' or sign
        // of a longer number token can.
        return start..<offset
    }
}
