extension SessionKey {
    /// The login-state signature that WeChat's `checksession` and `resetusersessionkey`
    /// server APIs take as `signature` (with `sig_method=hmac_sha256`): HMAC-SHA256 of the
    /// empty string, keyed by the session key's base64 text exactly as `jscode2session`
    /// returned it, in lowercase hex.
    ///
    /// Ask `checksession` with it when decryption fails: a session key WeChat no longer
    /// considers valid is the usual cause of ``OpenDataError/Code/decryptionFailed``.
    ///
    /// - Returns: 64 lowercase hex digits. Not secret, but not useful to log either.
    public func loginStateSignature() -> String {
        withBase64Text { keyText in
            withUnsafeTemporaryAllocation(byteCount: 32, alignment: 1) { mac in
                // HMAC of in-memory buffers fails only if libcrypto cannot allocate.
                let ok = Digest.hmacSHA256(key: keyText, message: UnsafeRawBufferPointer(start: nil, count: 0), into: mac)
                precondition(ok, "libcrypto could not compute HMAC-SHA256")
                return Hex.encode(UnsafeRawBufferPointer(mac))
            }
        }
    }
}
