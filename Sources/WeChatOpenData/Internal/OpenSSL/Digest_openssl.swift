internal import CWeChatOpenSSL

/// The two digests the WeChat protocol uses, through libcrypto.
enum Digest {
    /// SHA-1 over the concatenation of `parts`, written into `output` (20 bytes).
    static func sha1(_ parts: [UnsafeRawBufferPointer], into output: UnsafeMutableRawBufferPointer) -> Bool {
        precondition(output.count >= 20)
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestInit_ex(context, EVP_sha1(), nil) == 1 else { return false }
        for part in parts where part.count > 0 {
            guard EVP_DigestUpdate(context, part.baseAddress, part.count) == 1 else { return false }
        }
        var length: UInt32 = 0
        return CWeChatOpenSSL_EVP_DigestFinal_ex(context, output.baseAddress, &length) == 1 && length == 20
    }

    /// HMAC-SHA256 of `message` keyed by `key`, written into `output` (32 bytes).
    static func hmacSHA256(
        key: UnsafeRawBufferPointer,
        message: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) -> Bool {
        precondition(output.count >= 32)
        guard let keyLength = Int32(exactly: key.count) else { return false }
        var length: UInt32 = 0
        return CWeChatOpenSSL_HMAC(
            EVP_sha256(), key.baseAddress, keyLength, message.baseAddress, message.count, output.baseAddress, &length) == 1
            && length == 32
    }
}
