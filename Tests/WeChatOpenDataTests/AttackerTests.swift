import Foundation
import Testing
@testable import WeChatOpenData

/// What an attacker who controls `encryptedData` and `iv` can learn or forge.
@Suite("An attacker's view")
struct AttackerTests {
    static let allowed: Set<OpenDataError.Code> = [.decryptionFailed, .invalidPayload, .appIDMismatch, .watermarkExpired]

    @Test("flipping any bit of the iv or the last two blocks yields only the allowed codes")
    func bitFlips() throws {
        let sealed = Sealed(Sealed.phoneJSON)
        let decryptor = try OpenDataDecryptor(
            appID: Sealed.appID,
            freshness: FreshnessPolicy(maximumAge: .seconds(300), now: { Date(timeIntervalSince1970: 1_637_744_274) }))
        let iv = try InitializationVector(base64: sealed.data.iv).bytes
        let ciphertext = [UInt8](Data(base64Encoded: sealed.data.encryptedData)!)
        var seen: [OpenDataError.Code: Int] = [:]
        var reasons: [OpenDataError.Code: Set<String>] = [:]
        func attempt(iv: [UInt8], ciphertext: [UInt8]) {
            do {
                _ = try decryptor.decrypt(
                    PhoneNumber.self, encryptedData: Data(ciphertext).base64EncodedString(),
                    iv: Data(iv).base64EncodedString(), sessionKey: sealed.sessionKey)
            } catch {
                seen[error.code, default: 0] += 1
                reasons[error.code, default: []].insert(error.reason)
            }
        }
        for bit in 0..<128 {
            var flipped = iv
            flipped[bit / 8] ^= 1 << (bit % 8)
            attempt(iv: flipped, ciphertext: ciphertext)
        }
        for bit in 0..<256 {
            var flipped = ciphertext
            flipped[ciphertext.count - 32 + bit / 8] ^= 1 << (bit % 8)
            attempt(iv: iv, ciphertext: flipped)
        }
        #expect(Set(seen.keys).isSubset(of: Self.allowed), "\(seen)")
        #expect(seen[.decryptionFailed, default: 0] > 0)
        // Bad padding, bad UTF-8 and bad JSON all gave the one decryption_failed reason.
        #expect(reasons[.decryptionFailed]?.count == 1)
    }

    @Test("bad padding and invalid JSON are indistinguishable: same code, reason and field")
    func indistinguishable() throws {
        let badPadding = Sealed(unpadded: Array(#"{"a":1}"#.utf8) + [UInt8](repeating: 3, count: 9))
        let badJSON = Sealed(#"{"a":1"#)
        let first = #expect(throws: OpenDataError.self) { try badPadding.decryptPayload() }
        let second = #expect(throws: OpenDataError.self) { try badJSON.decryptPayload() }
        #expect(first != nil && first == second)
    }

    @Test("numbers out of range are rejected by the strict parser",
          arguments: ["1e999", "-1e999", "1e-999", "123456789012345678901234567890123", "9e308"])
    func numbersOutOfRange(number: String) {
        let sealed = Sealed(#"{"n":\#(number),"# + Sealed.watermarkJSON + "}")
        let error = #expect(throws: OpenDataError.self) { try sealed.decryptPayload(as: .raw) }
        #expect(error?.code == .decryptionFailed)
    }

    @Test("numbers in range are accepted", arguments: ["1e308", "-1.5e-300", "0", "-0.0", "123456789012345678"])
    func numbersInRange(number: String) throws {
        _ = try Sealed(#"{"n":\#(number),"# + Sealed.watermarkJSON + "}").decryptPayload(as: .raw)
    }
}
