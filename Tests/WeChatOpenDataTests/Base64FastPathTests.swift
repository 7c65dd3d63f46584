import Foundation
import Testing
@testable import WeChatOpenData

/// The canonical fast paths (the table path for ivs and encrypted data, the constant-time path
/// for keys) against a deliberately plain reference, at every length, group position and
/// boundary: they must accept exactly the canonical texts, decode them to the same bytes, and
/// write nothing past the scratch buffer the decoder is given.
@Suite("Base64 fast paths: canonical text at every position and boundary")
struct Base64FastPathTests {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Canonical standard base64 decoded one bit at a time, or `nil` for anything else: a
    /// length that is not a multiple of four, a byte outside the alphabet, '=' anywhere but the
    /// last one or two places, or bits set past the end of the data.
    static func reference(_ text: [UInt8]) -> [UInt8]? {
        guard !text.isEmpty, text.count % 4 == 0 else { return nil }
        var padding = 0
        if text[text.count - 1] == UInt8(ascii: "=") { padding = text[text.count - 2] == UInt8(ascii: "=") ? 2 : 1 }
        var bits: [Bool] = []
        for character in text.dropLast(padding) {
            guard let sextet = alphabet.firstIndex(of: character) else { return nil }
            for shift in (0..<6).reversed() { bits.append(sextet >> shift & 1 == 1) }
        }
        let byteCount = bits.count / 8
        guard !bits[(byteCount * 8)...].contains(true) else { return nil }
        return (0..<byteCount).map { index in
            bits[(index * 8)..<(index * 8 + 8)].reduce(UInt8(0)) { $0 << 1 | ($1 ? 1 : 0) }
        }
    }

    /// What the fast path made of `text`: the decoded bytes or `nil`, after checking that it
    /// wrote only inside its buffer of `maximumDecodedCount` bytes and, past the decoded bytes,
    /// only zeros.
    static func fastPath(_ text: [UInt8], constantTime: Bool) -> [UInt8]? {
        let sentinel: UInt8 = 0xA5
        let capacity = Base64Decoding.maximumDecodedCount(forEncodedCount: text.count)
        let guardCount = 16
        var buffer = [UInt8](repeating: sentinel, count: capacity + guardCount)
        let count = text.withUnsafeBytes { input in
            buffer.withUnsafeMutableBytes { output in
                Base64Decoding.decodeCanonical(
                    input, constantTime: constantTime, into: UnsafeMutableRawBufferPointer(rebasing: output[0..<capacity]))
            }
        }
        #expect(buffer[capacity...].allSatisfy { $0 == sentinel }, "wrote past the buffer")
        guard let count else { return nil }
        #expect(buffer[count..<capacity].allSatisfy { $0 == 0 || $0 == sentinel }, "left data past the decoded bytes")
        return Array(buffer[0..<count])
    }

    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SplitMix(state: seed)
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// Every length to 80 bytes covers each padding (0, 1, 2) with every number of whole groups
    /// before it, under and over each loop's stride; the longer ones cross the small scratch
    /// buffer's size.
    static let lengths = Array(0...80) + [100, 150, 189, 190, 191, 192, 200, 250, 252, 253, 256, 300, 333, 400]

    @Test("canonical text of every length decodes to its bytes on both paths, inside the buffer", arguments: [false, true])
    func everyLength(constantTime: Bool) {
        for count in Self.lengths {
            let original = Self.bytes(count, seed: UInt64(count))
            let text = Array(Data(original).base64EncodedString().utf8)
            let decoded = Self.fastPath(text, constantTime: constantTime)
            // The empty text is the general decoder's to report.
            #expect(decoded == (count == 0 ? nil : original), "\(count) bytes")
        }
    }

