import Foundation
import Testing
@testable import WeChatOpenData

@Suite("Base64 inputs: repairs and errors")
struct Base64Tests {
    let key = "tiihtNczf5v6AKRyjwEUhQ=="

    @Test("standard base64 needs no repair")
    func standard() throws {
        let inspection = try Base64Inspection.inspect(sessionKey: key)
        #expect(inspection.decodedCount == 16 && inspection.encodedCount == 24 && inspection.repairs.isEmpty)
    }

    @Test("each kind of transport damage is repaired and reported")
    func repairs() throws {
        let cases: [(String, Base64Repairs)] = [
            ("r7BXXKkLb8qrSNn05n0qiA", Base64Repairs.missingPadding),
            ("  r7BXXKkLb8qrSNn05n0qiA==\r\n", .whitespaceRemoved),
            ("r7BXXKkLb8qrSNn0\n5n0qiA==", .whitespaceRemoved),
            ("+7BXXKkLb8qrSNn05n0qiA==", []),
            (" 7BXXKkLb8qrSNn05n0qiA==", .spacesAsPlus),
            ("r7BXXKkLb8q SNn05n0qiA==", .spacesAsPlus),
            ("r7BXXKkLb8q-SNn05n0_iA==", .urlSafeAlphabet),
            ("r7BXXKkLb8q SNn05n0qiA", [.spacesAsPlus, .missingPadding]),
        ]
        for (text, expected) in cases {
            let iv = try InitializationVector(base64: text)
            #expect(iv.bytes.count == 16)
            #expect(iv.repairs == expected, "\(text)")
        }
    }

    @Test("spaces and URL-safe characters decode to the same bytes as the original")
    func repairedBytesMatch() throws {
        let original = try InitializationVector(base64: "r7+XXKkLb8q/SNn05n0qiA==")
        #expect(try InitializationVector(base64: "r7 XXKkLb8q/SNn05n0qiA==").bytes == original.bytes)
        #expect(try InitializationVector(base64: "r7-XXKkLb8q_SNn05n0qiA").bytes == original.bytes)
    }

    @Test("errors name the field and the byte offset, never the content")
    func errors() {
        let cases: [(String, String)] = [
            ("r7BXXKkLb8qr*Nn05n0qiA==", "invalid character at byte offset 12"),
            ("r7BXXKkL=b8qrSNn05n0qiA=", "misplaced '=' padding at byte offset 8"),
            ("r7BXXKkLb8qrSNn05n0qi", "impossible"),
            ("r7BXXKkLb8qrSNn05n0qiB==", "bits set past the end"),
            ("", "is empty"),
            ("   ", "is empty"),
            ("r7BXXKkLb8qrSNn05n0q", "exactly 16 bytes, got 15"),
        ]
        for (text, fragment) in cases {
            let error = #expect(throws: OpenDataError.self) { try InitializationVector(base64: text) }
            #expect(error?.code == .invalidIV)
            #expect(error?.field == "iv")
            #expect(error?.reason.contains(fragment) == true, "\(error?.reason ?? "")")
            #expect(error?.reason.hasPrefix("iv ") == true)
        }
    }

    @Test("a session key of the wrong length says how many bytes, not which")
    func sessionKeyLength() {
        for (text, count) in [("AAAAAAAAAAAAAAAAAAAA", 15), ("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 32)] {
            let error = #expect(throws: OpenDataError.self) { try SessionKey(base64: text) }
            #expect(error?.code == .invalidSessionKey)
            #expect(error?.reason == "session_key must decode to exactly 16 bytes, got \(count)")
        }
    }

    @Test("encoding round-trips through decoding")
    func roundTrip() throws {
        for _ in 0..<200 {
            let key = SessionKey.random()
            #expect(try SessionKey(base64: key.base64EncodedString()) == key)
            let iv = InitializationVector.random()
            #expect(try InitializationVector(base64: iv.base64EncodedString()) == iv)
        }
    }

    /// The arithmetic that reads eight characters at once, against the alphabet itself: every
    /// byte value in every lane, beside every other byte value in the next lane (a carry or a
    /// borrow between lanes would show there).
    @Test("the lane-wise sextet arithmetic agrees with the alphabet for every byte in every lane")
    func laneWiseSextets() {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        // A sextet, or any lane with its top bit set for a byte outside the alphabet.
        func agrees(_ lane: UInt64, _ byte: Int) -> Bool {
            guard let sextet = alphabet.firstIndex(of: UInt8(byte)) else { return lane & 0x80 != 0 }
            return lane == UInt64(sextet)
        }
        for lane in 0..<7 {
            for value in 0...255 {
                for neighbour in 0...255 {
                    let word = UInt64(value) << (8 * lane) | UInt64(neighbour) << (8 * (lane + 1))
                    let sextets = Base64Decoding.standardSextets(word)
                    #expect(agrees(sextets >> (8 * lane) & 0xFF, value), "\(value) in lane \(lane)")
                    #expect(agrees(sextets >> (8 * (lane + 1)) & 0xFF, neighbour), "\(neighbour) in lane \(lane + 1)")
                }
            }
        }
    }

    /// Session keys decode through constant-time arithmetic on four characters at once: every
    /// byte value in every position must read as the standard alphabet says, no more, no less.
    @Test("every byte value at every position of a session key decodes as the standard alphabet says")
    func everyByteInEveryKeyPosition() throws {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        let original = Array(key.utf8)
        for position in 0..<22 {
            for value in 0...255 {
                var text = original
                text[position] = UInt8(value)
                // The last character before "==" carries four unused bits: keep them zero.
                if position == 21, let sextet = alphabet.firstIndex(of: UInt8(value)), sextet % 16 != 0 { continue }
                let string = String(decoding: text, as: UTF8.self)
                if let sextet = alphabet.firstIndex(of: UInt8(value)) {
                    let decoded = try SessionKey(base64: string)
                    #expect(decoded.repairs.isEmpty, "\(value) at \(position)")
                    // The same key as the one encoded from the expected bytes.
                    var expected = Array(Data(base64Encoded: key)!)
                    let bit = position * 6
                    for offset in 0..<6 where bit + offset < 128 {
                        let target = bit + offset
                        let set = (sextet >> (5 - offset)) & 1 == 1
                        if set { expected[target / 8] |= 0x80 >> UInt8(target % 8) } else { expected[target / 8] &= ~(0x80 >> UInt8(target % 8)) }
                    }
                    #expect(decoded == (try SessionKey(bytes: expected)), "\(value) at \(position)")
                } else if let decoded = try? SessionKey(base64: string) {
                    // Outside the alphabet: only a reported repair (a space for '+', URL-safe) may read it.
                    #expect(!decoded.repairs.isEmpty, "\(value) at \(position)")
                }
            }
        }
    }
}

