/// Turns `decrypt-file` input lines into output lines: one result per record, never an
/// exception, in JSON Lines or CSV.
///
/// JSON Lines output: `{"id":…,"ok":true,"data":{…}}` or
/// `{"id":…,"ok":false,"error":{"code":"decryption_failed","message":"…"}}`.
/// Immutable and `Sendable`: one value can process lines on many threads at once.
public struct BatchDecryptor: Sendable {
    /// The output formats.
    public enum Format: String, Sendable, CaseIterable {
        /// JSON Lines.
        case jsonl
        /// RFC 4180 CSV with a header line.
        case csv
    }

    /// One line's result.
    public struct Result: Sendable {
        /// The output line, newline included.
        public let line: [UInt8]
        /// The error code when the record failed.
        public let failure: OpenDataError.Code?
    }

    /// The appid for records that do not name one.
    public let defaultAppID: String?
    /// The freshness policy, if any.
    public let freshness: FreshnessPolicy?
    /// Whether phone numbers are masked in the output.
    public let maskPhoneNumbers: Bool
    /// The output format.
    public let format: Format

    /// Creates a batch decryptor.
    ///
    /// - Parameters:
    ///   - defaultAppID: The appid for records without an `appid` field.
    ///   - freshness: The freshness policy, if any.
    ///   - maskPhoneNumbers: Mask phone numbers in the output.
    ///   - format: The output format.
    public init(defaultAppID: String?, freshness: FreshnessPolicy? = nil, maskPhoneNumbers: Bool = false, format: Format = .jsonl) {
        self.defaultAppID = defaultAppID
        self.freshness = freshness
        self.maskPhoneNumbers = maskPhoneNumbers
        self.format = format
    }

    /// The CSV columns, in order.
    public static let csvColumns = [
        "id", "ok", "code", "phoneNumber", "purePhoneNumber", "countryCode", "openId", "unionId", "nickName",
        "openGId", "opengid", "stepDays", "appid", "timestamp", "message",
    ]

    /// The first output line: the CSV header, or nothing for JSON Lines.
    public var header: [UInt8] {
        format == .csv ? Array((Self.csvColumns.joined(separator: ",") + "\r\n").utf8) : []
    }

    /// Decrypts one input line and formats its result.
    ///
    /// - Parameters:
    ///   - line: The line's bytes, without its newline (a trailing CR is ignored).
    ///   - lineNumber: The 1-based line number.
    /// - Returns: The output line and the failure code, if any.
    public func process(line: UnsafeRawBufferPointer, lineNumber: Int) -> Result {
        let parsed = BatchInputRecord.parse(line: line, lineNumber: lineNumber)
        switch decrypt(parsed.record) {
        case .success(let payload): return Result(line: format(id: parsed.id, payload: payload), failure: nil)
        case .failure(let error): return Result(line: format(id: parsed.id, error: error), failure: error.code)
        }
    }

    private func decrypt(_ record: Swift.Result<BatchInputRecord, OpenDataError>) -> Swift.Result<OpenDataPayload, OpenDataError> {
        Swift.Result { () throws(OpenDataError) -> OpenDataPayload in
            let record = try record.get()
            guard let appID = record.appID ?? defaultAppID else {
                throw OpenDataError(
                    code: .invalidRecord, reason: "the record has no appid and no default appid was given", field: "appid")
            }
            let decryptor = try OpenDataDecryptor(appID: appID, freshness: freshness)
            let payload = try decryptor.decryptPayload(
                encryptedData: record.encryptedData, iv: record.iv, sessionKey: try SessionKey(base64: record.sessionKey))
            return maskPhoneNumbers ? payload.masked() : payload
        }
    }

    private func format(id: String, payload: OpenDataPayload) -> [UInt8] {
        switch format {
        case .jsonl:
            var writer = JSONWriter(into: Array(#"{"id":"#.utf8) + Array(id.utf8) + Array(#","ok":true,"data":"#.utf8))
            payload.write(to: &writer)
            return writer.bytes + [UInt8(ascii: "}"), 0x0A]
        case .csv:
            var row = [String](repeating: "", count: Self.csvColumns.count)
            row[0] = Self.csvID(id)
            row[1] = "true"
            switch payload {
            case .phoneNumber(let phone):
                (row[3], row[4], row[5]) = (phone.phoneNumber, phone.purePhoneNumber, phone.countryCode)
            case .userInfo(let user):
                (row[6], row[7], row[8]) = (user.openID, user.unionID ?? "", user.nickName)
            case .shareInfo(let share): row[9] = share.openGID
            case .groupEnterInfo(let group): row[10] = group.openGID ?? group.openSingleRoomID ?? ""
            case .weRunData(let werun): row[11] = String(werun.stepInfoList.count)
            case .raw: break
            }
            row[12] = payload.watermark.appID
            row[13] = String(payload.watermark.timestamp)
            return Self.csvLine(row)
        }
    }

    private func format(id: String, error: OpenDataError) -> [UInt8] {
        switch format {
        case .jsonl:
            var line = Array(#"{"id":"#.utf8) + Array(id.utf8) + Array(#","ok":false,"error":{"code":"#.utf8)
            JSONWriter.appendString(error.code.name, to: &line)
            line += Array(#","message":"#.utf8)
            JSONWriter.appendString(error.reason, to: &line)
            line += Array("}}\n".utf8)
            return line
        case .csv:
            var row = [String](repeating: "", count: Self.csvColumns.count)
            row[0] = Self.csvID(id)
            row[1] = "false"
            row[2] = error.code.name
            row[14] = error.reason
            return Self.csvLine(row)
        }
    }

    /// A JSON string id is written as its text; any other id as its JSON.
    private static func csvID(_ id: String) -> String {
        guard id.utf8.first == UInt8(ascii: "\""), id.utf8.count >= 2 else { return id }
        return Array(id.utf8).withUnsafeBytes { bytes in
            JSONUnescape.string(bytes, JSONStringSpan(start: 1, end: bytes.count - 1, hasEscapes: id.utf8.contains(0x5C)))
        }
    }

    /// RFC 4180: fields with commas, quotes or line breaks are quoted, quotes doubled.
    private static func csvLine(_ fields: [String]) -> [UInt8] {
        var line: [UInt8] = []
        for (index, field) in fields.enumerated() {
            if index > 0 { line.append(UInt8(ascii: ",")) }
            if field.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) {
                line.append(0x22)
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

extension BatchDecryptor {
    /// The result for a line that was too long to keep in memory: only its length is known.
    ///
    /// - Parameters:
    ///   - lineNumber: The 1-based line number.
    ///   - length: The line's length in bytes.
    /// - Returns: An ``OpenDataError/Code/invalidRecord`` result whose id is the line number.
    public func overlongLine(lineNumber: Int, length: Int) -> Result {
        let error = OpenDataError(
            code: .invalidRecord,
            reason: "line \(lineNumber): is \(length) bytes, longer than the limit of \(BatchInputRecord.maximumLineLength)",
            field: "line")
        return Result(line: format(id: String(lineNumber), error: error), failure: error.code)
    }
}
