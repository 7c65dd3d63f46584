import Foundation
import Testing
@testable import WeChatOpenData

@Suite("SessionKey hygiene and signatures")
struct SessionKeyTests {
    let text = "tiihtNczf5v6AKRyjwEUhQ=="

    @Test("the key is redacted from every description")
    func redaction() throws {
        let key = try SessionKey(base64: text)
        var dumped = ""
        dump(key, to: &dumped)
        for rendered in [key.description, key.debugDescription, "\(key)", String(reflecting: key), dumped] {
            #expect(!rendered.contains(text) && !rendered.contains("tiihtNczf5v6"))
            #expect(rendered.contains("SessionKey"))
        }
        #expect(key.description == "SessionKey(redacted)")
    }

    @Test("keys compare by value")
    func equality() throws {
        #expect(try SessionKey(base64: text) == SessionKey(base64: text.replacingOccurrences(of: "==", with: "")))
        #expect(try SessionKey(base64: text) != SessionKey.random())
        #expect(try SessionKey(bytes: Data(base64Encoded: text)!) == SessionKey(base64: text))
        #expect(throws: OpenDataError.self) { try SessionKey(bytes: [UInt8](repeating: 0, count: 17)) }
    }

    @Test("wiping overwrites the bytes")
    func wipe() {
        var bytes = [UInt8](repeating: 0xAB, count: 32)
        bytes.withUnsafeMutableBytes { SecureMemory.wipe($0) }
        #expect(bytes.allSatisfy { $0 == 0 })
    }

    @Test("the base64 text is the canonical form jscode2session returns")
    func canonicalText() throws {
        #expect(try SessionKey(base64: " tiihtNczf5v6AKRyjwEUhQ\n").base64EncodedString() == text)
    }

    @Test("login-state signature: HMAC-SHA256 of the empty string keyed by the base64 text")
    func loginState() throws {
        // Independent value: python3 -c 'import hmac,hashlib;print(hmac.new(b"tiihtNczf5v6AKRyjwEUhQ==",b"",hashlib.sha256).hexdigest())'
        #expect(try SessionKey(base64: text).loginStateSignature()
            == "7154f9f8b4b76b92f541cbf0e37d48840fa06e5e42da92a6f80168a1516a4735")
    }

    @Test("getUserInfo signature: sha1(rawData + session_key), either hex case, constant-time compare")
    func userInfoSignature() throws {
        let key = try SessionKey(base64: text)
        let rawData = #"{"nickName":"Band","gender":1}"#
        let signature = UserInfoSignature.signature(rawData: rawData, sessionKey: key)
        // Independent value: hashlib.sha1(rawData + session_key).hexdigest()
        #expect(signature == "209fbe7aa3d83ad61a1f56e4fe8d84dd1373991c")
        try UserInfoSignature.verify(signature: signature, rawData: rawData, sessionKey: key)
        try UserInfoSignature.verify(signature: signature.uppercased(), rawData: rawData, sessionKey: key)
        #expect(!UserInfoSignature.isValid(signature: signature, rawData: rawData + " ", sessionKey: key))
        let malformed = #expect(throws: OpenDataError.self) {
            try UserInfoSignature.verify(signature: "xyz", rawData: rawData, sessionKey: key)
        }
        #expect(malformed?.code == .invalidSignature && malformed?.reason.contains("40 hex digits") == true)
    }
}
