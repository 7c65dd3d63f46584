#!/usr/bin/env python3
"""A strict decryptor for WeChat Mini Program open data (AES-128-CBC, PKCS#7, JSON with a
watermark), speaking the `wxdecrypt conformance` protocol: one record per stdin line, one
answer per stdout line. Needs the `cryptography` package.

    wxdecrypt conformance -- python3 Examples/Conformance/python/adapter.py

To test your own decryptor, keep main() and call yours instead of decrypt().
"""
import base64
import json
import re
import sys

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


class Rejection(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def decryption_failed():
    # One reason for every failure after decryption: a padding error that looked different
    # from a JSON error would be a padding oracle.
    return Rejection("decryption_failed", "the data did not decrypt to a valid payload")


BASE64 = re.compile(r"[A-Za-z0-9+/]*")


def decode_base64(text, field, accepts_length):
    """Standard base64, repairing what transports do to it: '+' turned into spaces by form
    decoding, the URL-safe alphabet, missing '=' padding, line breaks and surrounding
    whitespace. Anything else outside the alphabet is an error, never skipped."""
    core = re.sub(r"[\r\n\t]", "", text)
    # Spaces inside are '+'; spaces at the ends are whitespace, unless only reading them as
    # '+' gives a valid length.
    for candidate in (core.strip(" ").replace(" ", "+"), core.replace(" ", "+")):
        standard = candidate.replace("-", "+").replace("_", "/").rstrip("=")
        if not BASE64.fullmatch(standard) or len(standard) % 4 == 1:
            continue
        data = base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
        if accepts_length(len(data)):
            return data
    raise Rejection(f"invalid_{field}", f"{field} is not base64 of an acceptable length")


def strict_object(pairs):
    """Duplicate keys are ambiguous: parsers keep the first or the last."""
    members = {}
    for key, value in pairs:
        if key in members:
            raise decryption_failed()
        members[key] = value
    return members


def no_constants(_name):
    """NaN and Infinity, which Python's json accepts and JSON does not have."""
    raise decryption_failed()


def decrypt(record):
    key = decode_base64(record["session_key"], "session_key", lambda n: n == 16)
    iv = decode_base64(record["iv"], "iv", lambda n: n == 16)
    data = decode_base64(record["encrypted_data"], "encrypted_data", lambda n: n > 0 and n % 16 == 0)
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(data) + decryptor.finalize()
    try:
        # cryptography's unpadder is strict PKCS#7 (1 to 16, every byte the same), in constant time.
        unpadder = padding.PKCS7(128).unpadder()
        text = (unpadder.update(padded) + unpadder.finalize()).decode("utf-8")
        payload = json.loads(text, object_pairs_hook=strict_object, parse_constant=no_constants)
    except (ValueError, RecursionError):
        raise decryption_failed() from None
    if not isinstance(payload, dict):
        raise decryption_failed()
    watermark = payload.get("watermark")
    if not isinstance(watermark, dict):
        raise Rejection("invalid_payload", "payload field 'watermark' is missing or not an object")
    if not isinstance(watermark.get("appid"), str):
        raise Rejection("invalid_payload", "payload field 'watermark.appid' is missing")
    timestamp = watermark.get("timestamp")
    if not isinstance(timestamp, int) or isinstance(timestamp, bool):
        raise Rejection("invalid_payload", "payload field 'watermark.timestamp' is missing or not an integer")
    if watermark["appid"] != record["appid"]:
        raise Rejection("appid_mismatch", "watermark.appid is not the expected appid: data of another mini program")
    # Freshness, when the record says what time it is and how old a payload may be.
    if record.get("max_age") is not None:
        age = record["now"] - timestamp
        if age > record["max_age"]:
            raise Rejection("watermark_expired", f"the payload is {age} s old")
        if -age > 60:
            raise Rejection("watermark_expired", f"the payload is {-age} s in the future")
    return payload


def main():
    """The protocol: a record per line in, an answer per line out, every failure an answer."""
    for raw in sys.stdin.buffer:
        line = raw.decode("utf-8").strip()
        if not line:
            continue
        record = None
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise Rejection("invalid_record", "the line is not a JSON object")
            for field in ("appid", "session_key", "iv", "encrypted_data"):
                if not isinstance(record.get(field), str):
                    raise Rejection("invalid_record", f"{field} must be a string")
            answer = {"id": record.get("id"), "ok": True, "data": decrypt(record)}
        except Exception as error:
            # Our own messages never hold a key or plaintext; anything unexpected is named, not described.
            known = isinstance(error, Rejection)
            answer = {"id": record.get("id") if isinstance(record, dict) else None, "ok": False,
                      "error": {"code": error.code if known else "internal_error",
                                "message": str(error) if known else f"unexpected {type(error).__name__}"}}
        sys.stdout.write(json.dumps(answer, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
