/// Keys, ivs and names for the generated cases, derived from the suite's seed and a label
/// with HMAC-SHA256: the same seed gives the same bytes, and adding a case never changes
/// the bytes of the others.
struct CaseMaterial {
    let seed: UInt64

    func bytes(_ label: String, count: Int) -> [UInt8] {
        var output: [UInt8] = []
        let seedBytes = (0..<8).map { UInt8(truncatingIfNeeded: seed >> (56 - 8 * $0)) }
        var block: UInt8 = 0
        while output.count < count {
            let message = Array(label.utf8) + [0, block]
            var mac = [UInt8](repeating: 0, count: 32)
            let ok = seedBytes.withUnsafeBytes { key in
                message.withUnsafeBytes { message in
                    mac.withUnsafeMutableBytes { Digest.hmacSHA256(key: key, message: message, into: $0) }
                }
            }
            // HMAC of in-memory buffers fails only if libcrypto cannot allocate.
            precondition(ok, "libcrypto could not compute HMAC-SHA256")
            output += mac
            block &+= 1
        }
        return Array(output.prefix(count))
    }

    func key(_ label: String, count: Int = 16) -> [UInt8] { bytes("key " + label, count: count) }
    func iv(_ label: String, count: Int = 16) -> [UInt8] { bytes("iv " + label, count: count) }

    /// `count` decimal digits.
    func digits(_ label: String, count: Int) -> String {
        String(bytes("digits " + label, count: count).map { Character(String($0 % 10)) })
    }

    /// `count` letters and digits, as WeChat's openIds and group ids are made of.
    func identifier(_ label: String, count: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        return String(bytes("id " + label, count: count).map { alphabet[Int($0 % 64)] })
    }
}

/// AES-CBC encryption of exactly the bytes given: the caller has added whatever padding,
/// valid or not, the case needs.
enum CaseSealing {
    /// The ciphertext of `blocks` (a multiple of 16 bytes) under a 16-, 24- or 32-byte key.
    static func encrypt(_ blocks: [UInt8], key: [UInt8], iv: [UInt8]) -> [UInt8] {
        precondition(blocks.count % 16 == 0 && iv.count == 16)
        var buffer = blocks
        let ok = buffer.withUnsafeMutableBytes { buffer in
            key.withUnsafeBytes { key in iv.withUnsafeBytes { AESCBC.transform(buffer, key: key, iv: $0, encrypt: true) } }
        }
        // Encrypting whole blocks with a valid key fails only when libcrypto lacks the cipher.
        precondition(ok, "libcrypto could not encrypt with AES-\(key.count * 8)-CBC")
        return buffer
    }

    /// `plaintext` with valid PKCS#7 padding.
    static func pkcs7(_ plaintext: [UInt8]) -> [UInt8] {
        let count = PKCS7.padCount(forContentCount: plaintext.count)
        return plaintext + [UInt8](repeating: UInt8(count), count: count)
    }

    static func base64(_ bytes: [UInt8]) -> String { bytes.withUnsafeBytes { Base64Encoding.encode($0) } }
}
