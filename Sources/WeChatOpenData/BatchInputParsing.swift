extension BatchInputRecord {
    /// The longest input line accepted: 1 MiB.
    public static let maximumLineLength = 1 << 20

    /// One parsed input line: its id for the output, and the record or why it is unusable.
    public struct ParsedLine: Sendable {
        /// The record's `id` as JSON text, or its 1-based line number when it has none.
        public let id: String
        /// The record, or an ``OpenDataError/Code/invalidRecord`` error naming the line.
        public let record: Result<BatchInputRecord, OpenDataError>
    }

    /// Parses one line of `decrypt-file` input: a JSON object with `session_key`, `iv`,
    /// `encrypted_data` and optionally `id` (any JSON value) and `appid`; the camelCase
    /// spellings `sessionKey`, `encryptedData` and `appId` are accepted too. A trailing CR is ignored.
    ///
    /// - Parameters:
    ///   - line: The line's bytes, without its newline.
    ///   - lineNumber: The 1-based line number, used as the id when the record has none.
    /// - Returns: The id and the record or error. Never throws: every line gets a result.
    public static func parse(line: UnsafeRawBufferPointer, lineNumber: Int) -> ParsedLine {
        switch RecordLine.scan(line, lineNumber: lineNumber) {
        case .failure(let failure):
            return ParsedLine(id: failure.id, record: .failure(failure.error))
        case .success(let fields):
            let line = fields.line
            func text(_ span: JSONStringSpan?) -> String? { span.map { JSONUnescape.string(line, $0) } }
            return ParsedLine(
                id: fields.idText,
                record: .success(
                    BatchInputRecord(
                        appID: text(fields.appID), sessionKey: text(fields.sessionKey)!, iv: text(fields.iv)!,
                        encryptedData: text(fields.encryptedData)!)))
        }
    }
}

/// The fields of one input line, as spans into the line: reading a record allocates nothing.
struct RecordLine {
    let line: UnsafeRawBufferPointer
    let lineNumber: Int
    var id: Range<Int>?
    var appID: JSONStringSpan?
    var sessionKey: JSONStringSpan!
    var iv: JSONStringSpan!
    var encryptedData: JSONStringSpan!

    struct Failure: Error {
        let id: String
        let error: OpenDataError
    }

    /// The id as JSON text on one line: the record's own, or the line number.
    var idText: String {
        var text: [UInt8] = []
        appendID(to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends the id as JSON to `output`, re-serialised on one line: an id is echoed, and
    /// whitespace inside it (a raw CR) must not split a result line.
    func appendID(to output: inout [UInt8]) {
        guard let id else { return output.append(contentsOf: String(lineNumber).utf8) }
        JSONCompacting.append(UnsafeRawBufferPointer(rebasing: line[id]), maskingPhoneNumbers: false, to: &output)
    }

    static func invalid(_ problem: String, lineNumber: Int) -> OpenDataError {
        .invalidRecord(line: lineNumber, problem)
    }

    static func scan(_ rawLine: UnsafeRawBufferPointer, lineNumber: Int) -> Result<RecordLine, Failure> {
        var line = rawLine
        if line.last == 0x0D { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
        func failure(_ problem: String, id: String? = nil) -> Result<RecordLine, Failure> {
            .failure(Failure(id: id ?? String(lineNumber), error: invalid(problem, lineNumber: lineNumber)))
        }
        guard line.count <= BatchInputRecord.maximumLineLength else {
            return failure("is \(line.count) bytes, longer than the limit of \(BatchInputRecord.maximumLineLength)")
        }
        guard StrictJSONValidator.isValidObject(line) else { return failure("is not a JSON object") }
        var record = RecordLine(line: line, lineNumber: lineNumber)
        var wrongType: String?
        var seen = Set<String>()
        var ambiguous: (String, String)?
        let root = JSONValue.root(of: line)
        root.forEachMember { key, value in
            // A field spelled both ways is ambiguous: refuse it rather than let the last one win.
            func take(_ name: String, as spelling: String, other: String) -> JSONStringSpan? {
                if seen.contains(other), ambiguous == nil { ambiguous = (other, spelling) }
                seen.insert(spelling)
                if let span = value.stringSpan { return span }
                if value.kind != .null, wrongType == nil { wrongType = name }
                return nil
            }
            if key.is("id", in: line) {
                record.id = value.start..<value.end
            } else if key.is("session_key", in: line) {
                record.sessionKey = take("session_key", as: "session_key", other: "sessionKey")
            } else if key.is("sessionKey", in: line) {
                record.sessionKey = take("session_key", as: "sessionKey", other: "session_key")
            } else if key.is("iv", in: line) {
                record.iv = take("iv", as: "iv", other: "iv")
            } else if key.is("encrypted_data", in: line) {
                record.encryptedData = take("encrypted_data", as: "encrypted_data", other: "encryptedData")
            } else if key.is("encryptedData", in: line) {
                record.encryptedData = take("encrypted_data", as: "encryptedData", other: "encrypted_data")
            } else if key.is("appid", in: line) {
                record.appID = take("appid", as: "appid", other: "appId")
            } else if key.is("appId", in: line) {
                record.appID = take("appid", as: "appId", other: "appid")
            }
        }
        if let (first, second) = ambiguous {
            return failure("has both \(first) and \(second); keep one spelling", id: record.idText)
        }
        if let wrongType { return failure("\(wrongType) must be a string", id: record.idText) }
        if record.sessionKey == nil { return failure("missing session_key", id: record.idText) }
        if record.iv == nil { return failure("missing iv", id: record.idText) }
        if record.encryptedData == nil { return failure("missing encrypted_data", id: record.idText) }
        return .success(record)
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
