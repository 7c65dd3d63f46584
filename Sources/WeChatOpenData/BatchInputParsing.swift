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
        let lineID = String(lineNumber)
        func invalid(_ problem: String, id: String = lineID) -> ParsedLine {
            ParsedLine(
                id: id,
                record: .failure(OpenDataError(code: .invalidRecord, reason: "line \(lineNumber): \(problem)", field: "line")))
        }
        var line = line
        if line.last == 0x0D { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
        guard line.count <= maximumLineLength else {
            return invalid("is \(line.count) bytes, longer than the limit of \(maximumLineLength)")
        }
        guard StrictJSONValidator.isValidObject(line) else { return invalid("is not a JSON object") }
        let root = JSONValue.root(of: line)
        var id: String?
        var fields: [String: String] = [:]
        var wrongType: String?
        root.forEachMember { key, value in
            let name = JSONUnescape.string(line, key)
            if name == "id" {
                id = String(decoding: UnsafeRawBufferPointer(rebasing: line[value.start..<value.end]), as: UTF8.self)
                return
            }
            guard let canonical = Self.fieldNames[name] else { return }
            guard let text = value.string else {
                if value.kind != .null { wrongType = wrongType ?? canonical }
                return
            }
            fields[canonical] = text
        }
        let resolvedID = id ?? lineID
        if let wrongType { return invalid("\(wrongType) must be a string", id: resolvedID) }
        for required in ["session_key", "iv", "encrypted_data"] where fields[required] == nil {
            return invalid("missing \(required)", id: resolvedID)
        }
        return ParsedLine(
            id: resolvedID,
            record: .success(
                BatchInputRecord(
                    appID: fields["appid"], sessionKey: fields["session_key"]!, iv: fields["iv"]!,
                    encryptedData: fields["encrypted_data"]!)))
    }

    private static let fieldNames: [String: String] = [
        "appid": "appid", "appId": "appid",
        "session_key": "session_key", "sessionKey": "session_key",
        "iv": "iv",
        "encrypted_data": "encrypted_data", "encryptedData": "encrypted_data",
    ]
}
