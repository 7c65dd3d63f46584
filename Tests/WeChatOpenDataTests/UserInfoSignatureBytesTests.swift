import Foundation
import Testing
import WeChatOpenData

/// `UserInfoSignature` over rawData's exact bytes (issue 9, attack 9).
@Suite("UserInfoSignature over bytes")
struct UserInfoSignatureBytesTests {
    static let key = try! SessionKey(base64: "tiihtNczf5v6AKRyjwEUhQ==")
    /// `{"nickName":"B` + bytes that are not UTF-8 (a stray 0xFF, a bad continuation, an
    /// encoded surrogate) + `nd"}`.
    static let rawData: [UInt8] = Array(#"{"nickName":"B"#.utf8) + [0xFF, 0xC3, 0x28, 0xED, 0xA0, 0x80] + Array(#"nd"}"#.utf8)
    // Independent values: python3 -c 'import hashlib; print(hashlib.sha1(raw + b"tiihtNczf5v6AKRyjwEUhQ==").hexdigest())'
    // with raw the bytes above, and with raw.decode("utf-8", "replace").encode().
    static let exact = "78d66f64167f967da5e790759b06a6b830e35602"
    static let replaced = "ff7a5e91c3eac14c98637c1630fd5be7dd711de6"

    @Test("invalid UTF-8 is hashed as it is, in any byte collection, never replaced by U+FFFD")
    func exactBytes() throws {
        #expect(UserInfoSignature.signature(rawData: Self.rawData, sessionKey: Self.key) == Self.exact)
        #expect(UserInfoSignature.signature(rawData: Data(Self.rawData), sessionKey: Self.key) == Self.exact)
        #expect(UserInfoSignature.signature(rawData: Self.rawData[...], sessionKey: Self.key) == Self.exact)
        try UserInfoSignature.verify(signature: Self.exact, rawData: Self.rawData, sessionKey: Self.key)
        try UserInfoSignature.verify(signature: Self.exact.uppercased(), rawData: Data(Self.rawData), sessionKey: Self.key)
        let text = String(decoding: Self.rawData, as: UTF8.self)
        #expect(UserInfoSignature.signature(rawData: text, sessionKey: Self.key) == Self.replaced)
        let mismatch = #expect(throws: OpenDataError.self) {
            try UserInfoSignature.verify(signature: Self.replaced, rawData: Self.rawData, sessionKey: Self.key)
        }
        #expect(mismatch?.code == .invalidSignature)
    }

    @Test("valid UTF-8: the text and its bytes have the same signature")
    func textAndBytesAgree() throws {
        let rawData = #"{"nickName":"微信用户","gender":0}"#
        let fromText = UserInfoSignature.signature(rawData: rawData, sessionKey: Self.key)
        #expect(UserInfoSignature.signature(rawData: Array(rawData.utf8), sessionKey: Self.key) == fromText)
        #expect(UserInfoSignature.signature(rawData: rawData.utf8, sessionKey: Self.key) == fromText)
        try UserInfoSignature.verify(signature: fromText, rawData: Data(rawData.utf8), sessionKey: Self.key)
        let malformed = #expect(throws: OpenDataError.self) {
            try UserInfoSignature.verify(signature: "xyz", rawData: Array(rawData.utf8), sessionKey: Self.key)
        }
        #expect(malformed?.code == .invalidSignature)
    }
}
