// What a C programmer would write to decrypt one phone record with OpenSSL 3, from its three
// base64 fields or from its JSON Lines record line to a result line, and nothing slower: it is
// the yardstick the library is measured against, so every shortcut a careful C programmer would
// take is taken here, and every check the record needs is still made.
#define _GNU_SOURCE
#include "CBaseline.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { INVALID = 0x40 }; // above every 6-bit value, so one OR of four lookups tests them all

struct cbaseline_decrypter {
    EVP_CIPHER *cipher;
    EVP_CIPHER_CTX *context;
    unsigned char alphabet[256]; // byte -> 6-bit value; INVALID for '=' and every other byte
};

cbaseline_decrypter *cbaseline_decrypter_new(void) {
    cbaseline_decrypter *decrypter = calloc(1, sizeof *decrypter);
    if (!decrypter) return NULL;
    const char *letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    memset(decrypter->alphabet, INVALID, sizeof decrypter->alphabet);
    for (int i = 0; i < 64; i++) decrypter->alphabet[(unsigned char)letters[i]] = (unsigned char)i;
    decrypter->cipher = EVP_CIPHER_fetch(NULL, "AES-128-CBC", NULL);
    decrypter->context = EVP_CIPHER_CTX_new();
    // Binding the cipher once lets each record pass only its key and iv. Padding is off, and
    // checked by hand, because the library must unpad itself (OpenSSL's unpadding is a padding
    // oracle): the yardstick does the same work (OpenSSL re-applies the flag on every re-init).
    if (!decrypter->cipher || !decrypter->context ||
        !EVP_DecryptInit_ex2(decrypter->context, decrypter->cipher, NULL, NULL, NULL) ||
        !EVP_CIPHER_CTX_set_padding(decrypter->context, 0)) {
        cbaseline_decrypter_free(decrypter);
        ERR_clear_error();
        return NULL;
    }
    return decrypter;
}

void cbaseline_decrypter_free(cbaseline_decrypter *decrypter) {
    if (!decrypter) return;
    EVP_CIPHER_CTX_free(decrypter->context);
    EVP_CIPHER_free(decrypter->cipher);
    free(decrypter);
}

/// Strict base64: whole groups of four, '=' only as the last one or two bytes. Returns the
/// decoded length, or -1 when the text is not base64 or decodes to more than `capacity` bytes.
static long base64_decode(const unsigned char *alphabet, const unsigned char *text, size_t length,
                          unsigned char *out, size_t capacity) {
    if (length == 0 || length % 4 != 0) return -1;
    size_t padding = (text[length - 1] == '=') + (text[length - 1] == '=' && text[length - 2] == '=');
    size_t decoded = length / 4 * 3 - padding;
    if (decoded > capacity) return -1;
    size_t whole = padding ? length - 4 : length;
    for (size_t i = 0; i < whole; i += 4, out += 3) {
        unsigned a = alphabet[text[i]], b = alphabet[text[i + 1]], c = alphabet[text[i + 2]], d = alphabet[text[i + 3]];
        if ((a | b | c | d) & INVALID) return -1;
        uint32_t group = a << 18 | b << 12 | c << 6 | d;
        out[0] = (unsigned char)(group >> 16);
        out[1] = (unsigned char)(group >> 8);
        out[2] = (unsigned char)group;
    }
    if (padding) {
        const unsigned char *last = text + length - 4;
        unsigned a = alphabet[last[0]], b = alphabet[last[1]], c = padding == 1 ? alphabet[last[2]] : 0;
        if ((a | b | c) & INVALID) return -1;
        uint32_t group = a << 18 | b << 12 | c << 6;
        out[0] = (unsigned char)(group >> 16);
        if (padding == 1) out[1] = (unsigned char)(group >> 8);
    }
    return (long)decoded;
}

static const char *skip_space(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) p++;
    return p;
}

