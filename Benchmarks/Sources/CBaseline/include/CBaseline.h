#ifndef CBASELINE_H
#define CBASELINE_H

#include <stddef.h>

/// Decrypts one phone record from its three base64 strings the fastest plain-C way:
/// cipher fetched once, one reused EVP context, table base64, PKCS#7 check, and a minimal
/// scan for "phoneNumber" and the watermark appid. Returns the length of the phone number
/// found (so the work cannot be optimised away), or -1 on any failure.
int cbaseline_decrypt_phone(const char *session_key, const char *iv, const char *encrypted_data,
                            const char *expected_appid);

#endif
