/// Typed reads of payload members, with errors that name the field but never its value.
enum PayloadField {
    static func string(_ value: JSONValue?, field: String) throws(OpenDataError) -> String {
        try text(value, field: field).string
    }

    /// A string member, checked but left in the plaintext.
    static func text(_ value: JSONValue?, field: String) throws(OpenDataError) -> PayloadText {
        guard let value else { throw .invalidPayload(field: field, "is missing") }
        guard value.stringSpan != nil else { throw .invalidPayload(field: field, "must be a string, got \(value.kindName)") }
        return PayloadText(value)
    }

    static func optionalString(_ value: JSONValue?, field: String) throws(OpenDataError) -> String? {
        try optionalText(value, field: field)?.string
    }

    /// A string member that may be missing or null, checked but left in the plaintext.
    static func optionalText(_ value: JSONValue?, field: String) throws(OpenDataError) -> PayloadText? {
        guard let value, value.kind != .null else { return nil }
        return try text(value, field: field)
    }

    static func int64(_ value: JSONValue?, field: String) throws(OpenDataError) -> Int64 {
        guard let value else { throw .invalidPayload(field: field, "is missing") }
        guard value.kind == .number else { throw .invalidPayload(field: field, "must be an integer, got \(value.kindName)") }
        guard let integer = value.int64 else { throw .invalidPayload(field: field, "must be an integer in the 64-bit range") }
        return integer
    }

    static func int(_ value: JSONValue?, field: String) throws(OpenDataError) -> Int {
        let integer = try int64(value, field: field)
        guard let result = Int(exactly: integer) else { throw .invalidPayload(field: field, "is out of range") }
        return result
    }

    /// A string, or a number whose token is taken as its text (WeChat has sent
    /// `countryCode` both ways).
    static func stringOrInteger(_ value: JSONValue?, field: String) throws(OpenDataError) -> String {
        try textOrInteger(value, field: field).string
    }

    /// The same, checked but left in the plaintext.
    static func textOrInteger(_ value: JSONValue?, field: String) throws(OpenDataError) -> PayloadText {
        guard let value else { throw .invalidPayload(field: field, "is missing") }
        if value.kind == .number, value.int64 != nil, value.numberToken != nil { return PayloadText(value) }
        guard value.stringSpan != nil else {
            throw .invalidPayload(field: field, "must be a string or an integer, got \(value.kindName)")
        }
        return PayloadText(value)
    }
}

/// A text member of a payload, checked (by ``PayloadField``) but still in the plaintext: a
/// string's content, or an integer's token, which is its text. It is written from there as it
/// is, or copied out into a `String` for a model, and lives only as long as the plaintext.
/// Small (a pointer, and a count with a flag in its lowest bit: two words), because a worker
/// hands it on by value, in a payload of up to eight of them.
struct PayloadText: JSONStringValue {
    /// Where a string's bytes between its quotes, or an integer's token, start.
    private let start: UnsafeRawPointer?
    /// Their count, shifted left once, and whether they hold escapes to decode (only a
    /// string's can) in the lowest bit.
    private let countAndEscapes: Int

    /// A string's bytes between its quotes, or an integer's token.
    private var content: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: start, count: countAndEscapes >> 1) }
    /// Whether ``content`` holds escapes to decode.
    private var hasEscapes: Bool { countAndEscapes & 1 != 0 }

    /// A value that ``PayloadField`` checked is a string or an integer token.
    fileprivate init(_ value: JSONValue) {
        let content: UnsafeRawBufferPointer
        var hasEscapes = false
        if let span = value.stringSpan {
            content = UnsafeRawBufferPointer(rebasing: value.bytes[span.start..<span.end])
            hasEscapes = span.hasEscapes
        } else {
            content = value.numberToken ?? UnsafeRawBufferPointer(start: nil, count: 0)
        }
        start = content.baseAddress
        countAndEscapes = content.count << 1 | (hasEscapes ? 1 : 0)
    }

    /// The text, copied out of the plaintext.
    var string: String {
        JSONUnescape.string(content, JSONStringSpan(start: 0, end: content.count, hasEscapes: hasEscapes))
    }

    /// Writes the text as a JSON string: the plaintext's own bytes when there are no escapes
    /// (they then hold no quote, backslash or control character, so none needs one), which is
    /// what writing ``string`` gives.
    func writeJSONString<Output: JSONOutput & ~Copyable>(to output: inout Output) {
        if hasEscapes { return output.writeJSONString(string) }
        output.writeJSONString(content)
    }
}
