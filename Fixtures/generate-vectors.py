#!/usr/bin/env python3
"""Writes Fixtures/vectors.json with Python's `cryptography` package, an implementation
independent of the Swift library it tests. Deterministic: re-running gives the same file.

    python3 Fixtures/generate-vectors.py > Fixtures/vectors.json
"""
import base64, hashlib, hmac, json, random

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

rng = random.Random(20261121)
APPID = "wx4f4bc4dec97d474b"
TS = 1637744274


def rand(n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def b64(b):
    return base64.b64encode(b).decode()


def aes(key, iv, data):
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return enc.update(data) + enc.finalize()


def pkcs7(data, block=16):
    n = block - len(data) % block
    return data + bytes([n]) * n


def compact(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


vectors = []


def add(name, plaintext=None, *, padded=None, kind="auto", appid=APPID, key=None, iv=None,
        expected_error=None, comment=None, mutate=None, **extra):
    key = key or rand(16)
    iv = iv or rand(16)
    body = padded if padded is not None else pkcs7(plaintext.encode() if isinstance(plaintext, str) else plaintext)
    v = {"name": name, "kind": kind, "appid": appid, "session_key": b64(key), "iv": b64(iv),
         "encrypted_data": b64(aes(key, iv, body))}
    if expected_error:
        v["expected_error"] = expected_error
    else:
        v["expected_plaintext"] = plaintext
    if comment:
        v["comment"] = comment
    v.update(extra)
    if mutate:
        mutate(v)
    vectors.append(v)
    return v


def wm(ts=TS, appid=APPID):
    return {"timestamp": ts, "appid": appid}


# WeChat's published sample from its official decryption demo.
vectors.append({
    "name": "wechat-official-demo-userinfo",
    "kind": "user",
    "appid": "wx4f4bc4dec97d474b",
    "session_key": "tiihtNczf5v6AKRyjwEUhQ==",
    "iv": "r7BXXKkLb8qrSNn05n0qiA==",
    "encrypted_data": "CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZMQmRzooG2xrDcvSnxIMXFufNstNGTyaGS9uT5geRa0W4oTOb1WT7fJlAC+oNPdbB+3hVbJSRgv+4lGOETKUQz6OYStslQ142dNCuabNPGBzlooOmB231qMM85d2/fV6ChevvXvQP8Hkue1poOFtnEtpyxVLW1zAo6/1Xx1COxFvrc2d7UL/lmHInNlxuacJXwu0fjpXfz/YqYzBIBzD6WUfTIF9GRHpOn/Hz7saL8xz+W//FRAUid1OksQaQx4CMs8LOddcQhULW4ucetDf96JcR3g0gfRK4PC7E/r7Z6xNrXd2UIeorGj5Ef7b1pJAYB6Y5anaHqZ9J6nKEBvB4DnNLIVWSgARns/8wR2SiRS7MNACwTyrGvt9ts8p12PKFdlqYTopNHR1Vf7XjfhQlVsAJdNiKdYmYVoKlaRv85IfVunYzO0IKXsyl7JCUjCpoG20f0a04COwfneQAGGwd5oa+T8yO5hzuyDb/XcxxmK01EpqOyuxINew==",
    "comment": "Published with WeChat's decryption demo; decrypts to openId oGZUI0egBJY1zhBYw2KhdUfwVJJE, nickName Band.",
})
k = base64.b64decode("tiihtNczf5v6AKRyjwEUhQ==")
iv = base64.b64decode("r7BXXKkLb8qrSNn05n0qiA==")
ct = base64.b64decode(vectors[0]["encrypted_data"])
dec = Cipher(algorithms.AES(k), modes.CBC(iv)).decryptor()
pt = dec.update(ct) + dec.finalize()
vectors[0]["expected_plaintext"] = pt[: -pt[-1]].decode()

phone = {"phoneNumber": "13580006666", "purePhoneNumber": "13580006666", "countryCode": "86", "watermark": wm()}
add("phone-mainland", compact(phone), kind="phone")
add("phone-overseas-numeric-country-code",
    compact({"phoneNumber": "+1 6505550123", "purePhoneNumber": "6505550123", "countryCode": 1, "watermark": wm()}),
    kind="phone", comment="countryCode as a JSON number, as WeChat has sent it")
add("phone-hong-kong", compact({"phoneNumber": "+852 51234567", "purePhoneNumber": "51234567",
                                "countryCode": "852", "watermark": wm()}), kind="auto")
user = {"openId": "oGZUI0egBJY1zhBYw2KhdUfwVJJE", "nickName": "小明🐼✨", "gender": 2, "language": "zh_CN",
        "city": "Shenzhen", "province": "Guangdong", "country": "CN",
        "avatarUrl": "https://thirdwx.qlogo.cn/mmopen/vi_32/abc/132", "watermark": wm()}
raw_data = compact({k2: v2 for k2, v2 in user.items() if k2 != "watermark"})
u_key = rand(16)
add("user-emoji-nickname-with-signature", compact(user), kind="user", key=u_key,
    raw_data=raw_data, signature=hashlib.sha1((raw_data + b64(u_key)).encode()).hexdigest(),
    login_state_signature=hmac.new(b64(u_key).encode(), b"", hashlib.sha256).hexdigest(),
    comment="4-byte UTF-8 in nickName; no unionId")
add("user-escaped-strings", json.dumps({"openId": "oAbc", "nickName": "A \"quoted\" \\ name \u00e9\ud83d\ude00",
                                         "gender": 0, "language": "en", "city": "", "province": "", "country": "",
                                         "avatarUrl": "", "unionId": "oUnion123", "watermark": wm()},
                                        ensure_ascii=True, separators=(",", ":")), kind="user",
    comment="\\u escapes, a surrogate pair and escaped quotes")
werun = {"stepInfoList": [{"timestamp": 1637683200 + 86400 * i, "step": rng.randint(0, 30000)} for i in range(30)],
         "watermark": wm()}
add("werun-30-days", compact(werun), kind="werun")
add("share-info", compact({"openGId": "tGzTCe5ATKpKshEPxRKVx0ZVy6gkQ", "watermark": wm()}), kind="share")
add("group-enter-group-chat", compact({"opengid": "tGx8Y0yDGFe5WAGKEUG7Q9l4pSwr", "group_openid": "gOpen123",
                                       "chat_type": 3, "watermark": wm()}), kind="group")
add("group-enter-single-chat", compact({"open_single_roomid": "sRoom456", "group_openid": "gOpen789",
                                        "chat_type": 1, "watermark": wm()}), kind="group")
add("raw-unknown-kind", compact({"customField": [1, 2.5, True, None, {"a": "b"}], "watermark": wm()}), kind="raw")
# A plaintext whose length is a multiple of 16 gets a whole block of padding.
p = compact(phone)
p = p[:-1] + " " * ((16 - len(p.encode()) % 16) % 16) + "}"
add("phone-full-padding-block", p, kind="phone", comment="plaintext is a multiple of 16 bytes: 16 bytes of padding")

# Freshness: valid within max_age.
add("phone-fresh", compact(phone), kind="phone", now=TS + 120, max_age=300)

# Input repairs.
def find_with(chars, kind="phone"):
    while True:
        key, ivb = rand(16), rand(16)
        ct = aes(key, ivb, pkcs7(compact(phone).encode()))
        if all(c in b64(ct) for c in chars):
            return key, ivb, ct


key, ivb, ct = find_with("+/")
vectors.append({"name": "repair-plus-became-space", "kind": "phone", "appid": APPID, "session_key": b64(key),
                "iv": b64(ivb), "encrypted_data": b64(ct).replace("+", " "), "expected_plaintext": compact(phone),
                "expected_repairs": ["spaces_as_plus"], "comment": "form/URL decoding turned every '+' into a space"})
vectors.append({"name": "repair-url-safe-alphabet", "kind": "phone", "appid": APPID, "session_key": b64(key),
                "iv": b64(ivb), "encrypted_data": base64.urlsafe_b64encode(ct).decode(),
                "expected_plaintext": compact(phone), "expected_repairs": ["url_safe_alphabet"]})
vectors.append({"name": "repair-missing-padding", "kind": "phone", "appid": APPID,
                "session_key": b64(key).rstrip("="), "iv": b64(ivb).rstrip("="), "encrypted_data": b64(ct),
                "expected_plaintext": compact(phone), "expected_repairs": ["missing_padding"],
                "comment": "session_key and iv without '=' padding"})
wrapped = "\n".join(b64(ct)[i:i + 64] for i in range(0, len(b64(ct)), 64))
vectors.append({"name": "repair-whitespace-and-line-breaks", "kind": "phone", "appid": APPID,
                "session_key": " " + b64(key) + "\n", "iv": "\t" + b64(ivb) + "\r\n",
                "encrypted_data": wrapped + "\n", "expected_plaintext": compact(phone),
                "expected_repairs": ["whitespace_removed"],
                "comment": "surrounding whitespace; data wrapped at 64 columns as `openssl base64` writes it"})
# The iv ends in a '+' turned into a space... find one whose base64 starts with '+'.
while True:
    key2, iv2 = rand(16), rand(16)
    if b64(iv2).startswith("+"):
        break
vectors.append({"name": "repair-leading-plus-became-space", "kind": "phone", "appid": APPID,
                "session_key": b64(key2), "iv": " " + b64(iv2)[1:],
                "encrypted_data": b64(aes(key2, iv2, pkcs7(compact(phone).encode()))),
                "expected_plaintext": compact(phone), "expected_repairs": ["spaces_as_plus"],
                "comment": "a leading space is read as '+' because only that gives a 16-byte iv"})

# Negative vectors.
good = add("neg-base", compact(phone), kind="phone")
vectors.pop()


def neg(name, code, comment, **changes):
    v = dict(good)
    v["name"] = name
    v.pop("expected_plaintext", None)
    v["expected_error"] = code
    v["comment"] = comment
    v.update(changes)
    vectors.append(v)


neg("neg-session-key-bad-character", "invalid_session_key", "a '*' in the session key",
    session_key="*" + good["session_key"][1:])
neg("neg-session-key-15-bytes", "invalid_session_key", "decodes to 15 bytes", session_key=b64(rand(15)))
neg("neg-session-key-32-bytes", "invalid_session_key", "32 bytes: never truncated to 16", session_key=b64(rand(32)))
neg("neg-iv-12-bytes", "invalid_iv", "a 12-byte iv (GCM-sized) is rejected, never padded", iv=b64(rand(12)))
neg("neg-iv-bad-character", "invalid_iv", "a '%' in the iv, as if still URL-encoded", iv="%2B" + good["iv"][3:])
neg("neg-data-not-block-multiple", "invalid_encrypted_data", "decodes to 17 bytes",
    encrypted_data=b64(base64.b64decode(good["encrypted_data"]) + b"\x00"))
neg("neg-data-empty", "invalid_encrypted_data", "empty encryptedData", encrypted_data="")
neg("neg-data-misplaced-padding", "invalid_encrypted_data", "'=' in the middle",
    encrypted_data=good["encrypted_data"][:8] + "=" + good["encrypted_data"][9:])
neg("neg-data-over-limit", "payload_too_large", "a 64-byte limit for this vector", max_encrypted_data_size=64)
neg("neg-stale-session-key", "decryption_failed",
    "the key of an earlier wx.login: the usual cause in production", session_key=b64(rand(16)))
neg("neg-iv-from-another-call", "decryption_failed", "the first block decrypts to garbage", iv=b64(rand(16)))
neg("neg-appid-mismatch", "appid_mismatch", "data of another mini program", appid="wx0000000000000000")
neg("neg-watermark-expired", "watermark_expired", "an hour old with a five-minute limit", now=TS + 3600, max_age=300)
neg("neg-watermark-in-future", "watermark_expired", "ten minutes in the future, 60 s skew allowed",
    now=TS - 600, max_age=300)
add("neg-signature-mismatch", compact(user), kind="user", key=u_key, raw_data=raw_data.replace("2", "1", 1),
    signature=hashlib.sha1((raw_data + b64(u_key)).encode()).hexdigest(),
    expected_signature_error="invalid_signature",
    comment="decrypts fine, but rawData was altered after signing")

body = compact(phone).encode()
def pad_with(data, last, fill):
    n = 16 - len(data) % 16
    return data + bytes([fill]) * (n - 1) + bytes([last])
add("neg-padding-value-zero", None, padded=pad_with(body, 0, 0), kind="phone", expected_error="decryption_failed",
    comment="pad byte 0 is never valid")
add("neg-padding-value-17", None, padded=body + b" " * (16 - len(body) % 16) + bytes([17]) * 16, kind="phone",
    expected_error="decryption_failed", comment="pad value over the block size")
add("neg-padding-inconsistent", None, padded=pad_with(body, (16 - len(body) % 16), 0x01), kind="phone",
    expected_error="decryption_failed", comment="last byte says N but the other pad bytes differ")
blk32 = body + bytes([32 - len(body) % 32]) * (32 - len(body) % 32)
if (32 - len(body) % 32) <= 16:
    blk32 = body + b" " * 16 + bytes([32 - (len(body) + 16) % 32]) * (32 - (len(body) + 16) % 32)
add("neg-padding-32-byte-block", None, padded=blk32, kind="phone", expected_error="decryption_failed",
    comment="padded to 32-byte blocks with a pad value over 16, which lax libraries accept")
add("neg-plaintext-invalid-utf8", None, padded=pkcs7(b'{"phoneNumber":"\xff\xfe","watermark":{}}'), kind="phone",
    expected_error="decryption_failed", comment="valid padding, invalid UTF-8: indistinguishable from bad padding")
add("neg-plaintext-not-json", None, padded=pkcs7(b"phoneNumber=13580006666"), kind="phone",
    expected_error="decryption_failed", comment="valid padding, not JSON")
add("neg-plaintext-duplicate-key", None,
    padded=pkcs7(b'{"phoneNumber":"1","phoneNumber":"2","purePhoneNumber":"2","countryCode":"86","watermark":'
                 + compact(wm()).encode() + b"}"),
    kind="phone", expected_error="decryption_failed", comment="duplicate keys are ambiguous, so rejected")
add("neg-plaintext-trailing-bytes", None, padded=pkcs7(compact(phone).encode() + b"{}"), kind="phone",
    expected_error="decryption_failed", comment="bytes after the top-level object")
add("neg-plaintext-too-deep", None, padded=pkcs7(b'{"a":' + b"[" * 40 + b"]" * 40 + b',"watermark":'
                                                + compact(wm()).encode() + b"}"),
    kind="raw", expected_error="decryption_failed", comment="nesting deeper than the parser's limit")
add("neg-missing-phone-field", compact({"purePhoneNumber": "13580006666", "countryCode": "86", "watermark": wm()}),
    kind="phone", expected_error="invalid_payload", expected_field="phoneNumber",
    comment="valid JSON without phoneNumber")
add("neg-missing-watermark", compact({"phoneNumber": "13580006666", "purePhoneNumber": "13580006666",
                                      "countryCode": "86"}),
    kind="phone", expected_error="invalid_payload", expected_field="watermark",
    comment="every real payload has a watermark, werun included")
add("neg-werun-missing-watermark", compact({"stepInfoList": werun["stepInfoList"][:2]}), kind="werun",
    expected_error="invalid_payload", expected_field="watermark")
add("neg-wrong-type", compact({**phone, "phoneNumber": 13580006666}), kind="phone",
    expected_error="invalid_payload", expected_field="phoneNumber", comment="a number where a string is required")

# Plaintext of negative vectors is never recorded: only the code.
for v in vectors:
    if v.get("expected_plaintext") is None:
        v.pop("expected_plaintext", None)

doc = {
    "description": "WeChat Mini Program legacy open-data vectors for WeChatOpenData. See Fixtures/README.md.",
    "vectors": vectors,
}
print(json.dumps(doc, ensure_ascii=False, indent=2))
