import Foundation
import Testing
import WeChatOpenData

// The README's quick start, verbatim, so that it keeps compiling.
let readmeDecryptor = try! OpenDataDecryptor(
    appID: "wx4f4bc4dec97d474b",
    freshness: FreshnessPolicy(maximumAge: .seconds(300))
)

func readmePhoneNumber(storedSessionKey: String, encryptedData: String, iv: String) throws(OpenDataError) -> PhoneNumber {
    let sessionKey = try SessionKey(base64: storedSessionKey)
    return try readmeDecryptor.decrypt(PhoneNumber.self, encryptedData: encryptedData, iv: iv, sessionKey: sessionKey)
}

@Suite("README")
struct ReadmeTests {
    @Test("the quick start decrypts a phone record")
    func quickStart() throws {
        let key = SessionKey.random()
        let now = Int64(Date.now.timeIntervalSince1970)
        let sealed = try OpenDataEncryptor.encrypt(
            .phoneNumber(PhoneNumber(phoneNumber: "13580006666", purePhoneNumber: "13580006666", countryCode: "86",
                                     watermark: Watermark(appID: "wx4f4bc4dec97d474b", timestamp: now))),
            sessionKey: key)
        let phone = try readmePhoneNumber(
            storedSessionKey: key.base64EncodedString(), encryptedData: sealed.encryptedData, iv: sealed.iv)
        #expect(phone.purePhoneNumber == "13580006666")
    }
}
