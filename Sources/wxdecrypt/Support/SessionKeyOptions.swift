import ArgumentParser
import Foundation
import WeChatOpenData

/// Where the session key comes from. Never a flag value: flags show in `ps` and shell history.
struct SessionKeyOptions: ParsableArguments {
    static let environmentVariable = "WX_SESSION_KEY"

    @Option(name: .long, help: ArgumentHelp(
        "Read the base64 session key from this file ('-' for stdin) instead of $WX_SESSION_KEY.",
        valueName: "path"))
    var sessionKeyFile: String?

    /// The session key, from the file or the environment.
    func load() throws -> SessionKey { try SessionKey(base64: loadText()) }

    /// The session key's base64 text, for diagnostics that inspect it step by step.
    func loadText() throws -> String {
        let text: String
        if let sessionKeyFile {
            text = try Console.readText(sessionKeyFile, what: "--session-key-file")
        } else if let value = ProcessInfo.processInfo.environment[Self.environmentVariable] {
            text = value
        } else {
            throw CommandFailure(
                code: "missing_session_key",
                reason: "no session key: set \(Self.environmentVariable) or pass --session-key-file PATH",
                status: ExitStatus.usage)
        }
        return text
    }
}
