#!/usr/bin/env python3
"""Records that reach every rule strict_floor.c claims to share with decrypt-file.

    python3 edge_cases.py > edge-cases.jsonl

`wxdecrypt generate` breaks records in eight ways only. These lines break them in the other ways
the rules name (line framing, strict JSON in the record and in the plaintext, both spellings,
base64 repairs and errors, key hints, sizes, padding, the watermark, the phone model, the
previous key), so that `cmp` of the two programs' results shows the checks are the same, not only
the happy path. Left out: payloads of other kinds, and spaces at a base64 field's edge when they
must be read as '+' for the field to decode, which strict_floor does not model (it says
`not_in_floor`). AES comes from the system's libcrypto through ctypes, so nothing needs
installing. Deterministic: the same file every run.
"""
import base64
import ctypes
import ctypes.util
import random
import sys

APPID = "wx4f4bc4dec97d474b"
TIMESTAMP = 1637744274
MAX_LINE = 1 << 20

lib = ctypes.CDLL(ctypes.util.find_library("crypto") or "libcrypto.so.3")
lib.EVP_CIPHER_CTX_new.restype = ctypes.c_void_p
lib.EVP_aes_128_cbc.restype = ctypes.c_void_p
lib.EVP_EncryptInit_ex.argtypes = [ctypes.c_void_p] * 3 + [ctypes.c_char_p] * 2
lib.EVP_CIPHER_CTX_set_padding.argtypes = [ctypes.c_void_p, ctypes.c_int]
lib.EVP_EncryptUpdate.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_char_p,
                                  ctypes.c_int]
lib.EVP_CIPHER_CTX_free.argtypes = [ctypes.c_void_p]

rng = random.Random(11)
lines = []


def aes_cbc(key, iv, blocks):
    ctx = lib.EVP_CIPHER_CTX_new()
    out, written = ctypes.create_string_buffer(len(blocks)), ctypes.c_int()
    ok = lib.EVP_EncryptInit_ex(ctx, lib.EVP_aes_128_cbc(), None, key, iv) == 1
    ok = ok and lib.EVP_CIPHER_CTX_set_padding(ctx, 0) == 1
    ok = ok and lib.EVP_EncryptUpdate(ctx, out, ctypes.byref(written), blocks, len(blocks)) == 1
    lib.EVP_CIPHER_CTX_free(ctx)
    assert ok and written.value == len(blocks)
    return out.raw[:written.value]


def b64(data):
    return base64.b64encode(data).decode()


def pkcs7(data):
    pad = 16 - len(data) % 16
    return data + bytes([pad]) * pad


def watermark(appid=f'"{APPID}"', timestamp=str(TIMESTAMP)):
    return f'"watermark":{{"timestamp":{timestamp},"appid":{appid}}}'


def phone(number='"13580006666"', pure='"13580006666"', country='"86"', mark=None):
    return "{" + f'"phoneNumber":{number},"purePhoneNumber":{pure},"countryCode":{country},{mark or watermark()}' + "}"


def sealed(plaintext, blocks=None):
    """A fresh key and iv, and the plaintext (str or bytes) padded, or `blocks` as given, encrypted."""
    key, iv = rng.randbytes(16), rng.randbytes(16)
    data = plaintext.encode() if isinstance(plaintext, str) else plaintext
    return key, iv, aes_cbc(key, iv, blocks if blocks is not None else pkcs7(data))


def record(members):
    return "{" + ",".join(f'"{name}":{value}' for name, value in members) + "}"


def standard(number, plaintext=None, appid=f'"{APPID}"', key=None, iv=None, data=None, extra=(), names=None):
    """A record of the usual shape; any member's JSON text can be replaced."""
    k, i, d = sealed(plaintext or phone())
    names = names or ("id", "appid", "session_key", "iv", "encrypted_data")
    values = (str(number), appid, key or f'"{b64(k)}"', iv or f'"{b64(i)}"', data or f'"{b64(d)}"')
    return record([(n, v) for n, v in zip(names, values) if v is not None] + list(extra))


