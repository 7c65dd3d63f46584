/*
 * strict_floor: what C costs when it does everything `wxdecrypt decrypt-file` does.
 *
 *   strict_floor INPUT.jsonl OUTPUT.jsonl [--app-id APPID]      (INPUT or OUTPUT may be '-')
 *
 * compare.sh's C bound (shared/bench/c_evp_peer.c beside the repository) is the least a decrypter can do: no JSON
 * validation, no UTF-8 validation, nothing in constant time. This program is the least C can do
 * under decrypt-file's rules (README.md, Sources/WeChatOpenData), and writes the same result lines,
 * byte for byte, as `decrypt-file INPUT --jobs 1 --output OUTPUT [--app-id APPID]` does:
 *   - lines: a leading byte-order mark dropped, one trailing CR ignored, blank lines counted but
 *     skipped, lines over 1 MiB refused by length;
 *   - the record: one strict RFC 8259 object (UTF-8 checked, escapes and surrogate pairs checked,
 *     duplicate keys refused after unescaping, depth <= 16, numbers <= 32 characters and within a
 *     double's range), both spellings of each field (a record with both is ambiguous), the id
 *     echoed on one line, an appid checked once per distinct appid, previous_session_key tried
 *     when session_key gives decryption_failed;
 *   - base64: canonical standard base64 four (eight for keys) characters at a time; session keys
 *     by arithmetic on masks, never a table indexed by a key byte nor a branch on one; exactly
 *     16-byte key and iv; when the fast path refuses, the general decoder as the Swift one reads a
 *     field first (URL-safe alphabet, line breaks, tabs, missing '=', and a space between two
 *     characters of a line as the '+' form decoding turned into it, repaired; errors by offset,
 *     with the hex/decimal key hints);
 *   - AES-128-CBC: one EVP_CIPHER_CTX, padding off, re-initialised per record with a NULL cipher;
 *     PKCS#7 checked in constant time over the last 16 bytes whatever the pad value, and the JSON
 *     validator run over the unpadded bytes whatever the padding: one branch on the combined
 *     verdict, one decryption_failed;
 *   - the plaintext: the same strict validation, which also collects the watermark's and the phone
 *     model's members on the way (one pass); watermark.appid against the record's appid or the
 *     default, watermark.timestamp an Int64, phoneNumber, purePhoneNumber, countryCode (a string or
 *     an integer), written back with decrypt-file's JSON escaping;
 *   - key, iv and plaintext buffers wiped with OPENSSL_cleanse after each record; the output file
 *     created 0600; core dumps off.
 * Not done, and reported instead of guessed: a base64 field that its first reading refuses while
 * spaces at its edges allow the Swift decoder other readings, and payloads of kinds other than a
 * phone number, give a result with the code "not_in_floor", which no decrypt-file output has, so
 * a comparison with `cmp` fails loudly.
 * Also left out: --max-age, --mask, --format csv, --freshness-from-records (compare.sh uses none).
 *
 * Build: cc -O2 -std=c11 -Wall -o strict_floor strict_floor.c -lcrypto
 * Exit: 0 all ok, 1 a record failed (as decrypt-file), 2 usage or I/O error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

enum {
    MAX_LINE = 1 << 20,
    MAX_DEPTH = 16,
    MAX_NUMBER = 32,
    INLINE_KEYS = 32,
    MAX_DATA = 64 * 1024,
    TEXT_LIMIT = 2 * MAX_DATA + 64,
    READ_SIZE = 1 << 20,
    OUT_FLUSH = 1 << 20,
};

#define LANES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* ---- output ---------------------------------------------------------------------------------- */

static int out_fd = -1;
static uint8_t *out_buf;
static size_t out_len, out_cap;

static void die(const char *what) {
    fprintf(stderr, "strict_floor: %s: %s\n", what, strerror(errno));
    exit(2);
}

static void out_flush(void) {
    size_t done = 0;
    while (done < out_len) {
        ssize_t n = write(out_fd, out_buf + done, out_len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) die("cannot write the output");
        done += (size_t)n;
    }
    out_len = 0;
}

/* Room for `n` more bytes at out_buf + out_len. */
static uint8_t *out_room(size_t n) {
    if (out_len + n > out_cap) {
        out_flush();
        if (n > out_cap) {
            out_buf = realloc(out_buf, n);
            if (!out_buf) die("out of memory");
            out_cap = n;
        }
    }
    return out_buf + out_len;
}

static void out_put(const void *bytes, size_t n) {
    memcpy(out_room(n), bytes, n);
    out_len += n;
}

#define OUT_LITERAL(s) out_put(s, sizeof(s) - 1)

static void out_int(long long value) {
    uint8_t digits[24], *p = digits + sizeof digits;
    unsigned long long magnitude = value < 0 ? 0ULL - (unsigned long long)value : (unsigned long long)value;
    do *--p = (uint8_t)('0' + magnitude % 10); while ((magnitude /= 10) != 0);
    if (value < 0) *--p = '-';
    out_put(p, (size_t)(digits + sizeof digits - p));
}

/* A JSON string literal of UTF-8 `s`: quote, backslash and controls escaped (JSONWriting.swift). */
static void out_string(const uint8_t *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    uint8_t *o = out_room(6 * n + 2);
    size_t w = 0;
    o[w++] = '"';
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            o[w++] = c;
            continue;
        }
        o[w++] = '\\';
        switch (c) {
        case '"': o[w++] = '"'; break;
        case '\\': o[w++] = '\\'; break;
        case '\n': o[w++] = 'n'; break;
        case '\r': o[w++] = 'r'; break;
        case '\t': o[w++] = 't'; break;
        default:
            o[w++] = 'u', o[w++] = '0', o[w++] = '0';
            o[w++] = (uint8_t)hex[c >> 4], o[w++] = (uint8_t)hex[c & 15];
        }
    }
    o[w++] = '"';
    out_len += w;
}

/* ---- JSON strings ------------------------------------------------------------------------------ */

typedef struct { size_t start, end; int escapes; } Span; /* a string's content, between its quotes */

static int hex_digit(uint8_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static long hex_quad(const uint8_t *b, size_t n, size_t at) {
    if (at + 4 > n) return -1;
    long v = 0;
    for (size_t i = at; i < at + 4; i++) {
        int d = hex_digit(b[i]);
        if (d < 0) return -1;
        v = v << 4 | d;
    }
    return v;
}

/* Decodes the escapes of validated string content into `out` (never longer than the content). */
static size_t unescape(const uint8_t *raw, size_t n, uint8_t *out) {
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        if (raw[i] != '\\') {
            out[w++] = raw[i++];
            continue;
        }
        uint8_t e = raw[i + 1];
        i += 2;
        switch (e) {
        case 'b': out[w++] = 0x08; continue;
        case 'f': out[w++] = 0x0C; continue;
        case 'n': out[w++] = 0x0A; continue;
        case 'r': out[w++] = 0x0D; continue;
        case 't': out[w++] = 0x09; continue;
        case 'u': break;
        default: out[w++] = e; continue;
        }
        uint32_t cp = (uint32_t)hex_quad(raw, n, i);
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)hex_quad(raw, n, i + 2) - 0xDC00);
            i += 6;
        }
        if (cp < 0x80) {
            out[w++] = (uint8_t)cp;
        } else if (cp < 0x800) {
            out[w++] = (uint8_t)(0xC0 | cp >> 6), out[w++] = (uint8_t)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out[w++] = (uint8_t)(0xE0 | cp >> 12), out[w++] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
            out[w++] = (uint8_t)(0x80 | (cp & 0x3F));
        } else {
            out[w++] = (uint8_t)(0xF0 | cp >> 18), out[w++] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
            out[w++] = (uint8_t)(0x80 | (cp >> 6 & 0x3F)), out[w++] = (uint8_t)(0x80 | (cp & 0x3F));
        }
    }
    return w;
}

/* The text of a string: its raw bytes, or unescaped into `scratch` (room for the content). */
static const uint8_t *span_text(const uint8_t *b, Span s, uint8_t *scratch, size_t *n) {
    if (!s.escapes) {
        *n = s.end - s.start;
        return b + s.start;
    }
    *n = unescape(b + s.start, s.end - s.start, scratch);
    return scratch;
}

/* Room for a key that could be a field name: the longest has 20 characters, six bytes each escaped. */
enum { KEY_TEXT = 6 * 20 };

/* A key's text, to compare with names: its bytes, or unescaped into `text`; NULL when it is
 * too long to be any name. */
