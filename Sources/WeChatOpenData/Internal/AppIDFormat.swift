/// What the library accepts as an appid: 1 to 64 printable ASCII characters without
/// spaces, quotes or backslashes. Real appids are `wx` and 16 hex digits; the rule is
/// looser so that test and third-party platform appids work, yet strict enough that an
/// appid can be written into JSON without escaping.
enum AppIDFormat {
    static func isValid(_ appID: String) -> Bool {
        !appID.isEmpty && appID.utf8.count <= 64
            && appID.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
    }

    static let invalid = OpenDataError(
        code: .invalidArgument,
        reason: "appid must be 1 to 64 printable ASCII characters without spaces or quotes",
        field: "appid"
    )
}
