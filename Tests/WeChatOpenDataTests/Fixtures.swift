import Foundation
import WeChatOpenData

/// Loads files from the package's top-level `Fixtures/` by path.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // WeChatOpenDataTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("Fixtures")

    static func data(_ name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(name))
    }

    static let vectors: [Vector] = {
        struct File: Decodable { let vectors: [Vector] }
        // A fixture that does not load is a failed test run, not something to skip.
        return try! JSONDecoder().decode(File.self, from: data("vectors.json")).vectors
    }()

    static var positiveVectors: [Vector] { vectors.filter { $0.expectedPlaintext != nil } }
    static var negativeVectors: [Vector] { vectors.filter { $0.expectedError != nil } }
}

/// One entry of `Fixtures/vectors.json` (format in `Fixtures/README.md`).
struct Vector: Decodable, Sendable, CustomTestStringConvertibleName {
    let name: String
    let kind: String
    let appid: String
    let sessionKey: String
    let iv: String
    let encryptedData: String
    let expectedPlaintext: String?
    let expectedError: String?
    let expectedField: String?
    let expectedRepairs: [String]?
    let now: Int64?
    let maxAge: Int64?
    let maxEncryptedDataSize: Int?
    let rawData: String?
    let signature: String?
    let expectedSignatureError: String?
    let loginStateSignature: String?

    enum CodingKeys: String, CodingKey {
        case name, kind, appid, iv, now, signature
        case sessionKey = "session_key", encryptedData = "encrypted_data"
        case expectedPlaintext = "expected_plaintext", expectedError = "expected_error"
        case expectedField = "expected_field", expectedRepairs = "expected_repairs"
        case maxAge = "max_age", maxEncryptedDataSize = "max_encrypted_data_size"
        case rawData = "raw_data", expectedSignatureError = "expected_signature_error"
        case loginStateSignature = "login_state_signature"
    }

    var testName: String { name }

    var decryptor: OpenDataDecryptor {
        get throws {
            let freshness = maxAge.map { maxAge in
                let clock = Date(timeIntervalSince1970: TimeInterval(now ?? 0))
                return FreshnessPolicy(maximumAge: .seconds(maxAge), now: { clock })
            }
            return try OpenDataDecryptor(
                appID: appid,
                freshness: freshness,
                maximumEncryptedDataSize: maxEncryptedDataSize ?? OpenDataDecryptor.defaultMaximumEncryptedDataSize
            )
        }
    }

    var payloadKind: OpenDataPayload.Kind? { kind == "auto" ? nil : OpenDataPayload.Kind(rawValue: kind) }

    /// Runs the whole public path: session key, then decryption into the vector's kind.
    func decrypt() throws(OpenDataError) -> OpenDataPayload {
        let key = try SessionKey(base64: sessionKey)
        let decryptor: OpenDataDecryptor
        do { decryptor = try self.decryptor } catch { throw error as! OpenDataError }
        return try decryptor.decryptPayload(as: payloadKind, encryptedData: encryptedData, iv: iv, sessionKey: key)
    }
}

protocol CustomTestStringConvertibleName { var testName: String { get } }

extension Data {
    init(hex: String) {
        var bytes = [UInt8]()
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        self.init(bytes)
    }
}
