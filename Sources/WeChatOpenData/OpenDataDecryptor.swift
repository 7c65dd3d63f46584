#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Decrypts and verifies legacy open data for one mini program.
///
/// Make one decryptor per appid at start-up and share it: it is an immutable `Sendable`
/// value, safe to use from any number of tasks at once.
///
/// ```swift
/// let decryptor = try OpenDataDecryptor(appID: "wx4f4bc4dec97d474b",
///                                       freshness: FreshnessPolicy(maximumAge: .seconds(300)))
/// let sessionKey = try SessionKey(base64: storedSessionKey)
/// let phone = try decryptor.decrypt(PhoneNumber.self, encryptedData: body.encryptedData,
///                                   iv: body.iv, sessionKey: sessionKey)
/// ```
///
/// Every call runs the same steps: decode the base64 inputs (repairing transport damage,
/// see ``Base64Repairs``), check their lengths, AES-128-CBC-decrypt with the session key,
/// remove PKCS#7 padding in constant time, validate the plaintext as strict UTF-8 JSON,
/// verify `watermark.appid` (and `watermark.timestamp` with a ``FreshnessPolicy``), then
/// read the requested model.
public struct OpenDataDecryptor: Sendable {
    /// The default limit on the decoded size of `encryptedData`: 64 KiB.
    public static let defaultMaximumEncryptedDataSize = 64 * 1024

    /// The appid every payload's `watermark.appid` must equal.
    public let appID: String

    /// The freshness policy for `watermark.timestamp`, if any.
    public let freshness: FreshnessPolicy?

    /// The largest `encryptedData` accepted, in decoded bytes.
    public let maximumEncryptedDataSize: Int

    /// Creates a decryptor for one mini program.
    ///
    /// - Parameters:
    ///   - appID: Your mini program's appid. Required: a payload is only accepted when its
    ///     watermark names this appid.
    ///   - freshness: How old a payload may be; `nil` skips the check (not recommended).
    ///   - maximumEncryptedDataSize: The largest `encryptedData` accepted, in decoded bytes.
    /// - Throws: ``OpenDataError/Code/invalidArgument`` when the appid is empty or contains
    ///   characters an appid cannot have, or the limit is not positive.
    public init(
        appID: String,
        freshness: FreshnessPolicy? = nil,
        maximumEncryptedDataSize: Int = OpenDataDecryptor.defaultMaximumEncryptedDataSize
    ) throws(OpenDataError) {
        guard AppIDFormat.isValid(appID) else { throw AppIDFormat.invalid }
        guard maximumEncryptedDataSize > 0 else {
            throw OpenDataError(
                code: .invalidArgument, reason: "maximumEncryptedDataSize must be positive", field: "maximumEncryptedDataSize")
        }
        self.appID = appID
        self.freshness = freshness
        self.maximumEncryptedDataSize = maximumEncryptedDataSize
    }

    /// Decrypts, verifies and decodes a payload.
    ///
    /// The library's own models (``PhoneNumber``, ``UserInfo``, ``WeRunData``,
    /// ``ShareInfo``, ``GroupEnterInfo``) are read straight from the plaintext bytes; any
    /// other `Decodable` type is decoded with `JSONDecoder` after the same verification,
    /// so it does not need a `watermark` property of its own.
    ///
    /// - Parameters:
    ///   - type: The payload type to decode.
    ///   - encryptedData: The `encryptedData` base64 text from the mini program.
    ///   - iv: The `iv` base64 text from the same call.
    ///   - sessionKey: The user's session key.
    /// - Returns: The verified payload.
    /// - Throws: ``OpenDataError``: an input code for bad base64 or lengths,
    ///   ``OpenDataError/Code/decryptionFailed`` for anything that goes wrong during
    ///   decryption, then ``OpenDataError/Code/appIDMismatch``,
    ///   ``OpenDataError/Code/watermarkExpired`` or ``OpenDataError/Code/invalidPayload``.
    public func decrypt<Payload: Decodable>(
        _ type: Payload.Type,
        encryptedData: String,
        iv: String,
        sessionKey: SessionKey
    ) throws(OpenDataError) -> Payload {
        // The library's models: a metatype comparison picks a path specialised for the model.
        switch Payload.self {
        case is PhoneNumber.Type: return try decryptModel(PhoneNumber.self, encryptedData, iv, sessionKey) as! Payload
        case is UserInfo.Type: return try decryptModel(UserInfo.self, encryptedData, iv, sessionKey) as! Payload
        case is WeRunData.Type: return try decryptModel(WeRunData.self, encryptedData, iv, sessionKey) as! Payload
        case is ShareInfo.Type: return try decryptModel(ShareInfo.self, encryptedData, iv, sessionKey) as! Payload
        case is GroupEnterInfo.Type: return try decryptModel(GroupEnterInfo.self, encryptedData, iv, sessionKey) as! Payload
        default: break
        }
        var payload: Payload?
        try withVerifiedPlaintext(encryptedData: encryptedData, iv: iv, sessionKey: sessionKey) {
            (plaintext, root, context) throws(OpenDataError) in
            _ = try context.verifiedWatermark(root.member("watermark"))
            payload = try Self.decodeWithFoundation(type, from: plaintext)
        }
        return payload!
    }

