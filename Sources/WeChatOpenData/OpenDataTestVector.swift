#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// One test vector in the package's vector format (documented in `Fixtures/README.md`),
/// and the check that runs it through the public API.
public struct OpenDataTestVector: Sendable, Decodable {
    /// A unique name.
    public let name: String
    /// The model to decrypt into: `auto`, `phone`, `user`, `werun`, `share`, `group` or `raw`.
    public let kind: String
    /// The expected appid.
    public let appid: String
    /// The base64 inputs, exactly as received.
    public let sessionKey: String, iv: String, encryptedData: String
    /// The exact plaintext a positive vector decrypts to.
    public let expectedPlaintext: String?
    /// The error code a negative vector fails with.
    public let expectedError: String?
    /// The field the error names.
    public let expectedField: String?
    /// The base64 repairs that must be reported (`spaces_as_plus`, `url_safe_alphabet`,
    /// `missing_padding`, `whitespace_removed`).
    public let expectedRepairs: [String]?
    /// The clock and freshness limit, in seconds.
    public let now: Int64?, maxAge: Int64?
    /// The decryptor's size limit.
    public let maxEncryptedDataSize: Int?
    /// A `wx.getUserInfo` rawData and signature to verify.
    public let rawData: String?, signature: String?
    /// The code signature verification fails with.
    public let expectedSignatureError: String?
    /// The expected login-state signature.
    public let loginStateSignature: String?

    enum CodingKeys: String, CodingKey {
        case name, kind, appid, iv, now, signature
        case sessionKey = "session_key", encryptedData = "encrypted_data"
        case expectedPlaintext = "expected_plaintext", expectedError = "expected_error"
        case expectedField = "expected_field", expectedRepairs = "expected_repairs", maxAge = "max_age"
        case maxEncryptedDataSize = "max_encrypted_data_size"
        case rawData = "raw_data", expectedSignatureError = "expected_signature_error"
        case loginStateSignature = "login_state_signature"
    }

    /// Reads a vector file: `{"vectors": [...]}`.
    ///
    /// - Parameter data: The file's bytes.
    /// - Returns: The vectors in file order.
    /// - Throws: `DecodingError` when the file is not in the vector format.
    public static func load(from data: Data) throws -> [OpenDataTestVector] {
        struct File: Decodable { let vectors: [OpenDataTestVector] }
        return try JSONDecoder().decode(File.self, from: data).vectors
    }

    /// The kind to decrypt into; `nil` for `auto`.
    public var payloadKind: OpenDataPayload.Kind? { kind == "auto" ? nil : OpenDataPayload.Kind(rawValue: kind) }

    /// The repairs named by ``expectedRepairs``; unknown names are ignored.
    public var expectedRepairSet: Base64Repairs {
        let names: [String: Base64Repairs] = [
            "spaces_as_plus": .spacesAsPlus, "url_safe_alphabet": .urlSafeAlphabet,
            "missing_padding": .missingPadding, "whitespace_removed": .whitespaceRemoved,
        ]
        return Base64Repairs((expectedRepairs ?? []).compactMap { names[$0] })
    }

    /// Decrypts the vector into its kind through the public API.
    public func decrypt() throws(OpenDataError) -> OpenDataPayload {
        try makeDecryptor().decryptPayload(
            as: payloadKind, encryptedData: encryptedData, iv: iv, sessionKey: try SessionKey(base64: sessionKey))
    }

    /// The decryptor the vector describes: its appid, size limit and a freshness policy at its fixed clock.
    public func makeDecryptor() throws(OpenDataError) -> OpenDataDecryptor {
        let freshness = maxAge.map { maxAge in
            let clock = Date(timeIntervalSince1970: TimeInterval(now ?? 0))
            return FreshnessPolicy(maximumAge: .seconds(maxAge), now: { clock })
        }
        return try OpenDataDecryptor(
            appID: appid, freshness: freshness,
            maximumEncryptedDataSize: maxEncryptedDataSize ?? OpenDataDecryptor.defaultMaximumEncryptedDataSize)
    }

    /// Runs the vector through the public API.
    ///
    /// - Returns: `nil` when everything is as expected, else a sentence saying what differs
    ///   (never the plaintext).
    public func check() -> String? {
        let key: SessionKey
        let verified: VerifiedOpenData
        do {
            key = try SessionKey(base64: sessionKey)
            let decryptor = try makeDecryptor()
            verified = try decryptor.decryptJSON(encryptedData: encryptedData, iv: iv, sessionKey: key)
            _ = try decryptor.decryptPayload(as: payloadKind, encryptedData: encryptedData, iv: iv, sessionKey: key)
        } catch {
            guard let expectedError else { return "expected success, got \(error.code)" }
            guard error.code.name == expectedError else { return "expected \(expectedError), got \(error.code)" }
            if let expectedField, error.field != expectedField {
                return "expected the error to name \(expectedField), it names \(error.field ?? "nothing")"
            }
            return nil
        }
        if let expectedError { return "expected \(expectedError), but it decrypted" }
        if let expectedPlaintext, verified.jsonString != expectedPlaintext { return "the plaintext differs" }
        if expectedRepairs != nil {
            let found = key.repairs.union((try? InitializationVector(base64: iv).repairs) ?? [])
                .union((try? Base64Inspection.inspect(encryptedData: encryptedData).repairs) ?? [])
            if found != expectedRepairSet { return "repairs: expected \(expectedRepairSet), found \(found)" }
        }
        if let rawData, let signature {
            do {
                try UserInfoSignature.verify(signature: signature, rawData: rawData, sessionKey: key)
                if let expectedSignatureError { return "expected signature \(expectedSignatureError), but it verified" }
            } catch {
                if error.code.name != expectedSignatureError { return "signature: \(error.code)" }
            }
        }
        if let loginStateSignature, key.loginStateSignature() != loginStateSignature {
            return "the login-state signature differs"
        }
        return nil
    }
}
