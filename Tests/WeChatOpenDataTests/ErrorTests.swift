import Foundation
import Testing
import WeChatOpenData

@Suite("OpenDataError: stable codes, no secrets")
struct ErrorTests {
    @Test("every code has a stable snake_case name that round-trips")
    func names() {
        let names = OpenDataError.Code.allCodes.map(\.name)
        #expect(names == ["invalid_session_key", "invalid_iv", "invalid_encrypted_data", "payload_too_large",
                          "decryption_failed", "invalid_payload", "appid_mismatch", "watermark_expired",
                          "invalid_signature", "invalid_record", "invalid_argument"])
        for code in OpenDataError.Code.allCodes { #expect(OpenDataError.Code(name: code.name) == code) }
        #expect(OpenDataError.Code(name: "nope") == nil)
    }

    @Test("decryption_failed explains the usual cause")
    func decryptionFailedReason() throws {
        let sealed = Sealed(Sealed.phoneJSON)
        let error = #expect(throws: OpenDataError.self) {
            try OpenDataDecryptor(appID: Sealed.appID).decrypt(
                PhoneNumber.self, encryptedData: sealed.data.encryptedData, iv: sealed.data.iv, sessionKey: .random())
        }
        #expect(error?.code == .decryptionFailed)
        #expect(error?.reason.contains("wx.login") == true)
        #expect(error?.description.hasPrefix("OpenDataError.decryption_failed: ") == true)
    }

    @Test("no error from any vector contains the session key, the plaintext or a phone number")
    func noLeaks() throws {
        for vector in Fixtures.vectors {
            var texts: [String] = []
            do { _ = try vector.decrypt() } catch { texts += [error.description, error.reason, String(reflecting: error)] }
            for text in texts {
                let key = vector.sessionKey.trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(key.count < 8 || !text.contains(key), "\(vector.name)")
                #expect(!text.contains("13580006666") && !text.contains("6505550123"), "\(vector.name)")
                #expect(!text.contains("oGZUI0egBJY1zhBYw2KhdUfwVJJE"), "\(vector.name)")
            }
        }
    }
}
