/// The transport damage that was repaired while decoding a base64 input.
///
/// WeChatOpenData accepts standard base64 (RFC 4648 §4) and repairs what real transports
/// do to it, reporting each repair so that a backend can log it and fix the transport:
/// - ``spacesAsPlus``: a `+` became a space because the field went through URL or form
///   decoding (`application/x-www-form-urlencoded` decodes `+` as a space).
/// - ``urlSafeAlphabet``: the URL-safe alphabet (`-` and `_` instead of `+` and `/`).
/// - ``missingPadding``: trailing `=` padding was stripped.
/// - ``whitespaceRemoved``: surrounding whitespace, or line breaks inside the text (as
///   `openssl base64` writes every 64 characters), were removed.
///
/// Anything else (another character, padding in the middle, an impossible length, a
/// non-canonical last character) is an error that names the field and the byte offset.
public struct Base64Repairs: OptionSet, Hashable, Sendable, CustomStringConvertible {
    /// The raw bit set.
    public let rawValue: UInt8

    /// Creates a set from its raw bits.
    ///
    /// - Parameter rawValue: The bits.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Spaces were read as `+`: the field went through URL or form decoding.
    public static let spacesAsPlus = Base64Repairs(rawValue: 1 << 0)
    /// `-` and `_` were read as `+` and `/`: the URL-safe alphabet was used.
    public static let urlSafeAlphabet = Base64Repairs(rawValue: 1 << 1)
    /// The trailing `=` padding was missing.
    public static let missingPadding = Base64Repairs(rawValue: 1 << 2)
    /// Surrounding whitespace or embedded line breaks were removed.
    public static let whitespaceRemoved = Base64Repairs(rawValue: 1 << 3)

    /// The repairs as short phrases, in a stable order.
    public var phrases: [String] {
        var phrases: [String] = []
        if contains(.spacesAsPlus) { phrases.append("spaces read as '+' (URL/form decoding damage)") }
        if contains(.urlSafeAlphabet) { phrases.append("URL-safe alphabet ('-', '_')") }
        if contains(.missingPadding) { phrases.append("missing '=' padding added") }
        if contains(.whitespaceRemoved) { phrases.append("whitespace or line breaks removed") }
        return phrases
    }

    /// The repairs joined with commas, or `none`.
    public var description: String { isEmpty ? "none" : phrases.joined(separator: ", ") }
}
