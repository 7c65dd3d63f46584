/// What decoding one base64 input found: its sizes and any repairs, never its bytes.
///
/// For logging and tests: it tells how long a field is once decoded and what transport
/// damage was repaired. The field's length rule applies, as in decryption.
public struct Base64Inspection: Sendable, Hashable {
    /// The field: `session_key`, `iv` or `encrypted_data`.
    public let field: String
    /// The length of the text, in UTF-8 bytes.
    public let encodedCount: Int
    /// The number of bytes the text decodes to.
    public let decodedCount: Int
    /// The transport damage that was repaired.
    public let repairs: Base64Repairs

    /// Inspects a session key's base64 text.
    ///
    /// - Parameter sessionKey: The text.
    /// - Returns: The sizes and repairs.
    /// - Throws: ``OpenDataError/Code/invalidSessionKey`` when the text is not base64.
    public static func inspect(sessionKey: String) throws(OpenDataError) -> Base64Inspection {
        try inspect(sessionKey, field: .sessionKey)
    }

    /// Inspects an iv's base64 text.
    ///
    /// - Parameter iv: The text.
    /// - Returns: The sizes and repairs.
    /// - Throws: ``OpenDataError/Code/invalidIV`` when the text is not base64.
    public static func inspect(iv: String) throws(OpenDataError) -> Base64Inspection {
        try inspect(iv, field: .iv)
    }

    /// Inspects an `encryptedData` base64 text.
    ///
    /// - Parameter encryptedData: The text.
    /// - Returns: The sizes and repairs.
    /// - Throws: ``OpenDataError/Code/invalidEncryptedData`` when the text is not base64.
    public static func inspect(encryptedData: String) throws(OpenDataError) -> Base64Inspection {
        try inspect(encryptedData, field: .encryptedData)
    }

    private static func inspect(_ text: String, field: Base64Field) throws(OpenDataError) -> Base64Inspection {
        try Base64Decoding.withDecoded(text, field: field) { (bytes, repairs) in
            Base64Inspection(field: field.name, encodedCount: text.utf8.count, decodedCount: bytes.count, repairs: repairs)
        }
    }
}
