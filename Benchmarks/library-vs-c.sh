#!/usr/bin/env bash
# The library against the C baseline, and the C baseline against compare.sh's C bound.
#
#   Benchmarks/library-vs-c.sh [RECORDS] [RUNS]      (defaults 200000 and 5)
#
# 1. One benchmark run of both the C baseline and the library's typed PhoneNumber from base64
#    strings, so that their ratio holds on a noisy machine: p50 per record and mallocs per record.
# 2. The C bound of ../shared/bench/compare.sh (c_evp_peer.c, built the same way) timed RUNS times
#    on RECORDS records made by `wxdecrypt generate --seed 7 --bad-fraction 0.01`: median per record.
#
# Exits 1 when the C baseline's p50 and the C bound's median per record differ by more than 20%
# (the baseline would then not be the honest yardstick it claims to be), 2 when a step fails.
# The library's targets (<= 1.5x the baseline, <= 3 mallocs) are printed, not enforced.
set -euo pipefail
records=${1:-200000}
runs=${2:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
peer=$(Benchmarks/c-bound-source.sh) || exit 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The names of the two benchmarks in Benchmarks/DecryptBenchmarks, and their scaling factor:
# every sample there times 1,000 records (scalingFactor: .kilo), in nanoseconds.
baseline_name="C baseline: phone record from base64 bytes (EVP, table base64, memmem)"
library_name="PhoneNumber: base64 strings to verified model"
per_sample=1000

echo "load before: $(uptime)"
swift build -c release --product wxdecrypt >/dev/null || exit 2
bin=$(swift build -c release --show-bin-path)/wxdecrypt
"$bin" generate --records "$records" --seed 7 --bad-fraction 0.01 --output "$work/records.jsonl" 2>/dev/null || exit 2
${CC:-gcc} -O2 -Wall -std=c11 -o "$work/c_bound" "$peer" -lcrypto || exit 2

swift package --package-path Benchmarks benchmark --filter "C baseline: .*" --filter "PhoneNumber: .*" \
    --format influx --path stdout --no-progress --quiet > "$work/benchmarks.csv" 2> "$work/benchmarks.err" || {
    cat "$work/benchmarks.err" "$work/benchmarks.csv" >&2
    exit 2
}

# The C bound is timed right after the benchmark, so that both see the same machine. Its CPU time
# (user + system) is what is compared: like the benchmark's p50, it leaves out the time spent
# waiting for a core that another build holds; its wall time is printed beside it.
python3 - "$work" "$records" "$runs" "$per_sample" "$baseline_name" "$library_name" <<'PY'
import csv, os, resource, statistics, subprocess, sys, time
work, records, runs, per_sample, baseline_name, library_name = sys.argv[1:]
records, runs, per_sample = int(records), int(runs), int(per_sample)

walls, cpus = [], []
for _ in range(runs):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    if subprocess.run([f"{work}/c_bound", f"{work}/records.jsonl", f"{work}/results.tsv"],
                      stdout=subprocess.DEVNULL).returncode != 0:
        sys.exit(2)
    walls.append(time.perf_counter() - start)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
print(f"load after:  {os.popen('uptime').read().strip()}")

p50 = {}
for row in csv.reader(open(f"{work}/benchmarks.csv")):
    if len(row) > 10 and row[9] == "50.0":
        p50[(row[8], row[6])] = float(row[10]) / per_sample
missing = [name for name in (baseline_name, library_name) if (name, "Time(wallclock)") not in p50]
if missing:
    # The benchmark tool reports a failed setup on stdout and still exits 0.
    noise = ("[", "#datatype", "measurement,", "DecryptBenchmarks,")
    print("".join(line for line in open(f"{work}/benchmarks.csv") if not line.startswith(noise)), file=sys.stderr)
    print(f"library-vs-c: no p50 for {missing} in the benchmark output", file=sys.stderr)
    sys.exit(2)
per_record = lambda seconds: statistics.median(seconds) / records * 1e6
bound_us, bound_wall_us = per_record(cpus), per_record(walls)
baseline_us = p50[(baseline_name, "Time(wallclock)")] / 1000
library_us = p50[(library_name, "Time(wallclock)")] / 1000
baseline_mallocs = p50.get((baseline_name, "Malloc(total)"), float("nan"))
library_mallocs = p50.get((library_name, "Malloc(total)"), float("nan"))
drift = baseline_us / bound_us - 1
print(f"C baseline p50:            {baseline_us:.3f} us/record  ({baseline_mallocs:.2f} mallocs/record)")
print(f"library PhoneNumber p50:   {library_us:.3f} us/record  ({library_mallocs:.2f} mallocs/record, target <= 3)")
print(f"library / C baseline:      {library_us / baseline_us:.2f}x  (target <= 1.5x)")
print(f"C bound (compare.sh's C):  {bound_us:.3f} us/record CPU, {bound_wall_us:.3f} wall"
      f"  (median of {runs} runs of {records} records; CPU s: {' '.join(f'{s:.3f}' for s in cpus)};"
      f" wall s: {' '.join(f'{s:.3f}' for s in walls)})")
print(f"C baseline vs C bound:     {drift:+.0%}  (must be within 20%)")
if abs(drift) > 0.20:
    print("library-vs-c: the C baseline is not within 20% of the C bound", file=sys.stderr)
    sys.exit(1)
PY
