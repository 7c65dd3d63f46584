/// Turns `decrypt-file` input lines into output lines: one result per record, never an
/// exception, in JSON Lines or CSV.
///
/// JSON Lines output: `{"id":…,"ok":true,"data":{…}}` or
/// `{"id":…,"ok":false,"error":{"code":"decryption_failed","message":"…"}}`.
/// Immutable and `Sendable`: one value can process lines on many threads at once. The
/// JSON Lines path reads each record in place and writes straight into the output buffer.
public struct BatchDecryptor: Sendable {
    /// The output formats.
    public enum Format: String, Sendable, CaseIterable {
        /// JSON Lines.
        case jsonl
        /// RFC 4180 CSV with a header line.
        case csv
    }

    /// The appid for records that do not name one.
    public let defaultAppID: String?
    /// The freshness policy, if any.
    public let freshness: FreshnessPolicy?
    /// Whether phone numbers are masked in the output.
    public let maskPhoneNumbers: Bool
    /// The output format.
    public let format: Format

    /// The decryptor for `defaultAppID`, made once.
    private let defaultDecryptor: OpenDataDecryptor?

    /// Creates a batch decryptor.
    ///
    /// - Parameters:
    ///   - defaultAppID: The appid for records without an `appid` field.
    ///   - freshness: The freshness policy, if any.
    ///   - maskPhoneNumbers: Mask phone numbers in the output.
    ///   - format: The output format.
    /// - Throws: ``OpenDataError/Code/invalidArgument`` when `defaultAppID` cannot be an appid.
    public init(
        defaultAppID: String?, freshness: FreshnessPolicy? = nil, maskPhoneNumbers: Bool = false, format: Format = .jsonl
    ) throws(OpenDataError) {
        self.defaultAppID = defaultAppID
        self.freshness = freshness
        self.maskPhoneNumbers = maskPhoneNumbers
        self.format = format
        defaultDecryptor = try defaultAppID.map { (appID) throws(OpenDataError) in
            try OpenDataDecryptor(appID: appID, freshness: freshness)
        }
    }

    /// The CSV columns, in order: the record's, then each model's own (from its file), then the watermark's.
    public static let csvColumns =
        ["id", "ok", "code"] + PhoneNumber.csvColumns + UserInfo.csvColumns + ShareInfo.csvColumns
        + GroupEnterInfo.csvColumns + WeRunData.csvColumns + ["appid", "timestamp", "message"]

    private static let csvColumnIndex = Dictionary(uniqueKeysWithValues: csvColumns.enumerated().map { ($1, $0) })

    /// The first output line: the CSV header, or nothing for JSON Lines.
    public var header: [UInt8] {
        format == .csv ? Array((Self.csvColumns.joined(separator: ",") + "\r\n").utf8) : []
    }

