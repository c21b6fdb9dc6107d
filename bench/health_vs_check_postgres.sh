#!/usr/bin/env bash
# Side by side: `dbarch health` and check_postgres (Debian package check-postgres) on one
# private PostgreSQL 15 server with eight planted problems, and the same server clean. Prints
# a table of which tool reports each problem (and how long each run took), the table that
# docs/health.md shows. Needs root (the server runs as the postgres user) and
# /usr/bin/check_postgres (apt-get install check-postgres).
# Usage: bench/health_vs_check_postgres.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
dbarch="$PWD/$build/dbarch"
bin=/usr/lib/postgresql/15/bin
command -v check_postgres >/dev/null || { echo "check_postgres not found: apt-get install check-postgres" >&2; exit 2; }
work=$(mktemp -d /tmp/dbarch-health.XXXXXX)
chown postgres "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop() {
  jobs -p | xargs -r kill 2>/dev/null || true
  runuser -u postgres -- "$bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap stop EXIT
runuser -u postgres -- "$bin/initdb" -D "$work/data" -A trust >/dev/null
runuser -u postgres -- "$bin/pg_ctl" -D "$work/data" -l "$work/log" -w \
  -o "-p $port -k $work -c listen_addresses='' -c wal_level=replica" start >/dev/null
psql() { command psql -X -q -h "$work" -p "$port" -U postgres "$@"; }
dsn="host=$work port=$port user=postgres dbname=planted"
# check_postgres's status word for one action ("WARNING"), its first line kept in $work/cp.log.
cp() {
  { check_postgres --host="$work" --port="$port" --dbuser=postgres --db=planted "$@" 2>&1 || true; } |
    head -1 | tee -a "$work/cp.log" | sed -E 's/^POSTGRES_[A-Z_]+ ([A-Z]+).*/\1/'
}

psql -c "CREATE DATABASE planted" >/dev/null
psql -d planted -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE SEQUENCE nearly_done MAXVALUE 100; SELECT setval('nearly_done', 96);
CREATE TABLE events (kind text, at timestamptz);
CREATE TABLE items (id int PRIMARY KEY, sku text);
CREATE INDEX items_sku_idx ON items (sku);
CREATE INDEX items_sku_idx2 ON items (sku);
CREATE TABLE churn (id int PRIMARY KEY, v text) WITH (autovacuum_enabled = off);
INSERT INTO churn SELECT g, 'x' FROM generate_series(1, 50000) g;
DELETE FROM churn;
CREATE TABLE dups (v int PRIMARY KEY, w int); INSERT INTO dups VALUES (1, 1), (2, 1);
CREATE TABLE queue (id int PRIMARY KEY);
SELECT pg_create_physical_replication_slot('planted_slot', true);
SQL
psql -d planted -c "CREATE UNIQUE INDEX CONCURRENTLY dups_w_key ON dups (w)" >/dev/null 2>&1 || true
# An idle-in-transaction session holding a lock, and a session queued behind it.
(echo "BEGIN; LOCK TABLE queue IN ACCESS EXCLUSIVE MODE;"; sleep 60) | psql -d planted >/dev/null &
sleep 1
psql -d planted -c "SELECT count(*) FROM queue" >/dev/null 2>&1 &
sleep 3

t0=$(date +%s%N)
"$dbarch" health --dsn "$dsn" --format json --fail-on never \
  --threshold idle_in_transaction=1:3600 --threshold lock_waits=1:3600 > "$work/dbarch.json"
t1=$(date +%s%N)
declare -A cpout
cpout[idle]=$(cp --action=txn_idle --warning='1 second' --critical='1 hour')
cpout[locks]=$(cp --action=locks --warning='waiting=1' --critical='waiting=100')
cpout[sequence]=$(cp --action=sequence --warning='85%' --critical='95%')
cpout[invalid]="- (no action)"
cpout[slot]=$(cp --action=replication_slots --warning='1' --critical='1GB')
cpout[vacuum]=$(cp --action=last_autovacuum --warning='1 hour' --critical='1 day')
cpout[dupidx]="- (no action)"
cpout[nopk]="- (no action)"
t2=$(date +%s%N)

found() {  # found CHECK OBJECT: the dbarch finding's severity, or "-"
  python3 - "$work/dbarch.json" "$1" "$2" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
hits = [f["severity"] for f in j["findings"] if f["check"] == sys.argv[2] and sys.argv[3] in f["object"]]
print(hits[0].upper() if hits else "-")
PY
}
printf '%-46s | %-10s | %s\n' "planted problem" "dbarch" "check_postgres"
printf '%-46s | %-10s | %s\n' "session idle in transaction (txn_idle)" "$(found idle_in_transaction pid)" "${cpout[idle]}"
printf '%-46s | %-10s | %s\n' "lock queue (locks)" "$(found lock_waits pid)" "${cpout[locks]}"
printf '%-46s | %-10s | %s\n' "sequence at 96 % (sequence)" "$(found sequences nearly_done)" "${cpout[sequence]}"
printf '%-46s | %-10s | %s\n' "invalid index" "$(found invalid_indexes dups_w_key)" "${cpout[invalid]}"
printf '%-46s | %-10s | %s\n' "inactive slot holding WAL (replication_slots)" "$(found replication_slots planted_slot)" "${cpout[slot]}"
printf '%-46s | %-10s | %s\n' "dead tuples, autovacuum off (last_autovacuum)" "$(found autovacuum_debt churn)" "${cpout[vacuum]}"
printf '%-46s | %-10s | %s\n' "duplicate index" "$(found duplicate_indexes items_sku_idx2)" "${cpout[dupidx]}"
printf '%-46s | %-10s | %s\n' "table without a primary key" "$(found missing_primary_key events)" "${cpout[nopk]}"
echo "dbarch health (22 checks, one run): $(( (t1 - t0) / 1000000 )) ms; check_postgres (5 actions): $(( (t2 - t1) / 1000000 )) ms"
echo "dbarch summary: $(python3 -c "import json,sys; print(json.load(open('$work/dbarch.json'))['summary'])")"
