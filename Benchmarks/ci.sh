#!/usr/bin/env bash
# CI for Benchmarks/: the C baseline's tests, which fail if the yardstick skips a check that the
# library makes. The benchmarks themselves do not run here: timings on a shared 2-core machine
# are no pass/fail signal (Benchmarks/library-vs-c.sh measures them on request).
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -f /usr/include/openssl/evp.h ]; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y libssl-dev
fi
swift test --filter CBaselineTests
