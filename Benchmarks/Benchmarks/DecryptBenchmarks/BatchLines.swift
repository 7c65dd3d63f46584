import WeChatOpenData

/// The library's batch path on the C baseline's lines: one worker turns each line into its
/// result, written as the JSON Lines result line `decrypt-file` writes for it.
struct BatchLines: Sendable {
    /// Room kept free at the end of the result buffer, far more than one result line takes.
    private static let longestResultLine = 4096

    let batch: BatchDecryptor
    let lines: RecordLines

    /// As `decrypt-file` makes it when given no `--app-id`: every record names its own.
    init(_ lines: RecordLines) throws {
        batch = try BatchDecryptor(defaultAppID: nil)
        self.lines = lines
    }

    /// Turns line `index` into its result line, appended to `output`, which starts over when it
    /// is nearly full: the memory of a writer that flushes, without the writes.
    func decryptLine(_ index: Int, with worker: inout BatchDecryptor.Worker, into output: inout [UInt8]) {
        if output.count > RecordLines.resultBufferSize - Self.longestResultLine { output.removeAll(keepingCapacity: true) }
        worker.decrypt(line: lines[index], lineNumber: RecordLines.lineNumber(index)) { result in
            Self.appendJSONLine(result, to: &output)
        }
    }

    /// `{"id":…,"ok":true,"data":{…}}` or `{"id":…,"ok":false,"error":{…}}` and a newline, written
    /// the way wxdecrypt's `BatchResultWriter` writes them (the CLI's own file, so not importable
    /// here; keep the two alike): the payload written from the plaintext, literals as moves.
    private static func appendJSONLine(_ result: borrowing BatchDecryptor.RecordResult, to output: inout [UInt8]) {
        output.append(#"{"id":"#)
        result.appendID(to: &output)
        if let key = result.key {
            output.append(key == .previous ? #","ok":true,"session_key":"previous","data":"# : #","ok":true,"data":"#)
            result.appendPayloadJSON(to: &output)
        } else if let error = result.error {
            output.append(#","ok":false,"error":"#)
            error.appendJSON(to: &output)
        }
        output.append("}\n")
    }

    /// A worker that has decrypted one line already, as `decrypt-file`'s workers have after their
    /// first record: it has made its cipher context and checked the records' appid.
    func makeWarmWorker() -> BatchDecryptor.Worker {
        var worker = batch.makeWorker()
        var output: [UInt8] = []
        decryptLine(0, with: &worker, into: &output)
        return worker
    }

    /// Checks that every line gives its own phone number's result line, so that the timed loop
    /// measures the whole success path and not an early failure.
    func verify(expected: (Int) -> String) throws {
        var worker = batch.makeWorker()
        for index in 0..<lines.count {
            var output: [UInt8] = []
            var phone: String?
            worker.decrypt(line: lines[index], lineNumber: RecordLines.lineNumber(index)) { result in
                if case .decrypted(.phoneNumber(let payload), .current) = result.outcome { phone = payload.phoneNumber }
            }
            decryptLine(index, with: &worker, into: &output)
            guard phone == expected(index) else {
                throw Mismatch(description: "batch: line \(index + 1) did not decrypt to its phone number")
            }
            let payload = OpenDataPayload.phoneNumber(PhoneNumber(
                phoneNumber: expected(index), purePhoneNumber: expected(index), countryCode: "86", watermark: Records.watermark))
            guard String(decoding: output, as: UTF8.self)
                == #"{"id":\#(RecordLines.lineNumber(index)),"ok":true,"data":\#(payload.jsonString())}"# + "\n"
            else {
                throw Mismatch(description: "batch: line \(index + 1) gave another result line")
            }
        }
    }
}

extension [UInt8] {
    /// Appends a literal's UTF-8 bytes: a few moves once inlined, as wxdecrypt does.
    @inline(__always)
    fileprivate mutating func append(_ literal: StaticString) {
        let count = literal.utf8CodeUnitCount
        append(addingCapacity: count) { span in
            span.withUnsafeMutableBufferPointer { room, written in
                room.baseAddress?.initialize(from: literal.utf8Start, count: count)
                written = count
            }
        }
    }
}