/// Where the value of member `"key"` starts (blanks skipped), or NULL. A match with no colon
/// after it was inside some other string and is passed over.
static const char *member(const char *p, const char *end, const char *quoted_key, size_t key_length) {
    while (p < end) {
        const char *key = memmem(p, (size_t)(end - p), quoted_key, key_length);
        if (!key) return NULL;
        const char *colon = skip_space(key + key_length, end);
        if (colon < end && *colon == ':') return skip_space(colon + 1, end);
        p = key + key_length;
    }
    return NULL;
}

/// The contents of the string member `"key"`; escapes are refused (no phone number or appid has one).
static int string_member(const char *p, const char *end, const char *quoted_key, size_t key_length,
                         const char **value, size_t *value_length) {
    const char *open = member(p, end, quoted_key, key_length);
    if (!open || open >= end || *open != '"') return -1;
    const char *close = memchr(open + 1, '"', (size_t)(end - open - 1));
    if (!close || memchr(open + 1, '\\', (size_t)(close - open - 1))) return -1;
    *value = open + 1;
    *value_length = (size_t)(close - open - 1);
    return 0;
}

#define QUOTED(key) "\"" key "\"", sizeof(key) + 1

long cbaseline_decrypt_phone(cbaseline_decrypter *decrypter, const cbaseline_record *record,
                             const unsigned char *appid, size_t appid_length,
                             char *phone, size_t phone_capacity) {
    unsigned char key[16], iv[16], ciphertext[CBASELINE_MAX_CIPHERTEXT], plaintext[CBASELINE_MAX_CIPHERTEXT];
    if (base64_decode(decrypter->alphabet, record->session_key, record->session_key_length, key, sizeof key) != 16)
        return CBASELINE_INVALID_SESSION_KEY;
    if (base64_decode(decrypter->alphabet, record->iv, record->iv_length, iv, sizeof iv) != 16)
        return CBASELINE_INVALID_IV;
    long length = base64_decode(decrypter->alphabet, record->encrypted_data, record->encrypted_data_length,
                                ciphertext, sizeof ciphertext);
    if (length <= 0 || length % 16 != 0) return CBASELINE_INVALID_ENCRYPTED_DATA;

    int updated = 0, finished = 0;
    if (!EVP_DecryptInit_ex2(decrypter->context, NULL, key, iv, NULL) ||
        !EVP_DecryptUpdate(decrypter->context, plaintext, &updated, ciphertext, (int)length) ||
        !EVP_DecryptFinal_ex(decrypter->context, plaintext + updated, &finished) ||
        updated + finished != length) {
        ERR_clear_error();
        return CBASELINE_DECRYPTION_FAILED;
    }
    unsigned pad = plaintext[length - 1];
    if (pad < 1 || pad > 16) return CBASELINE_DECRYPTION_FAILED;
    for (unsigned i = 2; i <= pad; i++)
        if (plaintext[length - i] != pad) return CBASELINE_DECRYPTION_FAILED;

    const char *end = (const char *)plaintext + length - pad;
    const char *start = skip_space((const char *)plaintext, end);
    while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n')) end--;
    if (end - start < 2 || *start != '{' || end[-1] != '}') return CBASELINE_INVALID_PAYLOAD;
    const char *watermark = member(start, end, QUOTED("watermark"));
    if (!watermark || watermark >= end || *watermark != '{') return CBASELINE_INVALID_PAYLOAD;
    const char *watermark_end = memchr(watermark, '}', (size_t)(end - watermark));
    const char *found_appid;
    size_t found_appid_length;
    if (!watermark_end ||
        string_member(watermark, watermark_end, QUOTED("appid"), &found_appid, &found_appid_length))
        return CBASELINE_INVALID_PAYLOAD;
    if (found_appid_length != appid_length || memcmp(found_appid, appid, appid_length) != 0)
        return CBASELINE_APPID_MISMATCH;

    const char *number;
    size_t number_length;
    if (string_member(start, end, QUOTED("phoneNumber"), &number, &number_length) || number_length > phone_capacity)
        return CBASELINE_NO_PHONE_NUMBER;
    memcpy(phone, number, number_length);
    return (long)number_length;
}

