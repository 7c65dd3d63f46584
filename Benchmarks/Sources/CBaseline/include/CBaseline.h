#ifndef CBASELINE_H
#define CBASELINE_H

#include <stddef.h>

/// The longest `encryptedData` the baseline takes once decoded; longer records fail with
/// CBASELINE_INVALID_ENCRYPTED_DATA (a phone record is under 200 bytes).
#define CBASELINE_MAX_CIPHERTEXT 4096

/// The longest phone number cbaseline_decrypt_line copies into a result line; a longer one fails
/// with CBASELINE_NO_PHONE_NUMBER.
#define CBASELINE_MAX_PHONE_NUMBER 32

/// The room cbaseline_decrypt_line needs for the longest result line it writes: 19 digits and a
/// sign for the id, the longest phone number, and the fixed text around them.
#define CBASELINE_RESULT_LINE_CAPACITY 96

/// Why a record failed; cbaseline_decrypt_phone returns one of these (all negative).
enum {
    CBASELINE_INVALID_SESSION_KEY = -1,   ///< not strict base64 of 16 bytes
    CBASELINE_INVALID_IV = -2,            ///< not strict base64 of 16 bytes
    CBASELINE_INVALID_ENCRYPTED_DATA = -3, ///< not strict base64, empty, too long or not whole blocks
    CBASELINE_DECRYPTION_FAILED = -4,     ///< the cipher failed or the PKCS#7 padding is wrong
    CBASELINE_INVALID_PAYLOAD = -5,       ///< not '{'...'}', or no "watermark" object with an "appid" string
    CBASELINE_APPID_MISMATCH = -6,        ///< watermark.appid is not the expected appid
    CBASELINE_NO_PHONE_NUMBER = -7,       ///< no "phoneNumber" string, or it does not fit the caller's buffer
    CBASELINE_INVALID_RECORD = -8,        ///< the line is not '{'... with the four string fields, free of
                                          ///< escapes, and an integer "id" if it has one
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

/// Turns one record line, as `wxdecrypt generate` writes it and without its newline, into its
/// result line, the per-record work of a minimal JSON Lines decrypter: "id", "appid",
/// "session_key", "iv" and "encrypted_data" found with memmem, then cbaseline_decrypt_phone
/// against the record's own appid. Writes `{"id":7,"ok":true,"phoneNumber":"13580006666"}` or
/// `{"id":7,"ok":false,"error":"appid_mismatch"}` and a newline into `result`, which has room for
/// CBASELINE_RESULT_LINE_CAPACITY bytes; a record without an "id" is named by `line_number`.
/// Returns the result line's length. A decrypter serves one thread at a time.
size_t cbaseline_decrypt_line(cbaseline_decrypter *decrypter, const unsigned char *line, size_t length,
                              unsigned long line_number, char *result);

#endif
