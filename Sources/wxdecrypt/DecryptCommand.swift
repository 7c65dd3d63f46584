import ArgumentParser
import Foundation
import WeChatOpenData

struct DecryptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decrypt",
        abstract: "Decrypt and verify one payload and print it as JSON.")

    @OptionGroup var input: PayloadInputOptions
    @OptionGroup var key: SessionKeyOptions

    @Option(name: .customLong("as"), help: "auto, phone, user, werun, share, group or raw.")
    var kind: String = "auto"

    @OptionGroup var verification: VerificationOptions

    @Flag(help: "Print one line of JSON even on a terminal.")
    var compact = false

    func validate() throws {
        guard kind == "auto" || OpenDataPayload.Kind(rawValue: kind) != nil else {
            throw ValidationError("--as must be auto, phone, user, werun, share, group or raw.")
        }
    }

    func run() throws {
        try Console.run {
            let decryptor = try OpenDataDecryptor(
                appID: input.appID, freshness: verification.freshness)
            var payload = try decryptor.decryptPayload(
                as: OpenDataPayload.Kind(rawValue: kind), encryptedData: try input.load(), iv: input.iv,
                sessionKey: try key.load())
            if verification.mask { payload = payload.masked() }
            let pretty = !compact && Console.standardOutputIsTerminal
            try Console.standardOutput(payload.jsonString(prettyPrinted: pretty) + "\n")
        }
    }
}