def add(line):
    lines.append(line.encode() if isinstance(line, str) else line)


# --- line framing --------------------------------------------------------------------------------
add(b"\xef\xbb\xbf" + standard(1).encode())              # a byte-order mark before the first record
add(standard(2) + "\r")                                  # CRLF
add("   \t")                                             # blank lines: counted, no result
add("")
add("\r")
add('{"id": 6, "session_key": ')                         # cut off
add(standard(7) + " x")                                  # bytes after the object
add("[1]")
add('{"id": 8}\r{"id": 9}')                             # CR-only line ends: one line, hinted at
add("x" * MAX_LINE + "\r")                               # at the limit once the CR is dropped: not JSON
add("y" * (MAX_LINE + 1))                                # over the limit by one byte
add("z" * (3 * MAX_LINE) + "\r")                         # far over: skipped to its end

# --- the record's JSON ---------------------------------------------------------------------------
add(standard(20, extra=[("iv", '"AAAAAAAAAAAAAAAAAAAAAA=="')]))       # duplicate key
add(standard(21, extra=[("i\\u0076", '"AAAAAAAAAAAAAAAAAAAAAA=="')]))  # duplicate once unescaped
add(standard("[" * 15 + "]" * 15))                      # nesting 16 deep: fine
add(standard("[" * 16 + "]" * 16))                      # 17: too deep
add(standard("1" * 32))                                 # 32 characters, many digits: fine
add(standard("1" * 33))                                 # 33: too long
for number in ("1e400", "-1e400", "1e-400", "0e-400", "4.9e-324", "1.5E+3", "-0", "01", "1.", ".5", "+1", "-"):
    add(standard(number))
for text in ('"\\ud800"', '"\\udc00"', '"\\udc00\\ud800"', '"\\ud83d\\ude00"', '"\\ud83dx"', '"\\u12G4"', '"\\x"',
             '"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u0000"'):
    add(standard(text))
for raw in (b"\xc0\xaf", b"\xe0\x80\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xf0\x9f\x98\x80", b"\xe4\xb8\xad",
            b"\x01", b"\x7f", b"\xff", b"\xc3"):
    add(standard(40).replace('"id":40', '"id":"', 1).encode().replace(b'"id":"', b'"id":"' + raw + b'"', 1))
add(standard('{ "a" : [1, 2 ,"x y", {"b\\"":" c "}] ,\t"d":{ } }'))  # an id echoed without whitespace
for value in ("null", "true", "false", "-0.5", '"an id with spaces"', "{}", "[]", "[ ]"):
    add(standard(value))
many = [(f"k{n}", str(n)) for n in range(40)]
add(standard(60, extra=many))                            # more keys than the inline list
add(standard(61, extra=many + [("k39", "0")]))           # and a duplicate past it
add(standard(62, extra=many + [("k\\u0033", "0")]))      # the same, escaped

# --- fields and spellings -----------------------------------------------------------------------
key, iv, data = sealed(phone())
add(record([("id", "70"), ("appid", f'"{APPID}"'), ("sessionKey", f'"{b64(key)}"'), ("iv", f'"{b64(iv)}"'),
            ("encryptedData", f'"{b64(data)}"')]))
add(record([("id", "71"), ("appId", f'"{APPID}"'), ("session_key", f'"{b64(key)}"'), ("sessionKey", f'"{b64(key)}"'),
            ("iv", f'"{b64(iv)}"'), ("encrypted_data", f'"{b64(data)}"')]))
add(record([("id", "72"), ("appId", f'"{APPID}"'), ("appid", f'"{APPID}"'), ("iv", "5"), ("session_key", f'"{b64(key)}"'),
            ("encrypted_data", f'"{b64(data)}"')]))
