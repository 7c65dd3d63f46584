// A strict base64 decoder that repairs known transport damage (see Base64Repairs)
// and reports everything else by byte offset, without ever echoing the input.

/// One of the three base64 inputs, with the error code and name its failures carry.
struct Base64Field: Sendable {
    let name: String
    let code: OpenDataError.Code
    /// Whether a decoded length is acceptable; used to settle whether spaces at the ends were `+`.
    let acceptsLength: @Sendable (Int) -> Bool

    static let sessionKey = Base64Field(name: "session_key", code: .invalidSessionKey) { $0 == 16 }
    static let iv = Base64Field(name: "iv", code: .invalidIV) { $0 == 16 }
    static let encryptedData = Base64Field(name: "encrypted_data", code: .invalidEncryptedData) {
        $0 > 0 && $0 % 16 == 0
    }

    func error(_ problem: String) -> OpenDataError {
        OpenDataError(code: code, reason: "\(name) \(problem)", field: name)
    }
}

enum Base64Decoding {
    enum Failure: Error, Equatable {
        case invalidCharacter(offset: Int)
        case misplacedPadding(offset: Int)
        case impossibleLength
        case nonCanonicalEnd(offset: Int)
        case empty

        var problem: String {
            switch self {
            case .invalidCharacter(let offset): "is not base64: invalid character at byte offset \(offset)"
            case .misplacedPadding(let offset): "is not base64: misplaced '=' padding at byte offset \(offset)"
            case .impossibleLength: "is not base64: its length is impossible (one character too many or too few)"
            case .nonCanonicalEnd(let offset):
                "is not base64: the character at byte offset \(offset) has bits set past the end of the data"
            case .empty: "is empty"
            }
        }
    }

    private static let invalid: UInt8 = 0xFF
    private static let lineBreak: UInt8 = 0xFE
    private static let space: UInt8 = 0xFD
    private static let pad: UInt8 = 0xFC

