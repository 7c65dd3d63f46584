import ArgumentParser

@main
struct WXDecrypt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wxdecrypt",
        abstract: "Decrypt and verify WeChat Mini Program legacy open data.",
        discussion: """
            The session key is never a flag: set WX_SESSION_KEY, or pass --session-key-file PATH ('-' for stdin).

            Exit codes: 0 success; 1 a record, vector or signature failed to decrypt or verify; \
            64 usage error; 66 an input file cannot be opened; 74 an output cannot be written.
            Errors go to stderr as 'error[<code>]: <reason>'.
            """,
        version: "0.1.0",
        subcommands: [
            DecryptCommand.self, DecryptFileCommand.self, EncryptCommand.self, GenerateCommand.self, VerifyVectorsCommand.self,
            VerifySignatureCommand.self, SessionSignatureCommand.self, DiagnoseCommand.self,
        ]
    )

    static func main() {
        ProcessHardening.apply()
        main(nil)
    }
}
