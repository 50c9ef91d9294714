#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and CI: Debian's server binaries in a temp folder, on a free
# loopback port, with its unix socket in that folder — no system service, nothing outside the folder.
#
#   eval "$(scripts/pg-cluster.sh start)"   # exports TEST_DATABASE_URL and PG_CLUSTER_DIR
#   scripts/pg-cluster.sh stop              # stops it (PG_CLUSTER_DIR, or the folder as 2nd argument) and deletes it
#
# initdb refuses to run as root, so as root (CI) the cluster belongs to `nobody`. PG_BIN overrides where the
# binaries are (default: the newest /usr/lib/postgresql/*/bin).
set -euo pipefail

bin="${PG_BIN:-$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)}"
[ -x "$bin/initdb" ] || { echo "pg-cluster: no PostgreSQL server binaries (install Debian's postgresql package, or set PG_BIN)" >&2; exit 1; }

# Runs a command as the cluster's owner: `nobody` when we are root, ourselves otherwise.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    dir="$(mktemp -d /tmp/switchboard-pg.XXXXXX)"
    [ "$(id -u)" = 0 ] && chown nobody "$dir"
    cd "$dir"
    port="$(node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"
    password="$(node -e 'console.log(require("node:crypto").randomBytes(18).toString("base64url"))')"
    printf '%s\n' "$password" >"$dir/password"
    [ "$(id -u)" = 0 ] && chown nobody "$dir/password"
    # Sockets in the owner-only folder are trusted; TCP needs the password. C.UTF-8 sorts by code point, as SQLite does.
    as_owner "$bin/initdb" -D "$dir/data" -U switchboard --pwfile="$dir/password" --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    rm "$dir/password"
    # Durability off: the cluster dies with the test run anyway.
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null || { cat "$dir/postgres.log" >&2; exit 1; }
    as_owner "$bin/createdb" -h "$dir" -p "$port" -U switchboard switchboard
    echo "export TEST_DATABASE_URL='postgres://switchboard:$password@127.0.0.1:$port/switchboard' PG_CLUSTER_DIR='$dir'"
    ;;
  stop)
    dir="${2:-${PG_CLUSTER_DIR:?pg-cluster: which cluster? (PG_CLUSTER_DIR or a folder argument)}}"
    case "$dir" in /tmp/switchboard-pg.*) ;; *) echo "pg-cluster: $dir is not a cluster folder of this script" >&2; exit 1 ;; esac
    cd /
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start | stop [folder]" >&2
    exit 2
    ;;
esac
