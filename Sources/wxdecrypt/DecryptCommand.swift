import ArgumentParser
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
            let sessionKey = try key.load()
            let encryptedData = try input.load()
            var decrypted: SessionKeyRing.Decryption<OpenDataPayload>
            do {
                decrypted = try decryptor.decryptPayload(
                    as: kind.kind, encryptedData: encryptedData, iv: input.iv, sessionKeys: SessionKeyRing(current: sessionKey))
            } catch let error as OpenDataError where error.code == .decryptionFailed {
                // The previous key is read only now, as the ring, diagnose and decrypt-file read it.
                guard let previousText = try previousKey.loadText() else { throw error }
                let previous: SessionKey
                do throws(OpenDataError) {
                    previous = try SessionKey(base64: previousText)
                } catch {
                    throw CommandFailure(
                        code: error.code.name, reason: "the previous session key: " + error.reason, status: ExitStatus.failed)
                }
                decrypted = try decryptor.decryptPayload(
                    as: kind.kind, encryptedData: encryptedData, iv: input.iv,
                    sessionKeys: SessionKeyRing(current: sessionKey, previous: previous))
            }
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
