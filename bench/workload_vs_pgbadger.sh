#!/usr/bin/env bash
# Times `dbarch workload` against pgbadger on the same PostgreSQL 15 logs, side by side in
# one run on this machine (the machines are shared and noisy: compare the ratio), for the
# three log formats (stderr, csvlog, jsonlog). Checks that both count the same total of
# statements and find the same top-10 groups by total time (same calls and total duration,
# same query once both normalizations are reduced to one form).
#
# The logs come from ../shared/bench/pglog/make_log.sh (needs root and postgresql-15; about
# 480 MB of stderr log at its default 150 s, ~80 MB at 10 s). pgbadger is not a dbarch
# dependency: install the Debian package (apt-get install pgbadger) to run this script.
#
# Usage: bench/workload_vs_pgbadger.sh [SECONDS] [LOG_DIR] [BUILD_DIR]
#   SECONDS    workload duration given to make_log.sh (default 20)
#   LOG_DIR    where the logs are written; when it already holds postgresql.{log,csv,json}
#              they are reused (default: a temporary directory, removed at the end)
#   BUILD_DIR  the build holding the dbarch binary (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
logs=${2:-}
build=${3:-build}
jobs=${PGBADGER_JOBS:-2}
prefix='%m [%p] %q%u@%d '
command -v pgbadger >/dev/null || { echo "pgbadger is not installed: apt-get install pgbadger" >&2; exit 1; }
[ -x "$build/dbarch" ] || { echo "no $build/dbarch: build it first (cmake --build $build --target dbarch)" >&2; exit 1; }
work=$(mktemp -d)
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
if [ -z "$logs" ]; then logs="$work/logs"; fi
if [ ! -f "$logs/postgresql.log" ] || [ ! -f "$logs/postgresql.csv" ] || [ ! -f "$logs/postgresql.json" ]; then
  echo "generating a ${seconds}s log in $logs (make_log.sh)" >&2
  PGLOG_PORT=${PGLOG_PORT:-54478} ../shared/bench/pglog/make_log.sh "$logs" "$seconds" >/dev/null
fi

now() { date +%s.%N; }
printf '%-8s %9s %12s %12s %9s %9s %8s  %s\n' format size_MB statements pgb_queries dbarch_s pgbadger_s speedup top10
status=0
for fmt in stderr csv jsonlog; do
  case $fmt in
    stderr) file=$logs/postgresql.log; badger_args=(-f stderr --prefix "$prefix") ;;
    csv) file=$logs/postgresql.csv; badger_args=(-f csv) ;;
    jsonlog) file=$logs/postgresql.json; badger_args=(-f jsonlog) ;;
  esac
  t0=$(now)
  "$build/dbarch" workload "$file" --format json -o "$work/dbarch_$fmt.json" 2>/dev/null
  t1=$(now)
  pgbadger -q -j "$jobs" "${badger_args[@]}" -x json -o "$work/pgbadger_$fmt.json" "$file" >/dev/null 2>&1
  t2=$(now)
  python3 - "$work/dbarch_$fmt.json" "$work/pgbadger_$fmt.json" "$fmt" "$file" "$t0" "$t1" "$t2" <<'PY' || status=1
import json, os, re, sys
dbarch_path, badger_path, fmt, log, t0, t1, t2 = sys.argv[1:]
d = json.load(open(dbarch_path))
b = json.load(open(badger_path))
dbarch_s, badger_s = float(t1) - float(t0), float(t2) - float(t1)
statements = d["summary"]["statements"]
queries = b["overall_stat"]["queries_number"]

def canon(q):
    # One form for both normalizations: $n and pgbadger's ? (also ?.? for decimals) become ?,
    # case and blanks and the final ; dropped.
    q = q.lower()
    q = re.sub(r"\$\d+", "?", q)
    q = re.sub(r"\?\.\?", "?", q)
    q = re.sub(r"'[^']*'", "?", q)
    return re.sub(r"[\s;]+", "", q)

ours = [(canon(g["query"]), g["calls"], round(g["total_ms"], 1)) for g in d["groups"] if g["calls"] > 0][:10]
theirs = []
for db, groups in b["normalyzed_info"].items():
    for q, v in groups.items():
        theirs.append((canon(q), int(v["count"]), round(float(v["duration"]), 1)))
theirs.sort(key=lambda t: -t[2])
theirs = theirs[:10]
same_top = [o[1:] for o in ours] == [t[1:] for t in theirs] and [o[0] for o in ours] == [t[0] for t in theirs]
size_mb = os.path.getsize(log) / 1e6
ok = statements == queries and same_top
print(f"{fmt:<8} {size_mb:9.1f} {statements:12,} {queries:12,} {dbarch_s:9.2f} {badger_s:9.2f} {badger_s / dbarch_s:7.1f}x  {'same' if same_top else 'DIFFERENT'}")
if not same_top:
    for o, t in zip(ours, theirs):
        mark = "  " if o == t else "!="
        print(f"   {mark} dbarch {o[1]:>9} {o[2]:>12}  {o[0][:60]}\n      pgbadger {t[1]:>9} {t[2]:>12}  {t[0][:60]}")
sys.exit(0 if ok else 1)
PY
done
exit $status
