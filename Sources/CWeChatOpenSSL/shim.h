#ifndef CWECHATOPENSSL_SHIM_H
#define CWECHATOPENSSL_SHIM_H

// The only place in the package that includes OpenSSL headers.
//
// Like swift-crypto's shims, the wrappers below take `void *` where OpenSSL takes
// `unsigned char *`, so that Swift hands over raw buffers as they are and never has to
// bind memory to a type (`assumingMemoryBound`) to call C.

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/provider.h>
#include <string.h>

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

// MARK: A cipher through its provider's own functions
//
// EVP re-keys a context by asking the provider for the key and iv lengths and the padding
// through OSSL_PARAM arrays (looked up by name with strcmp) on every call: about 1,700 of the
// 3,400 instructions AES-128-CBC costs for a 160-byte payload. The provider's functions, called
// directly, do the same work (the same AES-NI code, the same key schedule) without that. They are
// found once, in the operation table of the very provider that EVP_CIPHER_fetch chose, by the
// cipher's name; the provider stays loaded while the fetched cipher is alive.

/// The functions of one cipher implementation, taken from its provider's dispatch table.
typedef struct {
    void *providerContext;
    void *(*newContext)(void *providerContext);
    void (*freeContext)(void *context);
    int (*decryptInit)(void *context, const unsigned char *key, size_t keyLength, const unsigned char *iv,
                       size_t ivLength, const OSSL_PARAM params[]);
    int (*update)(void *context, unsigned char *out, size_t *written, size_t outSize, const unsigned char *in,
                  size_t inLength);
    int (*final)(void *context, unsigned char *out, size_t *written, size_t outSize);
    int (*setContextParameters)(void *context, const OSSL_PARAM params[]);
} CWeChatOpenSSL_CipherFunctions;

/// Whether `component` (one name of a colon-separated list, `length` bytes) names `cipher`.
static inline int CWeChatOpenSSL_namesCipher(const EVP_CIPHER *cipher, const char *component, size_t length) {
    char name[128];
    if (length == 0 || length >= sizeof(name)) return 0;
    memcpy(name, component, length);
    name[length] = 0;
    return EVP_CIPHER_is_a(cipher, name);
}

/// Fills `functions` with those of the implementation of `cipher` in the provider that EVP chose
/// for it; 1 when every one needed is there, 0 otherwise (then EVP must be used).
static inline int CWeChatOpenSSL_findCipherFunctions(const EVP_CIPHER *cipher, CWeChatOpenSSL_CipherFunctions *functions) {
    const OSSL_PROVIDER *provider = EVP_CIPHER_get0_provider(cipher);
    if (provider == NULL) return 0;
    int noCache = 0;
    const OSSL_ALGORITHM *algorithms = OSSL_PROVIDER_query_operation(provider, OSSL_OP_CIPHER, &noCache);
    if (algorithms == NULL) return 0;
    memset(functions, 0, sizeof(*functions));
    const OSSL_ALGORITHM *found = NULL;
    for (const OSSL_ALGORITHM *algorithm = algorithms; found == NULL && algorithm->algorithm_names != NULL; algorithm++) {
        const char *names = algorithm->algorithm_names;
        while (found == NULL && *names != 0) {
            const char *end = strchr(names, ':');
            size_t length = end != NULL ? (size_t)(end - names) : strlen(names);
            if (CWeChatOpenSSL_namesCipher(cipher, names, length)) found = algorithm;
            names += length + (end != NULL);
        }
    }
    for (const OSSL_DISPATCH *entry = found != NULL ? found->implementation : NULL; entry != NULL && entry->function_id != 0; entry++) {
        switch (entry->function_id) {
        case OSSL_FUNC_CIPHER_NEWCTX: functions->newContext = (void *(*)(void *))entry->function; break;
        case OSSL_FUNC_CIPHER_FREECTX: functions->freeContext = (void (*)(void *))entry->function; break;
        case OSSL_FUNC_CIPHER_DECRYPT_INIT:
            functions->decryptInit = (int (*)(void *, const unsigned char *, size_t, const unsigned char *, size_t,
                                              const OSSL_PARAM[]))entry->function;
            break;
        case OSSL_FUNC_CIPHER_UPDATE:
            functions->update = (int (*)(void *, unsigned char *, size_t *, size_t, const unsigned char *, size_t))entry->function;
            break;
        case OSSL_FUNC_CIPHER_FINAL:
            functions->final = (int (*)(void *, unsigned char *, size_t *, size_t))entry->function;
            break;
        case OSSL_FUNC_CIPHER_SET_CTX_PARAMS:
            functions->setContextParameters = (int (*)(void *, const OSSL_PARAM[]))entry->function;
            break;
        }
    }
    OSSL_PROVIDER_unquery_operation(provider, OSSL_OP_CIPHER, algorithms);
    functions->providerContext = OSSL_PROVIDER_get0_provider_ctx(provider);
    return functions->newContext != NULL && functions->freeContext != NULL && functions->decryptInit != NULL &&
           functions->update != NULL && functions->final != NULL && functions->setContextParameters != NULL;
}

