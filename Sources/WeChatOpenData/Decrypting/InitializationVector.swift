/// The 16-byte AES-CBC initialization vector (`iv`) that comes with each `encryptedData`.
public struct InitializationVector: Sendable, Hashable, CustomStringConvertible {
    /// The 16 bytes.
    public let bytes: [UInt8]

    /// The transport damage repaired while decoding the base64 text (usually none).
    public let repairs: Base64Repairs

    /// Decodes an iv from its base64 text.
    ///
    /// - Parameter base64: The base64 text, normally 24 characters ending in `==`.
    /// - Throws: ``OpenDataError/Code/invalidIV`` when the text is not base64 or does not
    ///   decode to exactly 16 bytes.
    public init(base64: String) throws(OpenDataError) {
        (bytes, repairs) = try Base64Decoding.withDecoded(base64, field: .iv) { (buffer, repairs) in
            (Array(buffer), repairs)
        }
    }

    /// Creates an iv from its 16 raw bytes.
    ///
    /// - Parameter bytes: Exactly 16 bytes.
    /// - Throws: ``OpenDataError/Code/invalidIV`` for any other length.
    public init(bytes: some Collection<UInt8>) throws(OpenDataError) {
        guard bytes.count == 16 else {
            throw Base64Field.iv.error("must be \(Base64Field.iv.lengthRule), got \(bytes.count)")
        }
        self.bytes = Array(bytes)
        repairs = []
    }

    private init(validated bytes: [UInt8]) {
        self.bytes = bytes
        repairs = []
    }

    /// A new random iv from the system's CSPRNG, as WeChat makes one for every call.
    ///
    /// - Returns: 16 random bytes.
    public static func random() -> InitializationVector {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// The iv as standard padded base64.
    public func base64EncodedString() -> String {
        bytes.withUnsafeBytes { Base64Encoding.encode($0) }
    }

    /// Two ivs are equal when their bytes are, however their text was damaged.
    public static func == (lhs: InitializationVector, rhs: InitializationVector) -> Bool { lhs.bytes == rhs.bytes }

    /// Hashes the bytes.
    public func hash(into hasher: inout Hasher) { hasher.combine(bytes) }

    /// The base64 text: an iv is not secret.
    public var description: String { base64EncodedString() }
}

extension InitializationVector {
    /// A random iv from the given generator; with a seeded generator, a reproducible one
    /// for deterministic fixtures.
    ///
    /// - Parameter generator: The source of randomness.
    /// - Returns: 16 bytes from `generator`.
    public static func random(using generator: inout some RandomNumberGenerator) -> InitializationVector {
        InitializationVector(validated: (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}
