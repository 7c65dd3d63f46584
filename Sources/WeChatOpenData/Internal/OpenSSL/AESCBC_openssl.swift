internal import CWeChatOpenSSL
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Raw AES-CBC from OpenSSL with padding turned off: PKCS#7 is handled in Swift (see `PKCS7`),
/// because libcrypto's own unpadding is not constant time. Decryption calls the functions of the
/// provider that EVP fetched directly (see the shim), EVP where they cannot be found;
/// encryption goes through EVP.
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

    /// AES-128-CBC's functions in the provider that `aes128` came from, called without EVP in
    /// between (see the shim): found once, never freed, like the cipher that keeps the provider
    /// loaded. Nil when the provider lacks one of them; EVP is used then.
    nonisolated(unsafe) private static let direct: UnsafePointer<CWeChatOpenSSL_CipherFunctions>? = {
        guard let aes128 else { return nil }
        let functions = UnsafeMutablePointer<CWeChatOpenSSL_CipherFunctions>.allocate(capacity: 1)
        guard CWeChatOpenSSL_findCipherFunctions(aes128, functions) == 1 else {
            functions.deallocate()
            return nil
        }
        return UnsafePointer(functions)
    }()

    /// A decryption context that one thread reuses from record to record, as a batch worker
    /// does: re-keying a context costs much less than making one. It holds the last record's
    /// key schedule until the next record overwrites it; freeing it (when the worker ends)
    /// cleanses it. `@unchecked Sendable`: a worker uses it from one thread at a time, and a
    /// copied worker makes its own before its first record (a uniqueness check).
    final class DecryptionContext: @unchecked Sendable {
        private enum Engine {
            /// The provider's own context, padding off.
            case direct(UnsafeMutableRawPointer, UnsafePointer<CWeChatOpenSSL_CipherFunctions>)
            /// An EVP context; bound to the cipher, padding off, on first use.
            case evp(OpaquePointer)
        }

        private let engine: Engine
        /// Whether the EVP context is bound to the cipher and its padding turned off.
        private var isBound = false

        /// - Parameter throughEVP: Use EVP even where the provider's functions were found, as
        ///   where they were not (tests compare the two).
        init?(throughEVP: Bool = false) {
            if !throughEVP, let direct = AESCBC.direct, let context = CWeChatOpenSSL_newUnpaddedContext(direct) {
                engine = .direct(context, direct)
            } else if let context = EVP_CIPHER_CTX_new() {
                engine = .evp(context)
            } else {
                return nil
            }
        }

        deinit {
            switch engine {
            case .direct(let context, let functions): CWeChatOpenSSL_freeContext(functions, context)
            case .evp(let context): EVP_CIPHER_CTX_free(context)
            }
        }

        /// Whether it calls the provider's functions directly, not through EVP.
        var isDirect: Bool {
            if case .direct = engine { return true }
            return false
        }

        /// Re-keys the context and decrypts `buffer` in place; false when libcrypto fails.
        func decrypt(
            _ buffer: UnsafeMutableRawBufferPointer, key: UnsafeRawBufferPointer, iv: UnsafeRawBufferPointer
        ) -> Bool {
            switch engine {
            case .direct(let context, let functions):
                return AESCBC.decrypt(buffer, key: key, iv: iv, functions, context)
            case .evp(let context):
                if isBound {
                    // The cipher stays bound and padding off: only the key and iv change.
                    guard CWeChatOpenSSL_EVP_CipherInit_ex2(context, nil, key.baseAddress, iv.baseAddress, 0) == 1
                    else { return false }
                } else {
                    guard let aes128, CWeChatOpenSSL_EVP_CipherInit_ex2(context, aes128, key.baseAddress, iv.baseAddress, 0) == 1,
                        EVP_CIPHER_CTX_set_padding(context, 0) == 1
                    else { return false }
                    isBound = true
                }
                return run(context, buffer)
            }
        }
    }

    /// Transforms `buffer` in place (EVP allows exactly equal input and output).
    ///
    /// - Parameter reusing: A context to decrypt with, kept by the caller; without one the
    ///   calling thread's own context decrypts, re-keyed for this call and wiped after it. An
    ///   EVP context made and freed for the call decrypts where the provider's functions or a
    ///   thread-specific slot are missing, and encrypts.
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
        if !encrypt, key.count == 16 {
            if let reused { return reused.decrypt(buffer, key: key, iv: iv) }
            // The calling thread's context, re-keyed for this call and wiped after it.
            if let direct, let slot = threadContextKey, let context = threadContext(direct, slot) {
                let decrypted = decrypt(buffer, key: key, iv: iv, direct, context)
                guard CWeChatOpenSSL_wipeContext(direct, context) == 1 else {
                    // Never kept holding a key schedule: freeing it cleanses it.
                    pthread_setspecific(slot, nil)
                    CWeChatOpenSSL_freeContext(direct, context)
                    return false
                }
                return decrypted
            }
            return DecryptionContext(throughEVP: true)?.decrypt(buffer, key: key, iv: iv) ?? false
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

    /// Each thread's decryption context for the one-record path (`transform` without a context
    /// of the caller's): making and freeing a provider context costs about as many instructions
    /// as decrypting a phone number, and sets a parameter looked up by name. Between
    /// calls it holds the schedule of an all-zero key, never a session key's; the thread's exit
    /// frees it (the provider cleanses it). Nil when the system has no thread-specific slot left.
    private static let threadContextKey: pthread_key_t? = {
        var key = pthread_key_t()
        let created = pthread_key_create(&key) { context in
            // Optional with glibc and musl, not with Darwin: the cast reads both.
            guard let context = context as UnsafeMutableRawPointer?, let direct = AESCBC.direct else { return }
            CWeChatOpenSSL_freeContext(direct, context)
        }
        return created == 0 ? key : nil
    }()

    /// The calling thread's context in `slot`, made on its first call; nil when one cannot be made.
    private static func threadContext(
        _ direct: UnsafePointer<CWeChatOpenSSL_CipherFunctions>, _ slot: pthread_key_t
    ) -> UnsafeMutableRawPointer? {
        if let context = pthread_getspecific(slot) { return context }
        guard let context = CWeChatOpenSSL_newUnpaddedContext(direct) else { return nil }
        guard pthread_setspecific(slot, context) == 0 else {
            CWeChatOpenSSL_freeContext(direct, context)
            return nil
        }
        return context
    }

    /// Decrypts `buffer` in place with the calling thread's context as the last call left it,
    /// without re-keying it: what a test uses to see which key and iv the context holds between
    /// calls. False when there is no such context or libcrypto fails.
    static func decryptWithThreadContextAsLeft(_ buffer: UnsafeMutableRawBufferPointer) -> Bool {
        guard let direct, let slot = threadContextKey, let context = pthread_getspecific(slot),
            let bytes = buffer.baseAddress
        else { return false }
        return CWeChatOpenSSL_decryptInPlaceUnkeyed(direct, context, bytes, buffer.count) == 1
    }

    /// Re-keys a provider context and decrypts `buffer` in place.
    private static func decrypt(
        _ buffer: UnsafeMutableRawBufferPointer, key: UnsafeRawBufferPointer, iv: UnsafeRawBufferPointer,
        _ functions: UnsafePointer<CWeChatOpenSSL_CipherFunctions>, _ context: UnsafeMutableRawPointer
    ) -> Bool {
        guard let bytes = buffer.baseAddress else { return true }
        return CWeChatOpenSSL_decryptInPlace(functions, context, key.baseAddress, iv.baseAddress, bytes, buffer.count) == 1
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
