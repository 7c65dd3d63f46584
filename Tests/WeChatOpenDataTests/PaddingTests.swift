import Testing
@testable import WeChatOpenData

/// The content length when the padding is valid, `nil` otherwise.
func unpaddedCount(_ plaintext: UnsafeRawBufferPointer) -> Int? {
    let verdict = PKCS7.verdict(plaintext)
    return verdict.validMask == 0xFFFF_FFFF ? verdict.contentCount : nil
}

@Suite("PKCS#7 with 16-byte blocks")
struct PaddingTests {
    @Test("every pad value from 1 to 16 is removed exactly")
    func validValues() {
        for pad in 1...16 {
            let block = [UInt8](repeating: 0x41, count: 32 - pad) + [UInt8](repeating: UInt8(pad), count: pad)
            #expect(block.withUnsafeBytes { unpaddedCount($0) } == 32 - pad)
        }
    }

    @Test("pad values 0 and 17...255 are invalid")
    func invalidValues() {
        for last in [0] + Array(17...255) {
            let block = [UInt8](repeating: UInt8(last), count: 32)
            #expect(block.withUnsafeBytes { unpaddedCount($0) } == nil, "pad \(last)")
        }
    }

    @Test("every pad byte is checked, not only the last")
    func everyByte() {
        for pad in 2...16 {
            for wrong in 1..<pad {
                var block = [UInt8](repeating: 0x41, count: 32 - pad) + [UInt8](repeating: UInt8(pad), count: pad)
                block[31 - wrong] ^= 0x01
                #expect(block.withUnsafeBytes { unpaddedCount($0) } == nil, "pad \(pad), byte \(wrong)")
            }
        }
    }

    @Test("the vector check agrees with a byte-by-byte reference: every last byte, every pad byte changed, random blocks")
    func agreesWithReference() {
        func reference(_ bytes: [UInt8]) -> Int? {
            let pad = Int(bytes[bytes.count - 1])
            guard (1...16).contains(pad), bytes.suffix(pad).allSatisfy({ $0 == UInt8(pad) }) else { return nil }
            return bytes.count - pad
        }
        var generator = SplitMix(state: 0x7_0AD5)
        var blocks: [[UInt8]] = []
        for length in [16, 32, 48] {
            for last in 0...255 {
                // A run of `last` ending the block, of every length, then one byte changed in it.
                for run in 1...16 {
                    let valid = [UInt8](repeating: 0x41, count: length - run) + [UInt8](repeating: UInt8(last), count: run)
                    blocks.append(valid)
                    for changed in 0..<run where changed > 0 {
                        var broken = valid
                        broken[length - 1 - changed] = UInt8.random(in: 0...255, using: &generator)
                        blocks.append(broken)
                    }
                }
            }
            for _ in 0..<2_000 { blocks.append((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }) }
        }
        for block in blocks {
            #expect(block.withUnsafeBytes { unpaddedCount($0) } == reference(block), "\(block.suffix(16))")
        }
    }

    @Test("an invalid padding still yields a length, so the same checks run over the same bytes")
    func invalidPaddingLength() {
        for last in [0, 17, 200] {
            let block = [UInt8](repeating: 0x41, count: 31) + [UInt8(last)]
            let verdict = block.withUnsafeBytes { PKCS7.verdict($0) }
            #expect(verdict.validMask == 0 && verdict.contentCount == 31, "pad \(last)")
        }
    }

    @Test("bad padding and bad JSON are indistinguishable through the public API")
    func noOracle() throws {
        let body = Array(Sealed.phoneJSON.utf8)
        let badPadding = Sealed(unpadded: body + [UInt8](repeating: 0, count: 16 - body.count % 16))
        let badJSON = Sealed(unpadded: Array("not json".utf8) + [UInt8](repeating: 8, count: 8))
        let badUTF8 = Sealed(unpadded: [0x7B, 0xFF] + [UInt8](repeating: 14, count: 14))
        let errors = [badPadding, badJSON, badUTF8].map { sealed in
            #expect(throws: OpenDataError.self) { try sealed.decrypt(PhoneNumber.self) }
        }
        #expect(errors[0] != nil && errors[0]?.code == .decryptionFailed)
        #expect(errors[0] == errors[1] && errors[1] == errors[2], "same code, reason and field")
    }
}
