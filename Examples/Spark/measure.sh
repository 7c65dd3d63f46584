#!/usr/bin/env bash
# Times the Spark job with 1 and 2 executor cores on N generated records, each run next to one
# `decrypt-file --jobs 1` of the same archive, so that a busy machine shows in both.
# Usage: Examples/Spark/measure.sh [RECORDS] [RUNS], with spark-submit on PATH (see README.md)
# and a release build in .build/release. Prints records/s per core for each run.
set -euo pipefail
records="${1:-200000}"
runs="${2:-3}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
binary="$root/.build/release/wxdecrypt"
work="$(mktemp -d "${TMPDIR:-/tmp}/wxdecrypt-spark-measure.XXXXXX")"
trap 'rm -rf "$work"' EXIT
"$binary" generate --records "$records" --seed 11 --output "$work/archive.jsonl" 2>/dev/null
export SPARK_LOCAL_IP=127.0.0.1
cd "$work"
for run in $(seq "$runs"); do
    start=$(date +%s.%N)
    "$binary" decrypt-file "$work/archive.jsonl" --jobs 1 --no-progress --app-id wx4f4bc4dec97d474b \
        --output /dev/null 2>/dev/null || [ $? -eq 1 ]
    alone=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
    echo "run $run decrypt-file --jobs 1: $alone s," \
        "$(awk -v n="$records" -v t="$alone" 'BEGIN { printf "%d", n / t }') records/s"
    for cores in 1 2; do
        rm -rf "$work/archive.jsonl.results"
        start=$(date +%s.%N)
        spark-submit --master "local[$cores]" \
            --conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1 \
            --conf spark.ui.enabled=false --conf spark.local.dir="$work/local" \
            --conf spark.hadoop.fs.permissions.umask-mode=077 \
            --files "$binary" "$root/Examples/Spark/decrypt_archive.py" "$work/archive.jsonl" \
            --app-id wx4f4bc4dec97d474b >"$work/out" 2>"$work/err"
        wall=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
        job=$(sed -n 's/.* decrypted in \([0-9.]*\) s.*/\1/p' "$work/out")
        partitions=$(sed -n 's/.* lines in \([0-9]*\) partitions.*/\1/p' "$work/out")
        echo "run $run local[$cores]: $partitions partitions, decrypted in $job s, spark-submit $wall s," \
            "$(awk -v n="$records" -v t="$job" -v c="$cores" 'BEGIN { printf "%d", n / t / c }') records/s per core (decrypting)," \
            "$(awk -v n="$records" -v t="$wall" -v c="$cores" 'BEGIN { printf "%d", n / t / c }') (spark-submit)"
    done
done
