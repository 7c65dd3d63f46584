#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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

    /// Whether a record's own `now` and `max_age` set its freshness policy.
    public let freshnessFromRecords: Bool

    /// The decryptor for `defaultAppID`, made once.
    private let defaultDecryptor: OpenDataDecryptor?

    /// Creates a batch decryptor.
    ///
    /// - Parameters:
    ///   - defaultAppID: The appid for records without an `appid` field.
    ///   - freshness: The freshness policy, if any.
    ///   - freshnessFromRecords: Let each record's own `max_age` (and `now`, its clock) set its
    ///     freshness policy, as conformance cases and test vectors carry them. Only for such
    ///     replays: in an archive, a record must not choose its own policy. Excludes `freshness`.
    ///   - maskPhoneNumbers: Mask phone numbers in the output.
    ///   - format: The output format.
    /// - Throws: ``OpenDataError/Code/invalidArgument`` when `defaultAppID` cannot be an appid, or
    ///   both `freshness` and `freshnessFromRecords` are given.
    public init(
        defaultAppID: String?, freshness: FreshnessPolicy? = nil, freshnessFromRecords: Bool = false,
        maskPhoneNumbers: Bool = false, format: Format = .jsonl
    ) throws(OpenDataError) {
        guard freshness == nil || !freshnessFromRecords else {
            throw .invalidArgument(field: "freshnessFromRecords", "excludes a batch-wide freshness policy")
        }
        self.defaultAppID = defaultAppID
        self.freshness = freshness
        self.freshnessFromRecords = freshnessFromRecords
        self.maskPhoneNumbers = maskPhoneNumbers
        self.format = format
        defaultDecryptor = try defaultAppID.map { (appID) throws(OpenDataError) in
            try OpenDataDecryptor(appID: appID, freshness: freshness)
        }
    }

    /// The CSV columns, in order: the record's, then each model's own (from its file), then the watermark's.
    static let csvColumns =
        ["id", "ok", "code"] + PhoneNumber.csvColumns + UserInfo.csvColumns + ShareInfo.csvColumns
        + GroupEnterInfo.csvColumns + WeRunData.csvColumns + ["appid", "timestamp", "session_key", "message"]

    private static let csvColumnIndex = Dictionary(uniqueKeysWithValues: csvColumns.enumerated().map { ($1, $0) })

    /// The first output line: the CSV header, or nothing for JSON Lines.
    public var header: [UInt8] {
        format == .csv ? Array((Self.csvColumns.joined(separator: ",") + "\r\n").utf8) : []
    }

    /// What became of one record, for the caller's counts.
    public struct Outcome: Sendable, Hashable {
        /// The failure's code, or `nil` when the record decrypted and verified.
        public let failure: OpenDataError.Code?
        /// The key that decrypted it: `.previous` when the record's `previous_session_key` did
        /// (the stale-key trap, see ``SessionKeyRing``).
        public let matchedKey: SessionKeyRing.Slot?
    }

    /// Decrypts one input line and appends its result line to `output`.
    ///
    /// A record may carry `previous_session_key` (or `previousSessionKey`): when its
    /// `session_key` gives `decryption_failed`, the previous key is tried, as
    /// ``SessionKeyRing`` does, and the result says `"session_key":"previous"`.
    ///
    /// - Parameters:
    ///   - line: The line's bytes, without its newline (a trailing CR is ignored).
    ///   - lineNumber: The 1-based line number.
    ///   - output: The buffer the result line (newline included) is appended to.
    /// - Returns: The failure code, or which key decrypted the record.
    public func process(line: UnsafeRawBufferPointer, lineNumber: Int, appendingTo output: inout [UInt8]) -> Outcome {
        let record: BatchInputRecord.InPlace
        switch BatchInputRecord.InPlace.scan(line, lineNumber: lineNumber) {
        case .failure(let failure):
            append(id: Array(failure.id.utf8), error: failure.error, to: &output)
            return Outcome(failure: failure.error.code, matchedKey: nil)
        case .success(let scanned):
            record = scanned
        }
        do throws(OpenDataError) {
            let (payload, matchedKey) = try decrypt(record)
            switch format {
            case .jsonl:
                output.append(contentsOf: #"{"id":"#.utf8)
                record.appendID(to: &output)
                output.append(contentsOf: #","ok":true,"#.utf8)
                if matchedKey == .previous { output.append(contentsOf: #""session_key":"previous","#.utf8) }
                output.append(contentsOf: #""data":"#.utf8)
                var writer = JSONWriter()
                swap(&writer.bytes, &output)
                payload.write(to: &writer)
                swap(&writer.bytes, &output)
                output.append(contentsOf: [UInt8(ascii: "}"), 0x0A])
            case .csv:
                output += Self.csvRow(id: record.idText, payload: payload, matchedKey: matchedKey)
            }
            return Outcome(failure: nil, matchedKey: matchedKey)
        } catch {
            var id: [UInt8] = []
            record.appendID(to: &id)
            append(id: id, error: error, to: &output)
            return Outcome(failure: error.code, matchedKey: nil)
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
        let error = BatchInputRecord.InPlace.invalid(
            "is \(length) bytes, longer than the limit of \(BatchInputRecord.maximumLineLength)", lineNumber: lineNumber)
        append(id: Array(String(lineNumber).utf8), error: error, to: &output)
        return error.code
    }

    /// The payload and the key that decrypted it: the record's key, then its previous key only
    /// when the first gave `decryption_failed` (the ring's rule, see ``SessionKeyRing``).
    private func decrypt(_ record: BatchInputRecord.InPlace) throws(OpenDataError) -> (OpenDataPayload, SessionKeyRing.Slot) {
        let decryptor = try decryptor(for: record)
        let (payload, slot) = try record.withText(record.sessionKey) { (keyText) throws(OpenDataError) in
            try Base64Decoding.withDecoded(keyText, field: .sessionKey) { (key, _) throws(OpenDataError) in
                do throws(OpenDataError) {
                    return (try decrypt(record, with: UnsafeRawBufferPointer(key), decryptor), SessionKeyRing.Slot.current)
                } catch {
                    guard error.code == .decryptionFailed, let previous = record.previousSessionKey else { throw error }
                    return try record.withText(previous) { (previousText) throws(OpenDataError) in
                        try Base64Decoding.withDecoded(previousText, field: .previousSessionKey) {
                            (previousKey, _) throws(OpenDataError) in
                            // The same key again cannot help; compared in constant time.
                            guard !SecureMemory.constantTimeEqual(UnsafeRawBufferPointer(key), UnsafeRawBufferPointer(previousKey))
                            else { throw error }
                            return (try decrypt(record, with: UnsafeRawBufferPointer(previousKey), decryptor), .previous)
                        }
                    }
                }
            }
        }
        return (maskPhoneNumbers ? payload.masked() : payload, slot)
    }

    private func decrypt(_ record: BatchInputRecord.InPlace, with key: UnsafeRawBufferPointer, _ decryptor: OpenDataDecryptor)
        throws(OpenDataError) -> OpenDataPayload
    {
        try record.withText(record.iv) { (ivText) throws(OpenDataError) in
            try record.withText(record.encryptedData) { (dataText) throws(OpenDataError) in
                try decryptor.withVerifiedPlaintext(encryptedDataText: dataText, ivText: ivText, key: key) {
                    (plaintext, root, watermark) throws(OpenDataError) in
                    try OpenDataDecryptor.readPayload(nil, plaintext, root, watermark)
                }
            }
        }
    }

    /// The default decryptor when the record names no appid or the same one; otherwise one
    /// made for the record's appid (or for its own clock, when the batch takes it from records).
    private func decryptor(for record: BatchInputRecord.InPlace) throws(OpenDataError) -> OpenDataDecryptor {
        if freshnessFromRecords, let maximumAge = record.maximumAge {
            let seconds = try PayloadField.int64(maximumAge, field: "max_age")
            guard seconds >= 0 else { throw .invalidRecord(line: record.lineNumber, "max_age must not be negative") }
            let policy: FreshnessPolicy
            if let now = record.now {
                let clock = Date(timeIntervalSince1970: TimeInterval(try PayloadField.int64(now, field: "now")))
                policy = FreshnessPolicy(maximumAge: .seconds(seconds), now: { clock })
            } else {
                policy = FreshnessPolicy(maximumAge: .seconds(seconds))
            }
            guard let appID = record.appID.map({ JSONUnescape.string(record.line, $0) }) ?? defaultAppID else {
                throw .invalidRecord(
                    line: record.lineNumber, "the record has no appid and no default appid was given", field: "appid")
            }
            return try OpenDataDecryptor(appID: appID, freshness: policy)
        }
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

    private static func csvRow(id: String, payload: OpenDataPayload, matchedKey: SessionKeyRing.Slot) -> [UInt8] {
        var row = [String](repeating: "", count: csvColumns.count)
        row[0] = csvID(id)
        row[1] = "true"
        let (columns, cells) = payload.csvCells
        for (column, cell) in zip(columns, cells) {
            if let index = csvColumnIndex[column] { row[index] = cell }
        }
        row[csvColumns.count - 4] = payload.watermark.appID
        row[csvColumns.count - 3] = String(payload.watermark.timestamp)
        // Which key decrypted it, named only when it was the previous one (as in JSON Lines).
        if matchedKey == .previous { row[csvColumns.count - 2] = "previous" }
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
            // A ';' is quoted too: spreadsheets in many locales split cells on it, and `a;=1+1`
            // would start a formula in the second cell.
            if formula || field.utf8.contains(where: { $0 == 0x2C || $0 == 0x3B || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) {
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