static const uint8_t *key_text(const uint8_t *b, Span k, uint8_t text[KEY_TEXT], size_t *n) {
    size_t raw = k.end - k.start;
    if (!k.escapes) {
        *n = raw;
        return b + k.start;
    }
    if (raw > KEY_TEXT) return NULL;
    *n = unescape(b + k.start, raw, text);
    return text;
}

#define NAME_IS(text, n, literal) ((n) == sizeof(literal) - 1 && memcmp(text, literal, sizeof(literal) - 1) == 0)

/* Whether two keys are the same string once unescaped (only keys with escapes get here). */
static int keys_equal_unescaped(const uint8_t *b, Span x, Span y) {
    uint8_t small[2][256];
    size_t nx = x.end - x.start, ny = y.end - y.start;
    uint8_t *tx = nx <= sizeof small[0] ? small[0] : malloc(nx);
    uint8_t *ty = ny <= sizeof small[1] ? small[1] : malloc(ny);
    if (!tx || !ty) die("out of memory");
    size_t mx, my;
    const uint8_t *px = span_text(b, x, tx, &mx), *py = span_text(b, y, ty, &my);
    int equal = mx == my && memcmp(px, py, mx) == 0;
    if (tx != small[0]) free(tx);
    if (ty != small[1]) free(ty);
    return equal;
}

static int keys_equal(const uint8_t *b, Span x, Span y) {
    if (!x.escapes && !y.escapes)
        return x.end - x.start == y.end - y.start && memcmp(b + x.start, b + y.start, x.end - x.start) == 0;
    return keys_equal_unescaped(b, x, y);
}

/* FNV-1a of a key's unescaped text, for objects with more keys than the inline list holds. */
static uint64_t key_hash(const uint8_t *b, Span k) {
    uint8_t small[256];
    size_t raw = k.end - k.start, n;
    uint8_t *scratch = raw <= sizeof small ? small : malloc(raw);
    if (!scratch) die("out of memory");
    const uint8_t *t = span_text(b, k, scratch, &n);
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ t[i]) * 0x100000001b3ULL;
    if (scratch != small) free(scratch);
    return h;
}

/* The keys of one object: the first INLINE_KEYS in a list, all of them in a hash set past that,
 * so that a line of a hundred thousand keys costs linear time. */
typedef struct {
    Span inline_keys[INLINE_KEYS];
    size_t count;
    Span *table;
    uint64_t *hashes;
    size_t slots; /* a power of two, or 0 */
} KeyList;

static int table_insert(const uint8_t *b, KeyList *l, Span k, uint64_t h) {
    size_t i = (size_t)h & (l->slots - 1);
    for (; l->table[i].end != 0; i = (i + 1) & (l->slots - 1))
        if (l->hashes[i] == h && keys_equal(b, l->table[i], k)) return 0;
    l->table[i] = k;
    l->hashes[i] = h;
    return 1;
}

static void table_grow(const uint8_t *b, KeyList *l) {
    Span *old = l->table;
    uint64_t *old_hashes = l->hashes;
    size_t old_slots = l->slots;
    l->slots = old_slots ? 2 * old_slots : 4 * INLINE_KEYS;
    l->table = calloc(l->slots, sizeof *l->table);
    l->hashes = calloc(l->slots, sizeof *l->hashes);
    if (!l->table || !l->hashes) die("out of memory");
    for (size_t i = 0; i < old_slots; i++)
        if (old[i].end != 0) table_insert(b, l, old[i], old_hashes[i]);
    if (!old) /* the inline keys move in; they are unique */
        for (size_t i = 0; i < l->count; i++) table_insert(b, l, l->inline_keys[i], key_hash(b, l->inline_keys[i]));
    free(old);
    free(old_hashes);
}

/* Adds a key; 0 when an equal key is already there. */
static int keys_insert(const uint8_t *b, KeyList *l, Span k) {
    if (l->count < INLINE_KEYS && !l->table) {
        for (size_t i = 0; i < l->count; i++) {
            Span s = l->inline_keys[i];
            if (!s.escapes && !k.escapes && s.end - s.start != k.end - k.start) continue;
            if (keys_equal(b, s, k)) return 0;
        }
        l->inline_keys[l->count++] = k;
        return 1;
    }
    if (2 * (l->count + 1) > l->slots) table_grow(b, l);
    if (!table_insert(b, l, k, key_hash(b, k))) return 0;
    l->count++;
    return 1;
}

static void keys_free(KeyList *l) {
    if (!l->table) return;
    free(l->table);
    free(l->hashes);
}

/* ---- the strict JSON validator ----------------------------------------------------------------- */

/* A value's extent; `escapes` says whether a string value has any. */
typedef struct { size_t start, end; int escapes; } Value;

/* What a pass collects from the members it validates: a record line's fields, or a payload's. */
typedef enum { COLLECT_RECORD, COLLECT_PAYLOAD } CollectMode;

/* The record fields and their spellings, each a bit in `seen`. */
enum Field { F_SESSION_KEY, F_PREVIOUS_KEY, F_IV, F_DATA, F_APPID, FIELD_COUNT };
typedef struct { enum Field field; unsigned bit, other; const char *name; size_t len; const char *canonical; } Spelling;
#define SPELL(field, bit, other, name, canonical) {field, 1u << (bit), 1u << (other), name, sizeof(name) - 1, canonical}
static const Spelling SPELLINGS[] = {
    SPELL(F_SESSION_KEY, 0, 1, "session_key", "session_key"),
    SPELL(F_SESSION_KEY, 1, 0, "sessionKey", "session_key"),
    SPELL(F_IV, 2, 2, "iv", "iv"),
    SPELL(F_DATA, 3, 4, "encrypted_data", "encrypted_data"),
    SPELL(F_DATA, 4, 3, "encryptedData", "encrypted_data"),
    SPELL(F_APPID, 5, 6, "appid", "appid"),
    SPELL(F_APPID, 6, 5, "appId", "appid"),
    SPELL(F_PREVIOUS_KEY, 7, 8, "previous_session_key", "previous_session_key"),
    SPELL(F_PREVIOUS_KEY, 8, 7, "previousSessionKey", "previous_session_key"),
};
#undef SPELL
#define SPELLING_COUNT (sizeof SPELLINGS / sizeof SPELLINGS[0])

static const char *spelling_name(unsigned bit) {
    for (size_t i = 0; i < SPELLING_COUNT; i++)
        if (SPELLINGS[i].bit == bit) return SPELLINGS[i].name;
    return "";
}

/* The payload members, and the kinds their keys name (OpenDataPayload.Kind.recognise). */
enum Member { M_NONE, M_WATERMARK, M_PHONE, M_PURE, M_COUNTRY, M_OTHER_KIND };
enum Kind { KIND_RAW, KIND_PHONE, KIND_OTHER };
enum WatermarkMember { W_NONE, W_APPID, W_TIMESTAMP };

typedef struct {
    CollectMode mode;
    /* A record line. */
    int has_id;
    Value id;
    int has[FIELD_COUNT];
    Span field[FIELD_COUNT];
    unsigned seen;
    const char *wrong_type;    /* the first field that is neither a string nor null */
    unsigned ambiguous[2];     /* the two spellings of the first field spelled both ways */
    /* A payload. */
    enum Kind kind;
    int has_member[M_OTHER_KIND + 1];
    Value member[M_OTHER_KIND + 1];
    int has_watermark_member[W_TIMESTAMP + 1];
    Value watermark_member[W_TIMESTAMP + 1];
} Collected;

typedef struct {
    const uint8_t *b;
    size_t n, i;
    Collected *c;
    int in_watermark; /* validating the top-level "watermark" member's value */
} Json;

static int j_value(Json *j, int depth, int *escapes);

