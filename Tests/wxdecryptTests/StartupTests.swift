import Foundation
import Testing

/// wxdecrypt starts without Foundation: on Linux, loading libFoundation.so with
/// FoundationInternationalization and ICU took longer than a small decrypt-file run.
@Suite("wxdecrypt start-up")
struct StartupTests {
    #if os(Linux)
    @Test("the binary links FoundationEssentials at most: no libFoundation, FoundationInternationalization or ICU")
    func noFoundation() throws {
        let ldd = Process()
        ldd.executableURL = URL(fileURLWithPath: "/usr/bin/ldd")
        ldd.arguments = [WXDecryptRunner.binary.path]
        let output = Pipe()
        ldd.standardOutput = output
        try ldd.run()
        let libraries = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        ldd.waitUntilExit()
        #expect(ldd.terminationStatus == 0)
        let names = libraries.split(separator: "\n").compactMap { line in
            line.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init)
        }
        // Every Swift binary links libswiftCore: ldd did list the libraries.
        #expect(names.contains("libswiftCore.so"), "\(libraries)")
        for forbidden in ["libFoundation.so", "libFoundationInternationalization.so", "lib_FoundationICU.so"] {
            #expect(!names.contains(forbidden), "\(libraries)")
        }
    }
    #endif

    @Test("the summary gives the time in seconds with three decimals and the rate in whole records per second")
    func summaryTiming() throws {
        let outcome = try WXDecryptRunner.run(
            ["decrypt-file", "Fixtures/sample-records.jsonl", "--app-id", "wx4f4bc4dec97d474b", "--no-progress"])
        let summary = outcome.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(
            summary.wholeMatch(of: /wxdecrypt: 9 records, 6 ok, 3 failed \(.+\), [0-9]+\.[0-9]{3} s, [0-9]+ records\/s/) != nil,
            "\(summary)")
    }
}
