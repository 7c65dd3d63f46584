import Foundation
@testable import WeChatOpenData

/// Seals arbitrary plaintext the way WeChat would, for tests of what decryption accepts.
struct Sealed {
    static let appID = "wx4f4bc4dec97d474b"
    static let timestamp: Int64 = 1_637_744_274
    static let watermarkJSON = #""watermark":{"timestamp":1637744274,"appid":"wx4f4bc4dec97d474b"}"#
    static let phoneJSON = #"{"phoneNumber":"13580006666","purePhoneNumber":"13580006666","countryCode":"86","#
        + watermarkJSON + "}"

    let sessionKey: SessionKey
    let data: EncryptedOpenData

    init(_ plaintext: String) { self.init(bytes: Array(plaintext.utf8)) }

    init(bytes: [UInt8]) {
        sessionKey = SessionKey.random()
        data = OpenDataEncryptor.encrypt(plaintext: bytes, sessionKey: sessionKey)
    }

    /// Encrypts `bytes` (a multiple of 16 long) with no padding added, so a test can
    /// choose the padding bytes itself.
    init(unpadded bytes: [UInt8]) {
        precondition(bytes.count % 16 == 0)
        let sessionKey = SessionKey.random()
        self.sessionKey = sessionKey
        var buffer = bytes
        let iv = InitializationVector.random()
        _ = buffer.withUnsafeMutableBytes { buffer in
            sessionKey.storage.withUnsafeBytes { key in
                iv.bytes.withUnsafeBytes { AESCBC.transform(buffer, key: key, iv: $0, encrypt: true) }
            }
        }
        data = EncryptedOpenData(encryptedData: Data(buffer).base64EncodedString(), iv: iv.base64EncodedString())
    }

    func decrypt<Payload: Decodable>(
        _ type: Payload.Type, decryptor: OpenDataDecryptor? = nil
    ) throws(OpenDataError) -> Payload {
        let chosen: OpenDataDecryptor
        if let decryptor { chosen = decryptor } else { chosen = try OpenDataDecryptor(appID: Self.appID) }
        return try chosen.decrypt(type, encryptedData: data.encryptedData, iv: data.iv, sessionKey: sessionKey)
    }

    func decryptPayload(as kind: OpenDataPayload.Kind? = nil) throws(OpenDataError) -> OpenDataPayload {
        try OpenDataDecryptor(appID: Self.appID).decryptPayload(
            as: kind, encryptedData: data.encryptedData, iv: data.iv, sessionKey: sessionKey)
    }
}

/// SplitMix64: reproducible random cases, the same on every run, so that a failure can be
/// replayed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ z >> 30) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ z >> 27) &* 0x94D0_49BB_1331_11EB
        return z ^ z >> 31
    }
}
