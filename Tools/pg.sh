#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for tests and benchmarks.
#   Tools/pg.sh start DIR   → initdb (first time) + start; prints DATABASE_URL
#   Tools/pg.sh stop DIR    → stop and remove DIR
#   Tools/pg.sh with CMD…   → start a fresh cluster, export DATABASE_URL, run CMD, always clean up
# postgres refuses to run as root, so as root the cluster runs as the `postgres` OS user.
set -euo pipefail
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[ -x "$PGBIN/initdb" ] || { echo "pg.sh: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start() {
    local dir=$1 port=${2:-$(free_port)}
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_pg "$PGBIN/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-locale --no-sync >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on" start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    echo "$port" >"$dir/port"
    echo "postgres://postgres@127.0.0.1:$port/postgres"
}

stop() {
    local dir=$1
    [ -d "$dir/data" ] && as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}

case ${1:-} in
    start) start "$2" "${3:-}" ;;
    stop) stop "$2" ;;
    with)
        shift
        dir=$(mktemp -d /tmp/reward-pg.XXXXXX)
        chmod 755 "$dir"
        trap 'stop "$dir"' EXIT INT TERM
        DATABASE_URL=$(start "$dir")
        export DATABASE_URL PGDATA_DIR="$dir/data" PGBIN
        echo "pg.sh: throwaway cluster at $DATABASE_URL" >&2
        "$@"
        ;;
    *) echo "usage: $0 start DIR [PORT] | stop DIR | with CMD…" >&2; exit 2 ;;
esac
