#!/usr/bin/env bash
# wxdecrypt must start without Foundation: on Linux, libFoundation.so, its
# FoundationInternationalization and ICU cost about 4 ms of dynamic linking before main, a
# third of a small decrypt-file run. Fails when the release binary links any of the three (ldd
# lists what the loader would load, indirect dependencies included), or when a timed run
# fails; prints the median start-up time of `--version` and of decrypt-file on an empty file.
# Runs from a fresh clone as root; WXDECRYPT=path skips the release build.
set -euo pipefail
export LC_ALL=C  # EPOCHREALTIME with a decimal point
cd "$(dirname "$0")/.."

runs=20

binary=${WXDECRYPT:-}
if [ -z "$binary" ]; then
    swift build -c release --product wxdecrypt
    binary=.build/release/wxdecrypt
fi

libraries=$(ldd "$binary")
linked=$(grep -E '(^|[[:space:]/])(libFoundation|libFoundationInternationalization|lib_FoundationICU)\.so' \
    <<<"$libraries" || true)
if [ -n "$linked" ]; then
    echo "startup-check: $binary links Foundation, which it must not:" >&2
    echo "$linked" >&2
    exit 1
fi
echo "startup-check: $binary links no libFoundation, FoundationInternationalization or ICU"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: > "$work/empty.jsonl"

# median_ms NAME COMMAND...: runs COMMAND $runs times (stdout and stderr dropped) and prints
# the median wall time; a run that exits non-zero fails the check.
median_ms() {
    local name=$1
    shift
    local times=() start end
    for _ in $(seq "$runs"); do
        start=$EPOCHREALTIME
        if ! "$@" >/dev/null 2>&1; then
            echo "startup-check: $name failed: $*" >&2
            exit 1
        fi
        end=$EPOCHREALTIME
        times+=("$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", (e - s) * 1000 }')")
    done
    printf '%s\n' "${times[@]}" | sort -n | awk -v name="$name" -v runs="$runs" '
        { t[NR] = $1 }
        END { m = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
              printf "startup-check: %s: median %.2f ms of %d runs\n", name, m, runs }'
}

median_ms "--version" "$binary" --version
median_ms "decrypt-file on an empty file" \
    "$binary" decrypt-file "$work/empty.jsonl" --output "$work/results.jsonl" --jobs 1 --no-progress
