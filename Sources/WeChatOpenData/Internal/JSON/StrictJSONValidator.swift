/// A strict RFC 8259 validator for decrypted payloads, working on bytes without allocating.
///
/// Beyond the grammar it rejects what a forged or corrupted payload might use to confuse
/// a reader: invalid UTF-8 (overlong forms, surrogates, code points past U+10FFFF), lone
/// surrogate escapes, duplicate keys in an object, nesting deeper than ``maximumDepth``,
/// number tokens longer than ``maximumNumberLength``, and any byte after the top-level
/// object. The top level must be an object.
struct StrictJSONValidator {
    static let maximumDepth = 16
    static let maximumNumberLength = 32
    /// Objects with up to this many keys are checked for duplicates without allocating.
    private static let inlineKeyCapacity = 32

    /// Why a document was refused. Decryption reports every problem as the same
    /// `decryption_failed`; only a diagnosis names it.
    enum Problem: Sendable, Hashable {
        case byteOrderMark, notAnObject, syntax, invalidUTF8, controlCharacter, invalidEscape
        case duplicateKey, tooDeep, numberTooLong, numberOutOfRange, bytesAfterObject

        /// A phrase for a person; never quotes the document.
        var phrase: String {
            switch self {
            case .byteOrderMark: "it starts with a byte-order mark, which JSON text must not have"
            case .notAnObject: "the top-level value is not a JSON object"
            case .syntax: "it is not well-formed JSON"
            case .invalidUTF8: "it contains bytes that are not valid UTF-8"
            case .controlCharacter: "a string contains an unescaped control character"
            case .invalidEscape: "a string contains an invalid escape or a lone surrogate"
            case .duplicateKey: "an object has the same key twice"
            case .tooDeep: "it nests deeper than \(StrictJSONValidator.maximumDepth) levels"
            case .numberTooLong: "a number is longer than \(StrictJSONValidator.maximumNumberLength) characters"
            case .numberOutOfRange: "a number is out of the range of a double"
            case .bytesAfterObject: "there are bytes after the end of the object"
            }
        }
    }

    private let bytes: UnsafeRawBufferPointer
    /// The first byte: a validator is made only for a document that has one, so that reading a
    /// byte is one load, without unwrapping `bytes.baseAddress` each time.
    private let base: UnsafeRawPointer
    private let count: Int
    private var index = 0
    /// The first problem found; set where a check fails, read only when one did.
    private var problem = Problem.syntax

    private init(_ bytes: UnsafeRawBufferPointer, base: UnsafeRawPointer) {
        self.bytes = bytes
        self.base = base
        count = bytes.count
    }

    /// Whether `bytes` is one strict JSON object, optionally surrounded by whitespace.
    static func isValidObject(_ bytes: UnsafeRawBufferPointer) -> Bool { problem(in: bytes) == nil }

    /// Why `bytes` is not one strict JSON object, or `nil` when it is.
    static func problem(in bytes: UnsafeRawBufferPointer) -> Problem? {
        var nothing = NoMemberCollector()
        return problem(in: bytes, collecting: &nothing)
    }

