import Testing

@testable import WeChatOpenData

@Suite("Integers read from validated JSON")
struct JSONIntegerTests {
    /// The value `JSONValue.int64` reads from `{"n":<token>}`.
    static func read(_ token: String) -> Int64? {
        Array(#"{"n":\#(token)}"#.utf8).withUnsafeBytes { bytes in
            #expect(StrictJSONValidator.isValidObject(bytes), "\(token)")
            return JSONValue.root(of: bytes).member("n")?.int64
        }
    }

    @Test("the short unchecked path and the long checked one agree with Int64(_:) at every length and at the limits")
    func agreesWithTheStandardLibrary() {
        var tokens = [
            "0", "-0", "7", "-7", "1637744274", "999999999999999999", "-999999999999999999",
            "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
            "99999999999999999999", "1.5", "-1.0", "1e3", "1E-3", "0.0",
        ]
        var generator = SplitMix(state: 0x1_4751)
        for length in 1...20 {
            for _ in 0..<20 {
                let first = String(Int.random(in: 1...9, using: &generator))
                let rest = (1..<length).map { _ in String(Int.random(in: 0...9, using: &generator)) }.joined()
                tokens += [first + rest, "-" + first + rest]
            }
        }
        for token in tokens {
            // Fractions and exponents are not integers, whatever their value.
            let expected = token.contains(where: { ".eE".contains($0) }) ? nil : Int64(token)
            #expect(Self.read(token) == expected, "\(token)")
        }
    }
}
