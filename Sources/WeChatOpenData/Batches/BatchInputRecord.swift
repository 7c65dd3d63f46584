/// One line of `wxdecrypt decrypt-file` input (JSON Lines):
/// `{"appid": "wx…", "session_key": "…", "iv": "…", "encrypted_data": "…"}`.
///
/// The record holds the session key's base64 text because that is what the line carries;
/// `description` redacts it.
public struct BatchInputRecord: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A record's `id`: echoed in its result line so that results can be matched to records.
    public enum Identifier: Sendable, Hashable, Codable {
        /// A JSON number, such as a line or row number.
        case number(Int64)
        /// A JSON string.
        case string(String)

        /// Decodes a JSON number or string.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int64.self) {
                self = .number(number)
            } else {
                self = .string(try container.decode(String.self))
            }
        }

        /// Encodes the bare number or string.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .number(let number): try container.encode(number)
            case .string(let string): try container.encode(string)
            }
        }
    }

    /// The record's id, if it has one.
    public let id: Identifier?
    /// The appid the record's watermark must carry, when the record names one.
    public let appID: String?
    /// The session key's base64 text.
    public let sessionKey: String
    /// The iv's base64 text.
    public let iv: String
    /// The encryptedData's base64 text.
    public let encryptedData: String

    /// Creates a record.
    ///
    /// - Parameters:
    ///   - id: The id to echo in the record's result, if any.
    ///   - appID: The appid the watermark must carry; `nil` for the batch's default.
    ///   - sessionKey: The session key's base64 text.
    ///   - iv: The iv's base64 text.
    ///   - encryptedData: The encryptedData's base64 text.
    public init(id: Identifier? = nil, appID: String?, sessionKey: String, iv: String, encryptedData: String) {
        self.id = id
        self.appID = appID
        self.sessionKey = sessionKey
        self.iv = iv
        self.encryptedData = encryptedData
    }

    enum CodingKeys: String, CodingKey {
        case id, appID = "appid", sessionKey = "session_key", iv, encryptedData = "encrypted_data"
    }

    /// The record as one JSON line (no newline): the form `decrypt-file` reads.
    ///
    /// - Returns: `{"id":…,"appid":…,"session_key":…,"iv":…,"encrypted_data":…}`, without the
    ///   members the record does not have.
    public func jsonLine() -> String {
        var writer = JSONWriter()
        writer.beginObject()
        writeMembers(to: &writer)
        writer.endObject()
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// The record's members, for writers that add their own (the conformance cases' clock).
    func writeMembers(to writer: inout JSONWriter) {
        switch id {
        case .number(let number): writer.member("id", number)
        case .string(let string): writer.member("id", string)
        case nil: break
        }
        writer.member("appid", optional: appID)
        writer.member("session_key", sessionKey)
        writer.member("iv", iv)
        writer.member("encrypted_data", encryptedData)
    }

    /// `BatchInputRecord(appid: …, session_key: redacted)`.
    public var description: String { "BatchInputRecord(appid: \(appID ?? "none"), session_key: redacted)" }
}
