import Foundation
import CFuzzDriver
import WeChatOpenData

// Input: a plaintext. It is encrypted under a fixed key, so that decryption always reaches
// the strict JSON parser, then read as every model, as raw JSON and as a Decodable type, and
// checked for freshness and diagnosed against clocks made of the input's first eight bytes
// (NaN, infinities, times far past Int64): nothing may trap, and diagnose must agree with
// decrypt.
let sessionKey = try! SessionKey(base64: "tiihtNczf5v6AKRyjwEUhQ==")
let iv = try! InitializationVector(base64: "r7BXXKkLb8qrSNn05n0qiA==")
let decryptor = try! OpenDataDecryptor(appID: "wx4f4bc4dec97d474b")

struct Anything: Decodable {
    let phoneNumber: String?
    let stepInfoList: [WeRunData.StepInfo]?
}

func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let sealed = OpenDataEncryptor.encrypt(
        plaintext: UnsafeBufferPointer(start: data, count: count), sessionKey: sessionKey, iv: iv)
    let kinds: [OpenDataPayload.Kind?] = [nil] + OpenDataPayload.Kind.allCases
    for kind in kinds {
        do {
            let payload = try decryptor.decryptPayload(
                as: kind, encryptedData: sealed.encryptedData, iv: sealed.iv, sessionKey: sessionKey)
            // What the parser accepted must survive a round trip through the encryptor.
            let again = try OpenDataEncryptor.encrypt(payload, sessionKey: sessionKey, iv: iv)
            let reread = try decryptor.decryptPayload(
                as: payload.kind, encryptedData: again.encryptedData, iv: again.iv, sessionKey: sessionKey)
            precondition(reread.watermark == payload.watermark, "round trip changed the watermark")
        } catch {
            precondition(
                [.decryptionFailed, .invalidPayload, .appIDMismatch, .invalidArgument].contains(error.code),
                "unexpected code \(error.code)")
        }
    }
    _ = try? decryptor.decrypt(Anything.self, encryptedData: sealed.encryptedData, iv: sealed.iv, sessionKey: sessionKey)

    var clockBits: UInt64 = 0
    for index in 0..<min(8, count) { clockBits |= UInt64(data[index]) << (8 * UInt64(index)) }
    let clocks = [Double(bitPattern: clockBits), Double(Int64(bitPattern: clockBits)), 1_637_744_274]
    for clock in clocks {
        for maximumAge in [Int64(0), 300, .max] {
            let policy = FreshnessPolicy(
                maximumAge: .seconds(maximumAge), now: { Date(timeIntervalSince1970: clock) })
            let checked = try! OpenDataDecryptor(appID: "wx4f4bc4dec97d474b", freshness: policy)
            let decrypted = Result { () throws(OpenDataError) in
                try checked.decryptPayload(encryptedData: sealed.encryptedData, iv: sealed.iv, sessionKey: sessionKey)
            }
            let diagnosis = OpenDataDiagnosis.diagnose(
                decryptor: checked, sessionKey: "tiihtNczf5v6AKRyjwEUhQ==", iv: sealed.iv,
                encryptedData: sealed.encryptedData)
            switch decrypted {
            case .success: precondition(diagnosis.succeeded, "diagnose refused what decrypt accepted")
            case .failure(let error): precondition(diagnosis.failure?.code == error.code, "diagnose disagrees with decrypt")
            }
        }
    }
    return 0
}

// Top-level code is the executable's entry point; it hands control to libFuzzer.
var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
var argumentCount = CommandLine.argc
exit(LLVMFuzzerRunDriver(&argumentCount, &arguments) { data, count in
    fuzz(data ?? UnsafePointer(bitPattern: 1)!, count)
})
