#!/usr/bin/env bash
# Runs the whole test suite under AddressSanitizer and under ThreadSanitizer, each in its
# own build folder. The thread run includes the test that decrypts from 1,000 tasks with
# one shared decryptor and the decrypt-file runs with --jobs 4 (the CLI is built with the
# same sanitizer).
#
#   scripts/sanitize.sh [address|thread]...
set -euo pipefail
cd "$(dirname "$0")/.."
sanitizers=("$@")
[ ${#sanitizers[@]} -gt 0 ] || sanitizers=(address thread)
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0"
for sanitizer in "${sanitizers[@]}"; do
    echo "== swift test --sanitize=$sanitizer"
    # Tests that cannot apply under a sanitizer (a small address space) read this.
    WXDECRYPT_TEST_SANITIZER="$sanitizer" swift test --sanitize="$sanitizer" --scratch-path ".build-$sanitizer"
done
