#!/usr/bin/env bash
# CI for Examples/Spark: installs Java and a Python virtual environment with PySpark, builds
# wxdecrypt, then runs the Spark job's tests in local mode. Runs from a fresh clone as root with no
# stdin; every file it makes lives in a temporary folder outside the repository.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

missing=()
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y "${missing[@]}"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/wxdecrypt-spark.XXXXXX")"
trap 'rm -rf "$work"' EXIT

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"

# The debug build: after `swift test` it is already there, and the tests take seconds longer
# with it than with a release build, which would cost a minute more to compile.
(cd "$root" && swift build --product wxdecrypt)
binary="$(cd "$root" && swift build --product wxdecrypt --show-bin-path)/wxdecrypt"

# From the temporary folder, so that Spark and pytest write nothing into the repository.
cd "$work"
PYTHONDONTWRITEBYTECODE=1 WXDECRYPT="$binary" "$work/venv/bin/python" -m pytest \
    -p no:cacheprovider --basetemp "$work/pytest" -q "$here/test_job.py"
