import ArgumentParser
import Foundation
import WeChatOpenData

struct DecryptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decrypt",
        abstract: "Decrypt and verify one payload and print it as JSON.")

    @Option(name: .customLong("app-id"), help: "Your mini program's appid; the watermark must match.")
    var appID: String

    @Option(help: "The iv, base64.")
    var iv: String

    @OptionGroup var encrypted: EncryptedDataOptions
    @OptionGroup var key: SessionKeyOptions

    @Option(name: .customLong("as"), help: "auto, phone, user, werun, share, group or raw.")
    var kind: String = "auto"

    @Option(help: "Reject payloads older than this many seconds.")
    var maxAge: Int64?

    @Option(help: "Fix the clock (Unix seconds) for reproducible freshness checks.")
    var now: Int64?

    @Flag(help: "Mask phone numbers (135****6666).")
    var mask = false

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
                appID: appID, freshness: FreshnessOptions.policy(maxAge: maxAge, now: now))
            var payload = try decryptor.decryptPayload(
                as: OpenDataPayload.Kind(rawValue: kind), encryptedData: try encrypted.load(), iv: iv,
                sessionKey: try key.load())
            if mask { payload = payload.masked() }
            let pretty = !compact && Console.standardOutputIsTerminal
            try Console.standardOutput(payload.jsonString(prettyPrinted: pretty) + "\n")
        }
    }
}

enum FreshnessOptions {
    /// A policy from `--max-age` and `--now`; `--now` alone fixes nothing to check against.
    static func policy(maxAge: Int64?, now: Int64?) -> FreshnessPolicy? {
        guard let maxAge else { return nil }
        if let now {
            let fixed = Date(timeIntervalSince1970: TimeInterval(now))
            return FreshnessPolicy(maximumAge: .seconds(maxAge), now: { fixed })
        }
        return FreshnessPolicy(maximumAge: .seconds(maxAge))
    }
}