/// A new decryption context of the cipher, its padding turned off (PKCS#7 is checked in Swift,
/// in constant time), or NULL.
static inline void *CWeChatOpenSSL_newUnpaddedContext(const CWeChatOpenSSL_CipherFunctions *functions) {
    void *context = functions->newContext(functions->providerContext);
    if (context == NULL) return NULL;
    unsigned int padding = 0;
    OSSL_PARAM parameters[2] = {OSSL_PARAM_construct_uint(OSSL_CIPHER_PARAM_PADDING, &padding), OSSL_PARAM_construct_end()};
    if (!functions->setContextParameters(context, parameters)) {
        functions->freeContext(context);
        return NULL;
    }
    return context;
}

/// Frees a context; the provider cleanses its key schedule.
static inline void CWeChatOpenSSL_freeContext(const CWeChatOpenSSL_CipherFunctions *functions, void *context) {
    functions->freeContext(context);
}

/// Re-keys `context` with the 16-byte `key` and `iv` and decrypts the `count` bytes of `buffer` (a
/// whole number of blocks) in place; 1 when every byte came out of the update and none was held
/// back.
static inline int CWeChatOpenSSL_decryptInPlace(const CWeChatOpenSSL_CipherFunctions *functions, void *context,
                                                const void *key, const void *iv, void *buffer, size_t count) {
    size_t written = 0, finalWritten = 0;
    unsigned char *bytes = (unsigned char *)buffer;
    if (!functions->decryptInit(context, (const unsigned char *)key, 16, (const unsigned char *)iv, 16, NULL)) return 0;
    if (!functions->update(context, bytes, &written, count, bytes, count) || written != count) return 0;
    return functions->final(context, bytes + written, &finalWritten, 0) && finalWritten == 0;
}

/// Decrypts the `count` bytes of `buffer` in place with `context` as the last call left it, key
/// and iv included, without re-keying it: for the tests that check what a kept context holds.
static inline int CWeChatOpenSSL_decryptInPlaceUnkeyed(const CWeChatOpenSSL_CipherFunctions *functions, void *context,
                                                       void *buffer, size_t count) {
    size_t written = 0;
    unsigned char *bytes = (unsigned char *)buffer;
    return functions->update(context, bytes, &written, count, bytes, count) && written == count;
}

/// Replaces the key schedule and iv `context` holds with those of an all-zero key and iv, so that
/// a context kept for the next call holds nothing of the last one's key: 1 on success.
static inline int CWeChatOpenSSL_wipeContext(const CWeChatOpenSSL_CipherFunctions *functions, void *context) {
    static const unsigned char zeros[16] = {0};
    return functions->decryptInit(context, zeros, 16, zeros, 16, NULL);
}

#endif