/// The library's name for each failure, indexed by the negated CBASELINE_ code.
static const char *const failure_names[] = {
    [-CBASELINE_INVALID_SESSION_KEY] = "invalid_session_key",
    [-CBASELINE_INVALID_IV] = "invalid_iv",
    [-CBASELINE_INVALID_ENCRYPTED_DATA] = "invalid_encrypted_data",
    [-CBASELINE_DECRYPTION_FAILED] = "decryption_failed",
    [-CBASELINE_INVALID_PAYLOAD] = "invalid_payload",
    [-CBASELINE_APPID_MISMATCH] = "appid_mismatch",
    [-CBASELINE_NO_PHONE_NUMBER] = "invalid_payload",
    [-CBASELINE_INVALID_RECORD] = "invalid_record",
};

static char *put(char *out, const char *text, size_t length) {
    memcpy(out, text, length);
    return out + length;
}

#define PUT(out, literal) put(out, literal, sizeof(literal) - 1)

/// Finds member "id": 1 when there is none, 0 when its value is an integer token (a sign and at
/// most 19 digits, so that it fits a result line), -1 when it is anything else.
static int integer_member(const char *p, const char *end, const char **value, size_t *value_length) {
    const char *start = member(p, end, QUOTED("id"));
    if (!start) return 1;
    const char *digits = start < end && *start == '-' ? start + 1 : start;
    const char *stop = digits;
    while (stop < end && *stop >= '0' && *stop <= '9') stop++;
    if (stop == digits || stop - digits > 19) return -1;
    *value = start;
    *value_length = (size_t)(stop - start);
    return 0;
}

static char *put_decimal(char *out, unsigned long number) {
    char digits[20];
    size_t count = 0;
    do digits[sizeof digits - ++count] = (char)('0' + number % 10); while ((number /= 10) != 0);
    return put(out, digits + sizeof digits - count, count);
}

size_t cbaseline_decrypt_line(cbaseline_decrypter *decrypter, const unsigned char *line, size_t length,
                              unsigned long line_number, char *result) {
    const char *end = (const char *)line + length, *start = skip_space((const char *)line, end);
    const char *id = NULL, *appid, *key, *iv, *data;
    size_t id_length = 0, appid_length, key_length, iv_length, data_length;
    char phone[CBASELINE_MAX_PHONE_NUMBER];
    long outcome;
    // The id is looked for first so that a broken record is named by it too; a record without
    // one is named by its line number.
    if (integer_member(start, end, &id, &id_length) < 0 || start == end || *start != '{' ||
        string_member(start, end, QUOTED("appid"), &appid, &appid_length) ||
        string_member(start, end, QUOTED("session_key"), &key, &key_length) ||
        string_member(start, end, QUOTED("iv"), &iv, &iv_length) ||
        string_member(start, end, QUOTED("encrypted_data"), &data, &data_length)) {
        outcome = CBASELINE_INVALID_RECORD;
    } else {
        cbaseline_record record = {
            (const unsigned char *)key, key_length, (const unsigned char *)iv, iv_length,
            (const unsigned char *)data, data_length,
        };
        outcome = cbaseline_decrypt_phone(decrypter, &record, (const unsigned char *)appid, appid_length,
                                          phone, sizeof phone);
    }

    char *out = PUT(result, "{\"id\":");
    out = id ? put(out, id, id_length) : put_decimal(out, line_number);
    if (outcome >= 0) {
        out = PUT(out, ",\"ok\":true,\"phoneNumber\":\"");
        out = put(out, phone, (size_t)outcome);
    } else {
        out = PUT(out, ",\"ok\":false,\"error\":\"");
        const char *name = failure_names[-outcome];
        out = put(out, name, strlen(name));
    }
    out = PUT(out, "\"}\n");
    return (size_t)(out - result);
}
