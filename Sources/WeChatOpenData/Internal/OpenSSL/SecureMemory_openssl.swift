internal import CWeChatOpenSSL

/// Wiping and comparing secret bytes with libcrypto's primitives, which the optimiser
/// cannot remove (`OPENSSL_cleanse`) and which take the same time whatever the bytes
/// (`CRYPTO_memcmp`).
enum SecureMemory {
    static func wipe(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        OPENSSL_cleanse(base, buffer.count)
    }

    /// Whether two buffers of the same length hold the same bytes, in constant time.
    static func constantTimeEqual(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer) -> Bool {
        guard lhs.count == rhs.count else { return false }
        guard lhs.count > 0 else { return true }
        return CRYPTO_memcmp(lhs.baseAddress, rhs.baseAddress, lhs.count) == 0
    }
}
