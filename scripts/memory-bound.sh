#!/usr/bin/env bash
# Peak memory (maximum RSS, from /usr/bin/time -f %M) of `wxdecrypt decrypt-file` with
# --jobs 1 and 2 on every input shape that used to grow it (tiny garbage lines turned
# 4 MiB blocks into 200 MB of error lines; megabyte ids in CSV with 8 to 64 workers held
# 72-100 MB in glibc's arenas), and of every reader of a whole file on an
# endless input (/dev/zero). Fails when a run goes over the bound or ends otherwise than
# expected. Runs from a fresh clone as root; WXDECRYPT=path skips the release build.
set -euo pipefail
cd "$(dirname "$0")/.."

bound_mb=${MEMORY_BOUND_MB:-64}

if ! [ -x /usr/bin/time ]; then
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y time
fi

binary=${WXDECRYPT:-}
if [ -z "$binary" ]; then
    swift build -c release --product wxdecrypt
    binary=.build/release/wxdecrypt
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The input shapes, from a few bytes per line to the longest lines there are.
awk 'BEGIN { for (i = 0; i < 4000000; i++) print 1 }' > "$work/tiny-lines.jsonl"
awk 'BEGIN { for (i = 0; i < 8000000; i++) print "" }' > "$work/blank-lines.jsonl"
"$binary" generate --records 100000 --bad-fraction 0.1 --output "$work/records.jsonl" 2>/dev/null
record=$(head -n 1 "$work/records.jsonl")
long_id=$(head -c 1000000 /dev/zero | tr '\0' x)
for _ in $(seq 40); do printf '{"id":"%s",%s\n' "$long_id" "${record#\{}"; done > "$work/long-ids.jsonl"
for _ in $(seq 4); do head -c 5000000 /dev/zero | tr '\0' A; echo; done > "$work/over-long-lines.jsonl"
head -c 20000000 /dev/zero | tr '\0' B >> "$work/over-long-lines.jsonl"
# Fields of half a million blanks between letters (every blank run is ambiguous base64), and
# huge ids at shifting offsets, so that every worker's output buffer grows at some point.
spaced=$(head -c 500000 /dev/zero | tr '\0' x | sed 's/x/A /g')
for _ in $(seq 20); do printf '{"session_key":"%s","iv":"%s","encrypted_data":"AAAA"}\n' "$spaced" "$spaced"; done \
    > "$work/spaced-fields.jsonl"
for i in $(seq 200); do
    printf '{"id":"%s",%s\n' "$(head -c $((1000000 - i * 3000)) /dev/zero | tr '\0' y)" "${record#\{}"
    for _ in $(seq $((i % 7))); do echo "$record"; done
done > "$work/shifting-ids.jsonl"
# Ids of a megabyte of escaped quotes, echoed into CSV cells that double every quote: each
# result is twice the output limit, so every worker grows and frees large output buffers.
"$binary" generate --records 1 --bad-fraction 0 --output "$work/one-record.jsonl" 2>/dev/null
quote_ids=$(awk 'BEGIN { e = "\"\\\"\""; printf "%s", e; for (i = 1; i < 209000; i++) printf ",%s", e }')
one_record=$(sed 's/^{"id":[0-9]*,//' "$work/one-record.jsonl")
for _ in $(seq 150); do printf '{"id":[%s],%s\n' "$quote_ids" "$one_record"; done > "$work/quote-ids.jsonl"
spaced_key="$work/spaced-key"
head -c 4000000 /dev/zero | tr '\0' x | sed 's/x/A /g' > "$spaced_key"
key_file="$work/session-key"
echo 'tiihtNczf5v6AKRyjwEUhQ==' > "$key_file"

passed=0
failed=0
# measure NAME EXPECTED_STATUSES SECONDS COMMAND...: one run, killed after SECONDS (an
# endless read is a failure, not a hang), its peak RSS against the bound. --foreground:
# timeout waits for the killed run, so time sees the run's peak, not timeout's own.
measure() {
    local name=$1 expected=$2 seconds=$3
    shift 3
    local status=0
    /usr/bin/time -f %M -o "$work/rss" timeout --foreground -s KILL "$seconds" "$@" > /dev/null 2> "$work/stderr" < /dev/null \
        || status=$?
    local peak_kb
    peak_kb=$(tail -n 1 "$work/rss")
    local verdict=ok
    if [ "$peak_kb" -gt $((bound_mb * 1024)) ]; then
        verdict="FAIL: over ${bound_mb} MB"
    elif ! [[ " $expected " == *" $status "* ]]; then
        verdict="FAIL: exit $status, expected $expected: $(tail -n 1 "$work/stderr")"
    fi
    printf '%-44s %6d MB  %s\n' "$name" $((peak_kb / 1024)) "$verdict"
    if [ "$verdict" = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

for shape in tiny-lines blank-lines records long-ids over-long-lines spaced-fields; do
    for jobs in 1 2; do
        measure "decrypt-file $shape --jobs $jobs" "0 1" 120 \
            "$binary" decrypt-file "$work/$shape.jsonl" --app-id wx4f4bc4dec97d474b --jobs "$jobs" --output /dev/null
    done
done
for jobs in 2 16 64; do
    measure "decrypt-file shifting-ids --jobs $jobs" "0 1" 120 \
        "$binary" decrypt-file "$work/shifting-ids.jsonl" --app-id wx4f4bc4dec97d474b --jobs "$jobs" --output /dev/null
done
for jobs in 8 64; do
    measure "decrypt-file quote-ids --format csv --jobs $jobs" "0" 120 \
        "$binary" decrypt-file "$work/quote-ids.jsonl" --format csv --jobs "$jobs" --output /dev/null
done
# Many workers each growing a buffer of error lines (one malloc arena: see MallocLimits).
measure "decrypt-file tiny-lines --jobs 64" "0 1" 120 \
    "$binary" decrypt-file "$work/tiny-lines.jsonl" --app-id wx4f4bc4dec97d474b --jobs 64 --output /dev/null
payload=(--app-id wx4f4bc4dec97d474b --iv r7BXXKkLb8qrSNn05n0qiA==)
measure "decrypt --data-file /dev/zero" 66 5 "$binary" decrypt "${payload[@]}" --data-file /dev/zero --session-key-file "$key_file"
measure "decrypt --session-key-file /dev/zero" 66 5 "$binary" decrypt "${payload[@]}" --data x --session-key-file /dev/zero
measure "decrypt --session-key-file (spaced)" 1 60 "$binary" decrypt "${payload[@]}" --data x --session-key-file "$spaced_key"
measure "encrypt --json /dev/zero" 66 5 "$binary" encrypt --app-id wx1 --json /dev/zero --session-key-file "$key_file"
measure "verify-signature --raw-data-file /dev/zero" 66 5 \
    "$binary" verify-signature --signature 00 --raw-data-file /dev/zero --session-key-file "$key_file"
measure "verify-vectors /dev/zero" 66 5 "$binary" verify-vectors /dev/zero

echo "memory-bound: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
