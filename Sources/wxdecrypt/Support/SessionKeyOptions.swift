import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import WeChatOpenData

/// Where the session keys come from. Never a flag value: flags show in `ps` and shell history.
struct SessionKeyOptions: ParsableArguments {
    static let environmentVariable = "WX_SESSION_KEY"
    static let previousEnvironmentVariable = "WX_PREVIOUS_SESSION_KEY"

    @Option(name: .long, help: ArgumentHelp(
        "Read the base64 session key from this file ('-' for stdin) instead of $WX_SESSION_KEY.",
        valueName: "path"))
    var sessionKeyFile: String?

    /// The session key, from the file or the environment.
    func load() throws -> SessionKey { try SessionKey(base64: loadText()) }

    /// The session key's base64 text, for diagnostics that inspect it step by step.
    func loadText() throws -> String {
        guard let text = try Self.text(file: sessionKeyFile, option: "--session-key-file", variable: Self.environmentVariable)
        else {
            throw CommandFailure(
                code: "missing_session_key",
                reason: "no session key: set \(Self.environmentVariable) or pass --session-key-file PATH",
                status: ExitStatus.usage)
        }
        return text
    }

    /// A key from `file` (`-` for stdin) or else the environment variable, or `nil` when neither is set.
    static func text(file: String?, option: String, variable: String) throws -> String? {
        if let file { return try Console.readText(file, what: option) }
        return ProcessInfo.processInfo.environment[variable]
    }
}

/// The key the last login replaced, for backends that keep it a short while (see
/// `SessionKeyRing`): tried only when the current key gives `decryption_failed`.
struct PreviousSessionKeyOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Read the previous base64 session key from this file instead of $WX_PREVIOUS_SESSION_KEY; it is tried "
            + "when the current key fails.",
        valueName: "path"))
    var previousSessionKeyFile: String?

    func validate() throws {
        if previousSessionKeyFile == "-" {
            throw ValidationError("--previous-session-key-file cannot be '-'; stdin is for the current key or the data.")
        }
    }

    /// The previous key's base64 text, if one is given.
    func loadText() throws -> String? {
        try SessionKeyOptions.text(
            file: previousSessionKeyFile, option: "--previous-session-key-file",
            variable: SessionKeyOptions.previousEnvironmentVariable)
    }
}
