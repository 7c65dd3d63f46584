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
    @inline(__always)
    static func decode(
        _ input: UnsafeRawBufferPointer,
        field: Base64Field,
        into output: UnsafeMutableRawBufferPointer
    ) throws(OpenDataError) -> (count: Int, repairs: Base64Repairs) {
        if let count = decodeCanonical(input, constantTime: field.isSecret, into: output), field.acceptsLength(count) {
            return (count, [])
        }
        return try decodeRepairing(input, field: field, into: output)
    }

    /// Everything but the common case, apart so that the common case's caller does not pay for
    /// this one's stack frame.
    @inline(never)
    private static func decodeRepairing(
        _ input: UnsafeRawBufferPointer,
        field: Base64Field,
        into output: UnsafeMutableRawBufferPointer
    ) throws(OpenDataError) -> (count: Int, repairs: Base64Repairs) {
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

    /// The common case: canonical standard base64 with correct padding and nothing to repair.
    /// Returns `nil` for anything else, which the general decoder then handles (and reports).
    /// Key material goes through arithmetic, the rest through tables. Both store whole words,
    /// so they may write zeros past the decoded bytes, never past `maximumDecodedCount` bytes
    /// (which `output` must have).
    static func decodeCanonical(
        _ input: UnsafeRawBufferPointer, constantTime: Bool, into output: UnsafeMutableRawBufferPointer
    ) -> Int? {
        let count = input.count
        guard count > 0, count % 4 == 0, output.count >= maximumDecodedCount(forEncodedCount: count),
            let source = input.baseAddress, let target = output.baseAddress
        else { return nil }
        var padding = 0
        if input[count - 1] == UInt8(ascii: "=") { padding = input[count - 2] == UInt8(ascii: "=") ? 2 : 1 }
        return constantTime
            ? decodeCanonicalInConstantTime(source, count: count, padding: padding, into: target)
            : decodeCanonicalByTable(source, count: count, padding: padding, into: target)
    }

    /// Four characters at a time, each through its position's table (see `groupTables`).
    private static func decodeCanonicalByTable(
        _ source: UnsafeRawPointer, count: Int, padding: Int, into target: UnsafeMutableRawPointer
    ) -> Int? {
        groupTables.withUnsafeBufferPointer { tables -> Int? in
            guard let table = tables.baseAddress else { return nil }
            @inline(__always)
            func entry(_ position: Int, _ offset: Int, _ input: UnsafeRawPointer) -> UInt32 {
                table[position &* 256 &+ Int(input.load(fromByteOffset: offset, as: UInt8.self))]
            }
            @inline(__always)
            func group(_ input: UnsafeRawPointer, _ offset: Int) -> UInt32 {
                entry(0, offset, input) | entry(1, offset &+ 1, input) | entry(2, offset &+ 2, input)
                    | entry(3, offset &+ 3, input)
            }
            var input = source
            var output = target
            let fullEnd = source + (padding == 0 ? count : count &- 4)
            // Four groups a pass: one test for all of them and a quarter of the loop's overhead.
            while fullEnd - input >= 16 {
                let first = group(input, 0)
                let second = group(input, 4)
                let third = group(input, 8)
                let fourth = group(input, 12)
                guard (first | second | third | fourth) & invalidMark == 0 else { return nil }
                output.storeBytes(of: first.littleEndian, as: UInt32.self)
                output.storeBytes(of: second.littleEndian, toByteOffset: 3, as: UInt32.self)
                output.storeBytes(of: third.littleEndian, toByteOffset: 6, as: UInt32.self)
                output.storeBytes(of: fourth.littleEndian, toByteOffset: 9, as: UInt32.self)
                input += 16
                output += 12
            }
            while input < fullEnd {
                let only = group(input, 0)
                guard only & invalidMark == 0 else { return nil }
                output.storeBytes(of: only.littleEndian, as: UInt32.self)
                input += 4
                output += 3
            }
            guard padding > 0 else { return output - target }
            var last = entry(0, 0, input) | entry(1, 1, input)
            if padding == 1 { last |= entry(2, 2, input) }
            // A bad character and bits set past the end of the data (non-canonical, which the
            // general decoder reports) fail the same test: the bytes that padding drops must be zero.
            guard last & (padding == 1 ? 0xFFFF_0000 : 0xFFFF_FF00) == 0 else { return nil }
            output.storeBytes(of: last.littleEndian, as: UInt32.self)
            return output - target + 3 - padding
        }
    }

    /// Set in a table entry for a byte that is not in the standard alphabet.
    private static let invalidMark: UInt32 = 0xFF00_0000

    /// One table of 256 entries for each position in a group of four characters. An entry holds
    /// the character's six bits where they land in the group's three bytes, the first byte
    /// lowest (as a little-endian word is stored), or `invalidMark`. A group is then four
    /// look-ups and three ORs, and one test finds a bad character anywhere in it.
    private static let groupTables: [UInt32] = {
        var tables = [UInt32](repeating: invalidMark, count: 4 * 256)
        for sextet in 0..<64 {
            let symbol = Int(Base64Encoding.symbol(UInt32(sextet)))
            for position in 0..<4 {
                // The group's 24 bits, first character highest, then its bytes in output order.
                let bits = UInt32(sextet) << (18 - 6 * position)
                tables[position * 256 + symbol] = bits >> 16 | bits & 0xFF00 | (bits & 0xFF) << 16
            }
        }
        return tables
    }()

    /// Eight characters at a time through `standardSextets`: no table look-up and no branch
    /// depends on the key's bytes, only on whether all of them are in the alphabet.
    private static func decodeCanonicalInConstantTime(
        _ source: UnsafeRawPointer, count: Int, padding: Int, into target: UnsafeMutableRawPointer
    ) -> Int? {
        let highBits: UInt64 = 0xC0C0_C0C0_C0C0_C0C0
        let fullEnd = padding == 0 ? count : count &- 4
        var offset = 0
        var written = 0
        while fullEnd &- offset >= 8 {
            let sextets = standardSextets(UInt64(littleEndian: source.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            guard sextets & highBits == 0 else { return nil }
            target.storeBytes(of: packedGroups(sextets).littleEndian, toByteOffset: written, as: UInt64.self)
            offset &+= 8
            written &+= 6
        }
        let rest = count &- offset
        guard rest > 0 else { return written }
        // One or two groups remain, the last of them perhaps padded: its '=' lanes count as
        // zero bits, and the bytes they would have made must come out zero (canonical end).
        let word =
            rest == 8
            ? UInt64(littleEndian: source.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            : UInt64(UInt32(littleEndian: source.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        let symbolLanes = UInt64.max >> (64 &- 8 &* (rest &- padding))
        let sextets = standardSextets(word) & symbolLanes
        guard sextets & highBits == 0 else { return nil }
        let decoded = rest / 4 &* 3 &- padding
        let packed = packedGroups(sextets)
        guard packed >> (8 &* decoded) == 0 else { return nil }
        if rest == 8 {
            target.storeBytes(of: packed.littleEndian, toByteOffset: written, as: UInt64.self)
        } else {
            target.storeBytes(of: UInt32(truncatingIfNeeded: packed).littleEndian, toByteOffset: written, as: UInt32.self)
        }
        return written &+ decoded
    }

    /// The six bytes of two groups from their eight sextets (one a lane, the first character
    /// lowest), the first byte lowest; the top two bytes are zero.
    @inline(__always)
    private static func packedGroups(_ sextets: UInt64) -> UInt64 {
        // Pairs of sextets into 12 bits, then pairs of those into each group's 24 bits, the
        // first character highest: each group's bytes now stand last first in its half.
        let pairs = (sextets & 0x00FF_00FF_00FF_00FF) << 6 | sextets >> 8 & 0x00FF_00FF_00FF_00FF
        let groups = (pairs & 0x0000_FFFF_0000_FFFF) << 12 | pairs >> 16 & 0x0000_FFFF_0000_FFFF
        // Swapping all eight bytes puts each group's in order, the halves exchanged.
        let swapped = groups.byteSwapped
        return swapped >> 40 | (swapped >> 8 & 0xFF_FFFF) << 24
    }

    /// All ones when `lower <= value <= upper`, else zero, without branching.
    @inline(__always)
    private static func maskIfInRange(_ value: Int32, _ lower: Int32, _ upper: Int32) -> Int32 {
        ~(((value &- lower) | (upper &- value)) >> 31)
    }

    /// The sextets of the standard-alphabet characters in the bytes of `word`, and a lane with
    /// its top bit set where a byte is not one, all lanes at once by arithmetic: no table
    /// look-up and no branch depends on the bytes. Each lane's character plus 0x80 minus a
    /// constant picked by the lane's range is its sextet; outside every range nothing is
    /// subtracted and the top bit stays. Every step keeps within its byte: seven bits plus at
    /// most 0x80 never carry out, and no subtraction goes below zero.
    @inline(__always)
    static func standardSextets(_ word: UInt64) -> UInt64 {
        let lanes: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let high = word & highs
        // A byte of 0x80 or more becomes 0x7F, which is in no range.
        let seven = word ^ high | (high &- high >> 7)
        // The high bit of each lane that is at least `bound` (at most 0x80).
        func atLeast(_ bound: UInt64) -> UInt64 { (seven &+ lanes &* (0x80 &- bound)) & highs }
        // One in the low bit of each lane from `lower` through `upper`: the ranges do not
        // overlap, so their multiples add without carrying.
        func ones(_ lower: UInt64, through upper: UInt64) -> UInt64 { (atLeast(lower) ^ atLeast(upper &+ 1)) >> 7 }
        let subtrahend =
            ones(65, through: 90) &* (0x80 + 65 - 0) | ones(97, through: 122) &* (0x80 + 97 - 26)
            | ones(48, through: 57) &* (0x80 + 48 - 52) | ones(43, through: 43) &* (0x80 + 43 - 62)
            | ones(47, through: 47) &* (0x80 + 47 - 63)
        return (seven | highs) &- subtrahend
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
