import ArgumentParser

@main
struct WXDecrypt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wxdecrypt",
        abstract: "Decrypt and verify WeChat Mini Program legacy open data.",
        discussion: """
            The session key is never a flag: set WX_SESSION_KEY, or pass --session-key-file PATH ('-' for stdin).

            Exit codes: 0 success; 1 a record, vector or signature failed to decrypt or verify; \
            64 usage error; 66 an input cannot be opened or read (standard input closed included), or is too \
            large; 74 an output cannot be written or is refused. Errors go to stderr as 'error[<code>]: <reason>'.

            Output: a closed standard output (the reader of a pipe has gone) or a full disk is \
            error[output_failed], exit 74, in every subcommand: SIGPIPE and SIGXFSZ are ignored. --output PATH \
            writes a new file 0600 (less the umask) through a temporary file beside it, renamed into place when \
            complete (on Linux it has no name until just before, so SIGKILL leaves nothing behind); an existing file \
            keeps its mode. A symbolic link is followed, never replaced; /dev/stdout, \
            /dev/stderr and /dev/fd/N are written through the open descriptor; a FIFO or device is written in \
            place. A link, FIFO, device or file owned by another user in a world-writable sticky directory (/tmp) \
            is refused: error[unsafe_output], exit 74.

            Inputs read whole (--data-file, --session-key-file, --json, --raw-data-file, vector files) may hold \
            at most \(Console.maximumInputSize >> 20) MiB: error[input_too_large], exit 66. decrypt-file reads its input in bounded chunks.

            Signals: any signal that ends the process removes the temporary output file first; a signal ignored \
            at start (nohup) stays ignored. Core dumps are off: a core file would hold session keys and phone numbers.
            """,
        version: "0.1.0",
        subcommands: [
            DecryptCommand.self, DecryptFileCommand.self, EncryptCommand.self, GenerateCommand.self, VerifyVectorsCommand.self,
            VerifySignatureCommand.self, SessionSignatureCommand.self, DiagnoseCommand.self,
            ConformanceCommand.self,
        ]
    )

    static func main() {
        ProcessHardening.apply()
        main(nil)
    }
}
