#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ with -sanitize=fuzzer,address, seeds them from
# Fixtures/, and runs each for SECONDS (default 600), two at a time on a 2-core machine.
# Findings (crashes, leaks, timeouts) are written to Fuzz/findings/; a summary line per
# target gives the executions.
#
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
work="Fuzz/.work"
mkdir -p "$work" Fuzz/findings
rm -rf "$work"/seeds-*
mkdir -p "$work"/seeds-{FuzzDecrypt,FuzzPlaintext,FuzzRecordLine} "$work"/corpus-{FuzzDecrypt,FuzzPlaintext,FuzzRecordLine}

swift build -c release --product wxdecrypt >/dev/null
wxdecrypt="$(swift build -c release --show-bin-path)/wxdecrypt"
swift build --package-path Fuzz -c release -Xswiftc -sanitize=fuzzer,address >/dev/null
bin="$(swift build --package-path Fuzz -c release --show-bin-path)"

# Seeds: every positive plaintext in the vectors; the same encrypted under the fixed key the
# decrypt target uses; and the sample decrypt-file lines.
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
vectors = json.load(open("Fixtures/vectors.json"))["vectors"]
for i, v in enumerate(x for x in vectors if "expected_plaintext" in x):
    open(f"{work}/seeds-FuzzPlaintext/{i}.json", "w").write(v["expected_plaintext"])
PY
i=0
for seed in "$work"/seeds-FuzzPlaintext/*.json; do
    WX_SESSION_KEY='tiihtNczf5v6AKRyjwEUhQ==' "$wxdecrypt" encrypt --app-id wx4f4bc4dec97d474b --json "$seed" \
        --timestamp 1637744274 | python3 -c 'import json,sys; r=json.load(sys.stdin); sys.stdout.write(r["iv"]+"\n"+r["encrypted_data"])' \
        > "$work/seeds-FuzzDecrypt/$i.txt"
    i=$((i + 1))
done
split -l 1 -d Fixtures/sample-records.jsonl "$work/seeds-FuzzRecordLine/line-"

run() {
    local target="$1"
    "$bin/$target" "$work/corpus-$target" "$work/seeds-$target" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="Fuzz/findings/$target-" \
        >"$work/$target.log" 2>&1 || true
    local executions
    executions=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$target.log" | grep -o '[0-9]*$' || echo 0)
    local findings
    findings=$(ls Fuzz/findings 2>/dev/null | grep -c "^$target-" || true)
    echo "$target: $executions executions in $seconds s, $findings findings"
}

run FuzzDecrypt & run FuzzPlaintext & wait
run FuzzRecordLine
