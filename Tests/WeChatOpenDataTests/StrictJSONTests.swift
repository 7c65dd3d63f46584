import Testing
import WeChatOpenData

@Suite("The plaintext parser is strict")
struct StrictJSONTests {
    static let watermark = Sealed.watermarkJSON

    @Test("malformed or ambiguous plaintext is decryption_failed",
          arguments: [
            #"{"a":1,"a":2,"# + watermark + "}",
            #"{"a":1,"\u0061":2,"# + watermark + "}",
            #"{"watermarks":1,"b":2,"# + watermark + #","watermarks":3}"#,
            #"{"wat\u0065rmark":1,"# + watermark + "}",
            "{" + (0..<40).map { #""k\#($0)":\#($0)"# }.joined(separator: ",") + #","k35":0,"# + watermark + "}",
            "{" + (0..<32).map { #""k\#($0)":\#($0)"# }.joined(separator: ",") + #","k0":0,"# + watermark + "}",
            "{" + watermark + "}{}",
            "{" + watermark + "}\u{0}",
            #"{"a":"# + String(repeating: "[", count: 17) + String(repeating: "]", count: 17) + "," + watermark + "}",
            #"{"a":1"# + String(repeating: "0", count: 40) + "," + watermark + "}",
            #"{"a":01,"# + watermark + "}",
            #"{"a":1.,"# + watermark + "}",
            #"{"a":+1,"# + watermark + "}",
            #"{"a":"\ud800","# + watermark + "}",
            #"{"a":"\udc00\ud800","# + watermark + "}",
            #"{"a":"\x","# + watermark + "}",
            "{\"a\":\"\u{1}\"," + watermark + "}",
            #"{"a":tru,"# + watermark + "}",
            #"{"a":1,,"# + watermark + "}",
            #"{"a":1,"# + watermark + ",}",
            #"["# + watermark + "]",
            #"{'a':1,"# + watermark + "}",
          ])
    func rejected(text: String) {
        let sealed = Sealed(text)
        let error = #expect(throws: OpenDataError.self) { try sealed.decryptPayload(as: .raw) }
        #expect(error?.code == .decryptionFailed)
    }

    @Test("invalid UTF-8 inside strings is decryption_failed",
          arguments: [[0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xFF], [0x80],
                      [0xF0, 0x9F, 0x98]] as [[UInt8]])
    func invalidUTF8(bytes: [UInt8]) {
        let sealed = Sealed(bytes: Array(#"{"a":""#.utf8) + bytes + Array(#"","#.utf8) + Array(Self.watermark.utf8) + [0x7D])
        let error = #expect(throws: OpenDataError.self) { try sealed.decryptPayload(as: .raw) }
        #expect(error?.code == .decryptionFailed)
    }

    @Test("valid JSON with whitespace, escapes, 4-byte UTF-8 and nesting up to the limit is accepted")
    func accepted() throws {
        let nested = String(repeating: "[", count: 14) + String(repeating: "]", count: 14)
        let text = " \n{ \"a\" : \"\\u00e9\\ud83d\\ude00 🐼 \\\"q\\\" \\/ \\n\", \"b\": -1.5e-3, \"c\": [true, false, null], \"d\": "
            + nested + ", " + Self.watermark + " }\r\n"
        let payload = try Sealed(text).decryptPayload()
        guard case .raw(let verified) = payload else { Issue.record("expected raw"); return }
        #expect(verified.jsonString == text)
    }

    /// The string scanner reads eight bytes at a time and the last few through a shifted load: a
    /// special byte must be found at every offset of every length, wherever the buffer ends.
    @Test("every kind of string byte is judged the same at every offset, up to the last byte")
    func stringBytesAtEveryOffset() throws {
        let kinds: [(bytes: [UInt8], valid: Bool)] = [
            (Array("x".utf8), true), (Array(#"\n"#.utf8), true), (Array("é".utf8), true), (Array("🐼".utf8), true),
            ([0x01], false), ([0x1F], false), ([0xFF], false), ([0xC3], false), (Array(#"\q"#.utf8), false),
        ]
        for length in 0...20 {
            for offset in 0...length {
                for kind in kinds {
                    let content = Array(repeating: UInt8(ascii: "a"), count: offset) + kind.bytes
                        + Array(repeating: UInt8(ascii: "b"), count: length - offset)
                    // The string is the last token: the end of the buffer is a few bytes after it.
                    let text = Array("{".utf8) + Array(Self.watermark.utf8) + Array(#","s":""#.utf8) + content + Array(#""}"#.utf8)
                    let sealed = Sealed(bytes: text)
                    if kind.valid {
                        let payload = try sealed.decryptPayload(as: .raw)
                        guard case .raw(let verified) = payload else { Issue.record("expected raw"); return }
                        #expect(Array(verified.jsonString.utf8) == text)
                    } else {
                        let error = #expect(throws: OpenDataError.self, "\(kind.bytes) at \(offset) of \(length)") {
                            try sealed.decryptPayload(as: .raw)
                        }
                        #expect(error?.code == .decryptionFailed)
                    }
                }
            }
        }
    }

    @Test("a string left open at the end of the document is refused, however short the document")
    func unterminatedStrings() {
        for text in [#"{"a"#, #"{"abcdefgh"#, "{" + Self.watermark + #","s":"abc"#, "{" + Self.watermark + #","s":"abcdefghijk\""#] {
            let error = #expect(throws: OpenDataError.self) { try Sealed(text).decryptPayload(as: .raw) }
            #expect(error?.code == .decryptionFailed)
        }
    }

    @Test("keys that share a length or their first eight bytes are different keys")
    func similarKeys() throws {
        let text = #"{"abcdefgh1":1,"abcdefgh2":2,"abcdefgh":3,"abcdefg":4,"bbcdefgh1":5,"# + Self.watermark + "}"
        guard case .raw(let verified) = try Sealed(text).decryptPayload(as: .raw) else {
            Issue.record("expected raw")
            return
        }
        #expect(verified.jsonString == text)
    }

    /// The index records the members of the objects at the top level too, each with its object:
    /// a key of one object must never be read as the same key of another.
    @Test("the watermark is read from its own object, not from a sibling's or the top level's keys")
    func membersOfTheirOwnObject() throws {
        let good = #"{"appid":"wx0000000000000000","other":{"appid":"wx0000000000000000","timestamp":1},"#
            + Self.watermark + #","last":{"watermark":{"appid":"wx0000000000000000"}}}"#
        guard case .raw(let verified) = try Sealed(good).decryptPayload(as: .raw) else {
            Issue.record("expected raw")
            return
        }
        #expect(verified.watermark.appID == Sealed.appID && verified.watermark.timestamp == Sealed.timestamp)
        let sibling = #"{"other":{"appid":"\#(Sealed.appID)","timestamp":1},"watermark":{"timestamp":1637744274,"appid":"wx0000000000000000"}}"#
        let error = #expect(throws: OpenDataError.self) { try Sealed(sibling).decryptPayload(as: .raw) }
        #expect(error?.code == .appIDMismatch)
        let missing = #"{"other":{"appid":"\#(Sealed.appID)","timestamp":1},"watermark":{"timestamp":1637744274}}"#
        let missingError = #expect(throws: OpenDataError.self) { try Sealed(missing).decryptPayload(as: .raw) }
        #expect(missingError?.field == "watermark.appid")
        // More members in all than the index holds: read by scanning, with the same results.
        let crowded = "{" + (0..<12).map { #""o\#($0)":{"appid":"wx0000000000000000","timestamp":\#($0)}"# }.joined(separator: ",")
            + "," + Self.watermark + "}"
        guard case .raw(let crowdedPayload) = try Sealed(crowded).decryptPayload(as: .raw) else {
            Issue.record("expected raw")
            return
        }
        #expect(crowdedPayload.watermark.timestamp == Sealed.timestamp)
    }

    /// JSON keys are equal when their code points are, not when Unicode calls them equivalent:
    /// the verdict must not depend on how a key is spelled (raw or escaped) or on how many keys
    /// an object has (past 32 they are checked in a set).
    @Test("canonically equivalent but different keys are not duplicates, escaped or raw, few or many")
    func equivalentKeysAreDistinct() throws {
        let pairs = [
            #""K":1,"\u212a":2"#, "\"K\":1,\"\u{212A}\":2", #""\u00e9":1,"e\u0301":2"#, "\"\u{E9}\":1,\"e\u{301}\":2",
        ]
        let many = (0..<40).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
        for pair in pairs {
            for text in ["{" + pair + "," + Self.watermark + "}", "{" + many + "," + pair + "," + Self.watermark + "}"] {
                guard case .raw(let verified) = try Sealed(text).decryptPayload(as: .raw) else {
                    Issue.record("expected raw")
                    return
                }
                #expect(verified.jsonString == text)
            }
        }
        // A real duplicate is still one, however it is spelled.
        for text in [#"{"\u004b":1,"K":2,"# + Self.watermark + "}", "{" + many + #","\u004b":1,"K":2,"# + Self.watermark + "}"] {
            let error = #expect(throws: OpenDataError.self) { try Sealed(text).decryptPayload(as: .raw) }
            #expect(error?.code == .decryptionFailed)
        }
    }

    /// Escaped keys are compared decoded into stack space up to 256 bytes, and as `String`s past
    /// that: duplicates are found, and near misses are not, on both sides of the limit.
    @Test("escaped keys are compared decoded, short or long, few or many")
    func escapedKeysOfEveryLength() throws {
        let many = (0..<40).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
        for length in [1, 40, 255, 256, 257, 600] {
            let plain = String(repeating: "a", count: length - 1) + "K"
            // The same key with its last letter escaped, and a key that differs only there.
            let escaped = String(repeating: "a", count: length - 1) + #"\u004b"#
            let nearMiss = String(repeating: "a", count: length - 1) + #"\u004c"#
            for prefix in ["", many + ","] {
                let duplicate = "{" + prefix + #""\#(escaped)":1,"\#(plain)":2,"# + Self.watermark + "}"
                let error = #expect(throws: OpenDataError.self, "length \(length)") {
                    try Sealed(duplicate).decryptPayload(as: .raw)
                }
                #expect(error?.code == .decryptionFailed)
                let distinct = "{" + prefix + #""\#(nearMiss)":1,"\#(plain)":2,"# + Self.watermark + "}"
                #expect(throws: Never.self, "length \(length)") { try Sealed(distinct).decryptPayload(as: .raw) }
            }
        }
    }

    /// Top-level members are indexed as they are validated, up to a fixed count; a payload with
    /// more is read by scanning, with the same result.
    @Test("a payload with more top-level members than the index holds is read the same")
    func manyMembers() throws {
        let extra = (0..<40).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
        let text = #"{"phoneNumber":"13580006666","# + extra + #","purePhoneNumber":"13580006666","countryCode":"86","#
            + Self.watermark + "}"
        guard case .phoneNumber(let phone) = try Sealed(text).decryptPayload() else {
            Issue.record("expected a phone number")
            return
        }
        #expect(phone.phoneNumber == "13580006666" && phone.countryCode == "86")
        #expect(phone.watermark.appID == Sealed.appID)
    }
}

