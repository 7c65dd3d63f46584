#!/usr/bin/env bash
# Proves, deterministically, that a failure's running time does not tell whether the padding
# was valid (the attack in issue 9: keep a genuine ciphertext, change its next-to-last block so
# that the last block ends in 0x01, valid one-byte padding, or in 0x00, invalid padding; then
# compare response times).
#
#   scripts/oracle-timing.sh [RECORDS]          (default 3000; fails when the two differ by >= 1%)
#   WXDECRYPT=/path/to/wxdecrypt scripts/oracle-timing.sh     (measure another build, e.g. an old release)
#
# Python's `cryptography` (an AES independent of this package) makes two files of RECORDS
# phone-number records, each under its own random key: the genuine ciphertext with the last byte
# of its next-to-last block altered so that the last plaintext byte becomes 0x01 in one file and
# 0x00 in the other. Both decrypt to garbage where the altered block was, so every record fails
# with decryption_failed. `decrypt-file --jobs 1` runs on each under callgrind, which counts
# instructions (repeatable, unlike wall time); a run on an empty file is subtracted, and the
# instructions per record of the two files must differ by less than 1%.
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-3000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

command -v valgrind >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind; }
python=python3
if ! python3 -c 'import cryptography' 2>/dev/null; then
    python3 -m venv "$work/venv"
    "$work/venv/bin/pip" install -q cryptography
    python="$work/venv/bin/python"
fi

bin=${WXDECRYPT:-}
if [ -z "$bin" ]; then
    swift build -c release --product wxdecrypt >/dev/null
    bin=$(swift build -c release --show-bin-path)/wxdecrypt
fi

make_records() { # LAST_BYTE SEED -> JSON Lines on stdout
    "$python" - "$records" "$1" "$2" <<'PY'
import base64, json, random, sys
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

count, last_byte, seed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)
appid = "wx4f4bc4dec97d474b"
for number in range(1, count + 1):
    key, iv = rng.randbytes(16), rng.randbytes(16)
    phone = "1" + "".join(rng.choice("0123456789") for _ in range(10))
    plaintext = json.dumps({"phoneNumber": phone, "purePhoneNumber": phone, "countryCode": "86",
                            "watermark": {"timestamp": 1637744274, "appid": appid}},
                           separators=(",", ":")).encode()
    pad = 16 - len(plaintext) % 16
    padded = plaintext + bytes([pad]) * pad
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ciphertext = bytearray(encryptor.update(padded) + encryptor.finalize())
    # CBC: flipping bits of block n-2 flips the same bits of plaintext block n-1.
    ciphertext[-17] ^= pad ^ last_byte
    print(json.dumps({"id": number, "appid": appid, "session_key": base64.b64encode(key).decode(),
                      "iv": base64.b64encode(iv).decode(),
                      "encrypted_data": base64.b64encode(bytes(ciphertext)).decode()}, separators=(",", ":")))
PY
}

make_records 1 11 > "$work/valid-padding.jsonl"
make_records 0 12 > "$work/invalid-padding.jsonl"
: > "$work/empty.jsonl"

instructions() { # FILE -> total instructions of one decrypt-file run
    valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" \
        "$bin" decrypt-file "$1" --jobs 1 --no-progress --output "$work/out.jsonl" >/dev/null 2>&1 || true
    if [ -s "$1" ]; then
        local failed
        failed=$(grep -c '"code":"decryption_failed"' "$work/out.jsonl" || true)
        [ "$failed" -eq "$records" ] || { echo "oracle-timing: expected $records decryption_failed results in $1, got $failed" >&2; exit 1; }
    fi
    awk '/^(summary|totals):/ { print $2; exit }' "$work/callgrind.out"
}

base=$(instructions "$work/empty.jsonl")
valid=$(instructions "$work/valid-padding.jsonl")
invalid=$(instructions "$work/invalid-padding.jsonl")
python3 - "$base" "$valid" "$invalid" "$records" <<'PY'
import sys
base, valid, invalid, n = (int(x) for x in sys.argv[1:])
per_valid, per_invalid = (valid - base) / n, (invalid - base) / n
difference = abs(per_valid - per_invalid) / min(per_valid, per_invalid)
print(f"oracle-timing: {n} records each; instructions per record: valid padding {per_valid:,.0f}, "
      f"invalid padding {per_invalid:,.0f}; difference {difference:.2%} (must be below 1%)")
sys.exit(0 if difference < 0.01 else 1)
PY