static inline void j_space(Json *j) {
    while (j->i < j->n && j->b[j->i] <= 0x20) {
        uint8_t c = j->b[j->i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
        j->i++;
    }
}

/* The lanes of `w` that a string scan stops at: '"', '\\', below 0x20, 0x80 and up. Only the
 * lowest flagged lane is exact, which is the one a scan wants. */
static inline uint64_t string_stops(uint64_t w) {
    uint64_t quote = w ^ (LANES * '"'), backslash = w ^ (LANES * '\\');
    return (w & HIGHS) | ((w - LANES * 0x20) & ~w & HIGHS) | ((quote - LANES) & ~quote & HIGHS)
        | ((backslash - LANES) & ~backslash & HIGHS);
}

static int j_escape(Json *j) {
    const uint8_t *b = j->b;
    if (j->i + 1 >= j->n) return 0;
    switch (b[j->i + 1]) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
        j->i += 2;
        return 1;
    case 'u': {
        long unit = hex_quad(b, j->n, j->i + 2);
        if (unit < 0) return 0;
        j->i += 6;
        if (unit >= 0xDC00 && unit <= 0xDFFF) return 0;
        if (unit < 0xD800 || unit > 0xDBFF) return 1;
        if (j->i + 1 >= j->n || b[j->i] != '\\' || b[j->i + 1] != 'u') return 0;
        long low = hex_quad(b, j->n, j->i + 2);
        if (low < 0xDC00 || low > 0xDFFF) return 0;
        j->i += 6;
        return 1;
    }
    default:
        return 0;
    }
}

/* One UTF-8 sequence of two to four bytes (Unicode Table 3-7). */
static int j_multibyte(Json *j) {
    const uint8_t *p = j->b + j->i;
    size_t left = j->n - j->i;
    uint8_t lead = p[0];
#define CONT(k, lo, hi) (p[k] >= (lo) && p[k] <= (hi))
    if (lead >= 0xC2 && lead <= 0xDF) {
        if (left < 2 || !CONT(1, 0x80, 0xBF)) return 0;
        j->i += 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        uint8_t lo = lead == 0xE0 ? 0xA0 : 0x80, hi = lead == 0xED ? 0x9F : 0xBF;
        if (left < 3 || !CONT(1, lo, hi) || !CONT(2, 0x80, 0xBF)) return 0;
        j->i += 3;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        uint8_t lo = lead == 0xF0 ? 0x90 : 0x80, hi = lead == 0xF4 ? 0x8F : 0xBF;
        if (left < 4 || !CONT(1, lo, hi) || !CONT(2, 0x80, 0xBF) || !CONT(3, 0x80, 0xBF)) return 0;
        j->i += 4;
    } else {
        return 0;
    }
#undef CONT
    return 1;
}

/* A string token at j->i (its opening quote). */
static int j_string(Json *j, Span *span) {
    const uint8_t *b = j->b;
    size_t n = j->n;
    span->start = ++j->i;
    span->escapes = 0;
    for (;;) {
        while (j->i + 8 <= n) {
            uint64_t w;
            memcpy(&w, b + j->i, 8);
            uint64_t stops = string_stops(w);
            if (stops) {
                j->i += (size_t)__builtin_ctzll(stops) >> 3;
                goto special;
            }
            j->i += 8;
        }
        while (j->i < n && b[j->i] >= 0x20 && b[j->i] < 0x80 && b[j->i] != '"' && b[j->i] != '\\') j->i++;
        if (j->i >= n) return 0;
    special:
        switch (b[j->i]) {
        case '"':
            span->end = j->i++;
            return 1;
        case '\\':
            span->escapes = 1;
            if (!j_escape(j)) return 0;
            break;
        default:
            if (b[j->i] < 0x20 || !j_multibyte(j)) return 0;
        }
    }
}

static int j_number(Json *j) {
    const uint8_t *b = j->b;
    size_t n = j->n, start = j->i;
#define DIGIT() (j->i < n && b[j->i] >= '0' && b[j->i] <= '9')
    if (b[j->i] == '-') j->i++;
    if (!DIGIT()) return 0;
    int integer_digits = 0;
    if (b[j->i] == '0') {
        j->i++;
    } else {
        while (DIGIT()) j->i++, integer_digits++;
    }
    if (j->i < n && b[j->i] == '.') {
        j->i++;
        if (!DIGIT()) return 0;
        while (DIGIT()) j->i++;
    }
    long exponent = 0;
    if (j->i < n && (b[j->i] == 'e' || b[j->i] == 'E')) {
        j->i++;
        int negative = 0;
        if (j->i < n && (b[j->i] == '+' || b[j->i] == '-')) negative = b[j->i++] == '-';
        if (!DIGIT()) return 0;
        while (DIGIT()) {
            exponent = exponent * 10 + (b[j->i++] - '0');
            if (exponent > 100000) exponent = 100000;
        }
        if (negative) exponent = -exponent;
    }
#undef DIGIT
    size_t length = j->i - start;
    if (length > MAX_NUMBER) return 0;
    /* Out of a double's range is possible only with an exponent or many digits. */
    if (exponent != 0 || integer_digits > 15) {
        char text[MAX_NUMBER + 1];
        memcpy(text, b + start, length);
        text[length] = 0;
        double value = strtod(text, NULL);
        if (!isfinite(value)) return 0;
        if (value == 0)
            for (size_t k = 0; k < length && text[k] != 'e' && text[k] != 'E'; k++)
                if (text[k] >= '1' && text[k] <= '9') return 0; /* underflowed to zero */
    }
    return 1;
}

static int j_literal(Json *j, const char *word, size_t len) {
    if (j->n - j->i < len || memcmp(j->b + j->i, word, len) != 0) return 0;
    j->i += len;
    return 1;
}

static int j_array(Json *j, int depth) {
    if (depth > MAX_DEPTH) return 0;
    j->i++;
    j_space(j);
    if (j->i < j->n && j->b[j->i] == ']') return j->i++, 1;
    for (;;) {
        int escapes;
        j_space(j);
        if (!j_value(j, depth, &escapes)) return 0;
        j_space(j);
        if (j->i >= j->n) return 0;
        if (j->b[j->i] == ']') return j->i++, 1;
        if (j->b[j->i++] != ',') return 0;
    }
}

/* Which record field a top-level key of a line names, marking its spelling seen (`now` and
 * `max_age` matter only under --freshness-from-records, which this floor leaves out). */
static void record_member(Collected *c, const uint8_t *b, Span key, Value v) {
    uint8_t text[KEY_TEXT];
    size_t n;
    const uint8_t *t = key_text(b, key, text, &n);
    if (!t) return;
    if (NAME_IS(t, n, "id")) {
        c->has_id = 1, c->id = v;
        return;
    }
    for (size_t s = 0; s < SPELLING_COUNT; s++) {
        const Spelling *sp = &SPELLINGS[s];
        if (sp->len != n || memcmp(t, sp->name, n) != 0) continue;
        if ((c->seen & sp->other) && !c->ambiguous[0]) c->ambiguous[0] = sp->other, c->ambiguous[1] = sp->bit;
        c->seen |= sp->bit;
        c->has[sp->field] = 0;
        if (b[v.start] == '"') {
            c->has[sp->field] = 1;
            c->field[sp->field] = (Span){v.start + 1, v.end - 1, v.escapes};
        } else if (b[v.start] != 'n' && !c->wrong_type) {
            c->wrong_type = sp->canonical;
        }
        return;
    }
}

static enum Member payload_member(const uint8_t *b, Span key) {
    uint8_t text[KEY_TEXT];
    size_t n;
    const uint8_t *t = key_text(b, key, text, &n);
    if (!t) return M_NONE;
    if (NAME_IS(t, n, "watermark")) return M_WATERMARK;
    if (NAME_IS(t, n, "phoneNumber")) return M_PHONE;
    if (NAME_IS(t, n, "purePhoneNumber")) return M_PURE;
    if (NAME_IS(t, n, "countryCode")) return M_COUNTRY;
    /* The keys by which the other kinds are recognised. */
    if (NAME_IS(t, n, "openId") || NAME_IS(t, n, "nickName") || NAME_IS(t, n, "avatarUrl") || NAME_IS(t, n, "stepInfoList")
        || NAME_IS(t, n, "openGId") || NAME_IS(t, n, "opengid") || NAME_IS(t, n, "open_single_roomid"))
        return M_OTHER_KIND;
    return M_NONE;
}

static enum WatermarkMember watermark_member(const uint8_t *b, Span key) {
    uint8_t text[KEY_TEXT];
    size_t n;
    const uint8_t *t = key_text(b, key, text, &n);
    if (!t) return W_NONE;
    return NAME_IS(t, n, "appid") ? W_APPID : NAME_IS(t, n, "timestamp") ? W_TIMESTAMP : W_NONE;
}

