import WeChatOpenData

/// The phone records of ``Records`` as the JSON lines `decrypt-file` reads
/// (`{"id":1,"appid":…,"session_key":…,"iv":…,"encrypted_data":…}`, written by the library's
/// `BatchInputRecord.jsonLine()` as `wxdecrypt generate` writes them), laid out once in one
/// buffer so that the C baseline and the library read the same bytes.
///
/// Nothing changes after `init`.
final class RecordLines: @unchecked Sendable {
    /// How many result bytes each side keeps before starting its buffer over, as a writer
    /// flushes a full buffer; the file writes themselves are left out on both sides.
    static let resultBufferSize = 1 << 16

    let count: Int
    private let bytes: UnsafeMutableBufferPointer<UInt8>
    private let lines: [UnsafeBufferPointer<UInt8>]

    init(_ source: Records) {
        count = source.records.count
        (bytes, lines) = layOut(source.records.enumerated().map { index, record in
            BatchInputRecord(
                id: .number(Int64(Self.lineNumber(index))), appID: Records.appID, sessionKey: record.sessionKey,
                iv: record.iv, encryptedData: record.encryptedData
            ).jsonLine()
        })
    }

    deinit { bytes.deallocate() }

    /// Line `index`, without its newline.
    subscript(index: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(lines[index]) }

    /// The 1-based line number, and the record's id, of line `index`.
    static func lineNumber(_ index: Int) -> Int { index + 1 }
}

/// Copies `texts` one after the other into one new buffer: the buffer, to deallocate, and each
/// text's bytes in it.
func layOut(_ texts: [String]) -> (UnsafeMutableBufferPointer<UInt8>, [UnsafeBufferPointer<UInt8>]) {
    let bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: texts.reduce(0) { $0 + $1.utf8.count })
    var spans: [UnsafeBufferPointer<UInt8>] = []
    var end = 0
    for text in texts {
        let start = end
        end = bytes[start...].initialize(from: text.utf8).1
        spans.append(UnsafeBufferPointer(rebasing: bytes[start..<end]))
    }
    return (bytes, spans)
}

/// A benchmark's input that does not give the result it must, found before any timing.
struct Mismatch: Error, CustomStringConvertible {
    let description: String
}
