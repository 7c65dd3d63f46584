#include "CBaseline.h"

#include <openssl/evp.h>
#include <stdint.h>
#include <string.h>

static EVP_CIPHER *cipher;
static EVP_CIPHER_CTX *context;
static signed char table[256];

static void setup(void) {
    if (cipher) return;
    const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    memset(table, -1, sizeof table);
    for (int i = 0; i < 64; i++) table[(unsigned char)alphabet[i]] = (signed char)i;
    cipher = EVP_CIPHER_fetch(NULL, "AES-128-CBC", NULL);
    context = EVP_CIPHER_CTX_new();
}

static int base64(const char *text, unsigned char *out, size_t capacity) {
    size_t n = strlen(text);
    while (n > 0 && text[n - 1] == '=') n--;
    size_t written = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        signed char v = table[(unsigned char)text[i]];
        if (v < 0) return -1;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (written >= capacity) return -1;
            out[written++] = (unsigned char)(acc >> bits);
        }
    }
    return (int)written;
}

static const char *find(const char *haystack, size_t length, const char *needle) {
    size_t m = strlen(needle);
    for (size_t i = 0; i + m <= length; i++)
        if (memcmp(haystack + i, needle, m) == 0) return haystack + i;
    return NULL;
}

int cbaseline_decrypt_phone(const char *session_key, const char *iv, const char *encrypted_data,
                            const char *expected_appid) {
    setup();
    unsigned char key[18], ivb[18], data[4096];
    if (base64(session_key, key, sizeof key) != 16 || base64(iv, ivb, sizeof ivb) != 16) return -1;
    int n = base64(encrypted_data, data, sizeof data);
    if (n <= 0 || n % 16) return -1;
    int outl = 0, finl = 0;
    if (!EVP_DecryptInit_ex2(context, cipher, key, ivb, NULL)) return -1;
    EVP_CIPHER_CTX_set_padding(context, 0);
    if (!EVP_DecryptUpdate(context, data, &outl, data, n) || !EVP_DecryptFinal_ex(context, data + outl, &finl)) return -1;
    int pad = data[n - 1];
    if (pad < 1 || pad > 16) return -1;
    for (int i = 0; i < pad; i++) if (data[n - 1 - i] != pad) return -1;
    size_t length = (size_t)(n - pad);
    const char *text = (const char *)data;
    if (length < 2 || text[0] != '{' || text[length - 1] != '}') return -1;
    const char *phone = find(text, length, "\"phoneNumber\":\"");
    const char *appid = find(text, length, "\"appid\":\"");
    if (!phone || !appid) return -1;
    size_t appid_length = strlen(expected_appid);
    if (memcmp(appid + 9, expected_appid, appid_length) != 0 || appid[9 + appid_length] != '"') return -1;
    const char *end = memchr(phone + 15, '"', length - (size_t)(phone + 15 - text));
    return end ? (int)(end - (phone + 15)) : -1;
}
