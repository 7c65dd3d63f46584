/// One line of `wxdecrypt decrypt-file` input (JSON Lines):
/// `{"appid": "wx…", "session_key": "…", "iv": "…", "encrypted_data": "…"}`.
///
/// The record holds the session key's base64 text because that is what the line carries;
/// `description` redacts it.
public struct BatchInputRecord: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The appid the record's watermark must carry, when the record names one.
    public let appID: String?
    /// The session key's base64 text.
    public let sessionKey: String
    /// The iv's base64 text.
    public let iv: String
    /// The encryptedData's base64 text.
    public let encryptedData: String

    /// Creates a record.
    public init(appID: String?, sessionKey: String, iv: String, encryptedData: String) {
        self.appID = appID
        self.sessionKey = sessionKey
        self.iv = iv
        self.encryptedData = encryptedData
    }

    enum CodingKeys: String, CodingKey {
        case appID = "appid", sessionKey = "session_key", iv, encryptedData = "encrypted_data"
    }

    /// The record as one JSON line (no newline).
    public func jsonLine() -> String {
        var writer = JSONWriter()
        writer.beginObject()
        writer.member("appid", optional: appID)
        writer.member("session_key", sessionKey)
        writer.member("iv", iv)
        writer.member("encrypted_data", encryptedData)
        writer.endObject()
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// `BatchInputRecord(appid: …, session_key: redacted)`.
    public var description: String { "BatchInputRecord(appid: \(appID ?? "none"), session_key: redacted)" }
}
