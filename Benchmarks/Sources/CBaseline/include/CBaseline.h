#ifndef CBASELINE_H
#define CBASELINE_H

#include <stddef.h>

/// The longest `encryptedData` the baseline takes once decoded; longer records fail with
/// CBASELINE_INVALID_ENCRYPTED_DATA (a phone record is under 200 bytes).
#define CBASELINE_MAX_CIPHERTEXT 4096

/// Why a record failed; cbaseline_decrypt_phone returns one of these (all negative).
enum {
    CBASELINE_INVALID_SESSION_KEY = -1,   ///< not strict base64 of 16 bytes
    CBASELINE_INVALID_IV = -2,            ///< not strict base64 of 16 bytes
    CBASELINE_INVALID_ENCRYPTED_DATA = -3, ///< not strict base64, empty, too long or not whole blocks
    CBASELINE_DECRYPTION_FAILED = -4,     ///< the cipher failed or the PKCS#7 padding is wrong
    CBASELINE_INVALID_PAYLOAD = -5,       ///< not '{'...'}', or no "watermark" object with an "appid" string
    CBASELINE_APPID_MISMATCH = -6,        ///< watermark.appid is not the expected appid
    CBASELINE_NO_PHONE_NUMBER = -7,       ///< no "phoneNumber" string, or it does not fit the caller's buffer
};

/// One record's three fields as the base64 bytes a request carries, not NUL-terminated.
typedef struct {
    const unsigned char *session_key;
    size_t session_key_length;
    const unsigned char *iv;
    size_t iv_length;
    const unsigned char *encrypted_data;
    size_t encrypted_data_length;
} cbaseline_record;

/// The state a C program keeps across records: AES-128-CBC fetched once and one cipher
/// context, bound to the cipher once with padding off.
typedef struct cbaseline_decrypter cbaseline_decrypter;

/// Fetches the cipher and makes the context; NULL if libcrypto cannot.
cbaseline_decrypter *cbaseline_decrypter_new(void);

/// Frees what cbaseline_decrypter_new made; NULL is allowed.
void cbaseline_decrypter_free(cbaseline_decrypter *decrypter);

/// Decrypts one phone record: strict table base64, AES-128-CBC with the context re-initialised
/// with the new key and iv only, PKCS#7 checked by hand, the watermark's appid compared with
/// `appid`, and "phoneNumber" copied into `phone`. Returns the phone number's length, or one of
/// the negative CBASELINE_ codes. A decrypter serves one thread at a time.
long cbaseline_decrypt_phone(cbaseline_decrypter *decrypter, const cbaseline_record *record,
                             const unsigned char *appid, size_t appid_length,
                             char *phone, size_t phone_capacity);

#endif
