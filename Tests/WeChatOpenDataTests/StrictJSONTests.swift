import Testing
import WeChatOpenData

@Suite("The plaintext parser is strict")
struct StrictJSONTests {
    static let watermark = Sealed.watermarkJSON

    @Test("malformed or ambiguous plaintext is decryption_failed",
          arguments: [
            #"{"a":1,"a":2,"# + watermark + "}",
            #"{"a":1,"\u0061":2,"# + watermark + "}",
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
}
