extension BatchInputRecord {
    /// The longest input line accepted: 1 MiB.
    public static let maximumLineLength = 1 << 20
}

extension BatchInputRecord {
    /// A batch input record read in place: its fields are spans into the line, so reading a
    /// record allocates nothing. ``BatchInputRecord`` is the same record with its own strings.
    struct InPlace {
        let line: UnsafeRawBufferPointer
        let lineNumber: Int
        let id: Range<Int>?
        let appID: JSONStringSpan?
        let sessionKey: JSONStringSpan
        let previousSessionKey: JSONStringSpan?
        let iv: JSONStringSpan
        let encryptedData: JSONStringSpan
        /// Where the values of `now` and `max_age` are: kept as offsets, which are smaller to
        /// return and copy than values, for members that most records do not have.
        let nowExtent: Range<Int>?
        let maximumAgeExtent: Range<Int>?

        /// A record's own clock and maximum age (`now`, `max_age`), read as the conformance cases
        /// and test vectors carry them; used only when the batch says so.
        var now: JSONValue? { nowExtent.map { JSONValue(bytes: line, start: $0.lowerBound) } }
        var maximumAge: JSONValue? { maximumAgeExtent.map { JSONValue(bytes: line, start: $0.lowerBound) } }
    }

    /// What `scan` finds as the validator passes over the line's members, before it knows
    /// the required fields are there.
    private struct Found: JSONMemberCollector {
        var id: Range<Int>?
        var appID: JSONStringSpan?
        var sessionKey: JSONStringSpan?
        var previousSessionKey: JSONStringSpan?
        var iv: JSONStringSpan?
        var encryptedData: JSONStringSpan?
        var now: Range<Int>?
        var maximumAge: Range<Int>?
        /// The first field that is neither a string nor null, as it was spelled.
        var wrongType: InPlace.Spelling?
        /// Which spellings were seen, as bits: a field spelled both ways is ambiguous.
        var seen: UInt16 = 0
        /// The first field spelled both ways: the spelling seen first, then the other.
        var ambiguous: (InPlace.Spelling, InPlace.Spelling)?

        mutating func collect(key: JSONStringSpan, value: JSONValue) {
            switch InPlace.Member.named(key, in: value.bytes) {
            case nil: return
            case .id: id = value.start..<value.end
            case .now: now = value.start..<value.end
            case .maximumAge: maximumAge = value.start..<value.end
            case .field(let spelling):
                if seen & spelling.other.bit != 0, ambiguous == nil { ambiguous = (spelling.other, spelling) }
                seen |= spelling.bit
                let span = value.stringSpan
                if span == nil, value.kind != .null, wrongType == nil { wrongType = spelling }
                switch spelling {
                case .sessionKeySnake, .sessionKeyCamel: sessionKey = span
                case .previousSessionKeySnake, .previousSessionKeyCamel: previousSessionKey = span
                case .iv: iv = span
                case .encryptedDataSnake, .encryptedDataCamel: encryptedData = span
                case .appIDLower, .appIDCamel: appID = span
                }
            }
        }
    }
}

extension BatchInputRecord {
    /// The layout ``jsonLine()`` (and so `wxdecrypt generate`) writes a record with every member
    /// in, `{"id":…,"appid":…,"session_key":…,"iv":…,"encrypted_data":…}` with no blanks, each
    /// value a plain string or integer: a line walked through it to its end is strict JSON (see
    /// `JSONLayoutCursor`), validated in one pass. Any other line (another key order, blanks, an
    /// escape, a member more or less, a `null`) goes through the general validator, which decides;
    /// a line's verdict and members are the same either way.
    enum Layout {
        /// Whether `line` is in the layout; if so, hands `collector` the members the general
        /// validator would, in its order. Nothing is collected unless the whole line is in the layout.
        static func matches<Collector: JSONMemberCollector>(
            _ line: UnsafeRawBufferPointer, collecting collector: inout Collector
        ) -> Bool {
            guard var cursor = JSONLayoutCursor(line),
                cursor.skip("{\""), let idKey = cursor.key("id"), let id = cursor.value(),
                cursor.skip(",\""), let appIDKey = cursor.key("appid"), let appID = cursor.value(),
                cursor.skip(",\""), let sessionKeyKey = cursor.key("session_key"), let sessionKey = cursor.value(),
                cursor.skip(",\""), let ivKey = cursor.key("iv"), let iv = cursor.value(),
                cursor.skip(",\""), let encryptedDataKey = cursor.key("encrypted_data"),
                let encryptedData = cursor.value(),
                cursor.skip("}"), cursor.isAtEnd
            else { return false }
            func value(_ range: Range<Int>) -> JSONValue {
                JSONValue(bytes: line, start: range.lowerBound, end: range.upperBound, stringHasEscapes: false)
            }
            collector.collect(key: idKey, value: value(id))
            collector.collect(key: appIDKey, value: value(appID))
            collector.collect(key: sessionKeyKey, value: value(sessionKey))
            collector.collect(key: ivKey, value: value(iv))
            collector.collect(key: encryptedDataKey, value: value(encryptedData))
            return true
        }
    }
}

