#!/usr/bin/env bash
# Times `dbarch inspect` on the real-world schemas of ../shared/conformance/realworld, from the
# files (--schema) and from a server loaded the way each project loads them (--dsn), side by
# side with pg_dump --schema-only of the same server as the reference for reading a catalog.
# Starts a private PostgreSQL 15 cluster as the postgres user in a temporary directory and
# always stops it.
# Usage: bench/realworld_inspect.sh [BUILD_DIR] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
runs=${2:-5}
realworld=$(cd ../shared/conformance/realworld && pwd)
dbarch=$(cd "$build" && pwd)/dbarch
pgbin=/usr/lib/postgresql/15/bin
[ -x "$dbarch" ] || { echo "no $dbarch: build first" >&2; exit 2; }

work=$(mktemp -d /tmp/dbarch-realworld-XXXXXX)
chown postgres "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop() {
  runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap stop EXIT
runuser -u postgres -- "$pgbin/initdb" -D "$work/data" -A trust -U postgres >/dev/null
runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/data" -l "$work/log" -w \
  -o "-p $port -k $work -c listen_addresses=''" start >/dev/null
dsn() { echo "host=$work port=$port user=postgres dbname=$1"; }

median_ms() {  # median wall time in ms of $runs runs of "$@"
  local times=()
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

psql "$(dsn postgres)" -qAt -c "CREATE DATABASE pagila" -c "CREATE DATABASE musicbrainz" >/dev/null
psql "$(dsn pagila)" -q -X -v ON_ERROR_STOP=1 -f "$realworld/pagila/pagila-schema.sql" >/dev/null
bash "$realworld/musicbrainz/load.sh" "$(dsn musicbrainz)" >/dev/null

printf '%-12s %12s %12s %22s\n' schema "--schema ms" "--dsn ms" "pg_dump --schema-only ms"
for name in pagila musicbrainz; do
  file=$realworld/pagila/pagila-schema.sql
  [ "$name" = musicbrainz ] && file=$realworld/musicbrainz/all.sql
  s=$(median_ms "$dbarch" inspect --schema "$file" --format json)
  d=$(median_ms "$dbarch" inspect --dsn "$(dsn "$name")" --format json)
  p=$(median_ms pg_dump --schema-only -d "$(dsn "$name")")
  printf '%-12s %12s %12s %22s\n' "$name" "$s" "$d" "$p"
done
echo "(median of $runs runs each, wall clock, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