    private func decryptModel<Model: OpenDataModelParsing>(
        _ model: Model.Type, _ encryptedData: String, _ iv: String, _ sessionKey: SessionKey
    ) throws(OpenDataError) -> Model {
        var payload: Model?
        try withVerifiedPlaintext(encryptedData: encryptedData, iv: iv, sessionKey: sessionKey) {
            (_, root, context) throws(OpenDataError) in
            payload = try Model.parse(root, context: context)
        }
        return payload!
    }

    /// Decrypts and verifies a payload and returns its JSON bytes.
    ///
    /// - Parameters:
    ///   - encryptedData: The `encryptedData` base64 text.
    ///   - iv: The `iv` base64 text.
    ///   - sessionKey: The user's session key.
    /// - Returns: The plaintext JSON and its verified watermark.
    /// - Throws: ``OpenDataError`` as ``decrypt(_:encryptedData:iv:sessionKey:)`` does.
    public func decryptJSON(encryptedData: String, iv: String, sessionKey: SessionKey) throws(OpenDataError)
        -> VerifiedOpenData
    {
        var verified: VerifiedOpenData?
        try withVerifiedPlaintext(encryptedData: encryptedData, iv: iv, sessionKey: sessionKey) {
            (plaintext, root, context) throws(OpenDataError) in
            let watermark = try context.verifiedWatermark(root.member("watermark"))
            verified = VerifiedOpenData(json: Data(plaintext), watermark: watermark)
        }
        return verified!
    }

    /// Decrypts and verifies a payload of a kind named at run time, or recognised from its keys.
    ///
    /// - Parameters:
    ///   - kind: The kind to read; `nil` recognises it from the payload's keys
    ///     (``OpenDataPayload/Kind/raw`` when none matches).
    ///   - encryptedData: The `encryptedData` base64 text.
    ///   - iv: The `iv` base64 text.
    ///   - sessionKey: The user's session key.
    /// - Returns: The verified payload.
    /// - Throws: ``OpenDataError`` as ``decrypt(_:encryptedData:iv:sessionKey:)`` does.
    public func decryptPayload(
        as kind: OpenDataPayload.Kind? = nil,
        encryptedData: String,
        iv: String,
        sessionKey: SessionKey
    ) throws(OpenDataError) -> OpenDataPayload {
        var payload: OpenDataPayload?
        try withVerifiedPlaintext(encryptedData: encryptedData, iv: iv, sessionKey: sessionKey) {
            (plaintext, root, context) throws(OpenDataError) in
            payload = try Self.readPayload(kind, plaintext, root, context)
        }
        return payload!
    }

    /// Reads a verified plaintext as `kind`, or as the kind its keys suggest.
    static func readPayload(
        _ kind: OpenDataPayload.Kind?, _ plaintext: UnsafeRawBufferPointer, _ root: JSONValue, _ context: PayloadContext
    ) throws(OpenDataError) -> OpenDataPayload {
        switch kind ?? OpenDataPayload.Kind.recognise(root) {
        case .phone: .phoneNumber(try PhoneNumber.parse(root, context: context))
        case .user: .userInfo(try UserInfo.parse(root, context: context))
        case .werun: .weRunData(try WeRunData.parse(root, context: context))
        case .share: .shareInfo(try ShareInfo.parse(root, context: context))
        case .group: .groupEnterInfo(try GroupEnterInfo.parse(root, context: context))
        case .raw:
            .raw(VerifiedOpenData(json: Data(plaintext), watermark: try context.verifiedWatermark(root.member("watermark"))))
        }
    }

    // MARK: The shared path

    /// Decodes the inputs, decrypts, unpads and validates, then calls `body` with the
    /// plaintext and its root object. The plaintext buffer is wiped when `body` returns.
    func withVerifiedPlaintext(
        encryptedData: String,
        iv: String,
        sessionKey: SessionKey,
        _ body: (UnsafeRawBufferPointer, JSONValue, PayloadContext) throws(OpenDataError) -> Void
    ) throws(OpenDataError) {
        try withUTF8(encryptedData) { (dataText) throws(OpenDataError) in
            try withUTF8(iv) { (ivText) throws(OpenDataError) in
                try sessionKey.storage.withUnsafeBytes { (key) throws(OpenDataError) in
                    try withVerifiedPlaintext(encryptedDataText: dataText, ivText: ivText, key: key, body)
                }
            }
        }
    }

