import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import WeChatOpenData

struct EncryptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encrypt",
        abstract: "Make a record that WeChat could have sent, as one decrypt-file input line.",
        discussion: "For fixtures and test doubles. The watermark is added to the JSON.")

    @Option(name: .customLong("app-id"), help: "The appid for the watermark.")
    var appID: String

    @Option(help: ArgumentHelp("A JSON object to encrypt ('-' for stdin).", valueName: "path"))
    var json: String?

    @Option(help: "Encrypt a phone payload for this number instead of --json.")
    var phone: String?

    @Option(help: "The country calling code for --phone.")
    var countryCode: String = "86"

    @Option(help: "The watermark timestamp (Unix seconds); now by default.")
    var timestamp: Int64?

    @Option(help: "The iv, base64; random by default.")
    var iv: String?

    @Flag(help: "Use a fresh random session key and print it in the record.")
    var randomKey = false

    @OptionGroup var key: SessionKeyOptions

    func validate() throws {
        try AppIDArgument.validate(appID)
        guard (json == nil) != (phone == nil) else { throw ValidationError("Pass exactly one of --json or --phone.") }
        if randomKey && key.sessionKeyFile != nil {
            throw ValidationError("--random-key and --session-key-file exclude each other.")
        }
    }

    func run() throws {
        try Console.run {
            let sessionKey = randomKey ? SessionKey.random() : try key.load()
            let initializationVector = try iv.map { text throws(OpenDataError) in try InitializationVector(base64: text) }
                ?? .random()
            let watermark = Watermark(appID: appID, timestamp: timestamp ?? Int64(Date().timeIntervalSince1970))
            let sealed: EncryptedOpenData
            if let phone {
                let international = countryCode == "86" ? phone : "+\(countryCode) \(phone)"
                let payload = PhoneNumber(
                    phoneNumber: international, purePhoneNumber: phone, countryCode: countryCode, watermark: watermark)
                sealed = try OpenDataEncryptor.encrypt(.phoneNumber(payload), sessionKey: sessionKey, iv: initializationVector)
            } else {
                let object = try Console.read(json!, what: "--json")
                sealed = try OpenDataEncryptor.encrypt(
                    json: object, watermark: watermark, sessionKey: sessionKey, iv: initializationVector)
            }
            let record = BatchInputRecord(
                appID: appID, sessionKey: sessionKey.base64EncodedString(), iv: sealed.iv,
                encryptedData: sealed.encryptedData)
            try Console.standardOutput(record.jsonLine() + "\n")
        }
    }
}
