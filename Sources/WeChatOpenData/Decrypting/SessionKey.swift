/// A user's `session_key` from `jscode2session`: 16 secret bytes.
///
/// The bytes live in storage that is wiped (`explicit_bzero` with glibc, `OPENSSL_cleanse` elsewhere) when the last copy of
/// the key is released. The key never appears in `description`, `debugDescription`,
/// `dump` output or any error, and two keys compare in constant time.
///
/// ```swift
/// let sessionKey = try SessionKey(base64: storedSession.sessionKey)
/// ```
public struct SessionKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    let storage: SecretBytes

    /// The transport damage repaired while decoding the base64 text (usually none).
    public let repairs: Base64Repairs

    /// Decodes a session key from the base64 text `jscode2session` returned.
    ///
    /// Transport damage listed in ``Base64Repairs`` is repaired and reported in ``repairs``.
    ///
    /// - Parameter base64: The base64 text, normally 24 characters ending in `==`.
    /// - Throws: ``OpenDataError`` with code ``OpenDataError/Code/invalidSessionKey`` when the
    ///   text is not base64 or does not decode to exactly 16 bytes (the reason gives the count,
    ///   never the value).
    public init(base64: String) throws(OpenDataError) {
        (storage, repairs) = try Base64Decoding.withDecoded(base64, field: .sessionKey) { (bytes, repairs) in
            (SecretBytes.copying(UnsafeRawBufferPointer(bytes)), repairs)
        }
    }

    /// Creates a session key from its 16 raw bytes.
    ///
    /// - Parameter bytes: Exactly 16 bytes.
    /// - Throws: ``OpenDataError/Code/invalidSessionKey`` for any other length.
    public init(bytes: some Collection<UInt8>) throws(OpenDataError) {
        guard bytes.count == 16 else {
            throw Base64Field.sessionKey.error("must be \(Base64Field.sessionKey.lengthRule), got \(bytes.count)")
        }
        var copy = Array(bytes)
        storage = copy.withUnsafeBytes { SecretBytes.copying($0) }
        copy.withUnsafeMutableBytes { SecureMemory.wipe($0) }
        repairs = []
    }

    private init(storage: SecretBytes) {
        self.storage = storage
        repairs = []
    }

    /// A new random session key from the system's CSPRNG, for tests and fixtures.
    ///
    /// - Returns: A key that WeChat could have issued.
    public static func random() -> SessionKey {
        SessionKey(storage: SecretBytes.random())
    }

    /// The key as standard padded base64: exactly the text `jscode2session` returns.
    ///
    /// This reveals the secret; use it only to store the key or to build test fixtures.
    ///
    /// - Returns: 24 characters of base64.
    public func base64EncodedString() -> String {
        storage.withUnsafeBytes { Base64Encoding.encode($0) }
    }

    /// Calls `body` with the canonical base64 text of the key in a buffer that is wiped after.
    func withBase64Text<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        withUnsafeTemporaryAllocation(byteCount: 24, alignment: 1) { text in
            defer { SecureMemory.wipe(text) }
            let count = storage.withUnsafeBytes { Base64Encoding.encode($0, into: text) }
            return body(UnsafeRawBufferPointer(rebasing: text[0..<count]))
        }
    }

    /// Constant-time comparison of the key bytes.
    public static func == (lhs: SessionKey, rhs: SessionKey) -> Bool {
        lhs.storage.withUnsafeBytes { left in
            rhs.storage.withUnsafeBytes { right in SecureMemory.constantTimeEqual(left, right) }
        }
    }

    /// `SessionKey(redacted)`: the key is never printed.
    public var description: String { "SessionKey(redacted)" }

    /// `SessionKey(redacted)`: the key is never printed.
    public var debugDescription: String { description }

    /// A mirror with no children, so that `dump` and debuggers do not show the key.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
