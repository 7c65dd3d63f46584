import CBaseline

/// The C baseline with its inputs laid out as bytes before any timing, so that the loop measures
/// decryption and not the bridging of Swift strings to C.
///
/// Only the output buffer changes after `init`, and one benchmark at a time uses it (the runner
/// is sequential).
final class CBaselineBench: @unchecked Sendable {
    struct Mismatch: Error, CustomStringConvertible {
        let description: String
    }

    let count: Int
    private let decrypter: OpaquePointer
    private let bytes: UnsafeMutableBufferPointer<UInt8>
    private let records: UnsafeMutableBufferPointer<cbaseline_record>
    private let appID: UnsafeBufferPointer<UInt8>
    private let phone = UnsafeMutableBufferPointer<CChar>.allocate(capacity: 32)

    init(_ source: Records) {
        guard let decrypter = cbaseline_decrypter_new() else { fatalError("libcrypto has no AES-128-CBC") }
        self.decrypter = decrypter
        count = source.records.count
        let texts = [Records.appID] + source.records.flatMap { [$0.sessionKey, $0.iv, $0.encryptedData] }
        bytes = .allocate(capacity: texts.reduce(0) { $0 + $1.utf8.count })
        var fields: [UnsafeBufferPointer<UInt8>] = []
        var end = 0
        for text in texts {
            let start = end
            end = bytes[start...].initialize(from: text.utf8).1
            fields.append(UnsafeBufferPointer(rebasing: bytes[start..<end]))
        }
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
    }

    /// Decrypts record `index`: the phone number's length, or a negative `CBASELINE_` code.
    func decryptPhone(_ index: Int) -> Int {
        cbaseline_decrypt_phone(
            decrypter, records.baseAddress! + index, appID.baseAddress, appID.count, phone.baseAddress, phone.count)
    }

    /// Checks that every record decrypts to its own phone number, so that the timed loop
    /// measures the whole success path and not an early failure.
    func verify(expected: (Int) -> String) throws {
        for index in 0..<count {
            let length = decryptPhone(index)
            guard length >= 0 else { throw Mismatch(description: "C baseline: record \(index) failed with code \(length)") }
            let found = UnsafeBufferPointer(rebasing: phone[..<length]).lazy.map { UInt8(bitPattern: $0) }
            guard found.elementsEqual(expected(index).utf8) else {
                throw Mismatch(description: "C baseline: record \(index) decrypted to another phone number")
            }
        }
    }
}
