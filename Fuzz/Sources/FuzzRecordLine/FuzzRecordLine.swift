import Foundation
import CFuzzDriver
import WeChatOpenData

// Input: one decrypt-file input line, through the batch record parser and decryptor.
// Every line must give exactly one result line.
let jsonl = try! BatchDecryptor(defaultAppID: "wx4f4bc4dec97d474b", maskPhoneNumbers: true)
let csv = try! BatchDecryptor(defaultAppID: "wx4f4bc4dec97d474b", format: .csv)

func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let line = UnsafeRawBufferPointer(start: data, count: count)
    for decryptor in [jsonl, csv] {
        var output: [UInt8] = []
        _ = decryptor.process(line: line, lineNumber: 1, appendingTo: &output)
        precondition(output.last == 0x0A, "a result line must end with a newline")
        let lines = output.split(separator: 0x0A, omittingEmptySubsequences: false).count - 1
        precondition(decryptor.format == .csv || lines == 1, "one input line must give exactly one output line")
        precondition(decryptor.format == .csv || !output.dropLast().contains(0x0D), "no CR may split a result line")
    }
    return 0
}

// Top-level code is the executable's entry point; it hands control to libFuzzer.
var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
var argumentCount = CommandLine.argc
exit(LLVMFuzzerRunDriver(&argumentCount, &arguments) { data, count in
    fuzz(data ?? UnsafePointer(bitPattern: 1)!, count)
})
