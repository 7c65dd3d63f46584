#!/usr/bin/env bash
# Prints the path of compare.sh's C bound, ../shared/bench/c_evp_peer.c: shared/ sits beside the
# clone, and a git worktree finds it beside the main checkout. Exits 2 when it is not there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
peer=$root/../shared/bench/c_evp_peer.c
if [ ! -f "$peer" ]; then
    main=$(dirname "$(git -C "$root" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || echo "$root")")
    peer=$main/../shared/bench/c_evp_peer.c
fi
[ -f "$peer" ] || { echo "../shared/bench/c_evp_peer.c not found beside the repository" >&2; exit 2; }
echo "$peer"