    /// The same, handing each top-level member to `collector` as it is validated: one pass
    /// both validates a document and finds its members. The collector may have seen members
    /// of a document that then turns out invalid; it is only to be read when this returns `nil`.
    static func problem<Collector: JSONMemberCollector>(
        in bytes: UnsafeRawBufferPointer, collecting collector: inout Collector
    ) -> Problem? {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return .notAnObject }
        var validator = StrictJSONValidator(bytes, base: base)
        validator.skipWhitespace()
        guard validator.peek() == UInt8(ascii: "{") else {
            let bom = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
            return bom ? .byteOrderMark : .notAnObject
        }
        guard validator.object(depth: 1, &collector) else { return validator.problem }
        validator.skipWhitespace()
        return validator.index == bytes.count ? nil : .bytesAfterObject
    }

    private mutating func fail(_ found: Problem) -> Bool {
        problem = found
        return false
    }

    // MARK: Grammar

    @inline(__always)
    private func byte(at offset: Int) -> UInt8 { base.load(fromByteOffset: offset, as: UInt8.self) }

    @inline(__always)
    private func peek() -> UInt8? { byte(after: index) }

    /// The byte at `offset`, or `nil` at the end.
    @inline(__always)
    private func byte(after offset: Int) -> UInt8? { offset < count ? byte(at: offset) : nil }

    @inline(__always)
    private mutating func skipWhitespace() { index = whitespaceEnd(from: index) }

    /// The offset of the first byte at or after `offset` that is not whitespace. Most tokens are
    /// not preceded by whitespace: that case costs one comparison, inline.
    @inline(__always)
    private func whitespaceEnd(from offset: Int) -> Int {
        guard offset < count, byte(at: offset) <= 0x20 else { return offset }
        return whitespaceRunEnd(from: offset)
    }

    private func whitespaceRunEnd(from start: Int) -> Int {
        var offset = start
        while offset < count {
            switch byte(at: offset) {
            case 0x20, 0x09, 0x0A, 0x0D: offset += 1
            default: return offset
            }
        }
        return offset
    }

    /// Validates the value at `index`.
    private mutating func value<Collector: JSONMemberCollector>(depth: Int, _ collector: inout Collector) -> Bool {
        guard let byte = peek() else { return false }
        switch byte {
        case UInt8(ascii: "\""):
            var offset = index
            guard string(at: &offset) != nil else { return false }
            index = offset
            return true
        case UInt8(ascii: "{"): return object(depth: depth + 1, &collector)
        case UInt8(ascii: "["): return array(depth: depth + 1, &collector)
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return number()
        }
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let length = word.utf8CodeUnitCount
        guard count - index >= length else { return false }
        for offset in 0..<length where byte(at: index + offset) != word.utf8Start[offset] { return false }
        index += length
        return true
    }

    private mutating func array<Collector: JSONMemberCollector>(depth: Int, _ collector: inout Collector) -> Bool {
        guard depth <= Self.maximumDepth else { return fail(.tooDeep) }
        index += 1  // [
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return true
        }
        while true {
            skipWhitespace()
            guard value(depth: depth, &collector) else { return false }
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return true
            default: return false
            }
        }
    }

    private mutating func object<Collector: JSONMemberCollector>(depth: Int, _ collector: inout Collector) -> Bool {
        guard depth <= Self.maximumDepth else { return fail(.tooDeep) }
        let objectStart = index
        // The loop keeps its offset in a local, which stays in a register; `index` is written
        // only for the calls that read it (a value, an escape).
        return withUnsafeTemporaryAllocation(of: KeyList.Key.self, capacity: Self.inlineKeyCapacity) { inline in
            var keys = KeyList(inline: inline, bytes: bytes)
            var offset = whitespaceEnd(from: index + 1)  // past {
            if byte(after: offset) == UInt8(ascii: "}") {
                index = offset + 1
                return true
            }
            while true {
                offset = whitespaceEnd(from: offset)
                guard byte(after: offset) == UInt8(ascii: "\""), let key = string(at: &offset) else { return false }
                guard keys.insertIfNew(key) else { return fail(.duplicateKey) }
                offset = whitespaceEnd(from: offset)
                guard byte(after: offset) == UInt8(ascii: ":") else { return false }
                let valueStart = whitespaceEnd(from: offset + 1)
                // A string, the commonest value, here; anything else through a call.
                var escapes = false
                if byte(after: valueStart) == UInt8(ascii: "\"") {
                    offset = valueStart
                    guard let span = string(at: &offset) else { return false }
                    escapes = span.hasEscapes
                } else {
                    index = valueStart
                    guard value(depth: depth, &collector) else { return false }
                    offset = index
                }
                // The top level and the objects that are its members' values are handed over.
                if depth == 1 {
                    collector.collect(
                        key: key, value: JSONValue(bytes: bytes, start: valueStart, end: offset, stringHasEscapes: escapes))
                } else if depth == 2 {
                    collector.collectNested(
                        in: objectStart, key: key,
                        value: JSONValue(bytes: bytes, start: valueStart, end: offset, stringHasEscapes: escapes))
                }
                offset = whitespaceEnd(from: offset)
                switch byte(after: offset) {
                case UInt8(ascii: ","): offset += 1
                case UInt8(ascii: "}"):
                    index = offset + 1
                    return true
                default: return false
                }
            }
        }
    }

    /// Validates a string token at `offset` (on its opening quote), moves `offset` past it and
    /// returns its content span. Inline where it is used: most strings end in the first
    /// sixteen-byte step, less than a call.
    @inline(__always)
    private mutating func string(at offset: inout Int) -> JSONStringSpan? {
        offset += 1  // "
        let start = offset
        var hasEscapes = false
        while true {
            // Straight to the first byte that is not plain printable ASCII: base64 fields and keys
            // are all plain, so most strings stop only at their closing quote.
            guard let stop = ByteSearch.stringStop(in: base, count: count, from: offset) else { return nil }
            offset = stop
            switch byte(at: stop) {
            case UInt8(ascii: "\""):
                offset += 1
                return JSONStringSpan(start: start, end: stop, hasEscapes: hasEscapes)
            case UInt8(ascii: "\\"):
                hasEscapes = true
                index = offset
                guard escape() else {
                    problem = .invalidEscape
                    return nil
                }
                offset = index
            case 0x00..<0x20:
                problem = .controlCharacter
                return nil
            default:
                index = offset
                guard multibyteScalar() else {
                    problem = .invalidUTF8
                    return nil
                }
                offset = index
            }
        }
    }

    /// Validates an escape at `index` (on its backslash).
    @inline(never)
    private mutating func escape() -> Bool {
        guard index + 1 < count else { return false }
        switch byte(at: index + 1) {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
            UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            index += 2
            return true
        case UInt8(ascii: "u"):
            guard let unit = JSONUnescape.hexQuad(bytes, at: index + 2) else { return false }
            index += 6
            switch unit {
            case 0xD800...0xDBFF:
                // A high surrogate must be followed by an escaped low surrogate.
                guard index + 1 < count, byte(at: index) == UInt8(ascii: "\\"), byte(at: index + 1) == UInt8(ascii: "u"),
                    let low = JSONUnescape.hexQuad(bytes, at: index + 2), (0xDC00...0xDFFF).contains(low)
                else { return false }
                index += 6
                return true
            case 0xDC00...0xDFFF:
                return false
            default:
                return true
            }
        default:
            return false
        }
    }

    /// Validates one UTF-8 sequence of two to four bytes at `index` (Unicode Table 3-7).
    @inline(never)
    private mutating func multibyteScalar() -> Bool {
        let lead = byte(at: index)
        let remaining = count - index
        func continuation(_ offset: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool {
            range.contains(byte(at: index + offset))
        }
        switch lead {
        case 0xC2...0xDF:
            guard remaining >= 2, continuation(1) else { return false }
            index += 2
        case 0xE0...0xEF:
            let second: ClosedRange<UInt8> =
                lead == 0xE0 ? 0xA0...0xBF : lead == 0xED ? 0x80...0x9F : 0x80...0xBF
            guard remaining >= 3, continuation(1, second), continuation(2) else { return false }
            index += 3
        case 0xF0...0xF4:
            let second: ClosedRange<UInt8> =
                lead == 0xF0 ? 0x90...0xBF : lead == 0xF4 ? 0x80...0x8F : 0x80...0xBF
            guard remaining >= 4, continuation(1, second), continuation(2), continuation(3) else { return false }
            index += 4
        default:
            return false
        }
        return true
    }

    /// Validates a number token at `index`, which `value` has seen is not the end.
    private mutating func number() -> Bool {
        let start = index
        // A local offset: the digit loops then keep it in a register.
        var offset = index
        func isDigit(_ offset: Int) -> Bool { offset < count && byte(at: offset) &- UInt8(ascii: "0") < 10 }
        if byte(at: offset) == UInt8(ascii: "-") { offset += 1 }
        guard isDigit(offset) else { return false }
        var integerDigits = 0
        if byte(at: offset) == UInt8(ascii: "0") {
            offset += 1
        } else {
            let digitsStart = offset
            repeat { offset += 1 } while isDigit(offset)
            integerDigits = offset - digitsStart
        }
        if offset < count, byte(at: offset) == UInt8(ascii: ".") {
            offset += 1
            guard isDigit(offset) else { return false }
            repeat { offset += 1 } while isDigit(offset)
        }
        var exponent = 0
        if offset < count, byte(at: offset) | 0x20 == UInt8(ascii: "e") {
            offset += 1
            var negative = false
            if offset < count, byte(at: offset) == UInt8(ascii: "+") || byte(at: offset) == UInt8(ascii: "-") {
                negative = byte(at: offset) == UInt8(ascii: "-")
                offset += 1
            }
            guard isDigit(offset) else { return false }
            repeat {
                exponent = min(exponent * 10 + Int(byte(at: offset) - UInt8(ascii: "0")), 100_000)
                offset += 1
            } while isDigit(offset)
            if negative { exponent = -exponent }
        }
        index = offset
        guard index - start <= Self.maximumNumberLength else { return fail(.numberTooLong) }
        // Out of range for a double (overflow past 1.8e308, or a non-zero value that underflows
        // to zero): only possible with an exponent or many digits, so only those are converted.
        if exponent != 0 || integerDigits > 15 {
            let token = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
            guard let value = Double(String(decoding: token, as: UTF8.self)), value.isFinite else {
                return fail(.numberOutOfRange)
            }
            let mantissa = token.prefix { $0 != UInt8(ascii: "e") && $0 != UInt8(ascii: "E") }
            if value == 0, mantissa.contains(where: { (UInt8(ascii: "1")...UInt8(ascii: "9")).contains($0) }) {
                return fail(.numberOutOfRange)
            }
        }
        return true
    }
}