static int j_object(Json *j, int depth) {
    if (depth > MAX_DEPTH) return 0;
    const uint8_t *b = j->b;
    Collected *c = j->c;
    KeyList keys;
    keys.count = 0, keys.table = NULL, keys.hashes = NULL, keys.slots = 0;
    int ok = 0;
    j->i++;
    j_space(j);
    if (j->i < j->n && b[j->i] == '}') {
        j->i++;
        return 1;
    }
    for (;;) {
        Span key;
        j_space(j);
        if (j->i >= j->n || b[j->i] != '"' || !j_string(j, &key)) goto done;
        if (!keys_insert(b, &keys, key)) goto done;
        j_space(j);
        if (j->i >= j->n || b[j->i] != ':') goto done;
        j->i++;
        j_space(j);
        /* The payload's members are named before their values are validated, so that the
         * watermark's own members are collected on the same pass. */
        enum Member member = M_NONE;
        int watermark_level = j->in_watermark;
        if (depth == 1 && c->mode == COLLECT_PAYLOAD) {
            member = payload_member(b, key);
            j->in_watermark = member == M_WATERMARK;
        }
        Value v = {j->i, 0, 0};
        if (!j_value(j, depth, &v.escapes)) goto done;
        v.end = j->i;
        j->in_watermark = watermark_level;
        if (depth == 1 && c->mode == COLLECT_RECORD) {
            record_member(c, b, key, v);
        } else if (depth == 1) {
            if (member != M_NONE) c->has_member[member] = 1, c->member[member] = v;
            if (c->kind == KIND_RAW && member >= M_PHONE && member != M_COUNTRY)
                c->kind = member == M_OTHER_KIND ? KIND_OTHER : KIND_PHONE;
        } else if (depth == 2 && watermark_level) {
            enum WatermarkMember w = watermark_member(b, key);
            if (w != W_NONE) c->has_watermark_member[w] = 1, c->watermark_member[w] = v;
        }
        j_space(j);
        if (j->i >= j->n) goto done;
        if (b[j->i] == '}') {
            j->i++;
            ok = 1;
            goto done;
        }
        if (b[j->i++] != ',') goto done;
    }
done:
    keys_free(&keys);
    return ok;
}

static int j_value(Json *j, int depth, int *escapes) {
    *escapes = 0;
    if (j->i >= j->n) return 0;
    switch (j->b[j->i]) {
    case '{': return j_object(j, depth + 1);
    case '[': return j_array(j, depth + 1);
    case '"': {
        Span s;
        if (!j_string(j, &s)) return 0;
        *escapes = s.escapes;
        return 1;
    }
    case 't': return j_literal(j, "true", 4);
    case 'f': return j_literal(j, "false", 5);
    case 'n': return j_literal(j, "null", 4);
    default: return j_number(j);
    }
}

/* Whether `b` is one strict JSON object, optionally in whitespace; collects into `c` on the way
 * (read `c` only when this returns 1). */
static int json_object_document(const uint8_t *b, size_t n, Collected *c) {
    Json j = {b, n, 0, c, 0};
    j_space(&j);
    if (j.i >= n || b[j.i] != '{') return 0;
    if (!j_object(&j, 1)) return 0;
    j_space(&j);
    return j.i == n;
}

/* ---- base64 ------------------------------------------------------------------------------------- */

typedef enum { FIELD_SESSION_KEY, FIELD_PREVIOUS_KEY, FIELD_IV, FIELD_DATA } Field64;
static const char *const FIELD_NAME[] = {"session_key", "previous_session_key", "iv", "encrypted_data"};
static const char *const FIELD_CODE[] = {"invalid_session_key", "invalid_session_key", "invalid_iv",
                                         "invalid_encrypted_data"};

static int field_is_secret(Field64 f) { return f == FIELD_SESSION_KEY || f == FIELD_PREVIOUS_KEY; }
static int field_accepts(Field64 f, long count) { return f == FIELD_DATA ? count > 0 && count % 16 == 0 : count == 16; }
static size_t max_decoded(size_t text) { return text / 4 * 3 + 3; }

static uint8_t B64_TABLE[256]; /* 0..63, or 0xFF: standard alphabet only; never indexed by key bytes */

static void b64_table_init(void) {
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    memset(B64_TABLE, 0xFF, sizeof B64_TABLE);
    for (int i = 0; i < 64; i++) B64_TABLE[(uint8_t)alphabet[i]] = (uint8_t)i;
}

/* All ones when lo <= c <= hi, else zero: no branch, no table. */
static inline uint32_t ct_in(uint32_t c, uint32_t lo, uint32_t hi) { return (((c - lo) | (hi - c)) >> 31) - 1; }

/* A character's sextet in either alphabet and masks saying which alphabet holds it, in constant time. */
typedef struct { uint32_t value, standard, url_safe; } Sextet;
static inline Sextet ct_sextet(uint8_t byte) {
    uint32_t c = byte;
    uint32_t upper = ct_in(c, 'A', 'Z'), lower = ct_in(c, 'a', 'z'), digit = ct_in(c, '0', '9');
    uint32_t plus = ct_in(c, '+', '+'), slash = ct_in(c, '/', '/');
    uint32_t minus = ct_in(c, '-', '-'), underscore = ct_in(c, '_', '_');
    uint32_t value = (upper & (c - 'A')) | (lower & (c - 'a' + 26)) | (digit & (c - '0' + 52))
        | ((plus | minus) & 62) | ((slash | underscore) & 63);
    return (Sextet){value, upper | lower | digit | plus | slash, minus | underscore};
}

/* The standard-alphabet sextet of a character, or 0xFF. */
static inline uint32_t ct_standard(uint8_t byte) {
    Sextet s = ct_sextet(byte);
    return (s.value & s.standard) | (0xFF & ~s.standard);
}

/* The sextets of eight characters at once (0xFF in lanes outside the standard alphabet), by
 * arithmetic within each byte lane: lanes are kept below 0x80 before adding, and at 0x80 or more
 * before subtracting, so that nothing carries or borrows between lanes. */
static inline uint64_t ct_sextets8(uint64_t w) {
    uint64_t seven = w & ~HIGHS;
#define AT_LEAST(k) ((seven + LANES * (0x80 - (k))) & HIGHS)
#define WHOLE(bits) (((bits) >> 7) * 0xFF)
    uint64_t ascii = WHOLE(~w & HIGHS);
    uint64_t upper = WHOLE(AT_LEAST('A') & ~AT_LEAST('Z' + 1)) & ascii;
    uint64_t lower = WHOLE(AT_LEAST('a') & ~AT_LEAST('z' + 1)) & ascii;
    uint64_t digit = WHOLE(AT_LEAST('0') & ~AT_LEAST('9' + 1)) & ascii;
    uint64_t plus = WHOLE(AT_LEAST('+') & ~AT_LEAST('+' + 1)) & ascii;
    uint64_t slash = WHOLE(AT_LEAST('/') & ~AT_LEAST('/' + 1)) & ascii;
#undef AT_LEAST
#undef WHOLE
    uint64_t raised = seven | HIGHS;
    uint64_t value = (upper & (raised - LANES * 'A')) | (lower & (raised - LANES * ('a' - 26)))
        | (digit & (seven + LANES * (52 - '0'))) | (plus & (LANES * 62)) | (slash & (LANES * 63));
    uint64_t valid = upper | lower | digit | plus | slash;
    return (value & valid & (LANES * 0x3F)) | ~valid;
}

/* Canonical standard base64 with correct padding, or -1 for anything else (the general decoder
 * then decides). Keys go through arithmetic, other fields through the table. */
