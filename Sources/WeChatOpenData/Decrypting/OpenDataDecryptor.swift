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
        guard AppIDFormat.isValid(appID) else { throw .invalidAppID }
        guard maximumEncryptedDataSize > 0 else {
            throw .invalidArgument(field: "maximumEncryptedDataSize", "must be positive")
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
        return try withVerifiedPlaintext(encryptedData: encryptedData, iv: iv, sessionKey: sessionKey) {
            (document) throws(OpenDataError) in
            try Self.decodeWithFoundation(type, from: document.plaintext)
        }
    }

    private func decryptModel<Model: OpenDataModel>(
        _ model: Model.Type, _ encryptedData: String, _ iv: String, _ sessionKey: SessionKey
    ) throws(OpenDataError) -> Model {
        try withVerifiedPlaintext(encryptedData: encryptedData, iv: iv, sessionKey: sessionKey) {
            (document) throws(OpenDataError) in
            try Model.parse(document)
        }
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
        try withVerifiedPlaintext(encryptedData: encryptedData, iv: iv, sessionKey: sessionKey) {
            (document) throws(OpenDataError) in
            VerifiedOpenData(json: Data(document.plaintext), watermark: document.watermark)
        }
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
        try decryptPayload(as: kind, encryptedData: encryptedData, iv: iv, sessionKey: sessionKey, observer: nil)
    }

    /// The same, with an observer that records what each step found (for diagnosis).
    func decryptPayload(
        as kind: OpenDataPayload.Kind?,
        encryptedData: String,
        iv: String,
        sessionKey: SessionKey,
        observer: DecryptionObserver?
    ) throws(OpenDataError) -> OpenDataPayload {
        try withVerifiedPlaintext(encryptedData: encryptedData, iv: iv, sessionKey: sessionKey, observer: observer) {
            (document) throws(OpenDataError) in
            try Self.readPayload(kind, document)
        }
    }

    /// Reads a verified plaintext as `kind`, or as the kind its keys suggest.
    static func readPayload(_ kind: OpenDataPayload.Kind?, _ document: VerifiedDocument) throws(OpenDataError)
        -> OpenDataPayload
    {
        do throws(OpenDataError) {
            switch kind ?? OpenDataPayload.Kind.recognise(document) {
            case .phone: return .phoneNumber(try PhoneNumber.parse(document))
            case .user: return .userInfo(try UserInfo.parse(document))
            case .werun: return .weRunData(try WeRunData.parse(document))
            case .share: return .shareInfo(try ShareInfo.parse(document))
            case .group: return .groupEnterInfo(try GroupEnterInfo.parse(document))
            case .raw: return .raw(VerifiedOpenData(json: Data(document.plaintext), watermark: document.watermark))
            }
        } catch {
            // Asked for one kind, given another: say which it looks like (recognised only now).
            guard let kind else { throw error }
            let recognised = OpenDataPayload.Kind.recognise(document)
            guard kind != recognised, recognised != .raw else { throw error }
            throw .invalidPayload(
                field: error.field ?? "$",
                reason: error.reason + "; the payload looks like \(recognised.payloadName), not \(kind.payloadName)")
        }
    }

    // MARK: The shared path

    /// Decodes the inputs, decrypts, unpads, validates and verifies the watermark, then calls
    /// `body` with the plaintext, its root object and the verified watermark. The plaintext
    /// buffer is wiped when `body` returns.
    func withVerifiedPlaintext<Result>(
        encryptedData: String,
        iv: String,
        sessionKey: SessionKey,
        observer: DecryptionObserver? = nil,
        _ body: (VerifiedDocument) throws(OpenDataError) -> Result
    ) throws(OpenDataError) -> Result {
        // The closures capture pointers to the decryptor and the inputs, not the values: the
        // optimiser copies a captured string, key or struct into each closure it specialises, and
        // each copy is an atomic retain and release of its storage.
        try withUnsafePointer(to: self) { (decryptorPointer) throws(OpenDataError) in
            try withUnsafePointer(to: iv) { (ivPointer) throws(OpenDataError) in
                try withUnsafePointer(to: sessionKey) { (keyPointer) throws(OpenDataError) in
                    try withUTF8(encryptedData) { (dataText) throws(OpenDataError) in
                        try withUTF8(ivPointer.pointee) { (ivText) throws(OpenDataError) in
                            try keyPointer.pointee.storage.withUnsafeBytes { (key) throws(OpenDataError) in
                                try decryptorPointer.pointee.withVerifiedPlaintext(
                                    encryptedDataText: dataText, ivText: ivText, key: key, observer: observer, body)
                            }
                        }
                    }
                }
            }
        }
    }

    /// The same over UTF-8 text and raw key bytes, for callers that never make `String`s.
    func withVerifiedPlaintext<Result>(
        encryptedDataText: UnsafeRawBufferPointer,
        ivText: UnsafeRawBufferPointer,
        key: UnsafeRawBufferPointer,
        observer: DecryptionObserver? = nil,
        reusing context: AESCBC.DecryptionContext? = nil,
        _ body: (VerifiedDocument) throws(OpenDataError) -> Result
    ) throws(OpenDataError) -> Result {
        // Refuse absurd inputs before spending time on them. Line breaks and padding may make
        // the text a little longer than 4/3 of the bytes; twice the limit is generous. A limit
        // near Int.max ("no limit") must not overflow: the bound saturates.
        let textCount = encryptedDataText.count
        let (doubled, overflow) = maximumEncryptedDataSize.multipliedReportingOverflow(by: 2)
        let textLimit = overflow ? Int.max : doubled.addingReportingOverflow(64).overflow ? Int.max : doubled + 64
        if textCount > textLimit {
            throw .payloadTooLarge(characters: textCount, limit: maximumEncryptedDataSize)
        }
        return try Base64Decoding.withDecoded(ivText, field: .iv) { (ivBytes, ivRepairs) throws(OpenDataError) in
            observer?.decoded(.iv, encodedCount: ivText.count, decodedCount: ivBytes.count, repairs: ivRepairs)
            return try Base64Decoding.withDecoded(encryptedDataText, field: .encryptedData) {
                (buffer, repairs) throws(OpenDataError) in
                observer?.decoded(.encryptedData, encodedCount: textCount, decodedCount: buffer.count, repairs: repairs)
                guard buffer.count <= maximumEncryptedDataSize else {
                    throw .payloadTooLarge(bytes: buffer.count, limit: maximumEncryptedDataSize)
                }
                return try decryptAndVerify(
                    buffer, key: key, iv: UnsafeRawBufferPointer(ivBytes), observer: observer, context: context, body)
            }
        }
    }

    /// From here on every failure until the watermark is the same `decryptionFailed`, and the
    /// same work is done whatever the padding: the JSON validator runs over the unpadded
    /// bytes even when the padding is invalid, and the two verdicts are combined without a
    /// branch, so neither the error nor the time taken tells whether the padding was valid.
    private func decryptAndVerify<Result>(
        _ buffer: UnsafeMutableRawBufferPointer,
        key: UnsafeRawBufferPointer,
        iv: UnsafeRawBufferPointer,
        observer: DecryptionObserver?,
        context: AESCBC.DecryptionContext?,
        _ body: (VerifiedDocument) throws(OpenDataError) -> Result
    ) throws(OpenDataError) -> Result {
        // libcrypto fails only when it is broken, never because of the data.
        guard AESCBC.transform(buffer, key: key, iv: iv, encrypt: false, reusing: context) else { throw .decryptionFailed }
        let decrypted = UnsafeRawBufferPointer(buffer)
        let padding = PKCS7.verdict(decrypted)
        let plaintext = UnsafeRawBufferPointer(rebasing: decrypted[0..<padding.contentCount])
        // One pass validates the document and indexes its members for the readers: a phone
        // number in WeChat's own layout by walking that layout, anything else token by token.
        return try JSONMemberIndex.withStorage { (index) throws(OpenDataError) in
            let phoneNumberLayout = PhoneNumber.Layout.matches(plaintext, collecting: &index)
            let jsonProblem =
                phoneNumberLayout != nil ? nil : StrictJSONValidator.problem(in: plaintext, collecting: &index)
            observer?.decrypted(decrypted, padding: padding, jsonProblem: jsonProblem)
            let jsonValidMask: UInt32 = jsonProblem == nil ? 0xFFFF_FFFF : 0
            // The one branch, on the combined verdict only.
            guard padding.validMask & jsonValidMask == 0xFFFF_FFFF else { throw .decryptionFailed }
            let document = try VerifiedDocument(
                validated: plaintext, index: index, phoneNumberLayout: phoneNumberLayout, expectedAppID: appID,
                freshness: freshness)
            observer?.verified(document.watermark)
            return try body(document)
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