/// The raw content of a JSON string token, between its quotes.
struct JSONStringSpan {
    var start: Int
    var end: Int
    var hasEscapes: Bool
}

/// The keys seen so far in one object: inline up to a fixed count, then in a set.
private struct KeyList {
    /// A key, and a summary of it that most other keys differ from in one comparison.
    struct Key {
        let span: JSONStringSpan
        let summary: UInt64
    }

    let inline: UnsafeMutableBufferPointer<Key>
    let bytes: UnsafeRawBufferPointer
    var count = 0
    /// Whether a key so far has escapes: then keys are compared by their unescaped text.
    var escapes = false
    /// Keys as UTF-8 bytes: a set of `String`s would equate canonically equivalent keys.
    var overflow: Set<[UInt8]>? = nil

    init(inline: UnsafeMutableBufferPointer<Key>, bytes: UnsafeRawBufferPointer) {
        self.inline = inline
        self.bytes = bytes
    }

    /// Adds `key`; returns `false` when an equal key is already present. Inline in the validator:
    /// the common case (a few keys without escapes, all different) is a short loop over the
    /// summaries; a set is made out of line.
    @inline(__always)
    mutating func insertIfNew(_ key: JSONStringSpan) -> Bool {
        // Past the inline storage `count` stays at its capacity, and every key goes to the set.
        guard count < inline.count else { return insertBeyondInline(key) }
        // Keys without escapes are equal only if their lengths and their first and last bytes
        // are ("id" and "iv" differ in the last).
        let length = key.end - key.start
        let summary = length == 0
            ? 0 : UInt64(length) | UInt64(bytes[key.start]) << 32 | UInt64(bytes[key.end - 1]) << 40
        escapes = escapes || key.hasEscapes
        for seen in inline[0..<count] where escapes || seen.summary == summary {
            if JSONUnescape.equal(bytes, seen.span, key) { return false }
        }
        inline[count] = Key(span: key, summary: summary)
        count += 1
        return true
    }

    /// Past the inline storage: every key so far goes into a set, and from then on each new one.
    @inline(never)
    private mutating func insertBeyondInline(_ key: JSONStringSpan) -> Bool {
        if overflow != nil {
            return overflow!.insert(Array(JSONUnescape.string(bytes, key).utf8)).inserted
        }
        var set = Set<[UInt8]>(minimumCapacity: count * 2)
        for seen in inline[0..<count] { set.insert(Array(JSONUnescape.string(bytes, seen.span).utf8)) }
        let inserted = set.insert(Array(JSONUnescape.string(bytes, key).utf8)).inserted
        overflow = set
        return inserted
    }
}
