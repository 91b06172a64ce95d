#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server on a loopback port for the tests and prints the URL to
# use; `scripts/postgres.sh stop DIR` stops it and removes its files. fsync is off (tests) unless
# POSTGRES_FSYNC=on (benchmarks). Needs root (the server
# runs as the postgres user) and Debian's postgresql package (scripts/deps.sh installs it).
set -euo pipefail
if [[ "${1:-start}" == stop ]]; then
  dir=$2
  bin=$(cat "$dir/bin")
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  exit 0
fi
# A free loopback port unless one is given.
port=${PGPORT_TEST:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -n "$bin" ]] || { echo "postgres.sh: PostgreSQL is not installed" >&2; exit 1; }
dir=$(mktemp -d /tmp/pool-pg.XXXXXX)
echo "$bin" > "$dir/bin"
chown postgres: "$dir"
runuser -u postgres -- "$bin/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=${POSTGRES_FSYNC:-off} -c max_connections=200" start >/dev/null
echo "$dir postgresql://postgres@127.0.0.1:$port/postgres"