extension BatchInputRecord.InPlace {
    struct Failure: Error {
        let id: String
        let error: OpenDataError
    }

    /// The id as JSON text on one line: the record's own, or the line number.
    var idText: String { Self.idText(id, in: line, lineNumber: lineNumber) }

    /// Appends the id as JSON to `output` (see ``appendID(_:in:lineNumber:to:)``).
    func appendID(to output: inout [UInt8]) { Self.appendID(id, in: line, lineNumber: lineNumber, to: &output) }

    private static func idText(_ id: Range<Int>?, in line: UnsafeRawBufferPointer, lineNumber: Int) -> String {
        var text: [UInt8] = []
        appendID(id, in: line, lineNumber: lineNumber, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends the id as JSON to `output`, re-serialised on one line: an id is echoed, and
    /// whitespace inside it (a raw CR) must not split a result line.
    private static func appendID(
        _ id: Range<Int>?, in line: UnsafeRawBufferPointer, lineNumber: Int, to output: inout [UInt8]
    ) {
        guard let id else { return output.append(contentsOf: String(lineNumber).utf8) }
        JSONCompacting.append(UnsafeRawBufferPointer(rebasing: line[id]), maskingPhoneNumbers: false, to: &output)
    }

    /// The accepted spellings of the record's fields, each a bit in a set.
    enum Spelling: UInt16 {
        case sessionKeySnake, sessionKeyCamel, iv, encryptedDataSnake, encryptedDataCamel, appIDLower, appIDCamel
        case previousSessionKeySnake, previousSessionKeyCamel

        var bit: UInt16 { 1 << rawValue }

        var name: String {
            switch self {
            case .sessionKeySnake: "session_key"
            case .sessionKeyCamel: "sessionKey"
            case .iv: "iv"
            case .encryptedDataSnake: "encrypted_data"
            case .encryptedDataCamel: "encryptedData"
            case .appIDLower: "appid"
            case .appIDCamel: "appId"
            case .previousSessionKeySnake: "previous_session_key"
            case .previousSessionKeyCamel: "previousSessionKey"
            }
        }

        /// The field's name in messages: its snake_case spelling, whichever it came in.
        var fieldName: String {
            switch self {
            case .sessionKeySnake, .sessionKeyCamel: "session_key"
            case .iv: "iv"
            case .encryptedDataSnake, .encryptedDataCamel: "encrypted_data"
            case .appIDLower, .appIDCamel: "appid"
            case .previousSessionKeySnake, .previousSessionKeyCamel: "previous_session_key"
            }
        }

        /// The other spelling of the same field (itself for `iv`, which has one).
        var other: Spelling {
            switch self {
            case .sessionKeySnake: .sessionKeyCamel
            case .sessionKeyCamel: .sessionKeySnake
            case .iv: .iv
            case .encryptedDataSnake: .encryptedDataCamel
            case .encryptedDataCamel: .encryptedDataSnake
            case .appIDLower: .appIDCamel
            case .appIDCamel: .appIDLower
            case .previousSessionKeySnake: .previousSessionKeyCamel
            case .previousSessionKeyCamel: .previousSessionKeySnake
            }
        }
    }

    /// A top-level member of a record line that `scan` reads.
    enum Member {
        case id, now, maximumAge
        case field(Spelling)

        /// The member `key` names. A key with escapes is read by its unescaped text (a writer may
        /// escape any character: `"session\u005fkey"` is `session_key`).
        @inline(__always)
        static func named(_ key: JSONStringSpan, in line: UnsafeRawBufferPointer) -> Member? {
            guard key.hasEscapes else { return spelled(UnsafeRawBufferPointer(rebasing: line[key.start..<key.end])) }
            return namedByEscapedKey(key, in: line)
        }

        @inline(never)
        private static func namedByEscapedKey(_ key: JSONStringSpan, in line: UnsafeRawBufferPointer) -> Member? {
            var text = JSONUnescape.string(line, key)
            return text.withUTF8 { spelled(UnsafeRawBufferPointer($0)) }
        }

        /// The member spelled `text`: the length picks at most two names, each then compared
        /// a word or two at a time, so that any key costs one or two comparisons.
        @inline(__always)
        private static func spelled(_ text: UnsafeRawBufferPointer) -> Member? {
            func `is`(_ name: StaticString) -> Bool { ByteSearch.equal(text, sameLengthAs: name) }
            switch text.count {
            case 2: return `is`("id") ? .id : `is`("iv") ? .field(.iv) : nil
            case 3: return `is`("now") ? .now : nil
            case 5: return `is`("appid") ? .field(.appIDLower) : `is`("appId") ? .field(.appIDCamel) : nil
            case 7: return `is`("max_age") ? .maximumAge : nil
            case 10: return `is`("sessionKey") ? .field(.sessionKeyCamel) : nil
            case 11: return `is`("session_key") ? .field(.sessionKeySnake) : nil
            case 13: return `is`("encryptedData") ? .field(.encryptedDataCamel) : nil
            case 14: return `is`("encrypted_data") ? .field(.encryptedDataSnake) : nil
            case 18: return `is`("previousSessionKey") ? .field(.previousSessionKeyCamel) : nil
            case 20: return `is`("previous_session_key") ? .field(.previousSessionKeySnake) : nil
            default: return nil
            }
        }
    }

    static func invalid(_ problem: String, lineNumber: Int) -> OpenDataError {
        .invalidRecord(line: lineNumber, problem)
    }

    static func scan(_ rawLine: UnsafeRawBufferPointer, lineNumber: Int) -> Result<Self, Failure> {
        var line = rawLine
        if !line.isEmpty, line[line.count - 1] == 0x0D { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
        func failure(_ problem: String, id: Range<Int>? = nil) -> Result<Self, Failure> {
            .failure(Failure(id: Self.idText(id, in: line, lineNumber: lineNumber), error: invalid(problem, lineNumber: lineNumber)))
        }
        guard line.count <= BatchInputRecord.maximumLineLength else {
            return failure("is \(line.count) bytes, longer than the limit of \(BatchInputRecord.maximumLineLength)")
        }
        // One pass validates the line and finds its fields: a line in the layout `jsonLine()`
        // writes by walking that layout, any other token by token.
        var record = BatchInputRecord.Found()
        guard
            BatchInputRecord.Layout.matches(line, collecting: &record)
                || StrictJSONValidator.problem(in: line, collecting: &record) == nil
        else {
            // A file saved with CR-only line ends (classic Mac OS) reads as one long line.
            return failure(line.contains(0x0D) ? "is not a JSON object (CR-only line endings?)" : "is not a JSON object")
        }
        let id = record.id
        if let (first, second) = record.ambiguous {
            return failure("has both \(first.name) and \(second.name); keep one spelling", id: id)
        }
        if let wrongType = record.wrongType { return failure("\(wrongType.fieldName) must be a string", id: id) }
        guard let sessionKey = record.sessionKey else { return failure("missing session_key", id: id) }
        guard let iv = record.iv else { return failure("missing iv", id: id) }
        guard let encryptedData = record.encryptedData else { return failure("missing encrypted_data", id: id) }
        return .success(
            Self(
                line: line, lineNumber: lineNumber, id: record.id, appID: record.appID, sessionKey: sessionKey,
                previousSessionKey: record.previousSessionKey, iv: iv, encryptedData: encryptedData,
                nowExtent: record.now, maximumAgeExtent: record.maximumAge))
    }

    /// Calls `body` with a string field's UTF-8 text, unescaping it first only when it has escapes
    /// (some JSON writers escape `/` as `\/`): into scratch space that is wiped afterwards, never
    /// into a `String`, since the field may be a session key.
    func withText<Result>(
        _ span: JSONStringSpan, _ body: (UnsafeRawBufferPointer) throws(OpenDataError) -> Result
    ) throws(OpenDataError) -> Result {
        let raw = UnsafeRawBufferPointer(rebasing: line[span.start..<span.end])
        if !span.hasEscapes { return try body(raw) }
        return try withTemporaryBytes(raw.count) { (scratch) throws(OpenDataError) in
            defer { SecureMemory.wipe(scratch) }
            let count = JSONUnescape.decode(raw, into: scratch)
            return try body(UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
        }
    }
}