add(standard(73, iv="5"))
add(standard(74, key="true"))
add(standard(75, appid="123"))
add(standard(76, iv="null"))
add(standard(77, data=None, names=("id", "appid", "session_key", "iv")))
add(standard(78, key=None, names=("id", "appid", "iv", "encrypted_data")))
add(standard(79, appid=None, names=("id", "session_key", "iv", "encrypted_data")))  # no appid, no default
add(standard(80, appid="null"))
add(standard(81, extra=[("previousSessionKey", "7")]))
add(standard('"eighty-two"', appid='"wx4f4bc4dec97d474\\u0062"'))  # the same appid, escaped
for number, appid in ((83, '"wx 123"'), (84, '""'), (85, '"' + "w" * 65 + '"'), (86, '"wx\\"1"'), (87, '"wx\\u00001"')):
    add(standard(number, appid=appid))
other = "wx0000000000000001"
for number in (88, 89):                                  # another app's records: its appid is kept
    add(standard(number, plaintext=phone(mark=watermark(appid=f'"{other}"')), appid=f'"{other}"'))
add(standard(90, plaintext=phone(), appid=f'"{other}"'))  # named in the mismatch
add(standard(91, plaintext=phone(), appid='"my-app"'))     # not wx-shaped: not named
add(standard(92, plaintext=phone(mark=watermark(appid='"my-app"')), appid='"my-app"'))

# --- base64 ---------------------------------------------------------------------------------------
def keyed(number, key_text=None, iv_text=None, data_text=None, plaintext=None):
    k, i, d = sealed(plaintext or phone())
    return standard(number, key=f'"{key_text(k) if key_text else b64(k)}"', iv=f'"{iv_text(i) if iv_text else b64(i)}"',
                    data=f'"{data_text(d) if data_text else b64(d)}"')


urlsafe = lambda raw: base64.urlsafe_b64encode(raw).decode()
add(keyed(100, key_text=lambda k: k.hex()))                                      # hex, with the hint
add(keyed(101, key_text=lambda k: k.hex().upper()))
add(keyed(102, key_text=lambda k: "[" + ", ".join(str(b) for b in k) + "]"))      # decimal, with the hint
add(keyed(103, key_text=lambda k: ",".join(str(b) for b in k)))
add(keyed(104, key_text=urlsafe, iv_text=urlsafe, data_text=urlsafe))            # URL-safe: repaired
add(keyed(105, key_text=lambda k: b64(k).rstrip("="), iv_text=lambda i: b64(i).rstrip("="),
          data_text=lambda d: b64(d).rstrip("=")))                               # missing padding: repaired
add(keyed(106, key_text=lambda k: b64(k)[:12] + "\\n" + b64(k)[12:],
          data_text=lambda d: "\\r\\n".join(b64(d)[n:n + 64] for n in range(0, len(b64(d)), 64))))  # line breaks
add(keyed(107, key_text=lambda k: b64(k).replace("/", "\\/"), data_text=lambda d: b64(d).replace("/", "\\/")))
add(keyed(108, key_text=lambda k: ""))
add(keyed(109, iv_text=lambda i: ""))
add(keyed(110, data_text=lambda d: ""))
add(keyed(111, key_text=lambda k: b64(k)[:21] + "B=="))                          # bits past the end
add(keyed(112, key_text=lambda k: b64(k)[:2] + "=" + b64(k)[3:]))                # '=' in the middle
add(keyed(113, key_text=lambda k: b64(k)[:21]))                                  # impossible length
add(keyed(114, key_text=lambda k: b64(k + b"\x00\x01")))                         # 18 bytes
add(keyed(115, key_text=lambda k: b64(k)[:5] + "*" + b64(k)[6:]))
add(keyed(116, key_text=lambda k: "===="))
add(keyed(117, key_text=lambda k: b64(k)[:22] + "=" ))                           # '=' count wrong
add(keyed(118, key_text=lambda k: b64(k) + "="))
add(keyed(119, key_text=lambda k: b64(k)[:20] + "\\u00e9" + b64(k)[21:]))        # a non-ASCII character
add(keyed(120, iv_text=lambda i: b64(i[:12])))
add(keyed(121, iv_text=lambda i: "%" + b64(i)[1:]))
add(keyed(122, data_text=lambda d: b64(d)[:-8]))
add(keyed(123, data_text=lambda d: b64(d[:-1])))
add(keyed(124, key_text=lambda k: b64(k)[:10] + "-" + b64(k)[11:]))             # mixed alphabets
def with_plus(make):
    """A sealing whose key and data texts both have a '+', for form decoding to turn into a space."""
    while True:
        k, i, d = sealed(phone())
        if "+" in b64(k)[1:-3] and "+" in b64(d)[1:-3]:
            return make(k, i, d)


