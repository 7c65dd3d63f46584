#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A decrypted payload whose bytes are strict UTF-8 JSON and whose watermark has been
/// verified, for callers that want the JSON itself.
///
/// `description` shows no content: the JSON may hold a phone number.
public struct VerifiedOpenData: Sendable, Hashable, CustomStringConvertible {
    /// The plaintext JSON exactly as WeChat encrypted it, padding removed.
    public let json: Data
    /// The verified watermark.
    public let watermark: Watermark

    /// The plaintext JSON as a string.
    public var jsonString: String { String(decoding: json, as: UTF8.self) }

    /// `VerifiedOpenData(154 bytes, appid: wx…)`.
    public var description: String { "VerifiedOpenData(\(json.count) bytes, appid: \(watermark.appID))" }
}
