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
        /// A record's own clock and maximum age (`now`, `max_age`), read as the conformance cases
        /// and test vectors carry them; used only when the batch says so.
        let now: JSONValue?
        let maximumAge: JSONValue?
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
        var now: JSONValue?
        var maximumAge: JSONValue?
        /// The first field that is neither a string nor null.
        var wrongType: String?
        /// Which spellings were seen, as bits: a field spelled both ways is ambiguous.
        var seen: UInt16 = 0
        var ambiguous: (String, String)?

        mutating func collect(key: JSONStringSpan, value: JSONValue) {
            let line = value.bytes
            func take(_ name: String, _ spelling: InPlace.Spelling) -> JSONStringSpan? {
                if seen & spelling.other.bit != 0, ambiguous == nil { ambiguous = (spelling.other.name, spelling.name) }
                seen |= spelling.bit
                if let span = value.stringSpan { return span }
                if value.kind != .null, wrongType == nil { wrongType = name }
                return nil
            }
            if key.is("id", in: line) {
                id = value.start..<value.end
            } else if key.is("now", in: line) {
                now = value
            } else if key.is("max_age", in: line) {
                maximumAge = value
            } else if key.is("session_key", in: line) {
                sessionKey = take("session_key", .sessionKeySnake)
            } else if key.is("sessionKey", in: line) {
                sessionKey = take("session_key", .sessionKeyCamel)
            } else if key.is("previous_session_key", in: line) {
                previousSessionKey = take("previous_session_key", .previousSessionKeySnake)
            } else if key.is("previousSessionKey", in: line) {
                previousSessionKey = take("previous_session_key", .previousSessionKeyCamel)
            } else if key.is("iv", in: line) {
                iv = take("iv", .iv)
            } else if key.is("encrypted_data", in: line) {
                encryptedData = take("encrypted_data", .encryptedDataSnake)
            } else if key.is("encryptedData", in: line) {
                encryptedData = take("encrypted_data", .encryptedDataCamel)
            } else if key.is("appid", in: line) {
                appID = take("appid", .appIDLower)
            } else if key.is("appId", in: line) {
                appID = take("appid", .appIDCamel)
            }
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

    static func invalid(_ problem: String, lineNumber: Int) -> OpenDataError {
        .invalidRecord(line: lineNumber, problem)
    }

    static func scan(_ rawLine: UnsafeRawBufferPointer, lineNumber: Int) -> Result<Self, Failure> {
        var line = rawLine
        if line.last == 0x0D { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
        func failure(_ problem: String, id: Range<Int>? = nil) -> Result<Self, Failure> {
            .failure(Failure(id: Self.idText(id, in: line, lineNumber: lineNumber), error: invalid(problem, lineNumber: lineNumber)))
        }
        guard line.count <= BatchInputRecord.maximumLineLength else {
            return failure("is \(line.count) bytes, longer than the limit of \(BatchInputRecord.maximumLineLength)")
        }
        // One pass validates the line and finds its fields.
        var record = BatchInputRecord.Found()
        guard StrictJSONValidator.problem(in: line, collecting: &record) == nil else {
            // A file saved with CR-only line ends (classic Mac OS) reads as one long line.
            return failure(line.contains(0x0D) ? "is not a JSON object (CR-only line endings?)" : "is not a JSON object")
        }
        let id = record.id
        if let (first, second) = record.ambiguous { return failure("has both \(first) and \(second); keep one spelling", id: id) }
        if let wrongType = record.wrongType { return failure("\(wrongType) must be a string", id: id) }
        guard let sessionKey = record.sessionKey else { return failure("missing session_key", id: id) }
        guard let iv = record.iv else { return failure("missing iv", id: id) }
        guard let encryptedData = record.encryptedData else { return failure("missing encrypted_data", id: id) }
        return .success(
            Self(
                line: line, lineNumber: lineNumber, id: record.id, appID: record.appID, sessionKey: sessionKey,
                previousSessionKey: record.previousSessionKey, iv: iv, encryptedData: encryptedData, now: record.now,
                maximumAge: record.maximumAge))
    }

    /// Calls `body` with a string field's UTF-8 text, unescaping it first only when it has escapes
    /// (some JSON writers escape `/` as `\/`).
    func withText<Result>(
        _ span: JSONStringSpan, _ body: (UnsafeRawBufferPointer) throws(OpenDataError) -> Result
    ) throws(OpenDataError) -> Result {
        if !span.hasEscapes { return try body(UnsafeRawBufferPointer(rebasing: line[span.start..<span.end])) }
        return try withUTF8(JSONUnescape.string(line, span), body)
    }
}