    /// Decrypts one input line and appends its result line to `output`.
    ///
    /// - Parameters:
    ///   - line: The line's bytes, without its newline (a trailing CR is ignored).
    ///   - lineNumber: The 1-based line number.
    ///   - output: The buffer the result line (newline included) is appended to.
    /// - Returns: The failure code, or `nil` when the record decrypted and verified.
    public func process(line: UnsafeRawBufferPointer, lineNumber: Int, appendingTo output: inout [UInt8])
        -> OpenDataError.Code?
    {
        let record: RecordLine
        switch RecordLine.scan(line, lineNumber: lineNumber) {
        case .failure(let failure):
            append(id: Array(failure.id.utf8), error: failure.error, to: &output)
            return failure.error.code
        case .success(let scanned):
            record = scanned
        }
        do throws(OpenDataError) {
            let payload = try decrypt(record)
            switch format {
            case .jsonl:
                output.append(contentsOf: #"{"id":"#.utf8)
                record.appendID(to: &output)
                output.append(contentsOf: #","ok":true,"data":"#.utf8)
                var writer = JSONWriter()
                swap(&writer.bytes, &output)
                payload.write(to: &writer)
                swap(&writer.bytes, &output)
                output.append(contentsOf: [UInt8(ascii: "}"), 0x0A])
            case .csv:
                output += Self.csvRow(id: record.idText, payload: payload)
            }
            return nil
        } catch {
            var id: [UInt8] = []
            record.appendID(to: &id)
            append(id: id, error: error, to: &output)
            return error.code
        }
    }

    /// Appends the result for a line that was too long to keep in memory: only its length is known.
    ///
    /// - Parameters:
    ///   - lineNumber: The 1-based line number.
    ///   - length: The line's length in bytes.
    ///   - output: The buffer the result line is appended to.
    /// - Returns: ``OpenDataError/Code/invalidRecord``.
    public func overlongLine(lineNumber: Int, length: Int, appendingTo output: inout [UInt8]) -> OpenDataError.Code {
        let error = RecordLine.invalid(
            "is \(length) bytes, longer than the limit of \(BatchInputRecord.maximumLineLength)", lineNumber: lineNumber)
        append(id: Array(String(lineNumber).utf8), error: error, to: &output)
        return error.code
    }

    private func decrypt(_ record: RecordLine) throws(OpenDataError) -> OpenDataPayload {
        let decryptor = try decryptor(for: record)
        let payload = try record.withText(record.sessionKey) { (keyText) throws(OpenDataError) in
            try Base64Decoding.withDecoded(keyText, field: .sessionKey) { (key, _) throws(OpenDataError) in
                try record.withText(record.iv) { (ivText) throws(OpenDataError) in
                    try record.withText(record.encryptedData) { (dataText) throws(OpenDataError) in
                        try decryptor.withVerifiedPlaintext(
                            encryptedDataText: dataText, ivText: ivText, key: UnsafeRawBufferPointer(key)
                        ) { (plaintext, root, watermark) throws(OpenDataError) in
                            try OpenDataDecryptor.readPayload(nil, plaintext, root, watermark)
                        }
                    }
                }
            }
        }
        return maskPhoneNumbers ? payload.masked() : payload
    }

    /// The default decryptor when the record names no appid or the same one; otherwise one
    /// made for the record's appid.
    private func decryptor(for record: RecordLine) throws(OpenDataError) -> OpenDataDecryptor {
        guard let span = record.appID else {
            guard let defaultDecryptor else {
                throw .invalidRecord(
                    line: record.lineNumber, "the record has no appid and no default appid was given", field: "appid")
            }
            return defaultDecryptor
        }
        if let defaultDecryptor {
            var expected = defaultDecryptor.appID
            if expected.withUTF8({ JSONUnescape.equal(record.line, span, UnsafeRawBufferPointer($0)) }) {
                return defaultDecryptor
            }
        }
        return try OpenDataDecryptor(appID: JSONUnescape.string(record.line, span), freshness: freshness)
    }

    private func append(id: [UInt8], error: OpenDataError, to output: inout [UInt8]) {
        switch format {
        case .jsonl:
            output.append(contentsOf: #"{"id":"#.utf8)
            output += id
            output.append(contentsOf: #","ok":false,"error":{"code":"#.utf8)
            JSONWriter.appendString(error.code.name, to: &output)
            output.append(contentsOf: #","message":"#.utf8)
            JSONWriter.appendString(error.reason, to: &output)
            output.append(contentsOf: "}}\n".utf8)
        case .csv:
            var row = [String](repeating: "", count: Self.csvColumns.count)
            row[0] = Self.csvID(String(decoding: id, as: UTF8.self))
            row[1] = "false"
            row[2] = error.code.name
            row[Self.csvColumns.count - 1] = error.reason
            output += Self.csvLine(row)
        }
    }

    private static func csvRow(id: String, payload: OpenDataPayload) -> [UInt8] {
        var row = [String](repeating: "", count: csvColumns.count)
        row[0] = csvID(id)
        row[1] = "true"
        let (columns, cells) = payload.csvCells
        for (column, cell) in zip(columns, cells) {
            if let index = csvColumnIndex[column] { row[index] = cell }
        }
        row[csvColumns.count - 3] = payload.watermark.appID
        row[csvColumns.count - 2] = String(payload.watermark.timestamp)
        return csvLine(row)
    }

    /// A JSON string id is written as its text; any other id as its JSON.
    private static func csvID(_ id: String) -> String {
        guard id.utf8.first == UInt8(ascii: "\""), id.utf8.count >= 2 else { return id }
        return Array(id.utf8).withUnsafeBytes { bytes in
            JSONUnescape.string(bytes, JSONStringSpan(start: 1, end: bytes.count - 1, hasEscapes: id.utf8.contains(0x5C)))
        }
    }

    /// RFC 4180: fields with commas, quotes or line breaks are quoted, quotes doubled.
    ///
    /// A cell that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a
    /// tab or a CR) gets a leading `'` and is quoted, as OWASP recommends against CSV
    /// injection: a nickname or an id comes from users.
    private static func csvLine(_ fields: [String]) -> [UInt8] {
        var line: [UInt8] = []
        for (index, field) in fields.enumerated() {
            if index > 0 { line.append(UInt8(ascii: ",")) }
            let formula = field.utf8.first.map { [0x3D, 0x2B, 0x2D, 0x40, 0x09, 0x0D].contains($0) } ?? false
            if formula || field.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) {
                line.append(0x22)
                if formula { line.append(UInt8(ascii: "'")) }
                for byte in field.utf8 {
                    if byte == 0x22 { line.append(0x22) }
                    line.append(byte)
                }
                line.append(0x22)
            } else {
                line += Array(field.utf8)
            }
        }
        line += [0x0D, 0x0A]
        return line
    }
}
