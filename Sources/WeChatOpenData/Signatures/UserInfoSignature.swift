/// The signature `wx.getUserInfo` returns beside `rawData`:
/// `signature == sha1(rawData + session_key)` in lowercase hex, where `session_key` is the
/// key's base64 text.
///
/// It proves that `rawData` (the non-sensitive profile, sent in the clear) came from
/// WeChat for this session. It covers `rawData` only, not `encryptedData`.
///
/// ```swift
/// try UserInfoSignature.verify(signature: body.signature, rawData: body.rawData, sessionKey: sessionKey)
/// ```
public enum UserInfoSignature {
    /// Computes the signature of `rawData`, for fixtures and test doubles.
    ///
    /// - Parameters:
    ///   - rawData: The `rawData` text exactly as the mini program received it.
    ///   - sessionKey: The session key.
    /// - Returns: 40 lowercase hex digits.
    public static func signature(rawData: String, sessionKey: SessionKey) -> String {
        signature(rawData: rawData.utf8, sessionKey: sessionKey)
    }

    /// Computes the signature of `rawData`'s exact bytes, for fixtures and test doubles.
    ///
    /// - Parameters:
    ///   - rawData: The `rawData` bytes exactly as received, even when they are not valid UTF-8.
    ///   - sessionKey: The session key.
    /// - Returns: 40 lowercase hex digits.
    public static func signature(rawData: some Collection<UInt8>, sessionKey: SessionKey) -> String {
        withDigest(rawData: rawData, sessionKey: sessionKey) { Hex.encode($0) }
    }

    /// Checks a signature in constant time.
    ///
    /// - Parameters:
    ///   - signature: The `signature` the mini program received (hex; either case is accepted).
    ///   - rawData: The `rawData` text exactly as received, not re-serialised.
    ///   - sessionKey: The session key.
    /// - Throws: ``OpenDataError/Code/invalidSignature`` when the signature is not 40 hex
    ///   digits or does not match.
    public static func verify(signature: String, rawData: String, sessionKey: SessionKey) throws(OpenDataError) {
        try verify(signature: signature, rawData: rawData.utf8, sessionKey: sessionKey)
    }

    /// Checks a signature of `rawData`'s exact bytes in constant time: bytes that are not
    /// valid UTF-8 are hashed as they are, never replaced.
    ///
    /// - Parameters:
    ///   - signature: The `signature` the mini program received (hex; either case is accepted).
    ///   - rawData: The `rawData` bytes exactly as received, for example a request body's bytes.
    ///   - sessionKey: The session key.
    /// - Throws: ``OpenDataError/Code/invalidSignature`` when the signature is not 40 hex
    ///   digits or does not match.
    public static func verify(
        signature: String, rawData: some Collection<UInt8>, sessionKey: SessionKey
    ) throws(OpenDataError) {
        var matches = false
        try withUTF8(signature) { (text) throws(OpenDataError) in
            try withTemporaryBytes(20) { (given) throws(OpenDataError) in
                guard Hex.decode(text, into: given) else {
                    throw .malformedSignature(characters: text.count)
                }
                matches = withDigest(rawData: rawData, sessionKey: sessionKey) {
                    SecureMemory.constantTimeEqual($0, UnsafeRawBufferPointer(given))
                }
            }
        }
        guard matches else { throw .signatureMismatch }
    }

    /// Whether a signature is valid; see ``verify(signature:rawData:sessionKey:)-(_,String,_)``.
    public static func isValid(signature: String, rawData: String, sessionKey: SessionKey) -> Bool {
        (try? verify(signature: signature, rawData: rawData, sessionKey: sessionKey)) != nil
    }

    private static func withDigest<Result>(
        rawData: some Collection<UInt8>,
        sessionKey: SessionKey,
        _ body: (UnsafeRawBufferPointer) -> Result
    ) -> Result {
        if let result = rawData.withContiguousStorageIfAvailable({
            withDigest(of: UnsafeRawBufferPointer($0), sessionKey: sessionKey, body)
        }) {
            return result
        }
        return Array(rawData).withUnsafeBytes { withDigest(of: $0, sessionKey: sessionKey, body) }
    }

    private static func withDigest<Result>(
        of data: UnsafeRawBufferPointer,
        sessionKey: SessionKey,
        _ body: (UnsafeRawBufferPointer) -> Result
    ) -> Result {
        sessionKey.withBase64Text { keyText in
            withUnsafeTemporaryAllocation(byteCount: 20, alignment: 1) { digest in
                // SHA-1 of in-memory buffers fails only if libcrypto cannot allocate.
                let ok = Digest.sha1([data, keyText], into: digest)
                precondition(ok, "libcrypto could not compute SHA-1")
                return body(UnsafeRawBufferPointer(digest))
            }
        }
    }
}
