internal import CWeChatOpenSSL
#if canImport(Glibc)
internal import Glibc
#endif

/// Wiping and comparing secret bytes with primitives which the optimiser cannot remove
/// (`explicit_bzero`, `OPENSSL_cleanse`) and which take the same time whatever the bytes
/// (`CRYPTO_memcmp`).
enum SecureMemory {
    static func wipe(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        #if canImport(Glibc)
        // Every decoded buffer is wiped, three a record in a batch: glibc's is its vectorised
        // memset behind a compiler barrier, where OPENSSL_cleanse stores a word at a time.
        explicit_bzero(base, buffer.count)
        #else
        OPENSSL_cleanse(base, buffer.count)
        #endif
    }

    /// Whether two buffers of the same length hold the same bytes, in constant time.
    static func constantTimeEqual(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer) -> Bool {
        guard lhs.count == rhs.count else { return false }
        guard lhs.count > 0 else { return true }
        return CRYPTO_memcmp(lhs.baseAddress, rhs.baseAddress, lhs.count) == 0
    }
}
