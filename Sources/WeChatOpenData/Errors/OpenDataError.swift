/// The one error type of WeChatOpenData: a stable ``Code`` that programs compare,
/// and a human ``reason`` that people read.
///
/// Every failure that happens once decryption has started (bad PKCS#7 padding, invalid
/// UTF-8, malformed JSON) is reported as the same ``Code/decryptionFailed`` with the same
/// reason, so that the error cannot be used as a padding oracle. Only a valid payload can
/// produce ``Code/invalidPayload``, ``Code/appIDMismatch`` or ``Code/watermarkExpired``.
///
/// No error ever contains a session key, plaintext or a phone number: reasons name the
/// field and the problem (a position, a byte count), never the value.
public struct OpenDataError: Error, Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What went wrong, in a form that is stable across releases.
    public let code: Code

    /// A sentence for a person: which field, what is wrong with it, and often the usual cause.
    public let reason: String

    /// The input field or payload path the error is about (`session_key`, `iv`,
    /// `encrypted_data`, `watermark.appid`, `phoneNumber`, …), when there is one.
    public let field: String?

    /// Every error is made by one of the static factories at the end of this file: one home for
    /// each error's wording, and a reason that never carries secrets or plaintext.
    init(code: Code, reason: String, field: String? = nil) {
        self.code = code
        self.reason = reason
        self.field = field
    }

    /// `OpenDataError.<snake_case code>: <reason>`.
    public var description: String { "OpenDataError.\(code): \(reason)" }

    /// The same as ``description``.
    public var debugDescription: String { description }
}

extension OpenDataError {
    /// A stable error code. New codes may be added in minor releases, so switch over
    /// codes with a `default` branch.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The snake_case form used by the CLI, JSON output and logs (`decryption_failed`).
        public let name: String

        private init(_ name: String) { self.name = name }

        /// The session key is not valid base64 or does not decode to exactly 16 bytes.
        public static let invalidSessionKey = Code("invalid_session_key")
        /// The iv is not valid base64 or does not decode to exactly 16 bytes.
        public static let invalidIV = Code("invalid_iv")
        /// The encrypted data is not valid base64, is empty, or is not a whole number of 16-byte blocks.
        public static let invalidEncryptedData = Code("invalid_encrypted_data")
        /// The encrypted data is larger than the decryptor's configured limit.
        public static let payloadTooLarge = Code("payload_too_large")
        /// Decryption did not produce a valid payload: wrong or stale session key, an iv
        /// from another call, or tampered data. Deliberately says no more than that.
        public static let decryptionFailed = Code("decryption_failed")
        /// The payload is valid JSON but lacks a required field or has one of the wrong type.
        public static let invalidPayload = Code("invalid_payload")
        /// The payload's `watermark.appid` is not the expected appid.
        public static let appIDMismatch = Code("appid_mismatch")
        /// The payload's `watermark.timestamp` is outside the freshness policy.
        public static let watermarkExpired = Code("watermark_expired")
        /// A `wx.getUserInfo` signature does not match `sha1(rawData + session_key)`.
        public static let invalidSignature = Code("invalid_signature")
        /// A batch input record could not be read (not JSON, a missing field, too long).
        public static let invalidRecord = Code("invalid_record")
        /// An argument that is not one of the three base64 inputs is unusable (an appid, a limit).
        public static let invalidArgument = Code("invalid_argument")

        /// Every code the library defines, in a stable order.
        public static let allCodes: [Code] = [
            .invalidSessionKey, .invalidIV, .invalidEncryptedData, .payloadTooLarge,
            .decryptionFailed, .invalidPayload, .appIDMismatch, .watermarkExpired,
            .invalidSignature, .invalidRecord, .invalidArgument,
        ]

        /// Looks a code up by its snake_case ``name``.
        ///
        /// - Parameter name: A name such as `decryption_failed`.
        /// - Returns: The code, or `nil` when no code has that name.
        public init?(name: String) {
            guard let code = Code.allCodes.first(where: { $0.name == name }) else { return nil }
            self = code
        }

        /// The snake_case ``name``.
        public var description: String { name }
    }
}

extension OpenDataError {
    /// The single error returned for every failure after decryption has started.
    static let decryptionFailed = OpenDataError(
        code: .decryptionFailed,
        reason: "the data did not decrypt to a valid payload; the usual cause is a stale session_key "
            + "(wx.login ran again after the button tap, so the backend holds a newer key than the one "
            + "WeChat used), or an iv that belongs to another call; re-login must happen before the tap",
        field: "encrypted_data"
    )

