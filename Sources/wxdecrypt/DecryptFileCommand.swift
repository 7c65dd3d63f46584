import ArgumentParser
import Dispatch
import Foundation
import WeChatOpenData

struct DecryptFileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decrypt-file",
        abstract: "Decrypt a JSON Lines file of records: one result line per record, in input order.",
        discussion: """
            Input lines: {"id": any (optional), "appid": "wx…" (optional), "session_key": "…", "iv": "…", \
            "encrypted_data": "…", "previous_session_key": "…" (optional)} (camelCase sessionKey, encryptedData, \
            appId, previousSessionKey accepted). The previous key is tried only when session_key fails; a result \
            it decrypted says "session_key":"previous", and the summary counts them. A bad line becomes a \
            failed result (invalid_record); blank lines are skipped. Exit 1 when any record failed. When the \
            input or the output fails part-way (exit 66 or 74), the summary says how many results were written \
            instead of counting records as ok.
            """)

    @Argument(help: ArgumentHelp("The JSON Lines input ('-' for stdin).", valueName: "input"))
    var input: String

    @Option(name: .customLong("app-id"), help: "The appid for records without one.")
    var appID: String?

    @Option(help: ArgumentHelp("Where to write results ('-' for stdout, the default).", valueName: "path"))
    var output: String?

    @Option(help: "The output format.")
    var format: BatchDecryptor.Format = .jsonl

    @Option(help: "Worker threads; the number of cores by default.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @OptionGroup var verification: VerificationOptions

    @Flag(help: ArgumentHelp(
        "Take each record's freshness policy from its own max_age and now (as conformance cases and test vectors "
            + "carry them); for such replays only, never for archives. Excludes --max-age."))
    var freshnessFromRecords = false

    @Flag(help: "No progress bar, even on a terminal.")
    var noProgress = false

    func validate() throws {
        try AppIDArgument.validate(appID)
        guard (1...256).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 256.") }
        if freshnessFromRecords && verification.maxAge != nil {
            throw ValidationError("--freshness-from-records excludes --max-age.")
        }
    }

    func run() throws {
        try Console.run {
            let decryptor = try BatchDecryptor(
                defaultAppID: appID, freshness: verification.freshness, freshnessFromRecords: freshnessFromRecords,
                maskPhoneNumbers: verification.mask, format: format)
            var blocks = try InputBlocks(path: input)
            defer { blocks.close() }
            let sink = try OutputFile(path: output)
            var summary = BatchSummary(showProgress: !noProgress && isatty(STDERR_FILENO) == 1)
            let workers = BlockWorkers(count: jobs)
            do {
                try sink.write(decryptor.header)
                var lineNumber = 1
                while let block = try blocks.next() {
                    switch block {
                    case .lines(let lines):
                        workers.process(lines, firstLineNumber: lineNumber, with: decryptor)
                        lineNumber += workers.lineCount
                        for worker in workers.workers {
                            summary.add(
                                records: worker.records, failures: worker.failures,
                                previousKeyMatches: worker.previousKeyMatches)
                            try sink.write(worker.output)
                        }
                    case .overlong(let length):
                        var line: [UInt8] = []
                        let code = decryptor.overlongLine(lineNumber: lineNumber, length: length, appendingTo: &line)
                        lineNumber += 1
                        summary.add(records: 1, failures: [code.name: 1])
                        try sink.write(line)
                    }
                    summary.progress()
                }
                try sink.finish()
            } catch {
                sink.discard()
                let headerLines = decryptor.header.filter { $0 == 0x0A }.count
                summary.finish(failedAfterWriting: max(sink.linesWritten - headerLines, 0))
                throw error
            }
            summary.finish()
            if summary.failed > 0 { throw ExitCode(ExitStatus.failed) }
        }
    }
}
