/// A user's current session key and, for a short while after a re-login, the key it replaced.
///
/// When the mini program calls `wx.login` after the user taps the button, the backend's
/// `jscode2session` returns a new key while WeChat encrypted the data with the old one. A
/// backend that keeps the replaced key for a few minutes can still decrypt such data: the
/// `decrypt` overloads that take a ring try ``current`` first and ``previous`` only when the
/// current key fails with ``OpenDataError/Code/decryptionFailed``.
///
/// ```swift
/// let ring = SessionKeyRing(current: try SessionKey(base64: row.sessionKey),
///                           previous: try row.previousSessionKey.map(SessionKey.init(base64:)))
/// let result = try decryptor.decrypt(PhoneNumber.self, encryptedData: body.encryptedData,
///                                    iv: body.iv, sessionKeys: ring)
/// if result.matchedKey == .previous { logger.notice("phone: decrypted with the previous session key") }
/// ```
///
/// Like ``SessionKey``, the ring never shows a key in `description`, `debugDescription` or `dump`.
public struct SessionKeyRing: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Which key of a ring decrypted a payload.
    public enum Slot: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// The key the latest `jscode2session` returned.
        case current
        /// The key the latest login replaced.
        case previous

        /// `current` or `previous`.
        public var description: String { rawValue }
    }

    /// The key the latest `jscode2session` returned; always tried first.
    public let current: SessionKey

    /// The key the latest login replaced, if the backend still keeps it.
    public let previous: SessionKey?

    /// The key to try after ``current``: `nil` when there is none or it equals ``current``, so
    /// that a store that copied the key into both columns does not pay for a second attempt.
    let fallback: SessionKey?

    /// Creates a ring.
    ///
    /// - Parameters:
    ///   - current: The user's current session key.
    ///   - previous: The key it replaced; keep it only for minutes (see <doc:HandlingFailures>).
    public init(current: SessionKey, previous: SessionKey? = nil) {
        self.current = current
        self.previous = previous
        // `==` on session keys is constant time, so this comparison leaks nothing about either key.
        fallback = previous.flatMap { $0 == current ? nil : $0 }
    }

    /// `SessionKeyRing(current: redacted, previous: redacted)`, or `previous: none`.
    public var description: String {
        "SessionKeyRing(current: redacted, previous: \(previous == nil ? "none" : "redacted"))"
    }

    /// The same as ``description``.
    public var debugDescription: String { description }

    /// A mirror with no children, so that `dump` and debuggers do not show the keys.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// Runs `attempt` with the current key, then with the fallback key only when the current
    /// one did not decrypt the data. Every other error is final: the data decrypted (or the
    /// input is malformed), so no other key can do better.
    func firstMatch<Payload>(
        _ attempt: (SessionKey) throws(OpenDataError) -> Payload
    ) throws(OpenDataError) -> SessionKeyRing.Decryption<Payload> {
        do {
            return Decryption(payload: try attempt(current), matchedKey: .current)
        } catch {
            guard error.code == .decryptionFailed, let fallback else { throw error }
            return Decryption(payload: try attempt(fallback), matchedKey: .previous)
        }
    }
}

extension OpenDataDecryptor {
    /// Decrypts, verifies and decodes a payload with the first key of a ring that decrypts it.
    ///
    /// The previous key is tried only when the current key fails with
    /// ``OpenDataError/Code/decryptionFailed``, so the extra cost is paid only then; a ring
    /// without a previous key behaves exactly as ``decrypt(_:encryptedData:iv:sessionKey:)``.
    ///
    /// - Parameters:
    ///   - type: The payload type to decode.
    ///   - encryptedData: The `encryptedData` base64 text from the mini program.
    ///   - iv: The `iv` base64 text from the same call.
    ///   - sessionKeys: The user's current key and the key it replaced, if kept.
    /// - Returns: The verified payload and which key decrypted it.
    /// - Throws: ``OpenDataError`` as ``decrypt(_:encryptedData:iv:sessionKey:)`` does; when no
    ///   key decrypts the data, the one uniform ``OpenDataError/Code/decryptionFailed``.
    public func decrypt<Payload: Decodable>(
        _ type: Payload.Type,
        encryptedData: String,
        iv: String,
        sessionKeys: SessionKeyRing
    ) throws(OpenDataError) -> SessionKeyRing.Decryption<Payload> {
        try sessionKeys.firstMatch { (key) throws(OpenDataError) in
            try decrypt(type, encryptedData: encryptedData, iv: iv, sessionKey: key)
        }
    }

    /// Decrypts and verifies a payload of a kind named at run time (or recognised from its
    /// keys) with the first key of a ring that decrypts it.
    ///
    /// - Parameters:
    ///   - kind: The kind to read; `nil` recognises it from the payload's keys.
    ///   - encryptedData: The `encryptedData` base64 text.
    ///   - iv: The `iv` base64 text.
    ///   - sessionKeys: The user's current key and the key it replaced, if kept.
    /// - Returns: The verified payload and which key decrypted it.
    /// - Throws: ``OpenDataError`` as ``decrypt(_:encryptedData:iv:sessionKeys:)`` does.
    public func decryptPayload(
        as kind: OpenDataPayload.Kind? = nil,
        encryptedData: String,
        iv: String,
        sessionKeys: SessionKeyRing
    ) throws(OpenDataError) -> SessionKeyRing.Decryption<OpenDataPayload> {
        try sessionKeys.firstMatch { (key) throws(OpenDataError) in
            try decryptPayload(as: kind, encryptedData: encryptedData, iv: iv, sessionKey: key)
        }
    }

    /// Decrypts and verifies a payload with the first key of a ring that decrypts it, and
    /// returns its JSON bytes.
    ///
    /// - Parameters:
    ///   - encryptedData: The `encryptedData` base64 text.
    ///   - iv: The `iv` base64 text.
    ///   - sessionKeys: The user's current key and the key it replaced, if kept.
    /// - Returns: The plaintext JSON with its verified watermark, and which key decrypted it.
    /// - Throws: ``OpenDataError`` as ``decrypt(_:encryptedData:iv:sessionKeys:)`` does.
    public func decryptJSON(
        encryptedData: String,
        iv: String,
        sessionKeys: SessionKeyRing
    ) throws(OpenDataError) -> SessionKeyRing.Decryption<VerifiedOpenData> {
        try sessionKeys.firstMatch { (key) throws(OpenDataError) in
            try decryptJSON(encryptedData: encryptedData, iv: iv, sessionKey: key)
        }
    }
}
