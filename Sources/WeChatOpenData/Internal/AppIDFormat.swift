/// What the library accepts as an appid: 1 to 64 printable ASCII characters without
/// spaces, quotes or backslashes. Real appids are `wx` and 16 hex digits; the rule is
/// looser so that test and third-party platform appids work, yet strict enough that an
/// appid can be written into JSON without escaping.
enum AppIDFormat {
    static func isValid(_ appID: String) -> Bool {
        !appID.isEmpty && appID.utf8.count <= 64
            && appID.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
    }

    /// `wx` and 16 lowercase hex digits: the form of every mini program's appid. Only such a
    /// value is repeated in messages; anything else might be a secret in the wrong place.
    static func isWeChatShaped(_ appID: String) -> Bool {
        let utf8 = Array(appID.utf8)
        return utf8.count == 18 && utf8[0] == UInt8(ascii: "w") && utf8[1] == UInt8(ascii: "x")
            && utf8[2...].allSatisfy { Hex.value(of: $0) != nil }
    }

    /// Whether the JSON string token at `span` in `bytes` decodes to exactly `appID`, compared
    /// as UTF-8 bytes. A native `String` is read in place: no copy, no retain per record.
    @inline(__always)
    static func equal(_ bytes: UnsafeRawBufferPointer, _ span: JSONStringSpan, _ appID: String) -> Bool {
        appID.utf8.withContiguousStorageIfAvailable { JSONUnescape.equal(bytes, span, UnsafeRawBufferPointer($0)) }
            ?? JSONUnescape.string(bytes, span).utf8.elementsEqual(appID.utf8)
    }
}
