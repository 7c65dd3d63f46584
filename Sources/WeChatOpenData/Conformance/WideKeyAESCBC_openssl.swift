internal import CWeChatOpenSSL

/// AES-192-CBC and AES-256-CBC encryption, only to make the cases that catch decryptors
/// which pick the AES variant from the key's length instead of rejecting a 24- or 32-byte key.
enum WideKeyAESCBC {
    static func encrypt(_ blocks: [UInt8], key: [UInt8], iv: [UInt8]) -> [UInt8] {
        precondition((key.count == 24 || key.count == 32) && iv.count == 16 && blocks.count % 16 == 0)
        let name = key.count == 24 ? "AES-192-CBC" : "AES-256-CBC"
        let cipher = EVP_CIPHER_fetch(nil, name, nil)
        let context = EVP_CIPHER_CTX_new()
        defer {
            EVP_CIPHER_CTX_free(context)
            EVP_CIPHER_free(cipher)
        }
        var output = [UInt8](repeating: 0, count: blocks.count)
        var written: Int32 = 0
        var finalWritten: Int32 = 0
        let ok =
            cipher != nil && context != nil
            && EVP_EncryptInit_ex2(context, cipher, key, iv, nil) == 1
            && EVP_CIPHER_CTX_set_padding(context, 0) == 1
            && EVP_EncryptUpdate(context, &output, &written, blocks, Int32(blocks.count)) == 1
            && output.withUnsafeMutableBufferPointer {
                EVP_EncryptFinal_ex(context, $0.baseAddress! + Int(written), &finalWritten) == 1
            }
        // Both ciphers are in every libcrypto the package builds against; whole blocks cannot fail.
        precondition(ok && Int(written + finalWritten) == blocks.count, "libcrypto could not encrypt with \(name)")
        return output
    }
}