static long b64_canonical(const uint8_t *s, size_t n, uint8_t *out, int secret) {
    if (n == 0 || n % 4 != 0) return -1;
    int pad = s[n - 1] == '=' ? (s[n - 2] == '=' ? 2 : 1) : 0;
    size_t full = pad ? n - 4 : n, i = 0;
    uint8_t *o = out;
    if (secret) {
        for (; i + 8 <= full; i += 8, o += 6) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            uint64_t x = ct_sextets8(w);
            if (x & (LANES * 0xC0)) return -1;
            uint32_t g0 = (uint32_t)((x & 0x3F) << 18 | (x >> 8 & 0x3F) << 12 | (x >> 16 & 0x3F) << 6 | (x >> 24 & 0x3F));
            uint32_t g1 = (uint32_t)((x >> 32 & 0x3F) << 18 | (x >> 40 & 0x3F) << 12 | (x >> 48 & 0x3F) << 6 | (x >> 56 & 0x3F));
            o[0] = (uint8_t)(g0 >> 16), o[1] = (uint8_t)(g0 >> 8), o[2] = (uint8_t)g0;
            o[3] = (uint8_t)(g1 >> 16), o[4] = (uint8_t)(g1 >> 8), o[5] = (uint8_t)g1;
        }
        for (; i < full; i += 4, o += 3) {
            uint32_t a = ct_standard(s[i]), b = ct_standard(s[i + 1]), c = ct_standard(s[i + 2]), d = ct_standard(s[i + 3]);
            if ((a | b | c | d) & 0xC0) return -1;
            uint32_t g = a << 18 | b << 12 | c << 6 | d;
            o[0] = (uint8_t)(g >> 16), o[1] = (uint8_t)(g >> 8), o[2] = (uint8_t)g;
        }
    } else {
        for (; i < full; i += 4, o += 3) {
            uint32_t a = B64_TABLE[s[i]], b = B64_TABLE[s[i + 1]], c = B64_TABLE[s[i + 2]], d = B64_TABLE[s[i + 3]];
            if ((a | b | c | d) & 0xC0) return -1;
            uint32_t g = a << 18 | b << 12 | c << 6 | d;
            o[0] = (uint8_t)(g >> 16), o[1] = (uint8_t)(g >> 8), o[2] = (uint8_t)g;
        }
    }
    if (!pad) return o - out;
    uint32_t a, b, c;
    if (secret) {
        a = ct_standard(s[i]), b = ct_standard(s[i + 1]), c = pad == 1 ? ct_standard(s[i + 2]) : 0;
    } else {
        a = B64_TABLE[s[i]], b = B64_TABLE[s[i + 1]], c = pad == 1 ? B64_TABLE[s[i + 2]] : 0;
    }
    if ((a | b | c) & 0xC0) return -1;
    uint32_t g = a << 18 | b << 12 | c << 6;
    if (g & (pad == 1 ? 0xFF : 0xFFFF)) return -1; /* bits past the end: the general decoder says so */
    o[0] = (uint8_t)(g >> 16);
    if (pad == 1) o[1] = (uint8_t)(g >> 8);
    return (o - out) + 3 - pad;
}

/* A failed field: its error code and reason. */
typedef struct {
    const char *code;
    char reason[512];
} Failure;

static void fail(Failure *f, const char *code, const char *format, ...) __attribute__((format(printf, 3, 4)));
static void fail(Failure *f, const char *code, const char *format, ...) {
    va_list args;
    va_start(args, format);
    f->code = code;
    vsnprintf(f->reason, sizeof f->reason, format, args);
    va_end(args);
}

/* A key printed as its bytes in hex or decimal instead of base64: named, never quoted. */
static const char *misread_key_hint(Field64 f, const uint8_t *s, size_t n) {
    if (!field_is_secret(f)) return "";
#define BLANK(c) ((c) == ' ' || (c) == '\t' || (c) == '\n' || (c) == '\r')
    while (n > 0 && BLANK(s[0])) s++, n--;
    while (n > 0 && BLANK(s[n - 1])) n--;
    if (n == 32) {
        size_t k = 0;
        while (k < 32 && hex_digit(s[k]) >= 0) k++;
        if (k == 32)
            return "; it looks like the key's 16 bytes written as 32 hexadecimal digits: pass the base64 text "
                   "jscode2session returned (24 characters ending in '==')";
    }
    int numbers = 0, in_number = 0;
    for (size_t k = 0; k < n; k++) {
        int digit = s[k] >= '0' && s[k] <= '9';
        if (!digit && !BLANK(s[k]) && (s[k] == 0 || !strchr(",-[](){}", s[k]))) return "";
        if (digit && !in_number) numbers++;
        in_number = digit;
    }
#undef BLANK
    return numbers == 16 ? "; it looks like the key's 16 bytes written as decimal numbers: pass the base64 text "
                           "jscode2session returned (24 characters ending in '==')"
                         : "";
}

static int is_blank(uint8_t c) { return c == ' ' || c == '\t'; }
static int is_line_break(uint8_t c) { return c == '\n' || c == '\r'; }

/* Whether a run of blanks holding a space touches the text's edge or a line's: under the Swift
 * decoder's first reading such spaces are whitespace, under its others they may be '+'. */
static int has_edge_spaces(const uint8_t *s, size_t n) {
    for (size_t i = 0; i < n;) {
        if (!is_blank(s[i])) {
            i++;
            continue;
        }
        size_t end = i;
        int space = 0;
        while (end < n && is_blank(s[end])) space |= s[end++] == ' ';
        if (space && (i == 0 || is_line_break(s[i - 1]) || end == n || is_line_break(s[end]))) return 1;
        i = end;
    }
    return 0;
}

/* Sextets gathered into bytes, with where the last one was and how many '=' came after it. */
typedef struct {
    uint32_t acc;
    size_t symbols, written, padding, last;
} Decoding;

/* Adds the sextet found at `offset`; 0 when '=' came before it. */
static inline int decoding_add(Decoding *d, uint8_t *out, uint32_t value, size_t offset) {
    if (d->padding) return 0;
    d->acc = d->acc << 6 | value;
    d->last = offset;
    if (++d->symbols % 4 == 0) {
        out[d->written] = (uint8_t)(d->acc >> 16), out[d->written + 1] = (uint8_t)(d->acc >> 8);
        out[d->written + 2] = (uint8_t)d->acc;
        d->written += 3, d->acc = 0;
    }
    return 1;
}

/* The general decoder under the Swift decoder's first reading: URL-safe characters, line breaks,
 * missing padding, tabs, and spaces between two characters of a line ('+' that form decoding
 * turned into a space) are repaired; blanks at an edge are whitespace. Anything else is reported
 * by offset. Returns the decoded length, -1 for a failure (in `f`), or -2 when the first reading
 * fails and spaces at an edge leave other readings, which this floor leaves to the Swift decoder. */
static long b64_general(const uint8_t *s, size_t n, uint8_t *out, Failure *f, Field64 field) {
    const char *code = FIELD_CODE[field], *name = FIELD_NAME[field], *hint = misread_key_hint(field, s, n);
    Decoding d = {0, 0, 0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        Sextet x = ct_sextet(s[i]);
        size_t at = i;
        if (x.standard | x.url_safe) { /* only membership decides the branch, never the value */
            if (!decoding_add(&d, out, x.value, i)) goto misplaced;
        } else if (s[i] == '=') {
            d.padding++;
        } else if (is_blank(s[i])) {
            size_t end = i;
            while (end < n && is_blank(s[end])) end++;
            int interior = i > 0 && !is_line_break(s[i - 1]) && end < n && !is_line_break(s[end]);
            for (; interior && at < end; at++)
                if (s[at] == ' ' && !decoding_add(&d, out, 62, at)) goto misplaced;
            i = end - 1;
        } else if (!is_line_break(s[i])) {
            fail(f, code, "%s is not base64: invalid character at byte offset %zu%s", name, i, hint);
            goto failed;
        }
        continue;
    misplaced:
        fail(f, code, "%s is not base64: misplaced '=' padding at byte offset %zu%s", name, at - d.padding, hint);
        goto failed;
    }
    size_t remainder = d.symbols % 4;
    if (d.symbols == 0) {
        if (d.padding) fail(f, code, "%s is not base64: misplaced '=' padding at byte offset 0%s", name, hint);
        else fail(f, code, "%s is empty%s", name, hint);
        goto failed;
    }
    if (remainder == 1) {
        fail(f, code, "%s is not base64: its length is impossible (one character too many or too few)%s", name, hint);
        goto failed;
    }
    if ((remainder == 2 && (d.acc & 0xF)) || (remainder == 3 && (d.acc & 0x3))) {
        fail(f, code, "%s is not base64: the character at byte offset %zu has bits set past the end of the data%s",
             name, d.last, hint);
        goto failed;
    }
    if (remainder == 2) out[d.written++] = (uint8_t)(d.acc >> 4);
    if (remainder == 3) out[d.written++] = (uint8_t)(d.acc >> 10), out[d.written++] = (uint8_t)(d.acc >> 2);
    if (d.padding != 0 && d.padding != (remainder ? 4 - remainder : 0)) {
        fail(f, code, "%s is not base64: misplaced '=' padding at byte offset %zu%s", name, d.last + 1, hint);
        goto failed;
    }
    if (field_accepts(field, (long)d.written)) return (long)d.written;
    fail(f, code, "%s must decode to %s, got %zu%s", name,
         field == FIELD_DATA ? "a non-empty multiple of 16 bytes" : "exactly 16 bytes", d.written, hint);
failed:
    return has_edge_spaces(s, n) ? -2 : -1;
}

