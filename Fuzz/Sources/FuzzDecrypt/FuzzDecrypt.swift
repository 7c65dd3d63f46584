import Foundation
import CFuzzDriver
import WeChatOpenData

// Input: "<iv>\n<encryptedData>" as text, both attacker-controlled, decrypted and verified
// under a fixed session key and appid through the public API. Any outcome but a crash,
// a sanitizer report or an unexpected error code is fine.
let sessionKey = try! SessionKey(base64: "tiihtNczf5v6AKRyjwEUhQ==")
let decryptor = try! OpenDataDecryptor(appID: "wx4f4bc4dec97d474b")
let expectedCodes: Set<OpenDataError.Code> = [
    .invalidIV, .invalidEncryptedData, .payloadTooLarge, .decryptionFailed, .invalidPayload, .appIDMismatch,
]

func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: count), as: UTF8.self)
    let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
    let iv = String(parts[0])
    let encryptedData = parts.count > 1 ? String(parts[1]) : ""
    do {
        let payload = try decryptor.decryptPayload(encryptedData: encryptedData, iv: iv, sessionKey: sessionKey)
        _ = payload.jsonString(prettyPrinted: count % 2 == 0)
    } catch {
        precondition(expectedCodes.contains(error.code), "unexpected code \(error.code)")
        precondition(!error.reason.contains("tiihtNczf5v6AKRyjwEUhQ"), "the session key leaked into an error")
    }
    return 0
}

// Top-level code is the executable's entry point; it hands control to libFuzzer.
var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
var argumentCount = CommandLine.argc
exit(LLVMFuzzerRunDriver(&argumentCount, &arguments) { data, count in
    fuzz(data ?? UnsafePointer(bitPattern: 1)!, count)
})
