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

    /// A decryption context that one thread reuses from record to record, as a batch worker
    /// does: re-keying a context costs much less than making one. It holds the last record's
    /// key schedule until the next record overwrites it; freeing it (when the worker ends)
    /// cleanses it. `@unchecked Sendable`: a worker uses it from one thread at a time, and a
    /// copied worker makes its own before its first record (a uniqueness check).
    final class DecryptionContext: @unchecked Sendable {
        fileprivate let context: OpaquePointer
        /// Whether the cipher is bound and padding turned off (done once, on first use).
        fileprivate var isBound = false

        init?() {
            guard let context = EVP_CIPHER_CTX_new() else { return nil }
            self.context = context
        }

        deinit { EVP_CIPHER_CTX_free(context) }
    }

    /// Transforms `buffer` in place (EVP allows exactly equal input and output).
    ///
    /// - Parameter reusing: A context to decrypt with, kept by the caller; without one a
    ///   context is made and freed (cleansed) for this call alone.
    /// - Returns: `false` when libcrypto fails; the buffer content is then unspecified.
    static func transform(
        _ buffer: UnsafeMutableRawBufferPointer,
        key: UnsafeRawBufferPointer,
        iv: UnsafeRawBufferPointer,
        encrypt: Bool,
        reusing reused: DecryptionContext? = nil
    ) -> Bool {
        precondition(iv.count == 16 && buffer.count % blockSize == 0)
        precondition(key.count == 16 || encrypt && (key.count == 24 || key.count == 32), "AES-128 only, but to encrypt")
        if let reused, !encrypt, key.count == 16 {
            if reused.isBound {
                // The cipher stays bound and padding off: only the key and iv change.
                guard CWeChatOpenSSL_EVP_CipherInit_ex2(reused.context, nil, key.baseAddress, iv.baseAddress, 0) == 1
                else { return false }
            } else {
                guard let aes128, CWeChatOpenSSL_EVP_CipherInit_ex2(reused.context, aes128, key.baseAddress, iv.baseAddress, 0) == 1,
                    EVP_CIPHER_CTX_set_padding(reused.context, 0) == 1
                else { return false }
                reused.isBound = true
            }
            return run(reused.context, buffer)
        }
        let cipher = key.count == 16 ? aes128 : key.count == 24 ? aes192 : aes256
        guard let cipher, let context = EVP_CIPHER_CTX_new() else { return false }
        // Freeing the context also cleanses the expanded key schedule.
        defer { EVP_CIPHER_CTX_free(context) }
        // Padding is turned off on every call: whether a re-initialised context keeps it off
        // is not specified, and a context that padded would break in-place decryption.
        guard CWeChatOpenSSL_EVP_CipherInit_ex2(context, cipher, key.baseAddress, iv.baseAddress, encrypt ? 1 : 0) == 1,
            EVP_CIPHER_CTX_set_padding(context, 0) == 1
        else { return false }
        return run(context, buffer)
    }

    /// Runs an initialised context over `buffer` in place. A context that padded would hold
    /// the last block back: every byte must come out of the update, none out of the final step.
    private static func run(_ context: OpaquePointer, _ buffer: UnsafeMutableRawBufferPointer) -> Bool {
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
