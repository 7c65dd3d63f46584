import Testing
@testable import WeChatOpenData

/// The phone number's layout (`PhoneNumber.Layout`), the validator's one-pass path for WeChat's
/// own serialisation, against the general validator: whatever the layout accepts, the general
/// validator accepts too, with the same members handed over in the same order.
@Suite("A phone number in WeChat's layout: the one-pass path agrees with the general validator")
struct PhoneNumberLayoutTests {
    /// What a collector is handed, in order: each member's key and value as offsets.
    struct Recorder: JSONMemberCollector {
        var calls: [String] = []

        mutating func collect(key: JSONStringSpan, value: JSONValue) { record("top", key, value) }

        mutating func collectNested(in parent: Int, key: JSONStringSpan, value: JSONValue) {
            record("in \(parent)", key, value)
        }

        private mutating func record(_ level: String, _ key: JSONStringSpan, _ value: JSONValue) {
            calls.append(
                "\(level) key \(key.start)..<\(key.end) \(key.hasEscapes) value \(value.start)..<\(value.knownEnd) \(value.knownEscapes)")
        }
    }

    /// The members each path collects; `nil` where the layout does not match, or the general
    /// validator refuses the document.
    static func verdicts(_ document: [UInt8]) -> (layout: [String]?, general: [String]?) {
        document.withUnsafeBytes { bytes in
            var layout = Recorder()
            var general = Recorder()
            let matched = PhoneNumber.Layout.matches(bytes, collecting: &layout)
            let valid = StrictJSONValidator.problem(in: bytes, collecting: &general) == nil
            return (matched ? layout.calls : nil, valid ? general.calls : nil)
        }
    }

    /// Phone payloads in WeChat's layout, each value drawn from what real ones hold and what the
    /// layout may meet at the edges: empty, DEL, punctuation, a zero, nineteen digits, and every
    /// value as a string or an integer (its reader, not the layout, says which it must be).
    static func documents() -> [[UInt8]] {
        var generator = SplitMix(state: 0x9_40_4E)
        let texts = [#""13580006666""#, #""+1 6505550100""#, #""+852 52831322""#, #""""#, #""0""#, "\"1\u{7F}2\"",
                     #""~!#$%&'()*+,-./:;<=>?@[]^_`{|}""#, "86", "0", "1234567890123456789", "1637744274"]
        let appIDs = [#""wx4f4bc4dec97d474b""#, #""""#, "7"]
        func any(_ values: [String]) -> String { values.randomElement(using: &generator)! }
        return (0..<200).map { _ in
            Array(
                (#"{"phoneNumber":\#(any(texts)),"purePhoneNumber":\#(any(texts)),"countryCode":\#(any(texts)),"#
                    + #""watermark":{"timestamp":\#(any(texts)),"appid":\#(any(appIDs))}}"#).utf8)
        }
    }

    @Test("every document in WeChat's layout is walked in one pass, with the general validator's members")
    func layoutDocuments() {
        for document in Self.documents() {
            let (layout, general) = Self.verdicts(document)
            #expect(layout != nil, "\(String(decoding: document, as: UTF8.self))")
            #expect(layout == general, "\(String(decoding: document, as: UTF8.self))")
        }
    }

    @Test("every byte replaced by each of the 256, removed, or added: the layout accepts only what the general validator accepts, with the same members")
    func mutatedDocuments() {
        var accepted = 0
        var refused = 0
        func check(_ mutant: [UInt8]) {
            let (layout, general) = Self.verdicts(mutant)
            guard let layout else { return refused += 1 }
            accepted += 1
            #expect(general == layout, "\(String(decoding: mutant, as: UTF8.self))")
        }
        for document in Self.documents().prefix(6) {
            for position in document.indices {
                var removed = document
                removed.remove(at: position)
                check(removed)
                for byte in UInt8.min...UInt8.max {
                    var replaced = document
                    replaced[position] = byte
                    check(replaced)
                    var inserted = document
                    inserted.insert(byte, at: position)
                    check(inserted)
                }
            }
            check(document + [0x20])
            check([0x20] + document)
            for end in document.indices { check(Array(document[..<end])) }
        }
        // Integers of every length up to past the general validator's limit on a number token.
        for digits in 1...40 {
            let timestamp = String(repeating: "9", count: digits)
            check(
                Array(
                    (#"{"phoneNumber":"1","purePhoneNumber":"1","countryCode":86,"watermark":{"timestamp":\#(timestamp),"#
                        + #""appid":"wx"}}"#).utf8))
        }
        // Both sides of the layout are exercised: mutants it takes and mutants it leaves.
        #expect(accepted > 5_000)
        #expect(refused > 100_000)
    }
}