    /// Every byte value at every offset, in texts with each padding and enough groups for both
    /// paths' loops and their tails: the fast path must agree with the reference, which takes
    /// a byte outside the alphabet, a stray '=', and trailing bits set as not canonical.
    @Test("every byte value at every offset of a text agrees with the reference", arguments: [false, true])
    func everyByteAtEveryOffset(constantTime: Bool) {
        for count in [1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15, 22, 23, 24, 31, 32, 33] {
            let original = Array(Data(Self.bytes(count, seed: 1000 + UInt64(count))).base64EncodedString().utf8)
            for offset in original.indices {
                for value in 0...255 {
                    var text = original
                    text[offset] = UInt8(value)
                    let expected = Self.reference(text)
                    let decoded = Self.fastPath(text, constantTime: constantTime)
                    #expect(decoded == expected, "\(value) at \(offset) of \(text.count) characters")
                }
            }
        }
    }

    @Test("the reference itself decodes what Foundation encodes and refuses what it should")
    func referenceIsSound() {
        for count in 1...40 {
            let original = Self.bytes(count, seed: 2000 + UInt64(count))
            #expect(Self.reference(Array(Data(original).base64EncodedString().utf8)) == original)
        }
        for text in ["", "A", "AA=", "A===", "====", "AB==", "AAB=", "AA=A", "A*AA", "AAAA====="] {
            #expect(Self.reference(Array(text.utf8)) == nil, "\(text)")
        }
    }

    /// The table path through the public API: an iv with every byte value at every position.
    @Test("every byte value at every position of an iv decodes as the standard alphabet says")
    func everyByteInEveryIVPosition() throws {
        let original = Array("r7BXXKkLb8qrSNn05n0qiA==".utf8)
        for position in original.indices {
            for value in 0...255 {
                var text = original
                text[position] = UInt8(value)
                let string = String(decoding: text, as: UTF8.self)
                // An '=' replaced by a character is canonical too, but 17 bytes long.
                if let expected = Self.reference(text), expected.count == 16 {
                    let iv = try InitializationVector(base64: string)
                    #expect(iv.bytes == expected && iv.repairs.isEmpty, "\(value) at \(position)")
                } else if let iv = try? InitializationVector(base64: string) {
                    // Not a canonical 16 bytes: only a reported repair may read it.
                    #expect(!iv.repairs.isEmpty, "\(value) at \(position)")
                }
            }
        }
    }

    /// The table path through the public API for encrypted data: every block count to 40,
    /// which gives each padding and crosses the small scratch buffer's size.
    @Test("encrypted data of every block count to 40 decodes to its length")
    func encryptedDataOfEveryBlockCount() throws {
        for blocks in 1...40 {
            let text = Data(Self.bytes(blocks * 16, seed: 3000 + UInt64(blocks))).base64EncodedString()
            let inspection = try Base64Inspection.inspect(encryptedData: text)
            #expect(inspection.decodedCount == blocks * 16 && inspection.repairs.isEmpty, "\(blocks) blocks")
        }
    }

    /// The whole way through the decryptor, on payloads whose ciphertexts fall on both sides of
    /// the small scratch buffer's size.
    @Test("payloads of many sizes round-trip through the decryptor")
    func payloadsRoundTrip() throws {
        let sessionKey = SessionKey.random()
        let watermark = Watermark(appID: "wx4f4bc4dec97d474b", timestamp: 1_637_744_274)
        let decryptor = try OpenDataDecryptor(appID: "wx4f4bc4dec97d474b")
        for fill in stride(from: 0, through: 400, by: 7) {
            let json = Array("{\"fill\":\"\(String(repeating: "x", count: fill))\"}".utf8)
            let sealed = try OpenDataEncryptor.encrypt(json: json, watermark: watermark, sessionKey: sessionKey)
            let verified = try decryptor.decryptJSON(encryptedData: sealed.encryptedData, iv: sealed.iv, sessionKey: sessionKey)
            #expect(verified.watermark == watermark, "\(fill)")
            #expect(String(decoding: verified.json, as: UTF8.self).hasPrefix("{\"fill\":\"\(String(repeating: "x", count: fill))\""))
        }
    }
}