/* Decodes a field into `out` (max_decoded(n) bytes): the length, or -1 with the failure in `f`. */
static long b64_decode(const uint8_t *s, size_t n, uint8_t *out, Field64 field, Failure *f) {
    long count = b64_canonical(s, n, out, field_is_secret(field));
    if (count >= 0 && field_accepts(field, count)) return count;
    count = b64_general(s, n, out, f, field);
    if (count == -2) {
        fail(f, "not_in_floor", "%s has blanks, whose readings strict_floor leaves to the Swift decoder", FIELD_NAME[field]);
        return -1;
    }
    return count;
}

/* Decodes a 16-byte field (a key or the iv) through a buffer of the size its text needs, which is
 * wiped afterwards: the length, or -1 with the failure in `f`. */
static long b64_decode16(const uint8_t *s, size_t n, uint8_t out16[16], Field64 field, Failure *f) {
    uint8_t small[64];
    size_t room = max_decoded(n);
    uint8_t *buffer = room <= sizeof small ? small : malloc(room);
    if (!buffer) die("out of memory");
    long count = b64_decode(s, n, buffer, field, f);
    if (count >= 0) memcpy(out16, buffer, 16);
    OPENSSL_cleanse(buffer, room);
    if (buffer != small) free(buffer);
    return count;
}

/* ---- one record ------------------------------------------------------------------------------- */

static const char DECRYPTION_FAILED[] =
    "the data did not decrypt to a valid payload; the usual cause is a stale session_key (wx.login ran again after "
    "the button tap, so the backend holds a newer key than the one WeChat used), or an iv that belongs to another "
    "call; re-login must happen before the tap";

typedef struct {
    const uint8_t *default_appid;
    size_t default_appid_len;
    /* The last record appid that was not the default and passed the appid check. */
    uint8_t kept_appid[64];
    size_t kept_appid_len;
    EVP_CIPHER_CTX *ctx;
    uint8_t *data;    /* the decoded encrypted_data, decrypted in place */
    uint8_t *scratch; /* unescaped field text */
    uint8_t *scratch2;
    long ok, failed, by_code[16];
} Floor;

/* The codes in the order the summary counts them. */
static const char *const CODES[] = {"appid_mismatch", "decryption_failed", "invalid_argument", "invalid_encrypted_data",
                                    "invalid_iv", "invalid_payload", "invalid_record", "invalid_session_key",
                                    "payload_too_large", "not_in_floor"};
#define CODE_COUNT (sizeof CODES / sizeof CODES[0])

/* The id on one line: the record's own, whitespace outside strings dropped, or the line number. */
static void out_id(const uint8_t *line, const Collected *c, long line_number) {
    if (!c || !c->has_id) {
        out_int(line_number);
        return;
    }
    const uint8_t *p = line + c->id.start;
    size_t n = c->id.end - c->id.start;
    if (p[0] != '{' && p[0] != '[') {
        out_put(p, n);
        return;
    }
    uint8_t *o = out_room(n);
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        uint8_t byte = p[i];
        if (byte == ' ' || byte == '\t' || byte == '\n' || byte == '\r') {
            i++;
        } else if (byte == '"') {
            size_t k = i + 1;
            while (p[k] != '"') k += p[k] == '\\' ? 2 : 1;
            memcpy(o + w, p + i, k + 1 - i);
            w += k + 1 - i;
            i = k + 1;
        } else {
            o[w++] = byte, i++;
        }
    }
    out_len += w;
}

static void out_failure(Floor *fl, const uint8_t *line, const Collected *c, long line_number, const char *code,
                        const char *reason) {
    OUT_LITERAL("{\"id\":");
    out_id(line, c, line_number);
    OUT_LITERAL(",\"ok\":false,\"error\":{\"code\":");
    out_string((const uint8_t *)code, strlen(code));
    OUT_LITERAL(",\"message\":");
    out_string((const uint8_t *)reason, strlen(reason));
    OUT_LITERAL("}}\n");
    fl->failed++;
    for (size_t k = 0; k < CODE_COUNT; k++)
        if (strcmp(CODES[k], code) == 0) fl->by_code[k]++;
}

static void invalid_record(Floor *fl, const uint8_t *line, const Collected *c, long line_number, const char *format, ...)
    __attribute__((format(printf, 5, 6)));
static void invalid_record(Floor *fl, const uint8_t *line, const Collected *c, long line_number, const char *format, ...) {
    char reason[256];
    int prefix = snprintf(reason, sizeof reason, "line %ld: ", line_number);
    va_list args;
    va_start(args, format);
    vsnprintf(reason + prefix, sizeof reason - (size_t)prefix, format, args);
    va_end(args);
    out_failure(fl, line, c, line_number, "invalid_record", reason);
}

static const char *kind_name(uint8_t first) {
    switch (first) {
    case '{': return "an object";
    case '[': return "an array";
    case '"': return "a string";
    case 't': case 'f': return "a boolean";
    case 'n': return "null";
    default: return "a number";
    }
}

static int is_number(uint8_t first) { return first == '-' || (first >= '0' && first <= '9'); }

/* An integer token that fits in Int64 (no fraction, no exponent). */
static int int64_token(const uint8_t *p, size_t n, long long *value) {
    int negative = 0;
    long long v = 0;
    for (size_t k = 0; k < n; k++) {
        if (k == 0 && p[k] == '-') {
            negative = 1;
            continue;
        }
        if (p[k] < '0' || p[k] > '9') return 0;
        int digit = p[k] - '0';
        if (__builtin_mul_overflow(v, 10, &v)) return 0;
        if (negative ? __builtin_sub_overflow(v, digit, &v) : __builtin_add_overflow(v, digit, &v)) return 0;
    }
    *value = v;
    return 1;
}

static int is_wechat_shaped(const uint8_t *a, size_t n) {
    if (n != 18 || a[0] != 'w' || a[1] != 'x') return 0;
    for (size_t k = 2; k < n; k++)
        if (hex_digit(a[k]) < 0) return 0;
    return 1;
}

/* What decrypting with one key gave. */
typedef enum { OUTCOME_OK, OUTCOME_FAILED, OUTCOME_DECRYPTION_FAILED } Outcome;

typedef struct {
    const uint8_t *appid; /* the expected watermark.appid */
    size_t appid_len;
} Expected;

static void payload_failure(Failure *f, const char *field, const char *problem, const char *detail) {
    fail(f, "invalid_payload", "payload field '%s' %s%s", field, problem, detail);
}

