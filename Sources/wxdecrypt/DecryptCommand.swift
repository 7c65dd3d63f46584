import ArgumentParser
import Foundation
import WeChatOpenData

struct DecryptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decrypt",
        abstract: "Decrypt and verify one payload and print it as JSON.")

    @OptionGroup var input: PayloadInputOptions
    @OptionGroup var key: SessionKeyOptions
    @OptionGroup var previousKey: PreviousSessionKeyOptions

    @Option(name: .customLong("as"), help: "The kind to read the payload as; auto recognises it from its keys.")
    var kind: PayloadKindArgument = .auto

    @OptionGroup var verification: VerificationOptions

    @Flag(help: "Print one line of JSON even on a terminal.")
    var compact = false

    func run() throws {
        try Console.run {
            let decryptor = try OpenDataDecryptor(
                appID: input.appID, freshness: verification.freshness)
            let sessionKeys = SessionKeyRing(
                current: try key.load(),
                previous: try previousKey.loadText().map { (text) throws(OpenDataError) in try SessionKey(base64: text) })
            let decrypted = try decryptor.decryptPayload(
                as: kind.kind, encryptedData: try input.load(), iv: input.iv, sessionKeys: sessionKeys)
            if decrypted.matchedKey == .previous {
                Console.standardError(
                    "note: decrypted with the previous session key; the mini program called wx.login after the button "
                        + "tap (run `wxdecrypt diagnose` for the fix)")
            }
            var payload = decrypted.payload
            if verification.mask { payload = payload.masked() }
            let pretty = !compact && Console.standardOutputIsTerminal
            try Console.standardOutput(payload.jsonString(prettyPrinted: pretty) + "\n")
        }
    }
}
