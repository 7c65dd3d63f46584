/// The exact inverse of ``OpenDataDecryptor``, for building fixtures and test doubles
/// without a phone: AES-128-CBC with PKCS#7/16 padding, base64 output.
///
/// ```swift
/// let sessionKey = SessionKey.random()
/// let phone = PhoneNumber(phoneNumber: "13580006666", purePhoneNumber: "13580006666",
///                         countryCode: "86", watermark: Watermark(appID: "wx…", timestamp: 1637744274))
/// let sealed = try OpenDataEncryptor.encrypt(phone, sessionKey: sessionKey)
/// // sealed.encryptedData and sealed.iv are what the mini program would post.
/// ```
public enum OpenDataEncryptor {
    /// Encrypts plaintext bytes exactly as WeChat does.
    ///
    /// - Parameters:
    ///   - plaintext: The payload bytes (normally UTF-8 JSON).
    ///   - sessionKey: The session key.
    ///   - iv: The iv; a fresh random one by default.
    /// - Returns: The base64 `encryptedData` and `iv`.
    public static func encrypt(
        plaintext: some Collection<UInt8>,
        sessionKey: SessionKey,
        iv: InitializationVector = .random()
    ) -> EncryptedOpenData {
        let padCount = PKCS7.padCount(forContentCount: plaintext.count)
        var buffer = [UInt8]()
        buffer.reserveCapacity(plaintext.count + padCount)
        buffer.append(contentsOf: plaintext)
        buffer.append(contentsOf: repeatElement(UInt8(padCount), count: padCount))
        defer { buffer.withUnsafeMutableBytes { SecureMemory.wipe($0) } }
        let encrypted = buffer.withUnsafeMutableBytes { bytes in
            sessionKey.storage.withUnsafeBytes { key in
                iv.bytes.withUnsafeBytes { ivBytes in
                    AESCBC.transform(bytes, key: key, iv: ivBytes, encrypt: true)
                }
            }
        }
        // EVP encryption of whole blocks with a valid 16-byte key cannot fail short of
        // libcrypto missing AES-128-CBC entirely (a broken installation, not bad input).
        precondition(encrypted, "libcrypto could not encrypt with AES-128-CBC")
        return EncryptedOpenData(
            encryptedData: buffer.withUnsafeBytes { Base64Encoding.encode($0) },
            iv: iv.base64EncodedString()
        )
    }

    /// Encrypts a JSON object after setting its `watermark` member, as WeChat's own
    /// payloads carry one. An existing `watermark` member is replaced; the other members
    /// are kept byte for byte, in order.
    ///
    /// - Parameters:
    ///   - json: A UTF-8 JSON object.
    ///   - watermark: The watermark to set.
    ///   - sessionKey: The session key.
    ///   - iv: The iv; a fresh random one by default.
    /// - Returns: The base64 `encryptedData` and `iv`.
    /// - Throws: ``OpenDataError/Code/invalidPayload`` when `json` is not one strict JSON
    ///   object, ``OpenDataError/Code/invalidArgument`` when the appid cannot be an appid.
    public static func encrypt(
        json: some Collection<UInt8>,
        watermark: Watermark,
        sessionKey: SessionKey,
        iv: InitializationVector = .random()
    ) throws(OpenDataError) -> EncryptedOpenData {
        let plaintext = try withWatermark(json: Array(json), watermark)
        return encrypt(plaintext: plaintext, sessionKey: sessionKey, iv: iv)
    }

    /// Encrypts one of the library's models (its watermark included) in WeChat's wire form.
    ///
    /// - Parameters:
    ///   - payload: The payload.
    ///   - sessionKey: The session key.
    ///   - iv: The iv; a fresh random one by default.
    /// - Returns: The base64 `encryptedData` and `iv`.
    /// - Throws: ``OpenDataError/Code/invalidArgument`` when the watermark's appid cannot be an appid.
    public static func encrypt(
        _ payload: OpenDataPayload,
        sessionKey: SessionKey,
        iv: InitializationVector = .random()
    ) throws(OpenDataError) -> EncryptedOpenData {
        guard AppIDFormat.isValid(payload.watermark.appID) else { throw .invalidAppID }
        if case .raw(let verified) = payload {
            return try encrypt(json: verified.json, watermark: verified.watermark, sessionKey: sessionKey, iv: iv)
        }
        var writer = JSONWriter()
        payload.write(to: &writer)
        return encrypt(plaintext: writer.bytes, sessionKey: sessionKey, iv: iv)
    }

    /// `json` with its `watermark` member set to `watermark`.
    static func withWatermark(json: [UInt8], _ watermark: Watermark) throws(OpenDataError) -> [UInt8] {
        guard AppIDFormat.isValid(watermark.appID) else { throw .invalidAppID }
        let rewritten = json.withUnsafeBytes { bytes -> [UInt8]? in
            guard StrictJSONValidator.isValidObject(bytes) else { return nil }
            let root = JSONValue.root(of: bytes)
            var output: [UInt8] = [UInt8(ascii: "{")]
            root.forEachMember { key, value in
                guard !key.is("watermark", in: bytes) else { return }
                output.append(contentsOf: bytes[(key.start - 1)..<(key.end + 1)])
                output.append(UInt8(ascii: ":"))
                output.append(contentsOf: bytes[value.start..<value.end])
                output.append(UInt8(ascii: ","))
            }
            let member = "\"watermark\":{\"timestamp\":\(watermark.timestamp),\"appid\":\"\(watermark.appID)\"}}"
            output.append(contentsOf: member.utf8)
            return output
        }
        guard let rewritten else { throw .invalidPayload(field: "$", "must be one JSON object in UTF-8") }
        return rewritten
    }
}

/// What the mini program posts to its backend: `encryptedData` and `iv`, in base64.
public struct EncryptedOpenData: Sendable, Hashable, Codable {
    /// The base64 ciphertext.
    public let encryptedData: String
    /// The base64 iv.
    public let iv: String

    /// Creates the pair.
    public init(encryptedData: String, iv: String) {
        self.encryptedData = encryptedData
        self.iv = iv
    }
}
