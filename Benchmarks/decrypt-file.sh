#!/usr/bin/env bash
# Times `wxdecrypt decrypt-file` on N generated phone records (default 1,000,000, 1% broken)
# with --jobs 1 and --jobs 2, writing JSON Lines to a file; prints records/s and peak memory.
#
#   Benchmarks/decrypt-file.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
records="${1:-1000000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

swift build -c release --product wxdecrypt >/dev/null
binary="$(swift build -c release --show-bin-path)/wxdecrypt"
"$binary" generate --records "$records" --seed 1 --bad-fraction 0.01 --output "$work/records.jsonl" 2>/dev/null
echo "input: $records records, $(du -h "$work/records.jsonl" | cut -f1)"

for jobs in 1 2; do
    /usr/bin/time -v "$binary" decrypt-file "$work/records.jsonl" --app-id wx4f4bc4dec97d474b \
        --jobs "$jobs" --output "$work/results.jsonl" 2>"$work/time.txt" || true
    rate=$(grep -o '[0-9]* records/s' "$work/time.txt")
    rss=$(awk '/Maximum resident set size/ {printf "%.1f MB", $6 / 1024}' "$work/time.txt")
    echo "--jobs $jobs: $rate, peak RSS $rss"
done