    static func invalidPayload(field: String, _ problem: String) -> OpenDataError {
        OpenDataError(code: .invalidPayload, reason: "payload field '\(field)' \(problem)", field: field)
    }

    // MARK: Inputs

    /// A base64 input (session key, iv, encrypted data) is unusable.
    static func invalidInput(code: Code, field: String, _ problem: String) -> OpenDataError {
        OpenDataError(code: code, reason: "\(field) \(problem)", field: field)
    }

    /// An appid that cannot be one (see `AppIDFormat`).
    static let invalidAppID = OpenDataError(
        code: .invalidArgument,
        reason: "appid must be 1 to 64 printable ASCII characters without spaces or quotes",
        field: "appid"
    )

    /// An argument other than the base64 inputs is out of its range.
    static func invalidArgument(field: String, _ problem: String) -> OpenDataError {
        OpenDataError(code: .invalidArgument, reason: "\(field) \(problem)", field: field)
    }

    /// A `decrypt-file` input line that cannot be used.
    static func invalidRecord(line: Int, _ problem: String, field: String = "line") -> OpenDataError {
        OpenDataError(code: .invalidRecord, reason: "line \(line): \(problem)", field: field)
    }

    // MARK: Signatures

    /// A `wx.getUserInfo` signature that is not a SHA-1 in hex.
    static func malformedSignature(characters: Int) -> OpenDataError {
        OpenDataError(
            code: .invalidSignature, reason: "signature must be 40 hex digits (a SHA-1), got \(characters) characters",
            field: "signature")
    }

    /// A `wx.getUserInfo` signature that does not match.
    static let signatureMismatch = OpenDataError(
        code: .invalidSignature,
        reason: "signature does not match sha1(rawData + session_key); rawData was altered or re-serialised, "
            + "or the session_key is stale",
        field: "signature"
    )

    // MARK: The watermark

    /// The payload is older than the policy allows.
    static func watermarkTooOld(age: Int64, maximum: Int64) -> OpenDataError {
        OpenDataError(
            code: .watermarkExpired,
            reason: "watermark.timestamp is \(age) s old, older than the maximum age of \(maximum) s; "
                + "the client sent stale data or the request was replayed",
            field: "watermark.timestamp")
    }

    /// The payload is further in the future than the allowed clock skew.
    static func watermarkInFuture(seconds: Int64, skew: Int64) -> OpenDataError {
        OpenDataError(
            code: .watermarkExpired,
            reason: "watermark.timestamp is \(seconds) s in the future, beyond the allowed clock skew of \(skew) s; "
                + "check this server's clock",
            field: "watermark.timestamp")
    }

    /// The timestamp is so far from the clock that no age can be computed.
    static let watermarkOutOfRange = OpenDataError(
        code: .watermarkExpired,
        reason: "watermark.timestamp is so far from this server's clock that its age cannot be computed; "
            + "the payload was not produced by WeChat for this request",
        field: "watermark.timestamp")

    /// The clock itself reads no representable time: fail closed.
    static let clockUnrepresentable = OpenDataError(
        code: .watermarkExpired,
        reason: "this server's clock reads a time that cannot be represented, so freshness cannot be checked; "
            + "fix the clock (or the fixed --now value)",
        field: "watermark.timestamp")

    /// The watermark names another mini program. The expected appid is named only when it has
    /// the shape of a real appid: a session key pasted into the appid column must not be echoed.
    static func appIDMismatch(expected: String) -> OpenDataError {
        let named = AppIDFormat.isWeChatShaped(expected) ? "the expected appid \(expected)" : "the expected appid"
        return OpenDataError(
            code: .appIDMismatch,
            reason: "watermark.appid does not match \(named); the data was encrypted for another mini program "
                + "(a session_key or encryptedData from another app)",
            field: "watermark.appid")
    }

    /// An invalid payload whose whole reason is already written.
    static func invalidPayload(field: String, reason: String) -> OpenDataError {
        OpenDataError(code: .invalidPayload, reason: reason, field: field)
    }

    /// The text alone is far over the limit: refused before decoding.
    static func payloadTooLarge(characters: Int, limit: Int) -> OpenDataError {
        OpenDataError(
            code: .payloadTooLarge,
            reason: "encrypted_data is \(characters) characters, far over the limit of \(limit) bytes",
            field: "encrypted_data")
    }

    /// The decoded data is over the limit.
    static func payloadTooLarge(bytes: Int, limit: Int) -> OpenDataError {
        OpenDataError(
            code: .payloadTooLarge, reason: "encrypted_data decodes to \(bytes) bytes, over the limit of \(limit)",
            field: "encrypted_data")
    }
}
