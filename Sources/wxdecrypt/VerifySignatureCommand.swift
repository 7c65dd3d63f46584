import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import WeChatOpenData

struct VerifySignatureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-signature",
        abstract: "Check a wx.getUserInfo signature: sha1(rawData + session_key). Exit 0 valid, 1 invalid.")

    @Option(help: "The signature, 40 hex digits.")
    var signature: String

    @Option(help: "The rawData text exactly as received.")
    var rawData: String?

    @Option(help: ArgumentHelp("Read rawData from a file ('-' for stdin), byte for byte.", valueName: "path"))
    var rawDataFile: String?

    @OptionGroup var key: SessionKeyOptions

    func validate() throws {
        guard (rawData == nil) != (rawDataFile == nil) else {
            throw ValidationError("Pass exactly one of --raw-data or --raw-data-file.")
        }
    }

    func run() throws {
        try Console.run {
            // The file's exact bytes: invalid UTF-8 must not be replaced before hashing.
            let bytes = try rawData.map { Data($0.utf8) } ?? Console.read(rawDataFile!, what: "--raw-data-file")
            try UserInfoSignature.verify(signature: signature, rawData: bytes, sessionKey: try key.load())
            try Console.standardOutput("valid\n")
        }
    }
}
