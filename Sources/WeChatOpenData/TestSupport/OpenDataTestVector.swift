#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// One test vector in the package's vector format (documented in `Fixtures/README.md`),
/// and the check that runs it through the public API.
///
/// Use it to run the package's vectors, or your own in the same format, in your backend's
/// tests: ``load(from:)`` reads a file, ``check()`` says what differs, if anything.
public struct OpenDataTestVector: Sendable, Decodable {
    /// A unique name.
    public let name: String
    /// The kind to decrypt into; `nil` for `auto` (recognised from the payload's keys).
    public let kind: OpenDataPayload.Kind?
    /// The expected appid.
    public let appID: String
    /// The base64 inputs, exactly as received.
    public let sessionKey: String, iv: String, encryptedData: String
    /// The exact plaintext a positive vector decrypts to.
    public let expectedPlaintext: String?
    /// The error a negative vector fails with.
    public let expectedError: OpenDataError.Code?
    /// The field the error names.
    public let expectedField: String?
    /// The base64 repairs that must be reported, when the vector says.
    public let expectedRepairs: Base64Repairs?
    /// The clock and freshness limit, in seconds.
    public let now: Int64?, maxAge: Int64?
    /// The decryptor's size limit.
    public let maxEncryptedDataSize: Int?
    /// A `wx.getUserInfo` rawData and signature to verify.
    public let rawData: String?, signature: String?
    /// The error signature verification fails with.
    public let expectedSignatureError: OpenDataError.Code?
    /// The expected login-state signature.
    public let loginStateSignature: String?

    enum CodingKeys: String, CodingKey {
        case name, kind, iv, now, signature
        case appID = "appid", sessionKey = "session_key", encryptedData = "encrypted_data"
        case expectedPlaintext = "expected_plaintext", expectedError = "expected_error"
        case expectedField = "expected_field", expectedRepairs = "expected_repairs", maxAge = "max_age"
        case maxEncryptedDataSize = "max_encrypted_data_size"
        case rawData = "raw_data", expectedSignatureError = "expected_signature_error"
        case loginStateSignature = "login_state_signature"
    }

    private static let repairNames: [String: Base64Repairs] = [
        "spaces_as_plus": .spacesAsPlus, "url_safe_alphabet": .urlSafeAlphabet,
        "missing_padding": .missingPadding, "whitespace_removed": .whitespaceRemoved,
    ]