    /// Maps an input byte to its 6-bit value, or to one of the markers above.
    private static let table: [UInt8] = {
        var table = [UInt8](repeating: invalid, count: 256)
        for (value, character) in alphabet.enumerated() { table[Int(character)] = UInt8(value) }
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "_"))] = 63
        table[Int(UInt8(ascii: "\r"))] = lineBreak
        table[Int(UInt8(ascii: "\n"))] = lineBreak
        table[Int(UInt8(ascii: " "))] = space
        table[Int(UInt8(ascii: "="))] = pad
        return table
    }()

    /// The most bytes `count` base64 characters can decode to.
    static func maximumDecodedCount(forEncodedCount count: Int) -> Int { (count / 4) * 3 + 3 }

    private static func isSurroundingWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// Decodes `input` into `output` (at least `maximumDecodedCount` bytes).
    ///
    /// Surrounding whitespace is trimmed. Spaces directly around the text are ambiguous:
    /// whitespace, or a `+` that URL decoding turned into a space. They are read as
    /// whitespace unless only reading them as `+` gives a length the field accepts.
    static func decode(
        _ input: UnsafeRawBufferPointer,
        field: Base64Field,
        into output: UnsafeMutableRawBufferPointer
    ) throws(OpenDataError) -> (count: Int, repairs: Base64Repairs) {
        var start = 0
        var end = input.count
        while start < end, isSurroundingWhitespace(input[start]) { start += 1 }
        while end > start, isSurroundingWhitespace(input[end - 1]) { end -= 1 }
        var trimmed: Base64Repairs = (start > 0 || end < input.count) ? .whitespaceRemoved : []
        if start == end { throw field.error(Failure.empty.problem) }

        // Spaces adjacent to the text, which may have been `+` characters.
        var leadingSpaces = 0
        while start - leadingSpaces > 0, input[start - leadingSpaces - 1] == 0x20 { leadingSpaces += 1 }
        var trailingSpaces = 0
        if input[end - 1] != UInt8(ascii: "=") {
            while end + trailingSpaces < input.count, input[end + trailingSpaces] == 0x20 { trailingSpaces += 1 }
        }

        if start == 0, end == input.count, let count = decodeCanonical(input, into: output), field.acceptsLength(count) {
            return (count, [])
        }
        let first = decodeCore(input, start: start, end: end, into: output)
        if case .success(let result) = first, field.acceptsLength(result.count) {
            return (result.count, result.repairs.union(trimmed))
        }
        if leadingSpaces + trailingSpaces > 0 {
            let candidates = [(leadingSpaces, 0), (0, trailingSpaces), (leadingSpaces, trailingSpaces)]
            for (lead, trail) in candidates where lead + trail > 0 {
                let retry = decodeCore(input, start: start - lead, end: end + trail, into: output)
                if case .success(let result) = retry, field.acceptsLength(result.count) {
                    let stillTrimmed = (start - lead > 0 || end + trail < input.count)
                    trimmed = stillTrimmed ? .whitespaceRemoved : []
                    return (result.count, result.repairs.union(trimmed).union(.spacesAsPlus))
                }
            }
            // No other reading fits: decode the first one again, since the retries overwrote
            // `output`, and let the caller report its length.
            _ = decodeCore(input, start: start, end: end, into: output)
        }
        switch first {
        case .success(let result):
            return (result.count, result.repairs.union(trimmed))
        case .failure(let failure):
            throw field.error(failure.problem)
        }
    }

    /// The common case, four characters at a time: canonical standard base64 with correct
    /// padding and nothing to repair. Returns `nil` for anything else, which the general
    /// decoder then handles (and reports).
    private static func decodeCanonical(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int? {
        let count = input.count
        guard count > 0, count % 4 == 0 else { return nil }
        var padding = 0
        if input[count - 1] == UInt8(ascii: "=") { padding = input[count - 2] == UInt8(ascii: "=") ? 2 : 1 }
        return canonicalTable.withUnsafeBufferPointer { table -> Int? in
            var written = 0
            var index = 0
            let fullGroups = padding == 0 ? count : count - 4
            while index < fullGroups {
                let a = table[Int(input[index])], b = table[Int(input[index + 1])]
                let c = table[Int(input[index + 2])], d = table[Int(input[index + 3])]
                guard (a | b | c | d) & 0xC0 == 0 else { return nil }
                let group = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                output[written] = UInt8(truncatingIfNeeded: group >> 16)
                output[written + 1] = UInt8(truncatingIfNeeded: group >> 8)
                output[written + 2] = UInt8(truncatingIfNeeded: group)
                written += 3
                index += 4
            }
            guard padding > 0 else { return written }
            let a = table[Int(input[index])], b = table[Int(input[index + 1])]
            let c = padding == 1 ? table[Int(input[index + 2])] : 0
            guard (a | b | c) & 0xC0 == 0 else { return nil }
            let group = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6
            // Non-canonical trailing bits go to the general decoder, which reports them.
            guard group & (padding == 1 ? 0xFF : 0xFFFF) == 0 else { return nil }
            output[written] = UInt8(truncatingIfNeeded: group >> 16)
            if padding == 1 { output[written + 1] = UInt8(truncatingIfNeeded: group >> 8) }
            return written + 3 - padding
        }
    }

    /// Standard alphabet only; every other byte maps to 0xFF.
    private static let canonicalTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, character) in alphabet.enumerated() { table[Int(character)] = UInt8(value) }
        return table
    }()

    /// Decodes `input[start..<end]`, where no surrounding whitespace remains.
    private static func decodeCore(
        _ input: UnsafeRawBufferPointer,
        start: Int,
        end: Int,
        into output: UnsafeMutableRawBufferPointer
    ) -> Result<(count: Int, repairs: Base64Repairs), Failure> {
        var repairs: Base64Repairs = []
        var accumulator: UInt32 = 0
        var symbols = 0
        var written = 0
        var padding = 0
        var lastSymbolOffset = start
        var index = start
        return table.withUnsafeBufferPointer { table in
            while index < end {
                let byte = input[index]
                let value = table[Int(byte)]
                index += 1
                let symbol: UInt8
                if value < 64 {
                    if byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") { repairs.insert(.urlSafeAlphabet) }
                    symbol = value
                } else if value == space {
                    repairs.insert(.spacesAsPlus)
                    symbol = 62
                } else if value == pad {
                    padding += 1
                    continue
                } else if value == lineBreak {
                    repairs.insert(.whitespaceRemoved)
                    continue
                } else {
                    return .failure(.invalidCharacter(offset: index - 1))
                }
                if padding > 0 { return .failure(.misplacedPadding(offset: index - 1 - padding)) }
                accumulator = accumulator << 6 | UInt32(symbol)
                symbols += 1
                lastSymbolOffset = index - 1
                if symbols & 3 == 0 {
                    output[written] = UInt8(truncatingIfNeeded: accumulator >> 16)
                    output[written + 1] = UInt8(truncatingIfNeeded: accumulator >> 8)
                    output[written + 2] = UInt8(truncatingIfNeeded: accumulator)
                    written += 3
                    accumulator = 0
                }
            }
            if symbols == 0 { return .failure(padding > 0 ? .misplacedPadding(offset: start) : .empty) }
            let remainder = symbols & 3
            switch remainder {
            case 0:
                if padding != 0 { return .failure(.misplacedPadding(offset: end - padding)) }
            case 1:
                return .failure(.impossibleLength)
            case 2:
                // 12 bits carry one byte; the low 4 bits must be zero.
                if accumulator & 0xF != 0 { return .failure(.nonCanonicalEnd(offset: lastSymbolOffset)) }
                output[written] = UInt8(truncatingIfNeeded: accumulator >> 4)
                written += 1
            default:
                // 18 bits carry two bytes; the low 2 bits must be zero.
                if accumulator & 0x3 != 0 { return .failure(.nonCanonicalEnd(offset: lastSymbolOffset)) }
                output[written] = UInt8(truncatingIfNeeded: accumulator >> 10)
                output[written + 1] = UInt8(truncatingIfNeeded: accumulator >> 2)
                written += 2
            }
            if remainder != 0 {
                let expectedPadding = 4 - remainder
                if padding == 0 {
                    repairs.insert(.missingPadding)
                } else if padding != expectedPadding {
                    return .failure(.misplacedPadding(offset: end - padding))
                }
            }
            return .success((written, repairs))
        }
    }

    /// Decodes a string field into a temporary buffer and hands the bytes to `body`.
    /// The buffer is wiped afterwards: it may hold key material or ciphertext.
    static func withDecoded(
        _ text: String,
        field: Base64Field,
        _ body: (UnsafeMutableRawBufferPointer, Base64Repairs) throws(OpenDataError) -> Void
    ) throws(OpenDataError) {
        try withUTF8(text) { (input) throws(OpenDataError) in try withDecoded(input, field: field, body) }
    }

    /// The same for text that is already UTF-8 bytes.
    static func withDecoded(
        _ input: UnsafeRawBufferPointer,
        field: Base64Field,
        _ body: (UnsafeMutableRawBufferPointer, Base64Repairs) throws(OpenDataError) -> Void
    ) throws(OpenDataError) {
        try withTemporaryBytes(maximumDecodedCount(forEncodedCount: input.count)) { (buffer) throws(OpenDataError) in
            defer { SecureMemory.wipe(buffer) }
            let (count, repairs) = try decode(input, field: field, into: buffer)
            try body(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]), repairs)
        }
    }

    /// The standard alphabet (RFC 4648 §4): the encoder's output and both decoding tables.
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Standard base64 with padding, the form WeChat uses.
    static func encode(_ bytes: UnsafeRawBufferPointer) -> String {
        let outputCount = (bytes.count + 2) / 3 * 4
        return String(unsafeUninitializedCapacity: outputCount) { output in
            encode(bytes, into: UnsafeMutableRawBufferPointer(output))
        }
    }

    /// Writes standard padded base64 of `bytes` into `output` and returns the count written.
    @discardableResult
    static func encode(_ bytes: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int {
        alphabet.withUnsafeBufferPointer { alphabet in
            var written = 0
            var index = 0
            while index + 3 <= bytes.count {
                let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
                output[written] = alphabet[Int(chunk >> 18 & 63)]
                output[written + 1] = alphabet[Int(chunk >> 12 & 63)]
                output[written + 2] = alphabet[Int(chunk >> 6 & 63)]
                output[written + 3] = alphabet[Int(chunk & 63)]
                written += 4
                index += 3
            }
            let rest = bytes.count - index
            if rest > 0 {
                var chunk = UInt32(bytes[index]) << 16
                if rest == 2 { chunk |= UInt32(bytes[index + 1]) << 8 }
                output[written] = alphabet[Int(chunk >> 18 & 63)]
                output[written + 1] = alphabet[Int(chunk >> 12 & 63)]
                output[written + 2] = rest == 2 ? alphabet[Int(chunk >> 6 & 63)] : UInt8(ascii: "=")
                output[written + 3] = UInt8(ascii: "=")
                written += 4
            }
            return written
        }
    }
}