/* Decrypts with one key, verifies, and on success writes `{"id":…,"ok":true,…}`. */
static Outcome decrypt_with(Floor *fl, const uint8_t *line, const Collected *rec, long line_number, const uint8_t key[16],
                            int previous, const uint8_t *iv_text, size_t iv_len, const uint8_t *data_text,
                            size_t data_len, Expected expected, Failure *f) {
    if (data_len > TEXT_LIMIT) {
        fail(f, "payload_too_large", "encrypted_data is %zu characters, far over the limit of %d bytes", data_len, MAX_DATA);
        return OUTCOME_FAILED;
    }
    uint8_t iv[16];
    size_t data_room = max_decoded(data_len);
    Outcome outcome = OUTCOME_FAILED;
    if (b64_decode16(iv_text, iv_len, iv, FIELD_IV, f) < 0) return OUTCOME_FAILED;
    long count = b64_decode(data_text, data_len, fl->data, FIELD_DATA, f);
    if (count < 0) goto wipe;
    if (count > MAX_DATA) {
        fail(f, "payload_too_large", "encrypted_data decodes to %ld bytes, over the limit of %d", count, MAX_DATA);
        goto wipe;
    }
    /* libcrypto fails only when it is broken, never because of the data. */
    /* The cipher was bound and padding turned off once, in main: only the key and iv change. */
    int out1 = 0, out2 = 0;
    if (EVP_DecryptInit_ex2(fl->ctx, NULL, key, iv, NULL) != 1
        || EVP_DecryptUpdate(fl->ctx, fl->data, &out1, fl->data, (int)count) != 1 || out1 != count
        || EVP_DecryptFinal_ex(fl->ctx, fl->data + out1, &out2) != 1 || out2 != 0)
        goto broken;

    /* PKCS#7/16 in constant time: all of the last 16 bytes looked at whatever the pad value claims. */
    const uint8_t *plain = fl->data;
    uint32_t pad = plain[count - 1];
    uint32_t good = ~(((pad - 1) >> 31) * 0xFFFFFFFFu) & ((pad - 17) >> 31) * 0xFFFFFFFFu; /* 1 <= pad <= 16 */
    for (uint32_t k = 0; k < 16; k++) {
        uint32_t byte = plain[count - 1 - k];
        uint32_t in_padding = ((k - pad) >> 31) * 0xFFFFFFFFu;
        uint32_t same = (((byte ^ pad) - 1) >> 31) * 0xFFFFFFFFu;
        good &= ~in_padding | same;
    }
    size_t content = (size_t)count - ((pad & good) | (1 & ~good));

    /* The validator runs over the unpadded bytes whatever the padding, and one branch looks at
     * both verdicts together, so neither the error nor the time tells whether the padding was valid. */
    Collected payload;
    memset(&payload, 0, sizeof payload);
    payload.mode = COLLECT_PAYLOAD;
    uint32_t json_good = 0u - (uint32_t)json_object_document(plain, content, &payload);
    if ((good & json_good) != 0xFFFFFFFFu) {
        outcome = OUTCOME_DECRYPTION_FAILED;
        fail(f, "decryption_failed", "%s", DECRYPTION_FAILED);
        goto wipe;
    }

    /* The watermark, before any model reads the payload. */
    if (!payload.has_member[M_WATERMARK]) {
        payload_failure(f, "watermark", "is missing", "");
        goto wipe;
    }
    Value wm = payload.member[M_WATERMARK];
    if (plain[wm.start] != '{') {
        payload_failure(f, "watermark", "must be an object, got ", kind_name(plain[wm.start]));
        goto wipe;
    }
    Value wm_appid = payload.watermark_member[W_APPID], wm_timestamp = payload.watermark_member[W_TIMESTAMP];
    if (!payload.has_watermark_member[W_APPID] || plain[wm_appid.start] != '"') {
        payload_failure(f, "watermark.appid", payload.has_watermark_member[W_APPID] ? "must be a string" : "is missing", "");
        goto wipe;
    }
    long long timestamp;
    if (!payload.has_watermark_member[W_TIMESTAMP]) {
        payload_failure(f, "watermark.timestamp", "is missing", "");
        goto wipe;
    }
    if (!is_number(plain[wm_timestamp.start])) {
        payload_failure(f, "watermark.timestamp", "must be an integer, got ", kind_name(plain[wm_timestamp.start]));
        goto wipe;
    }
    if (!int64_token(plain + wm_timestamp.start, wm_timestamp.end - wm_timestamp.start, &timestamp)) {
        payload_failure(f, "watermark.timestamp", "must be an integer in the 64-bit range", "");
        goto wipe;
    }
    size_t appid_len;
    const uint8_t *appid =
        span_text(plain, (Span){wm_appid.start + 1, wm_appid.end - 1, wm_appid.escapes}, fl->scratch2, &appid_len);
    if (appid_len != expected.appid_len || memcmp(appid, expected.appid, appid_len) != 0) {
        if (is_wechat_shaped(expected.appid, expected.appid_len))
            fail(f, "appid_mismatch",
                 "watermark.appid does not match the expected appid %.*s; the data was encrypted for another mini "
                 "program (a session_key or encryptedData from another app)",
                 (int)expected.appid_len, (const char *)expected.appid);
        else
            fail(f, "appid_mismatch",
                 "watermark.appid does not match the expected appid; the data was encrypted for another mini program "
                 "(a session_key or encryptedData from another app)");
        goto wipe;
    }

    /* The phone model. */
    if (payload.kind != KIND_PHONE) {
        fail(f, "not_in_floor", "the payload is not a phone number; strict_floor reads phone numbers only");
        goto wipe;
    }
    static const char *const names[] = {"", "", "phoneNumber", "purePhoneNumber", "countryCode"};
    for (enum Member m = M_PHONE; m <= M_PURE; m++) {
        if (!payload.has_member[m]) {
            payload_failure(f, names[m], "is missing", "");
            goto wipe;
        }
        if (plain[payload.member[m].start] != '"') {
            payload_failure(f, names[m], "must be a string, got ", kind_name(plain[payload.member[m].start]));
            goto wipe;
        }
    }
    if (!payload.has_member[M_COUNTRY]) {
        payload_failure(f, "countryCode", "is missing", "");
        goto wipe;
    }
    Value country = payload.member[M_COUNTRY];
    long long ignored;
    int country_is_integer = is_number(plain[country.start])
        && int64_token(plain + country.start, country.end - country.start, &ignored);
    if (!country_is_integer && plain[country.start] != '"') {
        payload_failure(f, "countryCode", "must be a string or an integer, got ", kind_name(plain[country.start]));
        goto wipe;
    }

    OUT_LITERAL("{\"id\":");
    out_id(line, rec, line_number);
    if (previous) OUT_LITERAL(",\"ok\":true,\"session_key\":\"previous\",\"data\":{\"phoneNumber\":");
    else OUT_LITERAL(",\"ok\":true,\"data\":{\"phoneNumber\":");
    for (enum Member m = M_PHONE; m <= M_COUNTRY; m++) {
        if (m == M_PURE) OUT_LITERAL(",\"purePhoneNumber\":");
        if (m == M_COUNTRY) OUT_LITERAL(",\"countryCode\":");
        Value v = payload.member[m];
        if (m == M_COUNTRY && country_is_integer) {
            out_string(plain + v.start, v.end - v.start);
        } else if (!v.escapes) {
            out_put(plain + v.start, v.end - v.start); /* validated: nothing in it needs escaping */
        } else {
            size_t n;
            const uint8_t *text = span_text(plain, (Span){v.start + 1, v.end - 1, 1}, fl->scratch2, &n);
            out_string(text, n);
        }
    }
    OUT_LITERAL(",\"watermark\":{\"timestamp\":");
    out_int(timestamp);
    OUT_LITERAL(",\"appid\":");
    out_string(expected.appid, expected.appid_len);
    OUT_LITERAL("}}}\n");
    fl->ok++;
    outcome = OUTCOME_OK;
    goto wipe;
broken:
    fprintf(stderr, "strict_floor: libcrypto failed\n");
    exit(2);
wipe:
    OPENSSL_cleanse(fl->data, data_room);
    OPENSSL_cleanse(iv, sizeof iv);
    return outcome;
}

/* A record field's text, unescaped into `scratch` when it has escapes. */
static const uint8_t *field_text(const uint8_t *line, const Collected *c, enum Field field, uint8_t *scratch, size_t *n) {
    return span_text(line, c->field[field], scratch, n);
}

/* Whether a record appid's text can be an appid: 1 to 64 printable ASCII bytes, no quotes. */
static int appid_is_valid(const uint8_t *a, size_t n) {
    if (n == 0 || n > 64) return 0;
    for (size_t k = 0; k < n; k++)
        if (a[k] <= 0x20 || a[k] >= 0x7F || a[k] == '"' || a[k] == '\\') return 0;
    return 1;
}

