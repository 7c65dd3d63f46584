import Foundation
import CFuzzDriver
import WeChatOpenData

// Input: one decrypt-file input line, through the batch record parser and decryptor.
// Every line must give exactly one result, and its id and payload or error JSON no line break.
nonisolated(unsafe) var masking = try! BatchDecryptor(defaultAppID: "wx4f4bc4dec97d474b", maskPhoneNumbers: true).makeWorker()
nonisolated(unsafe) var plain = try! BatchDecryptor(defaultAppID: nil).makeWorker()

func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let line = UnsafeRawBufferPointer(start: data, count: count)
    for index in 0..<2 {
        var results = 0
        var output: [UInt8] = []
        // The id as text (for CSV) may hold line breaks: CSV quotes it.
        var text: [UInt8] = []
        let body = { (result: borrowing BatchDecryptor.RecordResult) in
            results += 1
            result.appendID(to: &output)
            result.appendIDText(to: &text)
            switch result.outcome {
            case .decrypted(let payload, _): payload.appendJSON(to: &output)
            case .failed(let error): error.appendJSON(to: &output)
            }
        }
        if index == 0 { masking.decrypt(line: line, lineNumber: 1, body) } else { plain.decrypt(line: line, lineNumber: 1, body) }
        precondition(results == 1, "one input line must give exactly one result")
        precondition(!output.contains(0x0A) && !output.contains(0x0D), "no line break may split a result line")
    }
    return 0
}

// Top-level code is the executable's entry point; it hands control to libFuzzer.
var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
var argumentCount = CommandLine.argc
exit(LLVMFuzzerRunDriver(&argumentCount, &arguments) { data, count in
    fuzz(data ?? UnsafePointer(bitPattern: 1)!, count)
})
