import ArgumentParser
import WeChatOpenData

/// `--app-id`, checked in `validate()` by the library's own rule, so that a value that
/// cannot be an appid is a usage error (64) in every subcommand, before any input is read.
enum AppIDArgument {
    static func validate(_ appID: String?) throws {
        guard let appID else { return }
        do {
            _ = try OpenDataDecryptor(appID: appID)
        } catch {
            // The reason names the rule, never the value: a secret pasted into the wrong
            // flag must not be printed back.
            throw ValidationError("--app-id: \(error.reason).")
        }
    }
}
