#ifndef CWECHATOPENSSL_SHIM_H
#define CWECHATOPENSSL_SHIM_H

// The only place in the package that includes OpenSSL headers.
//
// Like swift-crypto's shims, the wrappers below take `void *` where OpenSSL takes
// `unsigned char *`, so that Swift hands over raw buffers as they are and never has to
// bind memory to a type (`assumingMemoryBound`) to call C.

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

static inline int CWeChatOpenSSL_EVP_CipherInit_ex2(EVP_CIPHER_CTX *ctx, const EVP_CIPHER *cipher,
                                                   const void *key, const void *iv, int enc) {
    return EVP_CipherInit_ex2(ctx, cipher, (const unsigned char *)key, (const unsigned char *)iv, enc, NULL);
}

static inline int CWeChatOpenSSL_EVP_CipherUpdate(EVP_CIPHER_CTX *ctx, void *out, int *outl,
                                                 const void *in, int inl) {
    return EVP_CipherUpdate(ctx, (unsigned char *)out, outl, (const unsigned char *)in, inl);
}

static inline int CWeChatOpenSSL_EVP_CipherFinal_ex(EVP_CIPHER_CTX *ctx, void *out, int *outl) {
    return EVP_CipherFinal_ex(ctx, (unsigned char *)out, outl);
}

static inline int CWeChatOpenSSL_EVP_DigestFinal_ex(EVP_MD_CTX *ctx, void *md, unsigned int *size) {
    return EVP_DigestFinal_ex(ctx, (unsigned char *)md, size);
}

// HMAC() accepts a NULL message only with a zero length; an empty message is given a valid pointer.
static inline int CWeChatOpenSSL_HMAC(const EVP_MD *md, const void *key, int keyLength,
                                      const void *message, size_t messageLength, void *out, unsigned int *outLength) {
    static const unsigned char empty = 0;
    const unsigned char *data = message != NULL ? (const unsigned char *)message : &empty;
    return HMAC(md, key, keyLength, data, messageLength, (unsigned char *)out, outLength) != NULL;
}

#endif
