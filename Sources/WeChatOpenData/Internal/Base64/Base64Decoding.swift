// A strict base64 decoder that repairs known transport damage (see Base64Repairs)
// and reports everything else by byte offset, without ever echoing the input.
//
// The rule for blanks (spaces and tabs), one for every field:
// - a run of blanks that touches a line break, or the start or end of the text, is
//   whitespace (WeChat's PHP demo indents every line of encryptedData);
// - a space between two base64 characters on one line is a `+` that URL or form decoding
//   turned into a space; a tab there is whitespace (a `+` never becomes a tab);
// - where spaces could be either (the edge runs above), the reading whose decoded length
//   the field accepts wins, whitespace first when several do. At a line's start only the
//   spaces beyond the text's common indentation can be `+` (the ones next to the text).

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

    /// Which ambiguous runs of spaces a reading takes as `+`; all others are whitespace.
    private struct Reading: OptionSet {
        let rawValue: UInt8
        /// All spaces before the text, when it is one line (in lines of text, the first line's
        /// blanks are indentation like every other line's).
        static let textStart = Reading(rawValue: 1)
        /// All spaces after the text.
        static let textEnd = Reading(rawValue: 2)
        /// Spaces at a line's end, and a line start's spaces beyond the common indentation.
        static let lineEdges = Reading(rawValue: 4)

        /// Whitespace first, then the smallest changes.
        static let preferenceOrder: [Reading] = [
            [], .textStart, .textEnd, [.textStart, .textEnd], .lineEdges, [.textStart, .textEnd, .lineEdges],
        ]
    }

    /// The most bytes `count` base64 characters can decode to.
    static func maximumDecodedCount(forEncodedCount count: Int) -> Int { (count / 4) * 3 + 3 }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
    private static func isLineBreak(_ byte: UInt8) -> Bool { byte == 0x0A || byte == 0x0D }

    /// Decodes `input` into `output` (at least `maximumDecodedCount` bytes) and enforces the
    /// field's length rule.
    static func decode(
        _ input: UnsafeRawBufferPointer,
        field: Base64Field,
        into output: UnsafeMutableRawBufferPointer
    ) throws(OpenDataError) -> (count: Int, repairs: Base64Repairs) {
        if let count = decodeCanonical(input, constantTime: field.isSecret, into: output), field.acceptsLength(count) {
            return (count, [])
        }
        let (ambiguity, indentation, multiline) = ambiguousRuns(input)
        var first: Result<(count: Int, repairs: Base64Repairs), Failure>?
        for reading in Reading.preferenceOrder where reading.isSubset(of: ambiguity) {
            let result = decodeCore(
                input, reading: reading, indentation: indentation, multiline: multiline, constantTime: field.isSecret,
                into: output)
            if case .success(let decoded) = result, field.acceptsLength(decoded.count) { return decoded }
            if first == nil { first = result }
        }
        switch first {
        case .success(let decoded):
            throw field.lengthError(decoded.count, input: input)
        case .failure(let failure):
            throw field.error(failure.problem + field.misreadKeyHint(input))
        case nil:
            throw field.error(Failure.empty.problem)
        }
    }

    /// Where a run of blanks stands: only runs at an edge are ambiguous.
    private enum Position { case interior, blankLine, lineStart, lineEnd }

    private static func position(of run: Range<Int>, in input: UnsafeRawBufferPointer) -> Position {
        let startsLine = run.lowerBound == 0 || isLineBreak(input[run.lowerBound - 1])
        let endsLine = run.upperBound == input.count || isLineBreak(input[run.upperBound])
        switch (startsLine, endsLine) {
        case (false, false): return .interior
        case (true, true): return .blankLine
        case (true, false): return .lineStart
        case (false, true): return .lineEnd
        }
    }

    /// The end of the run of blanks that starts at `start`.
    private static func runEnd(_ input: UnsafeRawBufferPointer, from start: Int) -> Int {
        var end = start
        while end < input.count, isBlank(input[end]) { end += 1 }
        return end
    }

    /// Which readings could change anything, and the common indentation: the fewest blanks any
    /// line of text starts with (0 when a line starts with its text). Two passes, no storage:
    /// a field of a million blanks costs no memory.
    private static func ambiguousRuns(_ input: UnsafeRawBufferPointer) -> (Reading, indentation: Int, multiline: Bool) {
        var indentation = Int.max
        var textLines = 0
        var index = 0
        while index < input.count {
            let run = index..<runEnd(input, from: index)
            if run.upperBound < input.count, !isLineBreak(input[run.upperBound]) {
                indentation = min(indentation, run.count)
                textLines += 1
            }
            // On to the next line's start.
            while index < input.count, !isLineBreak(input[index]) { index += 1 }
            while index < input.count, isLineBreak(input[index]) { index += 1 }
        }
        if indentation == .max { indentation = 0 }
        var found: Reading = []
        index = 0
        while index < input.count {
            guard isBlank(input[index]) else {
                index += 1
                continue
            }
            let run = index..<runEnd(input, from: index)
            index = run.upperBound
            guard run.contains(where: { input[$0] == 0x20 }) else { continue }
            switch position(of: run, in: input) {
            case .lineStart:
                if run.lowerBound == 0, textLines == 1 { found.insert(.textStart) }
                if run.count > indentation { found.insert(.lineEdges) }
            case .lineEnd:
                found.insert(run.upperBound == input.count ? .textEnd : .lineEdges)
            case .interior, .blankLine:
                break
            }
        }
        return (found, indentation, textLines > 1)
    }

    /// The common case, four characters at a time: canonical standard base64 with correct
    /// padding and nothing to repair. Returns `nil` for anything else, which the general
    /// decoder then handles (and reports). Key material goes through arithmetic, the rest
    /// through a table.
    private static func decodeCanonical(
        _ input: UnsafeRawBufferPointer, constantTime: Bool, into output: UnsafeMutableRawBufferPointer
    ) -> Int? {
        if constantTime {
            return decodeCanonical(input, into: output, sextet: standardSextet) { input, index in
                let four = standardSextets(UInt64(UInt32(littleEndian: input.loadUnaligned(fromByteOffset: index, as: UInt32.self))))
                guard four & 0xC0C0_C0C0 == 0 else { return nil }
                return UInt32(truncatingIfNeeded: four & 0x3F) << 18 | UInt32(truncatingIfNeeded: four >> 8 & 0x3F) << 12
                    | UInt32(truncatingIfNeeded: four >> 16 & 0x3F) << 6 | UInt32(truncatingIfNeeded: four >> 24 & 0x3F)
            }
        }
        return canonicalTable.withUnsafeBufferPointer { table in
            decodeCanonical(input, into: output, sextet: { table[Int($0)] }) { input, index in
                let a = table[Int(input[index])], b = table[Int(input[index + 1])]
                let c = table[Int(input[index + 2])], d = table[Int(input[index + 3])]
                guard (a | b | c | d) & 0xC0 == 0 else { return nil }
                return UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
            }
        }
    }

    /// The loop, specialised for each way of reading a character (0xFF: not in the alphabet)
    /// and a group of four (its 24 bits, or `nil` when a character is not in the alphabet).
    @inline(__always)
    private static func decodeCanonical(
        _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, sextet: (UInt8) -> UInt8,
        group bits: (UnsafeRawBufferPointer, Int) -> UInt32?
    ) -> Int? {
        let count = input.count
        guard count > 0, count % 4 == 0 else { return nil }
        var padding = 0
        if input[count - 1] == UInt8(ascii: "=") { padding = input[count - 2] == UInt8(ascii: "=") ? 2 : 1 }
        var written = 0
        var index = 0
        let fullGroups = padding == 0 ? count : count - 4
        while index < fullGroups {
            guard let group = bits(input, index) else { return nil }
            output[written] = UInt8(truncatingIfNeeded: group >> 16)
            output[written + 1] = UInt8(truncatingIfNeeded: group >> 8)
            output[written + 2] = UInt8(truncatingIfNeeded: group)
            written += 3
            index += 4
        }
        guard padding > 0 else { return written }
        let a = sextet(input[index]), b = sextet(input[index + 1])
        let c = padding == 1 ? sextet(input[index + 2]) : 0
        guard (a | b | c) & 0xC0 == 0 else { return nil }
        let group = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6
        // Non-canonical trailing bits go to the general decoder, which reports them.
        guard group & (padding == 1 ? 0xFF : 0xFFFF) == 0 else { return nil }
        output[written] = UInt8(truncatingIfNeeded: group >> 16)
        if padding == 1 { output[written + 1] = UInt8(truncatingIfNeeded: group >> 8) }
        return written + 3 - padding
    }

    /// Standard alphabet only; every other byte maps to 0xFF.
    private static let canonicalTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for value in 0..<64 { table[Int(Base64Encoding.symbol(UInt32(value)))] = UInt8(value) }
        return table
    }()

    /// All ones when `lower <= value <= upper`, else zero, without branching.
    @inline(__always)
    private static func maskIfInRange(_ value: Int32, _ lower: Int32, _ upper: Int32) -> Int32 {
        ~(((value &- lower) | (upper &- value)) >> 31)
    }

    /// The sextets of the standard-alphabet characters in the bytes of `word` (0xFF where a byte
    /// is not one), all lanes at once by arithmetic on masks: no table look-up and no branch
    /// depends on the bytes. Every step keeps within its byte: the low seven bits of a lane plus
    /// at most 0x80 never carry out, and a lane with its high bit set never borrows.
    @inline(__always)
    static func standardSextets(_ word: UInt64) -> UInt64 {
        let lanes: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let seven = word & ~highs
        // The high bit of each lane whose low seven bits are at least `bound` (at most 0x80).
        func atLeast(_ bound: UInt64) -> UInt64 { (seven &+ lanes &* (0x80 &- bound)) & highs }
        // A lane's high bit spread over the whole lane.
        func whole(_ bits: UInt64) -> UInt64 { (bits >> 7) &* 0xFF }
        let ascii = whole(~word & highs)
        let upper = whole(atLeast(65) & ~atLeast(91)) & ascii
        let lower = whole(atLeast(97) & ~atLeast(123)) & ascii
        let digit = whole(atLeast(48) & ~atLeast(58)) & ascii
        let plus = whole(atLeast(43) & ~atLeast(44)) & ascii
        let slash = whole(atLeast(47) & ~atLeast(48)) & ascii
        let raised = seven | highs
        let value =
            (upper & (raised &- lanes &* 65)) | (lower & (raised &- lanes &* 71)) | (digit & (seven &+ lanes &* 4))
            | (plus & (lanes &* 62)) | (slash & (lanes &* 63))
        let valid = upper | lower | digit | plus | slash
        return (value & valid & (lanes &* 0x3F)) | ~valid
    }

    /// The sextet of a standard-alphabet character, or 0xFF, by arithmetic on masks.
    @inline(__always)
    private static func standardSextet(_ byte: UInt8) -> UInt8 {
        let sextet = sextetOf(byte)
        return UInt8(truncatingIfNeeded: (sextet.value & sextet.standard) | (0xFF & ~sextet.standard))
    }

    /// The sextet of `byte` in either alphabet, with masks saying whether it is a standard or a
    /// URL-safe character: no table look-up and no branch depends on the byte, so session
    /// keys decode in constant time (as BoringSSL decodes key material).
    @inline(__always)
    private static func sextetOf(_ byte: UInt8) -> (value: Int32, standard: Int32, urlSafe: Int32) {
        let c = Int32(byte)
        let upper = maskIfInRange(c, 65, 90)
        let lower = maskIfInRange(c, 97, 122)
        let digit = maskIfInRange(c, 48, 57)
        let plus = maskIfInRange(c, 43, 43)
        let slash = maskIfInRange(c, 47, 47)
        let minus = maskIfInRange(c, 45, 45)
        let underscore = maskIfInRange(c, 95, 95)
        let value =
            (upper & (c &- 65)) | (lower & (c &- 71)) | (digit & (c &+ 4)) | ((plus | minus) & 62)
            | ((slash | underscore) & 63)
        return (value, upper | lower | digit | plus | slash, minus | underscore)
    }

    /// Decodes the whole input under one reading of the ambiguous spaces.
    private static func decodeCore(
        _ input: UnsafeRawBufferPointer,
        reading: Reading,
        indentation: Int,
        multiline: Bool,
        constantTime: Bool,
        into output: UnsafeMutableRawBufferPointer
    ) -> Result<(count: Int, repairs: Base64Repairs), Failure> {
        var repairs: Base64Repairs = []
        var urlSafe: Int32 = 0
        var accumulator: UInt32 = 0
        var symbols = 0
        var written = 0
        var padding = 0
        var lastSymbolOffset = 0
        var index = 0

        func append(_ symbol: Int32, at offset: Int) -> Failure? {
            if padding > 0 { return .misplacedPadding(offset: offset - padding) }
            accumulator = accumulator << 6 | UInt32(truncatingIfNeeded: symbol)
            symbols += 1
            lastSymbolOffset = offset
            if symbols & 3 == 0 {
                output[written] = UInt8(truncatingIfNeeded: accumulator >> 16)
                output[written + 1] = UInt8(truncatingIfNeeded: accumulator >> 8)
                output[written + 2] = UInt8(truncatingIfNeeded: accumulator)
                written += 3
                accumulator = 0
            }
            return nil
        }

        while index < input.count {
            let byte = input[index]
            let sextet = sextetOf(byte)
            if sextet.standard | sextet.urlSafe != 0 {
                // Only whether a character is in the alphabet decides the branch, never its value.
                urlSafe |= sextet.urlSafe
                if let failure = append(sextet.value, at: index) { return .failure(failure) }
                index += 1
            } else if byte == UInt8(ascii: "=") {
                padding += 1
                index += 1
            } else if isLineBreak(byte) {
                repairs.insert(.whitespaceRemoved)
                index += 1
            } else if isBlank(byte) {
                let run = index..<runEnd(input, from: index)
                // The first offset from which spaces in this run are `+` under this reading.
                let plusFrom: Int
                switch position(of: run, in: input) {
                case .interior:
                    plusFrom = run.lowerBound
                case .blankLine:
                    plusFrom = run.upperBound
                case .lineStart:
                    plusFrom =
                        run.lowerBound == 0 && !multiline && reading.contains(.textStart) ? run.lowerBound
                        : reading.contains(.lineEdges) ? run.lowerBound + min(indentation, run.count) : run.upperBound
                case .lineEnd:
                    let atTextEnd = run.upperBound == input.count
                    plusFrom =
                        reading.contains(atTextEnd ? .textEnd : .lineEdges) ? run.lowerBound : run.upperBound
                }
                for offset in run {
                    if offset >= plusFrom, input[offset] == 0x20 {
                        repairs.insert(.spacesAsPlus)
                        if let failure = append(62, at: offset) { return .failure(failure) }
                    } else {
                        repairs.insert(.whitespaceRemoved)
                    }
                }
                index = run.upperBound
            } else {
                return .failure(.invalidCharacter(offset: index))
            }
        }
        if urlSafe != 0 { repairs.insert(.urlSafeAlphabet) }
        if symbols == 0 { return .failure(padding > 0 ? .misplacedPadding(offset: 0) : .empty) }
        let remainder = symbols & 3
        switch remainder {
        case 0:
            if padding != 0 { return .failure(.misplacedPadding(offset: lastSymbolOffset + 1)) }
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
            if padding == 0 {
                repairs.insert(.missingPadding)
            } else if padding != 4 - remainder {
                return .failure(.misplacedPadding(offset: lastSymbolOffset + 1))
            }
        }
        return .success((written, repairs))
    }

    /// Decodes a string field into a temporary buffer and hands the bytes to `body`.
    /// The buffer is wiped afterwards: it may hold key material or ciphertext.
    static func withDecoded<Result>(
        _ text: String,
        field: Base64Field,
        _ body: (UnsafeMutableRawBufferPointer, Base64Repairs) throws(OpenDataError) -> Result
    ) throws(OpenDataError) -> Result {
        try withUTF8(text) { (input) throws(OpenDataError) in try withDecoded(input, field: field, body) }
    }

    /// The same for text that is already UTF-8 bytes.
    static func withDecoded<Result>(
        _ input: UnsafeRawBufferPointer,
        field: Base64Field,
        _ body: (UnsafeMutableRawBufferPointer, Base64Repairs) throws(OpenDataError) -> Result
    ) throws(OpenDataError) -> Result {
        try withTemporaryBytes(maximumDecodedCount(forEncodedCount: input.count)) { (buffer) throws(OpenDataError) in
            defer { SecureMemory.wipe(buffer) }
            let (count, repairs) = try decode(input, field: field, into: buffer)
            return try body(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]), repairs)
        }
    }
}
