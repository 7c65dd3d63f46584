#ifndef CWECHATOPENSSL_SHIM_H
#define CWECHATOPENSSL_SHIM_H

// The only place in the package that includes OpenSSL headers.
// Macros do not import into Swift, so the few the library needs are wrapped
// here as static inline functions named CWeChatOpenSSL_<name>.

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/opensslv.h>

static inline unsigned long CWeChatOpenSSL_OPENSSL_VERSION_NUMBER(void) {
    return OPENSSL_VERSION_NUMBER;
}

static inline int CWeChatOpenSSL_EVP_MAX_MD_SIZE(void) {
    return EVP_MAX_MD_SIZE;
}

#endif
