internal import CWeChatOpenSSL

/// Raw AES-CBC through OpenSSL EVP with padding turned off: PKCS#7 is handled in Swift (see
/// `PKCS7`), because libcrypto's own unpadding is not constant time.
///
/// WeChat uses AES-128 only, and decryption accepts nothing else. Encryption also takes 24-
/// and 32-byte keys, for the conformance cases that catch decryptors which pick AES-192 or
/// AES-256 from a key's length instead of refusing it.
enum AESCBC {
    static let blockSize = 16

    /// Fetched once: a per-call lookup costs about as much as decrypting a small record.
    /// `EVP_CIPHER` objects are immutable and safe to share between threads.
    nonisolated(unsafe) private static let aes128: OpaquePointer? = EVP_CIPHER_fetch(nil, "AES-128-CBC", nil)
    nonisolated(unsafe) private static let aes192: OpaquePointer? = EVP_CIPHER_fetch(nil, "AES-192-CBC", nil)
    nonisolated(unsafe) private static let aes256: OpaquePointer? = EVP_CIPHER_fetch(nil, "AES-256-CBC", nil)

    /// Transforms `buffer` in place (EVP allows exactly equal input and output).
    ///
    /// - Returns: `false` when libcrypto fails; the buffer content is then unspecified.
    static func transform(
        _ buffer: UnsafeMutableRawBufferPointer,
        key: UnsafeRawBufferPointer,
        iv: UnsafeRawBufferPointer,
        encrypt: Bool
    ) -> Bool {
        precondition(iv.count == 16 && buffer.count % blockSize == 0)
        precondition(key.count == 16 || encrypt && (key.count == 24 || key.count == 32), "AES-128 only, but to encrypt")
        let cipher = key.count == 16 ? aes128 : key.count == 24 ? aes192 : aes256
        guard let cipher, let context = EVP_CIPHER_CTX_new() else { return false }
        // Freeing the context also cleanses the expanded key schedule.
        defer { EVP_CIPHER_CTX_free(context) }
        // Padding is turned off on every call: whether a re-initialised context keeps it off
        // is not specified, and a context that padded would break in-place decryption.
        guard CWeChatOpenSSL_EVP_CipherInit_ex2(context, cipher, key.baseAddress, iv.baseAddress, encrypt ? 1 : 0) == 1,
            EVP_CIPHER_CTX_set_padding(context, 0) == 1
        else { return false }
        guard let bytes = buffer.baseAddress, let count = Int32(exactly: buffer.count), count > 0 else {
            return buffer.isEmpty
        }
        var written: Int32 = 0
        guard CWeChatOpenSSL_EVP_CipherUpdate(context, bytes, &written, bytes, count) == 1, written == count else {
            return false
        }
        var finalWritten: Int32 = 0
        return CWeChatOpenSSL_EVP_CipherFinal_ex(context, bytes + Int(written), &finalWritten) == 1 && finalWritten == 0
    }
}
