import ArgumentParser
import WeChatOpenData

struct DiagnoseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagnose",
        abstract: "Walk through every step of one payload and say in plain words what is wrong.",
        discussion: """
            Runs exactly the verification `decrypt` runs with the same flags, and exits 0 only when `decrypt` would. \
            It says more than decrypt's one uniform error (whether the padding was valid, which JSON rule failed): \
            show it to engineers, never to clients.
            """)

    @OptionGroup var input: PayloadInputOptions
    @OptionGroup var key: SessionKeyOptions
    @OptionGroup var previousKey: PreviousSessionKeyOptions

    @Option(name: .customLong("as"), help: "The kind to read the payload as; auto recognises it from its keys.")
    var kind: PayloadKindArgument = .auto

    @OptionGroup var verification: VerificationOptions

    func run() throws {
        try Console.run {
            let decryptor = try OpenDataDecryptor(appID: input.appID, freshness: verification.freshness)
            let diagnosis = OpenDataDiagnosis.diagnose(
                decryptor: decryptor, as: kind.kind, sessionKey: try key.loadText(),
                previousSessionKey: try previousKey.loadText(), iv: input.iv, encryptedData: try input.load())
            for step in diagnosis.steps {
                try Console.standardOutput("\(step.passed ? "ok  " : "FAIL") \(step.title): \(step.detail)\n")
            }
            if let failure = diagnosis.failure {
                throw CommandFailure(
                    code: failure.code?.name ?? "diagnosis_failed", reason: "\(failure.title) failed (see above)",
                    status: ExitStatus.failed)
            }
            try Console.standardOutput(
                diagnosis.matchedKey == .previous
                    ? "The payload decrypts and verifies with the previous session key (see above).\n"
                    : "The payload decrypts and verifies.\n")
        }
    }
}
