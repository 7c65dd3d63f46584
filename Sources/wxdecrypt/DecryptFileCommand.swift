import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
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
            failed result (invalid_record); blank lines are skipped but counted, so that ids and messages give \
            the line numbers of the file. Exit 1 when any record failed. When the input or the output fails \
            part-way (exit 66 or 74), the summary says how many results were written instead of counting \
            records as ok. Threads the system refuses (ulimit -u) only make the run slower: it goes on with those \
            that started, or on one thread, and says so on stderr.
            """)

    @Argument(help: ArgumentHelp("The JSON Lines input ('-' for stdin).", valueName: "input"))
    var input: String

    @Option(name: .customLong("app-id"), help: "The appid for records without one.")
    var appID: String?

    @Option(help: ArgumentHelp("Where to write results ('-' for stdout, the default).", valueName: "path"))
    var output: String?

    @Option(help: "The output format.")
    var format: BatchOutputFormat = .jsonl

    @Option(help: "Worker threads (1 to \(Self.maximumJobs)); the number of cores by default.")
    var jobs: Int = Self.defaultJobs

    @Option(help: ArgumentHelp(
        "The number of the input's first line, for an input that is a slice of a larger file (a Spark partition): "
            + "ids and messages then give the line numbers of the whole file.",
        valueName: "n"))
    var firstLineNumber = 1

    @OptionGroup var verification: VerificationOptions

    @Flag(help: ArgumentHelp(
        "Take each record's freshness policy from its own max_age and now (as conformance cases and test vectors "
            + "carry them); for such replays only, never for archives. Excludes --max-age."))
    var freshnessFromRecords = false

    @Flag(help: "No progress bar, even on a terminal.")
    var noProgress = false

    func validate() throws {
        try AppIDArgument.validate(appID)
        guard (1...Self.maximumJobs).contains(jobs) else {
            throw ValidationError("--jobs must be between 1 and \(Self.maximumJobs).")
        }
        guard (1...Self.largestFirstLineNumber).contains(firstLineNumber) else {
            throw ValidationError("--first-line-number must be between 1 and \(Self.largestFirstLineNumber).")
        }
        if freshnessFromRecords && verification.maxAge != nil {
            throw ValidationError("--freshness-from-records excludes --max-age.")
        }
    }

    static let maximumJobs = 256

    /// Counted once: the parser builds the command several times, and each count reads the
    /// cgroup's CPU quota and cpuset from /sys.
    static let defaultJobs = min(ProcessInfo.processInfo.activeProcessorCount, maximumJobs)

    /// Far beyond any file, and far enough from `Int.max` that counting lines on cannot overflow.
    static let largestFirstLineNumber = 1_000_000_000_000_000

    func run() throws {
        try Console.run {
            MallocLimits.apply()
            let batch = try BatchDecryptor(
                defaultAppID: appID, freshness: verification.freshness, freshnessFromRecords: freshnessFromRecords,
                maskPhoneNumbers: verification.mask)
            let writer = BatchResultWriter(format: format)
            let input = try InputReader.open(self.input, firstLineNumber: firstLineNumber)
            defer { if input.descriptor != STDIN_FILENO { close(input.descriptor) } }
            let sink = try OutputFile(path: output, format: format)
            var summary = BatchSummary(showProgress: !noProgress && isatty(STDERR_FILENO) == 1)
            do {
                try sink.write(writer.header)
                let pipeline = BatchPipeline(jobs: jobs, firstLineNumber: firstLineNumber)
                try pipeline.run(input: input, batch: batch, writer: writer) { chunk in
                    summary.add(chunk.tally)
                    try sink.write(chunk.output, results: chunk.tally.records)
                    summary.progress()
                }
                try sink.finish()
            } catch {
                sink.discard()
                let headerLines = writer.header.filter { $0 == 0x0A }.count
                summary.finish(failedAfterWriting: max(sink.resultsWritten - headerLines, 0))
                throw error
            }
            summary.finish()
            if summary.failed > 0 { throw ExitCode(ExitStatus.failed) }
        }
    }
}
