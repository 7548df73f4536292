#!/usr/bin/env bash
# Starts a private PostgreSQL server for the tests and prints its URL
# (a superuser URL; the tests create and drop their own databases and roles).
#   scripts/test-postgres.sh start DIR   -> prints postgres://postgres@127.0.0.1:PORT/postgres
#   scripts/test-postgres.sh stop DIR
# The server listens on 127.0.0.1 only; the superuser may connect without a
# password from there, every other role needs its password (SCRAM), so the
# tests see the same authentication a firm's server would ask for.
set -euo pipefail
cmd=$1 dir=$2
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "error: no PostgreSQL server binaries in /usr/lib/postgresql (install the postgresql package, or set DATABASE_URL)" >&2; exit 1; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case $cmd in
start)
    port=${GUICHET_TEST_PG_PORT:-}
    if [ -z "$port" ]; then
        for p in $(seq 55432 55499); do
            if ! (echo > "/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
        done
    fi
    if [ -f "$dir/postmaster.pid" ]; then as_pg "$bin/pg_ctl" -D "$dir" -m immediate stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    as_pg "$bin/initdb" -D "$dir" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    {
        echo "host all postgres 127.0.0.1/32 trust"
        echo "host all all 127.0.0.1/32 scram-sha-256"
    } > "$dir/pg_hba.conf.new"
    cat "$dir/pg_hba.conf.new" > "$dir/pg_hba.conf"
    as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
stop)
    [ -f "$dir/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$dir" -m fast stop >/dev/null || true
    ;;
restart)
    as_pg "$bin/pg_ctl" -D "$dir" -m fast -w restart >/dev/null
    ;;
esac
