import CBaseline

/// The C baseline with its inputs laid out as bytes before any timing, so that the loop measures
/// decryption and not the bridging of Swift strings to C: each record's three base64 fields for
/// the one-record form, and each whole record line for the line-to-result form.
///
/// Only the output buffers change after `init`, and one benchmark at a time uses them (the runner
/// is sequential).
final class CBaselineBench: @unchecked Sendable {
    let count: Int
    private let lines: RecordLines
    private let decrypter: OpaquePointer
    private let bytes: UnsafeMutableBufferPointer<UInt8>
    private let records: UnsafeMutableBufferPointer<cbaseline_record>
    private let appID: UnsafeBufferPointer<UInt8>
    private let phone = UnsafeMutableBufferPointer<CChar>.allocate(capacity: Int(CBASELINE_MAX_PHONE_NUMBER))
    private let results = UnsafeMutableBufferPointer<CChar>.allocate(capacity: RecordLines.resultBufferSize)

    init(_ source: Records, lines: RecordLines) {
        guard let decrypter = cbaseline_decrypter_new() else { fatalError("libcrypto has no AES-128-CBC") }
        self.decrypter = decrypter
        self.lines = lines
        count = source.records.count
        let fields: [UnsafeBufferPointer<UInt8>]
        (bytes, fields) = layOut([Records.appID] + source.records.flatMap { [$0.sessionKey, $0.iv, $0.encryptedData] })
        appID = fields[0]
        records = .allocate(capacity: count)
        for index in 0..<count {
            let key = fields[1 + 3 * index], iv = fields[2 + 3 * index], data = fields[3 + 3 * index]
            records[index] = cbaseline_record(
                session_key: key.baseAddress, session_key_length: key.count,
                iv: iv.baseAddress, iv_length: iv.count,
                encrypted_data: data.baseAddress, encrypted_data_length: data.count)
        }
    }

    deinit {
        cbaseline_decrypter_free(decrypter)
        bytes.deallocate()
        records.deallocate()
        phone.deallocate()
        results.deallocate()
    }

    /// Decrypts record `index`: the phone number's length, or a negative `CBASELINE_` code.
    func decryptPhone(_ index: Int) -> Int {
        cbaseline_decrypt_phone(
            decrypter, records.baseAddress! + index, appID.baseAddress, appID.count, phone.baseAddress, phone.count)
    }

    /// Turns line `index` into its result line, written at `offset` in the result buffer, or at its
    /// start when the longest result line might not fit there.
    ///
    /// - Returns: The offset just after the result line.
    func decryptLine(_ index: Int, at offset: Int) -> Int {
        let start = offset > results.count - Int(CBASELINE_RESULT_LINE_CAPACITY) ? 0 : offset
        let line = lines[index]
        return start + cbaseline_decrypt_line(
            decrypter, line.baseAddress, line.count, UInt(RecordLines.lineNumber(index)), results.baseAddress! + start)
    }

    /// Checks that every record decrypts to its own phone number, in both forms, so that the
    /// timed loops measure the whole success path and not an early failure.
    func verify(expected: (Int) -> String) throws {
        for index in 0..<count {
            let length = decryptPhone(index)
            guard length >= 0 else { throw Mismatch(description: "C baseline: record \(index) failed with code \(length)") }
            guard text(phone[..<length]) == expected(index) else {
                throw Mismatch(description: "C baseline: record \(index) decrypted to another phone number")
            }
            let end = decryptLine(index, at: 0)
            let line = #"{"id":\#(RecordLines.lineNumber(index)),"ok":true,"phoneNumber":"\#(expected(index))"}"# + "\n"
            guard text(results[..<end]) == line else {
                throw Mismatch(description: "C baseline: line \(index + 1) gave another result line")
            }
        }
    }

    private func text(_ bytes: Slice<UnsafeMutableBufferPointer<CChar>>) -> String {
        String(decoding: bytes.lazy.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
