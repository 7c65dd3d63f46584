#!/usr/bin/env bash
# CI for Examples/Conformance: the strict Python, Java and Node.js adapters must conform, and
# the lenient Node.js adapter must fail exactly the checks listed in node/lenient-adapter.failures.
# Installs what a fresh Debian machine lacks (Node.js, a JDK, python3-venv), builds wxdecrypt,
# and puts the Python adapter's `cryptography` in a virtual environment under .build-conformance-venv.
#
#   Examples/Conformance/ci.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
adapters=Examples/Conformance

missing=()
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v javac >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y "${missing[@]}"
fi

swift build --product wxdecrypt
wxdecrypt="$(swift build --show-bin-path)/wxdecrypt"

venv=.build-conformance-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import cryptography' 2>/dev/null ||
    "$venv/bin/pip" install --quiet --disable-pip-version-check cryptography

passed=0
failed=0
report=$(mktemp)
trap 'rm -f "$report"' EXIT

# A strict adapter conforms: every required check passes (exit 0). The score line, or the whole report if not.
conforms() {
    echo "== wxdecrypt conformance -- $*"
    if "$wxdecrypt" conformance -- "$@" >"$report"; then
        tail -n 1 "$report"
        passed=$((passed + 1))
    else
        cat "$report"
        failed=$((failed + 1))
    fi
}

conforms "$venv/bin/python" "$adapters/python/adapter.py"
conforms java "$adapters/java/Adapter.java"
conforms node "$adapters/node/adapter.mjs"

echo "== wxdecrypt conformance --json -- node $adapters/node/lenient-adapter.mjs"
status=0
"$wxdecrypt" conformance --json -- node "$adapters/node/lenient-adapter.mjs" >"$report" || status=$?
expected=$(grep -v '^#' "$adapters/node/lenient-adapter.failures")
actual=$("$venv/bin/python" -c '
import json, sys
print("\n".join(check["id"] for check in json.load(open(sys.argv[1]))["checks"] if not check["passed"]))' "$report")
if [ "$status" -eq 1 ] && [ "$actual" = "$expected" ]; then
    echo "fails exactly the $(echo "$expected" | wc -l) checks of lenient-adapter.failures"
    passed=$((passed + 1))
else
    echo "exit $status (expected 1); failing checks, expected (<) and actual (>):"
    diff <(echo "$expected") <(echo "$actual") || true
    failed=$((failed + 1))
fi

echo "Examples/Conformance: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