    /// Decodes a vector; unknown kinds, error codes and repair names are errors, not ignored.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func code(_ key: CodingKeys) throws -> OpenDataError.Code? {
            guard let name = try container.decodeIfPresent(String.self, forKey: key) else { return nil }
            guard let code = OpenDataError.Code(name: name) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "no error code '\(name)'")
            }
            return code
        }
        name = try container.decode(String.self, forKey: .name)
        let kindName = try container.decode(String.self, forKey: .kind)
        if kindName == "auto" {
            kind = nil
        } else if let kind = OpenDataPayload.Kind(rawValue: kindName) {
            self.kind = kind
        } else {
            throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "no kind '\(kindName)'")
        }
        appID = try container.decode(String.self, forKey: .appID)
        sessionKey = try container.decode(String.self, forKey: .sessionKey)
        iv = try container.decode(String.self, forKey: .iv)
        encryptedData = try container.decode(String.self, forKey: .encryptedData)
        expectedPlaintext = try container.decodeIfPresent(String.self, forKey: .expectedPlaintext)
        expectedError = try code(.expectedError)
        expectedField = try container.decodeIfPresent(String.self, forKey: .expectedField)
        expectedRepairs = try container.decodeIfPresent([String].self, forKey: .expectedRepairs).map { names in
            var repairs: Base64Repairs = []
            for name in names {
                guard let repair = Self.repairNames[name] else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .expectedRepairs, in: container, debugDescription: "no repair '\(name)'")
                }
                repairs.insert(repair)
            }
            return repairs
        }
        now = try container.decodeIfPresent(Int64.self, forKey: .now)
        maxAge = try container.decodeIfPresent(Int64.self, forKey: .maxAge)
        maxEncryptedDataSize = try container.decodeIfPresent(Int.self, forKey: .maxEncryptedDataSize)
        rawData = try container.decodeIfPresent(String.self, forKey: .rawData)
        signature = try container.decodeIfPresent(String.self, forKey: .signature)
        expectedSignatureError = try code(.expectedSignatureError)
        loginStateSignature = try container.decodeIfPresent(String.self, forKey: .loginStateSignature)
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

    /// Decrypts the vector into its kind through the public API.
    ///
    /// - Returns: The payload.
    /// - Throws: ``OpenDataError`` as decryption does.
    public func decrypt() throws(OpenDataError) -> OpenDataPayload {
        try makeDecryptor().decryptPayload(
            as: kind, encryptedData: encryptedData, iv: iv, sessionKey: try SessionKey(base64: sessionKey))
    }

    /// The decryptor the vector describes: its appid, size limit and a freshness policy at its fixed clock.
    ///
    /// - Returns: The decryptor.
    /// - Throws: ``OpenDataError/Code/invalidArgument`` for an unusable appid or size limit.
    public func makeDecryptor() throws(OpenDataError) -> OpenDataDecryptor {
        let freshness = maxAge.map { maxAge in
            let clock = Date(timeIntervalSince1970: TimeInterval(now ?? 0))
            return FreshnessPolicy(maximumAge: .seconds(maxAge), now: { clock })
        }
        return try OpenDataDecryptor(
            appID: appID, freshness: freshness,
            maximumEncryptedDataSize: maxEncryptedDataSize ?? OpenDataDecryptor.defaultMaximumEncryptedDataSize)
    }

    /// How a vector's outcome differs from what it expects. Never quotes the plaintext.
    public enum Mismatch: Error, Sendable, Hashable, CustomStringConvertible {
        /// It decrypted, but the vector expects an error.
        case decryptedUnexpectedly(expected: OpenDataError.Code)
        /// It failed, but the vector expects a plaintext.
        case failedUnexpectedly(OpenDataError.Code)
        /// It failed with another error than the vector's.
        case wrongError(expected: OpenDataError.Code, got: OpenDataError.Code)
        /// The error names another field than the vector's.
        case wrongField(expected: String, got: String?)
        /// It decrypted to another plaintext.
        case plaintextDiffers
        /// Other base64 repairs were reported.
        case repairsDiffer(expected: Base64Repairs, found: Base64Repairs)
        /// The `wx.getUserInfo` signature verified, but the vector expects an error.
        case signatureVerifiedUnexpectedly(expected: OpenDataError.Code)
        /// The `wx.getUserInfo` signature failed otherwise than the vector expects.
        case signatureFailed(expected: OpenDataError.Code?, got: OpenDataError.Code)
        /// The login-state signature differs.
        case loginStateSignatureDiffers

        /// A sentence saying what differs.
        public var description: String {
            switch self {
            case .decryptedUnexpectedly(let expected): "expected \(expected), but it decrypted"
            case .failedUnexpectedly(let code): "expected success, got \(code)"
            case .wrongError(let expected, let got): "expected \(expected), got \(got)"
            case .wrongField(let expected, let got): "expected the error to name \(expected), it names \(got ?? "nothing")"
            case .plaintextDiffers: "the plaintext differs"
            case .repairsDiffer(let expected, let found): "repairs: expected \(expected), found \(found)"
            case .signatureVerifiedUnexpectedly(let expected): "expected signature \(expected), but it verified"
            case .signatureFailed(let expected, let got):
                "signature: expected \(expected.map(\.name) ?? "success"), got \(got)"
            case .loginStateSignatureDiffers: "the login-state signature differs"
            }
        }
    }

    /// Runs the vector through the public API.
    ///
    /// - Returns: `nil` when everything is as the vector expects, else what differs.
    public func check() -> Mismatch? {
        let key: SessionKey
        let verified: VerifiedOpenData
        do {
            key = try SessionKey(base64: sessionKey)
            let decryptor = try makeDecryptor()
            verified = try decryptor.decryptJSON(encryptedData: encryptedData, iv: iv, sessionKey: key)
            _ = try decryptor.decryptPayload(as: kind, encryptedData: encryptedData, iv: iv, sessionKey: key)
        } catch {
            guard let expectedError else { return .failedUnexpectedly(error.code) }
            guard error.code == expectedError else { return .wrongError(expected: expectedError, got: error.code) }
            if let expectedField, error.field != expectedField { return .wrongField(expected: expectedField, got: error.field) }
            return nil
        }
        if let expectedError { return .decryptedUnexpectedly(expected: expectedError) }
        if let expectedPlaintext, verified.jsonString != expectedPlaintext { return .plaintextDiffers }
        if let expectedRepairs {
            let found = key.repairs.union((try? InitializationVector(base64: iv).repairs) ?? [])
                .union((try? Base64Inspection.inspect(encryptedData: encryptedData).repairs) ?? [])
            if found != expectedRepairs { return .repairsDiffer(expected: expectedRepairs, found: found) }
        }
        if let rawData, let signature {
            do {
                try UserInfoSignature.verify(signature: signature, rawData: rawData, sessionKey: key)
                if let expectedSignatureError { return .signatureVerifiedUnexpectedly(expected: expectedSignatureError) }
            } catch {
                if error.code != expectedSignatureError {
                    return .signatureFailed(expected: expectedSignatureError, got: error.code)
                }
            }
        }
        if let loginStateSignature, key.loginStateSignature() != loginStateSignature { return .loginStateSignatureDiffers }
        return nil
    }
}
