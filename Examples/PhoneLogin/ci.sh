#!/usr/bin/env bash
# CI for Examples/PhoneLogin: the example's tests against SQLite and a real PostgreSQL server.
# Installs what a fresh Debian machine lacks, starts a private PostgreSQL cluster in a temporary
# directory on a free loopback port, runs `swift test` once with DATABASE_URL (the suites run
# every test on SQLite and on PostgreSQL), then stops the cluster and removes the directory.
set -euo pipefail
cd "$(dirname "$0")"
example="$(pwd)"

as_root=""
[ "$(id -u)" -eq 0 ] || as_root="sudo"

server_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

missing=()
[ -n "$(server_bin)" ] && [ -x "$(server_bin)/initdb" ] || missing+=(postgresql)
[ -f /usr/include/sqlite3.h ] || missing+=(libsqlite3-dev)                          # GRDB links the system SQLite
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
pkg-config --exists libcrypto 2>/dev/null || missing+=(libssl-dev)                   # the root package
if [ ${#missing[@]} -gt 0 ]; then
    echo "ci.sh: installing ${missing[*]}"
    $as_root apt-get update
    DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y --no-install-recommends "${missing[@]}"
fi
bin="$(server_bin)"

# initdb refuses to run as root: the cluster belongs to the postgres user when we are root.
run_pg=()
if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
    run_pg=(runuser -u postgres --)
fi

workdir="$(mktemp -d /tmp/phone-login-pg.XXXXXX)"
[ ${#run_pg[@]} -eq 0 ] || chown postgres "$workdir"
cleanup() {
    "${run_pg[@]}" "$bin/pg_ctl" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$workdir"
}
trap cleanup EXIT

# A free loopback port: one nothing answers on.
port=""
for candidate in $(shuf -i 20000-60000 -n 50); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
done
[ -n "$port" ] || { echo "ci.sh: no free loopback port found" >&2; exit 1; }

# The server's tools run from the temporary directory, which the postgres user can enter.
cd "$workdir"
"${run_pg[@]}" "$bin/initdb" --pgdata="$workdir/data" --username=postgres --auth=trust --encoding=UTF8 \
    --no-instructions >"$workdir/initdb.log" 2>&1 || { cat "$workdir/initdb.log" >&2; exit 1; }
# fsync off: a throwaway cluster; max_connections covers every suite's pool at once.
"${run_pg[@]}" "$bin/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $workdir -c fsync=off -c max_connections=200" start \
    || { cat "$workdir/server.log" >&2; exit 1; }
echo "ci.sh: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"

cd "$example"
DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres" swift test
