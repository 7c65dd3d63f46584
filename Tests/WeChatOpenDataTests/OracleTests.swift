import Foundation
import Testing
@testable import WeChatOpenData

/// Checks against implementations not written here: the `openssl enc` command and
/// Project Wycheproof's AES-CBC-PKCS5 vectors.
@Suite("Independent oracles")
struct OracleTests {
    static func hex(_ base64: String) throws -> String {
        var bytes: [UInt8] = []
        try Base64Decoding.withDecoded(base64, field: .iv) { buffer, _ in bytes = Array(buffer) }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }

    @Test("every positive vector decrypts identically with `openssl enc -d -aes-128-cbc`",
          arguments: Fixtures.positiveVectors.map(\.name))
    func openSSLCommand(name: String) throws {
        let vector = try #require(Fixtures.vectors.first { $0.name == name })
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "enc", "-d", "-aes-128-cbc", "-K", try Self.hex(vector.sessionKey),
                             "-iv", try Self.hex(vector.iv), "-nosalt"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var ciphertext: [UInt8] = []
        try Base64Decoding.withDecoded(vector.encryptedData, field: .encryptedData) { buffer, _ in ciphertext = Array(buffer) }
        input.fileHandleForWriting.write(Data(ciphertext))
        try input.fileHandleForWriting.close()
        let plaintext = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "openssl is installed by .ci/run")
        #expect(String(decoding: plaintext, as: UTF8.self) == vector.expectedPlaintext)
    }

    struct WycheproofTest: Decodable, Sendable {
        let tcId: Int
        let comment: String
        let key: String
        let iv: String
        let msg: String
        let ct: String
        let result: String
    }

    static let wycheproof: [WycheproofTest] = {
        struct Group: Decodable { let keySize: Int; let ivSize: Int; let tests: [WycheproofTest] }
        struct File: Decodable { let testGroups: [Group] }
        let file = try! JSONDecoder().decode(File.self, from: Fixtures.data("wycheproof_aes_cbc_pkcs5_test.json"))
        return file.testGroups.filter { $0.keySize == 128 && $0.ivSize == 128 }.flatMap(\.tests)
    }()

    @Test("Wycheproof 128-bit vectors: every valid one decrypts, every invalid one is rejected")
    func wycheproofVectors() throws {
        #expect(Self.wycheproof.count == 61)
        for test in Self.wycheproof {
            var buffer = [UInt8](Data(hex: test.ct))
            let key = [UInt8](Data(hex: test.key)), iv = [UInt8](Data(hex: test.iv))
            let opened: [UInt8]? = buffer.withUnsafeMutableBytes { bytes in
                let ok = key.withUnsafeBytes { key in
                    iv.withUnsafeBytes { iv in AESCBC.transform(bytes, key: key, iv: iv, encrypt: false) }
                }
                guard ok, let count = unpaddedCount(UnsafeRawBufferPointer(bytes)) else { return nil }
                return Array(bytes[0..<count])
            }
            if test.result == "valid" {
                #expect(opened == [UInt8](Data(hex: test.msg)), "tcId \(test.tcId) \(test.comment)")
                // And the public encryption is the exact inverse.
                let sealed = OpenDataEncryptor.encrypt(
                    plaintext: [UInt8](Data(hex: test.msg)), sessionKey: try SessionKey(bytes: key),
                    iv: try InitializationVector(bytes: iv))
                #expect(sealed.encryptedData == Data(hex: test.ct).base64EncodedString(), "tcId \(test.tcId)")
            } else {
                #expect(opened == nil, "tcId \(test.tcId) \(test.comment) must be rejected")
            }
        }
    }

    @Test("a reused context that calls the provider directly decrypts as a reused EVP context, a fresh one and the thread's own, record after record")
    func directAndEVPContextsAgree() throws {
        let direct = try #require(AESCBC.DecryptionContext())
        let evp = try #require(AESCBC.DecryptionContext(throughEVP: true))
        #expect(direct.isDirect, "libcrypto's default provider has every function the direct path needs")
        #expect(!evp.isDirect)
        var generator = SplitMix(state: 0xAE5_C8C)
        // The Wycheproof ciphertexts (whatever their padding), then random keys, ivs and lengths:
        // each record re-keys the same two contexts.
        var records = Self.wycheproof.map { ([UInt8](Data(hex: $0.key)), [UInt8](Data(hex: $0.iv)), [UInt8](Data(hex: $0.ct))) }
        for _ in 0..<300 {
            let blocks = Int.random(in: 1...20, using: &generator)
            func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) } }
            records.append((bytes(16), bytes(16), bytes(16 * blocks)))
        }
        for (number, (key, iv, ciphertext)) in records.enumerated() where ciphertext.count % 16 == 0 && !ciphertext.isEmpty {
            func decrypt(_ context: AESCBC.DecryptionContext?) -> [UInt8]? {
                var buffer = ciphertext
                let ok = buffer.withUnsafeMutableBytes { bytes in
                    key.withUnsafeBytes { key in
                        iv.withUnsafeBytes { iv in AESCBC.transform(bytes, key: key, iv: iv, encrypt: false, reusing: context) }
                    }
                }
                return ok ? buffer : nil
            }
            let fresh = try #require(decrypt(try #require(AESCBC.DecryptionContext())), "record \(number)")
            #expect(decrypt(direct) == fresh, "record \(number)")
            #expect(decrypt(evp) == fresh, "record \(number)")
            // Without a context of the caller's: the thread's own, re-keyed and wiped per call.
            #expect(decrypt(nil) == fresh, "record \(number)")
            // Padding stays off: every byte comes out, whatever the last block holds.
            #expect(fresh.count == ciphertext.count)
        }
    }

    @Test("between calls the thread's context holds the all-zero key and iv, never the last session key or its last block")
    func threadContextIsWiped() throws {
        var generator = SplitMix(state: 0x31_9E)
        func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        func decrypt(_ data: [UInt8], key: [UInt8], iv: [UInt8], _ context: AESCBC.DecryptionContext?) -> [UInt8]? {
            var buffer = data
            let ok = buffer.withUnsafeMutableBytes { buffer in
                key.withUnsafeBytes { key in
                    iv.withUnsafeBytes { iv in AESCBC.transform(buffer, key: key, iv: iv, encrypt: false, reusing: context) }
                }
            }
            return ok ? buffer : nil
        }
        let zeros = [UInt8](repeating: 0, count: 16)
        for _ in 0..<50 {
            let key = bytes(16), ciphertext = bytes(16 * Int.random(in: 1...10, using: &generator))
            _ = try #require(decrypt(ciphertext, key: key, iv: bytes(16), nil))
            // What the context left behind decrypts one more block as the zero key and iv do.
            let block = bytes(16)
            var left = block
            #expect(left.withUnsafeMutableBytes { AESCBC.decryptWithThreadContextAsLeft($0) })
            let fresh = try #require(AESCBC.DecryptionContext())
            #expect(left == decrypt(block, key: zeros, iv: zeros, fresh))
            #expect(left != decrypt(block, key: key, iv: Array(ciphertext.suffix(16)), fresh))
        }
    }

    @Test("eight threads at once, each with its own keys, then gone: every one-record call decrypts its own record and fails with a wrong key (each thread's context is re-keyed per call, and freed when the thread ends)")
    func threadContextsUnderConcurrency() throws {
        let appID = "wx4f4bc4dec97d474b"
        let decryptor = try OpenDataDecryptor(appID: appID)
        final class Outcomes: @unchecked Sendable {
            private let lock = NSLock()
            private(set) var values: [Bool] = []
            func append(_ more: [Bool]) { lock.withLock { values += more } }
        }
        let outcomes = Outcomes()
        let group = DispatchGroup()
        for thread in 0..<8 {
            group.enter()
            Thread {
                defer { group.leave() }
                var generator = SplitMix(state: 0xC0_7E47 &+ UInt64(thread))
                outcomes.append((0..<150).map { index in
                    let number = String(13_500_000_000 + thread * 1_000 + index)
                    let phone = PhoneNumber(
                        phoneNumber: number, purePhoneNumber: number, countryCode: "86",
                        watermark: Watermark(appID: appID, timestamp: 1_637_744_274))
                    func randomKey() -> SessionKey? {
                        try? SessionKey(bytes: (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
                    }
                    guard let key = randomKey(), let otherKey = randomKey(),
                        let sealed = try? OpenDataEncryptor.encrypt(.phoneNumber(phone), sessionKey: key),
                        let decrypted = try? decryptor.decrypt(
                            PhoneNumber.self, encryptedData: sealed.encryptedData, iv: sealed.iv, sessionKey: key)
                    else { return false }
                    // A wrong key on the same thread must fail, not reuse the last schedule.
                    let wrong = try? decryptor.decrypt(
                        PhoneNumber.self, encryptedData: sealed.encryptedData, iv: sealed.iv, sessionKey: otherKey)
                    return decrypted == phone && wrong == nil
                })
            }.start()
        }
        group.wait()
        #expect(outcomes.values.count == 8 * 150)
        #expect(outcomes.values.allSatisfy { $0 })
    }
}