add(with_plus(lambda k, i, d: standard(128, key=f'"{b64(k).replace("+", " ")}"', iv=f'"{b64(i)}"',
                                       data=f'"{b64(d).replace("+", " ")}"')))
add(with_plus(lambda k, i, d: standard(129, key=f'"{b64(k)[:7]}\\t{b64(k)[7:]}"', iv=f'"{b64(i)}"',
                                       data='"\\n    ' + "\\n    ".join(b64(d)[n:n + 64] for n in range(0, len(b64(d)), 64))
                                            + '\\n"')))  # PHP's demo indents every line
big = rng.randbytes(64 * 1024 + 16)
add(keyed(125, data_text=lambda d: b64(big)))                                   # decodes past 64 KiB
add(keyed(126, data_text=lambda d: "A" * (2 * 64 * 1024 + 65)))                 # far past it as text
add(keyed(127, data_text=lambda d: b64(rng.randbytes(64 * 1024)),))             # exactly 64 KiB: decrypts to garbage

# --- the previous key -----------------------------------------------------------------------------
key, iv, data = sealed(phone(number='"13900000000"', pure='"13900000000"'))
stale = rng.randbytes(16)
for number, spelling, current, previous in (
        (130, "previous_session_key", stale, f'"{b64(key)}"'),
        (131, "previousSessionKey", stale, f'"{b64(key)}"'),
        (132, "previous_session_key", stale, f'"{b64(stale)}"'),         # the same key again
        (133, "previous_session_key", stale, '"not base64!"'),
        (134, "previous_session_key", stale, f'"{b64(key)[:16]}"'),
        (135, "previous_session_key", key, f'"{b64(stale)}"'),           # the current key works
        (136, "previous_session_key", stale, "null"),
        (137, "previous_session_key", stale, f'"{b64(rng.randbytes(16))}"')):
    add(record([("id", str(number)), ("appid", f'"{APPID}"'), ("session_key", f'"{b64(current)}"'), ("iv", f'"{b64(iv)}"'),
                ("encrypted_data", f'"{b64(data)}"'), (spelling, previous)]))
add(record([("id", "138"), ("appid", f'"{APPID}"'), ("session_key", '"bad"'), ("iv", f'"{b64(iv)}"'),
            ("encrypted_data", f'"{b64(data)}"'), ("previous_session_key", f'"{b64(key)}"')]))
k2, i2, d2 = sealed(phone(mark=watermark(appid='"wx0000000000000009"')))
add(record([("id", "139"), ("appid", f'"{APPID}"'), ("session_key", f'"{b64(rng.randbytes(16))}"'),
            ("iv", f'"{b64(i2)}"'), ("encrypted_data", f'"{b64(d2)}"'), ("previous_session_key", f'"{b64(k2)}"')]))

# --- padding and the plaintext's JSON -------------------------------------------------------------
body = phone().encode()
whole = body + b" " * ((16 - len(body) % 16) % 16)  # fills whole blocks, so the last byte is chosen below
for number, tail in ((150, b"\x00"), (151, b"\x11"), (152, b"\x02\x03"), (153, b"\x01"), (154, bytes([16]) * 16),
                     (155, bytes([15]) * 16), (156, b"\x10" + bytes([16]) * 15)):
    blocks = whole + (b" " * (16 - len(tail)) + tail if len(tail) < 16 else tail)
    k, i, d = sealed(b"", blocks=blocks)
    add(standard(number, key=f'"{b64(k)}"', iv=f'"{b64(i)}"', data=f'"{b64(d)}"'))
