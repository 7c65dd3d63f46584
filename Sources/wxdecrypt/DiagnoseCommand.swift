import ArgumentParser
import Foundation
import WeChatOpenData

struct DiagnoseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagnose",
        abstract: "Walk through every step of one payload and say in plain words what is wrong.")

    @OptionGroup var input: PayloadInputOptions
    @OptionGroup var key: SessionKeyOptions

    @Option(help: "Also check that the payload is at most this many seconds old.")
    var maxAge: Int64?

    @Option(help: "Fix the clock (Unix seconds).")
    var now: Int64?

    func run() throws {
        try Console.run {
            let keyText = try key.loadText()
            let diagnosis = OpenDataDiagnosis.diagnose(
                appID: input.appID, sessionKey: keyText, iv: input.iv, encryptedData: try input.load(), maximumAge: maxAge,
                now: now.map { Date(timeIntervalSince1970: TimeInterval($0)) } ?? Date())
            for step in diagnosis.steps {
                try Console.standardOutput("\(step.passed ? "ok  " : "FAIL") \(step.title): \(step.detail)\n")
            }
            if let failure = diagnosis.failure {
                throw CommandFailure(
                    code: failure.code?.name ?? "diagnosis_failed", reason: "\(failure.title) failed (see above)",
                    status: ExitStatus.failed)
            }
            try Console.standardOutput("The payload decrypts and verifies.\n")
        }
    }
}
