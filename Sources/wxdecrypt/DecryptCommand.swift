import ArgumentParser
import Foundation
import WeChatOpenData

struct DecryptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decrypt",
        abstract: "Decrypt and verify one payload and print it as JSON.")

    @OptionGroup var input: PayloadInputOptions
    @OptionGroup var key: SessionKeyOptions

    @Option(name: .customLong("as"), help: "The kind to read the payload as; auto recognises it from its keys.")
    var kind: PayloadKindArgument = .auto

    @OptionGroup var verification: VerificationOptions

    @Flag(help: "Print one line of JSON even on a terminal.")
    var compact = false

    func run() throws {
        try Console.run {
            let decryptor = try OpenDataDecryptor(
                appID: input.appID, freshness: verification.freshness)
            var payload = try decryptor.decryptPayload(
                as: kind.kind, encryptedData: try input.load(), iv: input.iv,
                sessionKey: try key.load())
            if verification.mask { payload = payload.masked() }
            let pretty = !compact && Console.standardOutputIsTerminal
            try Console.standardOutput(payload.jsonString(prettyPrinted: pretty) + "\n")
        }
    }
}