for number, text in (
        (160, phone()[:-1] + ",}"),
        (161, "\ufeff" + phone()),
        (162, " \n\t" + phone().replace(",", " ,\r\n ").replace(":", " : ") + " \n"),
        (163, phone()[:-1] + ',"phoneNumber":"1"}'),
        (164, phone()[:-1] + ',"phone\\u004eumber":"1"}'),
        (165, phone()[:-1] + ',"x":' + "[" * 15 + "]" * 15 + "}"),
        (166, phone()[:-1] + ',"x":' + "[" * 16 + "]" * 16 + "}"),
        (167, phone()[:-1] + ',"x":' + "1" * 33 + "}"),
        (168, phone()[:-1] + "," + ",".join(f'"m{n}":{n}' for n in range(20)) + "}"),
        (169, phone()[:-1] + ',"x":"\\ud800"}'),
        (170, phone()[:-1] + ',"appid":"wx0000000000000000"}'),
        (171, "[]"),
        (172, phone() + phone())):
    add(standard(number, plaintext=text))
add(standard(173, plaintext=phone().encode()[:-2] + b'\xff"}'))

# --- the watermark --------------------------------------------------------------------------------
for number, mark in (
        (180, '"x":1'),
        (181, '"watermark":"wx"'),
        (182, '"watermark":[]'),
        (183, '"watermark":{"timestamp":1}'),
        (184, '"watermark":{"timestamp":1,"appid":7}'),
        (185, '"watermark":{"appid":null,"timestamp":1}'),
        (186, f'"watermark":{{"appid":"{APPID}"}}'),
        (187, watermark(timestamp='"1"')),
        (188, watermark(timestamp="1.5")),
        (189, watermark(timestamp="1e3")),
        (190, watermark(timestamp="9223372036854775808")),
        (191, watermark(timestamp="-9223372036854775808")),
        (192, watermark(timestamp="-0")),
        (193, watermark(timestamp="null")),
        (194, watermark(timestamp="{}")),
        (195, watermark(appid='"\\u0077x4f4bc4dec97d474b"')),
        (196, watermark(appid='"WX4F4BC4DEC97D474B"')),
        (197, f'"watermark":{{"x":{{"appid":"{APPID}"}},"timestamp":1}}'),
        (198, f'"watermark":{{"x":{{"appid":"evil"}},"timestamp":2,"appid":"{APPID}"}}'),
        (199, f'"watermark" : {{ "timestamp" : 3 , "appid" : "{APPID}" , "timestamp\\u0032" : true }}')):
    add(standard(number, plaintext=phone(mark=mark)))

# --- the phone model --------------------------------------------------------------------------------
for number, text in (
        (210, "{" + f'"purePhoneNumber":"1","countryCode":"86",{watermark()}' + "}"),
        (211, "{" + f'"phoneNumber":"1","countryCode":"86",{watermark()}' + "}"),
        (212, "{" + f'"phoneNumber":"1","purePhoneNumber":"1",{watermark()}' + "}"),
        (213, phone(number="13580006666")),
        (214, phone(pure="null")),
        (215, phone(country="86")),
        (216, phone(country="-1")),
        (217, phone(country="86.0")),
        (218, phone(country="null")),
        (219, phone(country="true")),
        (220, phone(country="99999999999999999999")),
        (221, phone(country="[86]")),
        (222, phone(number='"\\u002b86 138 0000 6666"', pure='"a\\"b\\\\c\\u0001\\u001f\\n\\r\\t\\b\\f\\/"')),
        (223, phone(number='"\\u4e2d\\ud83d\\ude00\u00e9\u007f"')),
        (224, phone(country='"\\u0038\\u0036"')),
        (225, "{" + f'"countryCode":"44","x":{{"phoneNumber":1}},"purePhoneNumber":"7700900000","phoneNumber":"+44 7700900000",{watermark()}' + "}")):
    add(standard(number, plaintext=text))

sys.stdout.buffer.write(b"\n".join(lines) + b"\n")
