import Foundation
import Testing
@testable import WeChatOpenData

@Suite("Diagnosis observes the real pipeline: it never disagrees with decrypt, and names the cause")
struct DiagnosisTests {
    static func diagnose(_ sealed: Sealed, as kind: OpenDataPayload.Kind? = nil, decryptor: OpenDataDecryptor? = nil,
                         iv: String? = nil) throws -> OpenDataDiagnosis {
        OpenDataDiagnosis.diagnose(
            decryptor: try decryptor ?? OpenDataDecryptor(appID: Sealed.appID), as: kind,
            sessionKey: sealed.sessionKey.base64EncodedString(), iv: iv ?? sealed.data.iv,
            encryptedData: sealed.data.encryptedData)
    }

    static let payloads: [String] = [
        Sealed.phoneJSON,
        RealPayloadTests.anonymousProfile,
        // A phone payload that misses a field: it decrypts, but no model can read it as a phone number.
        #"{"phoneNumber":"13580006666","countryCode":"86","# + Sealed.watermarkJSON + "}",
        #"{"stepInfoList":[{"timestamp":1,"step":2}],"# + Sealed.watermarkJSON + "}",
        #"{"openGId":"G1","# + Sealed.watermarkJSON + "}",
        #"{"opengid":"G1","chat_type":1,"# + Sealed.watermarkJSON + "}",
        #"{"anything":1,"# + Sealed.watermarkJSON + "}",
        #"{"phoneNumber":"1"}"#,
        #"{"phoneNumber":"1","watermark":{"timestamp":1637744274,"appid":"wx0000000000000000"}}"#,
        #"{"phoneNumber":"1","watermark":{"appid":"wx4f4bc4dec97d474b"}}"#,
        #"{"a":1,"a":2,"# + Sealed.watermarkJSON + "}",
        "not json at all, but text",
    ]

    @Test("for every payload, kind and policy, diagnose succeeds exactly when decryptPayload does, with the same code")
    func agreement() throws {
        let policies: [FreshnessPolicy?] = [
            nil, FreshnessPolicy(maximumAge: .seconds(300), now: { Date(timeIntervalSince1970: 1_637_744_300) }),
            FreshnessPolicy(maximumAge: .seconds(300), now: { Date(timeIntervalSince1970: 1_700_000_000) }),
        ]
        for payload in Self.payloads {
            let sealed = Sealed(payload)
            for policy in policies {
                let decryptor = try OpenDataDecryptor(appID: Sealed.appID, freshness: policy)
                for kind in [nil] + OpenDataPayload.Kind.allCases {
                    let diagnosis = try Self.diagnose(sealed, as: kind, decryptor: decryptor)
                    do {
                        let payload = try decryptor.decryptPayload(
                            as: kind, encryptedData: sealed.data.encryptedData, iv: sealed.data.iv,
                            sessionKey: sealed.sessionKey)
                        #expect(diagnosis.succeeded && diagnosis.payload == payload, "\(payload.kind) as \(String(describing: kind))")
                    } catch {
                        #expect(!diagnosis.succeeded, "\(error) as \(String(describing: kind))")
                        #expect(diagnosis.failure?.code == error.code, "\(error) as \(String(describing: kind))")
                    }
                }
            }
        }
    }

    @Test("right key, wrong iv: the diagnosis says the iv belongs to another call")
    func wrongIV() throws {
        let sealed = Sealed(Sealed.phoneJSON)
        let diagnosis = try Self.diagnose(sealed, iv: InitializationVector.random().base64EncodedString())
        #expect(diagnosis.failure?.code == .decryptionFailed)
        #expect(diagnosis.failure?.detail.contains("the iv belongs to another call") == true, "\(diagnosis.steps)")
        // A wrong key is not mistaken for a wrong iv.
        let wrongKey = OpenDataDiagnosis.diagnose(
            decryptor: try OpenDataDecryptor(appID: Sealed.appID), sessionKey: SessionKey.random().base64EncodedString(),
            iv: sealed.data.iv, encryptedData: sealed.data.encryptedData)
        #expect(wrongKey.failure?.detail.contains("stale") == true)
        #expect(wrongKey.failure?.detail.contains("iv belongs") == false)
    }

    static let deeplyNested =
        #"{"x":"# + String(repeating: #"{"a":"#, count: 16) + "1" + String(repeating: "}", count: 16) + ","
        + Sealed.watermarkJSON + "}"

    static let strictJSONCases: [(body: String, phrase: String)] = [
        (#"{"a":1,"a":2,"# + Sealed.watermarkJSON + "}", "the same key twice"),
        (deeplyNested, "deeper than 16"),
        (#"{"n":1e999,"# + Sealed.watermarkJSON + "}", "out of the range of a double"),
        ("\u{FEFF}" + Sealed.phoneJSON, "byte-order mark"),
        (Sealed.phoneJSON + "{}", "bytes after the end"),
    ]

    @Test("the strict-JSON rule that failed is named in the diagnosis only", arguments: strictJSONCases)
    func strictJSONProblems(body: String, phrase: String) throws {
        let sealed = Sealed(body)
        let decrypt = #expect(throws: OpenDataError.self) { try sealed.decryptPayload() }
        #expect(decrypt == OpenDataError.decryptionFailed, "decrypt keeps its one uniform error")
        let diagnosis = try Self.diagnose(sealed)
        #expect(diagnosis.failure?.code == .decryptionFailed)
        #expect(diagnosis.failure?.detail.contains(phrase) == true, "\(diagnosis.failure?.detail ?? "")")
    }

    @Test("a diagnosis never contains the key or the plaintext")
    func noSecrets() throws {
        for payload in Self.payloads {
            let sealed = Sealed(payload)
            for iv in [sealed.data.iv, InitializationVector.random().base64EncodedString()] {
                let text = try Self.diagnose(sealed, iv: iv).steps.map { "\($0.title) \($0.detail)" }.joined()
                #expect(!text.contains(sealed.sessionKey.base64EncodedString()))
                #expect(!text.contains("13580006666") && !text.contains("微信用户"))
            }
        }
    }
}