    /// The same over UTF-8 text and raw key bytes, for callers that never make `String`s.
    func withVerifiedPlaintext(
        encryptedDataText: UnsafeRawBufferPointer,
        ivText: UnsafeRawBufferPointer,
        key: UnsafeRawBufferPointer,
        _ body: (UnsafeRawBufferPointer, JSONValue, PayloadContext) throws(OpenDataError) -> Void
    ) throws(OpenDataError) {
        // Refuse absurd inputs before spending time on them. Line breaks and padding may make
        // the text a little longer than 4/3 of the bytes; twice the limit is generous.
        let textCount = encryptedDataText.count
        if textCount > 2 * maximumEncryptedDataSize + 64 {
            throw OpenDataError(
                code: .payloadTooLarge,
                reason: "encrypted_data is \(textCount) characters, far over the limit of \(maximumEncryptedDataSize) bytes",
                field: "encrypted_data"
            )
        }
        let context = PayloadContext(expectedAppID: appID, freshness: freshness)
        try Base64Decoding.withDecoded(ivText, field: .iv) { (ivBytes, _) throws(OpenDataError) in
            guard ivBytes.count == 16 else {
                throw Base64Field.iv.error("must decode to exactly 16 bytes, got \(ivBytes.count)")
            }
            try Base64Decoding.withDecoded(encryptedDataText, field: .encryptedData) { (buffer, _) throws(OpenDataError) in
                guard buffer.count <= maximumEncryptedDataSize else {
                    throw OpenDataError(
                        code: .payloadTooLarge,
                        reason: "encrypted_data decodes to \(buffer.count) bytes, over the limit of \(maximumEncryptedDataSize)",
                        field: "encrypted_data"
                    )
                }
                guard buffer.count > 0, buffer.count % AES128CBC.blockSize == 0 else {
                    throw Base64Field.encryptedData.error(
                        "must decode to a non-empty multiple of 16 bytes, got \(buffer.count)")
                }
                // From here on every failure is the same decryptionFailed: no padding oracle.
                let decrypted = AES128CBC.transform(buffer, key: key, iv: UnsafeRawBufferPointer(ivBytes), encrypt: false)
                guard decrypted, let count = PKCS7.unpaddedCount(UnsafeRawBufferPointer(buffer)) else {
                    throw OpenDataError.decryptionFailed
                }
                let plaintext = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
                guard StrictJSONValidator.isValidObject(plaintext) else { throw OpenDataError.decryptionFailed }
                try body(plaintext, JSONValue.root(of: plaintext), context)
            }
        }
    }

    static func decodeWithFoundation<Payload: Decodable>(_ type: Payload.Type, from plaintext: UnsafeRawBufferPointer)
        throws(OpenDataError) -> Payload
    {
        // A copy for JSONDecoder, wiped afterwards like the decryption buffer.
        var copy = Data(plaintext)
        defer { copy.withUnsafeMutableBytes { SecureMemory.wipe($0) } }
        do {
            return try JSONDecoder().decode(type, from: copy)
        } catch let error as DecodingError {
            throw OpenDataError.invalidPayload(decoding: error)
        } catch {
            throw OpenDataError.invalidPayload(field: "$", "could not be decoded as \(Payload.self)")
        }
    }
}

extension OpenDataError {
    /// Names the field of a `DecodingError` without its debug description, which may quote values.
    static func invalidPayload(decoding error: DecodingError) -> OpenDataError {
        func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            let keys = codingPath + (last.map { [$0] } ?? [])
            guard !keys.isEmpty else { return "$" }
            var text = ""
            for key in keys {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += (text.isEmpty ? "" : ".") + key.stringValue
                }
            }
            return text
        }
        switch error {
        case .keyNotFound(let key, let context):
            return .invalidPayload(field: path(context.codingPath, key), "is missing")
        case .valueNotFound(let type, let context):
            return .invalidPayload(field: path(context.codingPath), "is null, expected \(type)")
        case .typeMismatch(let type, let context):
            return .invalidPayload(field: path(context.codingPath), "has the wrong type, expected \(type)")
        case .dataCorrupted(let context):
            return .invalidPayload(field: path(context.codingPath), "has an invalid value")
        @unknown default:
            return .invalidPayload(field: "$", "could not be decoded")
        }
    }
}
