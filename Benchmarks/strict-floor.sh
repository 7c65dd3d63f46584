#!/usr/bin/env bash
# The strict floor: how much of decrypt-file's distance from compare.sh's C bound is the work its
# rules require, and how much is Swift.
#
#   Benchmarks/strict-floor.sh [RECORDS] [RUNS]     (defaults 200000 and 7)
#   Benchmarks/strict-floor.sh --check              (the comparisons only: no timing, no callgrind)
#
# Builds the release wxdecrypt, the C bound (../shared/bench/c_evp_peer.c, compiled as compare.sh
# compiles it) and Benchmarks/StrictFloor/strict_floor.c (C doing every check decrypt-file does).
# Then:
# 1. Checks with cmp that strict_floor writes exactly decrypt-file --jobs 1's results, on RECORDS
#    records made by `wxdecrypt generate --seed 7 --bad-fraction 0.01` and on the crafted records
#    of StrictFloor/edge_cases.py; exit 1 when they differ.
# 2. Times, alternating, the C bound, strict_floor, decrypt-file --jobs 1 and --jobs 2, RUNS times
#    each: median wall and CPU time, records/s, peak RSS, and the ratios to the C bound (CPU time
#    leaves out the time spent waiting for a core that another build holds).
# 3. Counts instructions per record of the three single-threaded programs with callgrind:
#    (I(20,000 records) - I(2,000 records)) / 18,000, as issue 11 measures them.
# Exit 2 when a step cannot run.
set -euo pipefail
check_only=0
if [ "${1:-}" = "--check" ]; then
    check_only=1
    shift
fi
records=${1:-200000}
runs=${2:-7}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
peer=$(Benchmarks/c-bound-source.sh) || exit 2
missing=()
[ "$check_only" = 1 ] || command -v valgrind >/dev/null || missing+=(valgrind)
[ "$check_only" = 1 ] || [ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >/dev/null || exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ "$check_only" = 1 ] || echo "load before: $(uptime)"
swift build -c release --product wxdecrypt >/dev/null || exit 2
bin=$(swift build -c release --show-bin-path)/wxdecrypt
${CC:-gcc} -O2 -Wall -std=c11 -o "$work/c_bound" "$peer" -lcrypto || exit 2
${CC:-gcc} -O2 -Wall -Wextra -std=c11 -o "$work/strict_floor" Benchmarks/StrictFloor/strict_floor.c -lcrypto || exit 2

generate() { # N FILE
    "$bin" generate --records "$1" --seed 7 --bad-fraction 0.01 --output "$2" 2>/dev/null || exit 2
}
same_results() { # NAME INPUT [OPTION...]: strict_floor's results against decrypt-file --jobs 1's, same options
    local status=0 name=$1 input=$2
    shift 2
    "$bin" decrypt-file "$input" --jobs 1 --no-progress --output "$work/swift.jsonl" "$@" 2>/dev/null || status=$?
    [ "$status" -le 1 ] || { echo "strict-floor: decrypt-file exited $status on $name" >&2; exit 2; }
    status=0
    "$work/strict_floor" "$input" "$work/floor.jsonl" "$@" 2>/dev/null || status=$?
    [ "$status" -le 1 ] || { echo "strict-floor: strict_floor exited $status on $name" >&2; exit 2; }
    if ! cmp -s "$work/swift.jsonl" "$work/floor.jsonl"; then
        # The first differing result of each, payloads left out: they hold phone numbers.
        local line
        line=$(cmp "$work/swift.jsonl" "$work/floor.jsonl" 2>&1 | grep -o 'line [0-9]*' | cut -d' ' -f2 || true)
        echo "strict-floor: strict_floor's results differ from decrypt-file's on $name, first at result line ${line:-?}:" >&2
        for side in swift floor; do
            sed -n "${line:-1}p" "$work/$side.jsonl" | sed -E 's/"data":.*/"data":…}/' | cut -c 1-300 | sed "s/^/  $side: /" >&2
        done
        exit 1
    fi
    echo "same results: strict_floor and decrypt-file --jobs 1 on $name ($(wc -l < "$work/swift.jsonl") result lines, cmp)"
}

