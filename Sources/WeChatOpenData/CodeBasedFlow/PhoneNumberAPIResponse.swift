/// The response of WeChat's code-based phone number server API
/// (`POST /wxa/business/getuserphonenumber`), read into the same ``PhoneNumber`` model as the
/// legacy flow, so that a backend can serve both flows with one model while it migrates.
///
/// The library makes no network call: pass it the response body your HTTP client received.
///
/// ```swift
/// let phone = try PhoneNumberAPIResponse.phoneNumber(from: responseBody, expectedAppID: "wx4f4bc4dec97d474b")
/// ```
public enum PhoneNumberAPIResponse {
    /// Reads a `getuserphonenumber` response body.
    ///
    /// - Parameters:
    ///   - body: The response body, UTF-8 JSON.
    ///   - expectedAppID: Your appid; `phone_info.watermark.appid` must equal it.
    /// - Returns: The phone number (`countryCode`, a JSON number in this API, becomes a string).
    /// - Throws: ``PhoneNumberAPIError`` with WeChat's `errcode` mapped to a ``PhoneNumberAPIError/Code``,
    ///   or ``PhoneNumberAPIError/Code/invalidResponse`` / ``PhoneNumberAPIError/Code/appIDMismatch``.
    public static func phoneNumber(
        from body: some Collection<UInt8>, expectedAppID: String
    ) throws(PhoneNumberAPIError) -> PhoneNumber {
        let bytes = Array(body)
        var result: Result<PhoneNumber, PhoneNumberAPIError> = .failure(.invalidResponse("is not one JSON object"))
        bytes.withUnsafeBytes { bytes in
            guard StrictJSONValidator.isValidObject(bytes) else { return }
            let root = JSONValue.root(of: bytes)
            let errcode = root.member("errcode")?.int64 ?? 0
            if errcode != 0 {
                let message = root.member("errmsg")?.string ?? ""
                result = .failure(PhoneNumberAPIError(errcode: Int(clamping: errcode), errmsg: message))
                return
            }
            guard let info = root.member("phone_info"), info.kind == .object else {
                result = .failure(.invalidResponse("has no phone_info object"))
                return
            }
            do throws(OpenDataError) {
                let watermark = try WatermarkVerification.verify(
                    info.member("watermark"), expectedAppID: expectedAppID, freshness: nil)
                result = .success(try PhoneNumber.parse(info, watermark: watermark))
            } catch {
                result = .failure(
                    error.code == .appIDMismatch
                        ? PhoneNumberAPIError(code: .appIDMismatch, errcode: nil, reason: error.reason)
                        : .invalidResponse("phone_info: " + error.reason))
            }
        }
        return try result.get()
    }
}

/// A failed `getuserphonenumber` call: WeChat's `errcode` mapped to a stable ``Code``, or a
/// response that could not be read.
public struct PhoneNumberAPIError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, stable across releases.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The snake_case name (`rate_limited`).
        public let name: String
        private init(_ name: String) { self.name = name }

        /// errcode -1: WeChat is busy; retry after a short delay.
        public static let systemBusy = Code("system_busy")
        /// errcode 40029: the code from `getPhoneNumber` is invalid, expired or already used.
        public static let invalidCode = Code("invalid_code")
        /// errcode 45011: calls are rate limited; back off.
        public static let rateLimited = Code("rate_limited")
        /// errcode 40013: the access token does not belong to a valid appid.
        public static let invalidAppID = Code("invalid_appid")
        /// Another non-zero errcode; see ``PhoneNumberAPIError/errcode``.
        public static let other = Code("wechat_error")
        /// The body is not a response of this API.
        public static let invalidResponse = Code("invalid_response")
        /// `phone_info.watermark.appid` is not the expected appid.
        public static let appIDMismatch = Code("appid_mismatch")

        /// The snake_case name.
        public var description: String { name }
    }

    /// The stable code.
    public let code: Code
    /// WeChat's `errcode`, when the failure came from WeChat.
    public let errcode: Int?
    /// A human explanation (WeChat's `errmsg` for WeChat's errors); never a phone number.
    public let reason: String

    /// Creates an error.
    public init(code: Code, errcode: Int?, reason: String) {
        self.code = code
        self.errcode = errcode
        self.reason = reason
    }

    /// Maps WeChat's `errcode` and `errmsg`.
    init(errcode: Int, errmsg: String) {
        let code: Code =
            switch errcode {
            case -1: .systemBusy
            case 40029: .invalidCode
            case 45011: .rateLimited
            case 40013: .invalidAppID
            default: .other
            }
        self.init(code: code, errcode: errcode, reason: "errcode \(errcode): \(errmsg)")
    }

    static func invalidResponse(_ problem: String) -> PhoneNumberAPIError {
        PhoneNumberAPIError(code: .invalidResponse, errcode: nil, reason: "the getuserphonenumber response \(problem)")
    }

    /// `PhoneNumberAPIError.<code>: <reason>`.
    public var description: String { "PhoneNumberAPIError.\(code): \(reason)" }
}