static void process_record(Floor *fl, const uint8_t *line, size_t n, long line_number) {
    Collected rec;
    memset(&rec, 0, sizeof rec);
    rec.mode = COLLECT_RECORD;
    if (!json_object_document(line, n, &rec)) {
        /* A file saved with CR-only line ends (classic Mac OS) reads as one long line. */
        invalid_record(fl, line, NULL, line_number,
                       memchr(line, '\r', n) ? "is not a JSON object (CR-only line endings?)" : "is not a JSON object");
        return;
    }
    const char *missing = !rec.has[F_SESSION_KEY] ? "session_key" : !rec.has[F_IV] ? "iv" : !rec.has[F_DATA] ? "encrypted_data" : NULL;
    if (rec.ambiguous[0]) {
        invalid_record(fl, line, &rec, line_number, "has both %s and %s; keep one spelling", spelling_name(rec.ambiguous[0]),
                       spelling_name(rec.ambiguous[1]));
        return;
    }
    if (rec.wrong_type) {
        invalid_record(fl, line, &rec, line_number, "%s must be a string", rec.wrong_type);
        return;
    }
    if (missing) {
        invalid_record(fl, line, &rec, line_number, "missing %s", missing);
        return;
    }

    /* The expected appid: the record's (checked once for each run of records that carry it), or the default. */
    Expected expected;
    Failure f;
    if (rec.has[F_APPID]) {
        size_t len;
        const uint8_t *appid = field_text(line, &rec, F_APPID, fl->scratch, &len);
        if (fl->default_appid && len == fl->default_appid_len && memcmp(appid, fl->default_appid, len) == 0) {
            expected = (Expected){fl->default_appid, fl->default_appid_len};
        } else if (fl->kept_appid_len > 0 && len == fl->kept_appid_len && memcmp(appid, fl->kept_appid, len) == 0) {
            expected = (Expected){fl->kept_appid, fl->kept_appid_len};
        } else if (appid_is_valid(appid, len)) {
            memcpy(fl->kept_appid, appid, len);
            fl->kept_appid_len = len;
            expected = (Expected){fl->kept_appid, fl->kept_appid_len};
        } else {
            out_failure(fl, line, &rec, line_number, "invalid_argument",
                        "appid must be 1 to 64 printable ASCII characters without spaces or quotes");
            return;
        }
    } else if (fl->default_appid) {
        expected = (Expected){fl->default_appid, fl->default_appid_len};
    } else {
        invalid_record(fl, line, &rec, line_number, "the record has no appid and no default appid was given");
        return;
    }

    size_t key_len, iv_len, data_len;
    const uint8_t *key_text = field_text(line, &rec, F_SESSION_KEY, fl->scratch, &key_len);
    uint8_t key[2][16];
    if (b64_decode16(key_text, key_len, key[0], FIELD_SESSION_KEY, &f) < 0) {
        out_failure(fl, line, &rec, line_number, f.code, f.reason);
        return;
    }
    /* iv and encrypted_data share one scratch buffer: each gets half of a line's worth. */
    const uint8_t *iv_text = field_text(line, &rec, F_IV, fl->scratch, &iv_len);
    const uint8_t *data_text = field_text(line, &rec, F_DATA, fl->scratch + MAX_LINE, &data_len);
    Outcome outcome = decrypt_with(fl, line, &rec, line_number, key[0], 0, iv_text, iv_len, data_text, data_len, expected, &f);
    if (outcome == OUTCOME_DECRYPTION_FAILED && rec.has[F_PREVIOUS_KEY]) {
        /* The previous key's text goes where the session key's was: that one is decoded already. */
        size_t previous_len;
        const uint8_t *previous_text = field_text(line, &rec, F_PREVIOUS_KEY, fl->scratch2, &previous_len);
        Failure g;
        if (b64_decode16(previous_text, previous_len, key[1], FIELD_PREVIOUS_KEY, &g) < 0) {
            f = g;
        } else if (CRYPTO_memcmp(key[0], key[1], 16) != 0) {
            outcome = decrypt_with(fl, line, &rec, line_number, key[1], 1, iv_text, iv_len, data_text, data_len, expected, &f);
        }
    }
    OPENSSL_cleanse(key, sizeof key);
    if (outcome != OUTCOME_OK) out_failure(fl, line, &rec, line_number, f.code, f.reason);
}

/* ---- lines ------------------------------------------------------------------------------------- */

static void overlong_line(Floor *fl, long line_number, size_t length) {
    char reason[128];
    snprintf(reason, sizeof reason, "line %ld: is %zu bytes, longer than the limit of %d", line_number, length, MAX_LINE);
    out_failure(fl, NULL, NULL, line_number, "invalid_record", reason);
}

static void process_line(Floor *fl, const uint8_t *line, size_t n, long line_number) {
    if (n > 0 && line[n - 1] == '\r') n--;
    size_t k = 0;
    while (k < n && (line[k] == ' ' || line[k] == '\t' || line[k] == '\r')) k++;
    if (k == n) return; /* blank: counted, no result */
    if (n > MAX_LINE) {
        overlong_line(fl, line_number, n);
        return;
    }
    process_record(fl, line, n, line_number);
}

int main(int argc, char **argv) {
    const char *input = NULL, *output = NULL, *appid = NULL;
    for (int a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--app-id") == 0 && a + 1 < argc) appid = argv[++a];
        else if (!input) input = argv[a];
        else if (!output) output = argv[a];
        else input = NULL, a = argc;
    }
    if (!input || !output || (appid && !appid_is_valid((const uint8_t *)appid, strlen(appid)))) {
        fprintf(stderr, "usage: strict_floor INPUT.jsonl OUTPUT.jsonl [--app-id APPID]   ('-' for stdin/stdout)\n");
        return 2;
    }
    /* Results hold phone numbers, memory holds keys: no core dumps, output not readable by others. */
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    int in_fd = strcmp(input, "-") == 0 ? STDIN_FILENO : open(input, O_RDONLY | O_CLOEXEC);
    if (in_fd < 0) die("cannot open the input");
    out_fd = strcmp(output, "-") == 0 ? STDOUT_FILENO : open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out_fd < 0) die("cannot open the output");
    out_cap = OUT_FLUSH + 4096;
    out_buf = malloc(out_cap);

    b64_table_init();
    Floor fl;
    memset(&fl, 0, sizeof fl);
    if (appid) fl.default_appid = (const uint8_t *)appid, fl.default_appid_len = strlen(appid);
    fl.ctx = EVP_CIPHER_CTX_new();
    EVP_CIPHER *aes = EVP_CIPHER_fetch(NULL, "AES-128-CBC", NULL);
    if (!fl.ctx || !aes || EVP_DecryptInit_ex2(fl.ctx, aes, NULL, NULL, NULL) != 1 || EVP_CIPHER_CTX_set_padding(fl.ctx, 0) != 1) {
        fprintf(stderr, "strict_floor: libcrypto has no AES-128-CBC\n");
        return 2;
    }
    fl.data = malloc(max_decoded(TEXT_LIMIT));
    fl.scratch = malloc(2 * MAX_LINE + 2);
    fl.scratch2 = malloc(MAX_LINE + 2);
    size_t capacity = MAX_LINE + 2 + READ_SIZE;
    uint8_t *buf = malloc(capacity);
    if (!out_buf || !fl.ctx || !fl.data || !fl.scratch || !fl.scratch2 || !buf) die("out of memory");

    size_t begin = 0, end = 0, searched = 0;
    int at_end = 0, at_start = 1;
    long line_number = 0;
    for (;;) {
        uint8_t *newline = memchr(buf + searched, '\n', end - searched);
        if (newline) {
            process_line(&fl, buf + begin, (size_t)(newline - buf) - begin, ++line_number);
            begin = searched = (size_t)(newline - buf) + 1;
            continue;
        }
        searched = end;
        if (end - begin > MAX_LINE + 1) {
            /* Too long even with a CR to drop: read on to its end, keeping only its length. */
            size_t length = end - begin;
            uint8_t last = buf[end - 1];
            begin = end = searched = 0;
            while (!at_end) {
                ssize_t r = read(in_fd, buf, READ_SIZE);
                if (r < 0 && errno == EINTR) continue;
                if (r < 0) die("cannot read the input");
                if (r == 0) {
                    at_end = 1;
                    break;
                }
                uint8_t *nl = memchr(buf, '\n', (size_t)r);
                if (nl) {
                    length += (size_t)(nl - buf);
                    if (nl > buf) last = nl[-1];
                    begin = searched = (size_t)(nl - buf) + 1;
                    end = (size_t)r;
                    break;
                }
                length += (size_t)r;
                last = buf[r - 1];
            }
            overlong_line(&fl, ++line_number, last == '\r' ? length - 1 : length);
            continue;
        }
        if (at_end) {
            if (end > begin) process_line(&fl, buf + begin, end - begin, ++line_number);
            break;
        }
        if (begin > 0) {
            memmove(buf, buf + begin, end - begin);
            end -= begin, searched -= begin, begin = 0;
        }
        ssize_t r = read(in_fd, buf + end, capacity - end < READ_SIZE ? capacity - end : READ_SIZE);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) die("cannot read the input");
        if (r == 0) at_end = 1;
        end += (size_t)r;
        if (at_start && (end >= 3 || at_end)) {
            at_start = 0;
            if (end >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF) begin = searched = 3;
        }
    }
    out_flush();
    if (out_fd != STDOUT_FILENO && close(out_fd) != 0) die("cannot close the output");

    fprintf(stderr, "strict_floor: %ld records, %ld ok, %ld failed", fl.ok + fl.failed, fl.ok, fl.failed);
    const char *separator = " (";
    for (size_t k = 0; k < CODE_COUNT; k++)
        if (fl.by_code[k]) fprintf(stderr, "%s%s: %ld", separator, CODES[k], fl.by_code[k]), separator = ", ";
    fprintf(stderr, "%s\n", fl.failed ? ")" : "");
    EVP_CIPHER_CTX_free(fl.ctx);
    EVP_CIPHER_free(aes);
    free(buf), free(fl.data), free(fl.scratch), free(fl.scratch2), free(out_buf);
    return fl.failed ? 1 : 0;
}