generate "$records" "$work/records.jsonl"
python3 Benchmarks/StrictFloor/edge_cases.py > "$work/edge-cases.jsonl" || exit 2
same_results "$records generated records" "$work/records.jsonl"
same_results "the edge cases of StrictFloor/edge_cases.py" "$work/edge-cases.jsonl"
# With a default appid too: records that name it, name none, or name an empty one.
same_results "the edge cases, with --app-id" "$work/edge-cases.jsonl" --app-id wx4f4bc4dec97d474b
[ "$check_only" = 0 ] || exit 0

generate 2000 "$work/records-2000.jsonl"
generate 20000 "$work/records-20000.jsonl"
python3 - "$work" "$bin" "$records" "$runs" <<'PY'
import os, statistics, subprocess, sys, time

work, bin, records, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])

def command(program, data):
    return {
        "C bound": [f"{work}/c_bound", data, f"{work}/c.tsv"],
        "strict floor": [f"{work}/strict_floor", data, f"{work}/floor.jsonl"],
        "decrypt-file --jobs 1": [bin, "decrypt-file", data, "--jobs", "1", "--no-progress", "--output", f"{work}/out.jsonl"],
        "decrypt-file --jobs 2": [bin, "decrypt-file", data, "--jobs", "2", "--no-progress", "--output", f"{work}/out.jsonl"],
    }[program]

programs = ["C bound", "strict floor", "decrypt-file --jobs 1", "decrypt-file --jobs 2"]
walls, cpus, rss = ({p: [] for p in programs} for _ in range(3))
for _ in range(runs):
    for program in programs:  # alternating, so that every program sees the same machine
        # GNU time reports the peak RSS: a child of this Python would inherit Python's at exec.
        start = time.perf_counter()
        child = subprocess.Popen(["/usr/bin/time", "-f", "%x %M", "-o", f"{work}/time"] + command(program, f"{work}/records.jsonl"),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(child.pid, 0)  # its usage includes the program's, which time waited for
        walls[program].append(time.perf_counter() - start)
        status, peak = open(f"{work}/time").read().split()[-2:]
        if status not in ("0", "1"):
            sys.exit(f"strict-floor: {program} exited {status} while timed")
        cpus[program].append(usage.ru_utime + usage.ru_stime)
        rss[program].append(int(peak) / 1024)

def instructions(program, data):
    out = f"{work}/callgrind.out"
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"] + command(program, data),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for line in open(out):
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    sys.exit(f"strict-floor: no instruction count for {program}")

per_record = {p: (instructions(p, f"{work}/records-20000.jsonl") - instructions(p, f"{work}/records-2000.jsonl")) / 18000
              for p in programs[:3]}

print(f"\n{records:,} records, {runs} alternating runs each; medians (wall, CPU = user + system):")
print(f"{'':24}{'wall s':>8}{'records/s':>12}{'CPU s':>8}{'peak MB':>9}   / C bound: wall    CPU{'instructions/record':>21}")
wall, cpu = ({p: statistics.median(values[p]) for p in programs} for values in (walls, cpus))
for p in programs:
    count = f"{per_record[p]:,.0f}" if p in per_record else "-"
    print(f"{p:24}{wall[p]:8.3f}{records / wall[p]:12,.0f}{cpu[p]:8.3f}{max(rss[p]):9.1f}"
          f"{wall[p] / wall['C bound']:17.2f}x{cpu[p] / cpu['C bound']:6.2f}x{count:>21}")
print()
for label, slower, faster in (("the rules in C:   strict floor / C bound", "strict floor", "C bound"),
                              ("beyond the rules: decrypt-file --jobs 1 / strict floor", "decrypt-file --jobs 1", "strict floor")):
    print(f"{label} = {wall[slower] / wall[faster]:.2f}x wall, {cpu[slower] / cpu[faster]:.2f}x CPU, "
          f"{per_record[slower] / per_record[faster]:.2f}x instructions")
print("wall s per run:")
for p in programs:
    print(f"  {p:24}" + " ".join(f"{w:.3f}" for w in walls[p]))
PY
echo "load after:  $(uptime)"
