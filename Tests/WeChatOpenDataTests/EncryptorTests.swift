import Foundation
import Testing
import WeChatOpenData

@Suite("OpenDataEncryptor is the exact inverse")
struct EncryptorTests {
    let watermark = Watermark(appID: Sealed.appID, timestamp: Sealed.timestamp)

    @Test("every model round-trips through encrypt and decrypt")
    func roundTrip() throws {
        let key = SessionKey.random()
        let decryptor = try OpenDataDecryptor(appID: Sealed.appID)
        let payloads: [OpenDataPayload] = [
            .phoneNumber(PhoneNumber(phoneNumber: "+852 51234567", purePhoneNumber: "51234567", countryCode: "852",
                                     watermark: watermark)),
            .userInfo(UserInfo(openID: "o1", nickName: "🐼", gender: .male, language: "en", city: "a", province: "b",
                               country: "c", avatarURL: "https://x/y", unionID: "u", watermark: watermark)),
            .weRunData(WeRunData(stepInfoList: [.init(timestamp: 1, step: 2)], watermark: watermark)),
            .shareInfo(ShareInfo(openGID: "g", watermark: watermark)),
            .groupEnterInfo(GroupEnterInfo(openGID: "g", groupOpenID: "o", chatType: 3, watermark: watermark)),
        ]
        for payload in payloads {
            let sealed = try OpenDataEncryptor.encrypt(payload, sessionKey: key)
            let opened = try decryptor.decryptPayload(encryptedData: sealed.encryptedData, iv: sealed.iv, sessionKey: key)
            #expect(opened == payload)
        }
    }

    @Test("the watermark is set on arbitrary JSON, replacing an existing one, other members kept in order")
    func watermarkInsertion() throws {
        let key = SessionKey.random()
        let json = #"{"b":[1, 2],"watermark":{"appid":"old"},"a":"x"}"#
        let sealed = try OpenDataEncryptor.encrypt(json: Array(json.utf8), watermark: watermark, sessionKey: key)
        let verified = try OpenDataDecryptor(appID: Sealed.appID)
            .decryptJSON(encryptedData: sealed.encryptedData, iv: sealed.iv, sessionKey: key)
        #expect(verified.jsonString == #"{"b":[1, 2],"a":"x","watermark":{"timestamp":1637744274,"appid":"wx4f4bc4dec97d474b"}}"#)
        let error = #expect(throws: OpenDataError.self) {
            try OpenDataEncryptor.encrypt(json: Array("[1]".utf8), watermark: watermark, sessionKey: key)
        }
        #expect(error?.code == .invalidPayload)
    }

    @Test("a fixed iv gives the deterministic ciphertext; the default iv is fresh each time")
    func ivHandling() throws {
        let key = try SessionKey(base64: "tiihtNczf5v6AKRyjwEUhQ==")
        let iv = try InitializationVector(base64: "r7BXXKkLb8qrSNn05n0qiA==")
        let a = OpenDataEncryptor.encrypt(plaintext: Array("{}".utf8), sessionKey: key, iv: iv)
        let b = OpenDataEncryptor.encrypt(plaintext: Array("{}".utf8), sessionKey: key, iv: iv)
        #expect(a == b && a.iv == "r7BXXKkLb8qrSNn05n0qiA==")
        #expect(OpenDataEncryptor.encrypt(plaintext: [1], sessionKey: key).iv
            != OpenDataEncryptor.encrypt(plaintext: [1], sessionKey: key).iv)
    }
}
