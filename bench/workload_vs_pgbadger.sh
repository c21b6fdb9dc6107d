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

# timed OUT_FILE CMD...: runs CMD, writes "wall_s cpu_s" (cpu = user + system of the process
# and its children; the machines are shared, so CPU time is the steadier figure).
timed() {
  local out=$1; shift
  /usr/bin/time -f "%e %U %S" -o "$out.raw" "$@"
  awk '{ printf "%s %.2f\n", $1, $2 + $3 }' "$out.raw" > "$out"
}
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (Debian package time)" >&2; exit 1; }
printf '%-8s %8s %10s %10s %8s %8s %8s %9s %9s %9s  %s\n' format size_MB statements pgb_queries \
  dbarch_s pgb_s speedup dbarch_cpu pgb_cpu cpu_ratio top10
status=0
for fmt in stderr csv jsonlog; do
  case $fmt in
    stderr) file=$logs/postgresql.log; badger_args=(-f stderr --prefix "$prefix") ;;
    csv) file=$logs/postgresql.csv; badger_args=(-f csv) ;;
    jsonlog) file=$logs/postgresql.json; badger_args=(-f jsonlog) ;;
  esac
  timed "$work/dbarch_$fmt.time" "$build/dbarch" workload "$file" --format json \
    -o "$work/dbarch_$fmt.json" 2>/dev/null
  timed "$work/pgbadger_$fmt.time" pgbadger -q -j "$jobs" "${badger_args[@]}" -x json \
    -o "$work/pgbadger_$fmt.json" "$file" >/dev/null 2>&1
  python3 - "$work/dbarch_$fmt.json" "$work/pgbadger_$fmt.json" "$fmt" "$file" \
    "$work/dbarch_$fmt.time" "$work/pgbadger_$fmt.time" <<'PY' || status=1
import json, os, re, sys
dbarch_path, badger_path, fmt, log, dbarch_time, badger_time = sys.argv[1:]
d = json.load(open(dbarch_path))
b = json.load(open(badger_path))
dbarch_s, dbarch_cpu = map(float, open(dbarch_time).read().split())
badger_s, badger_cpu = map(float, open(badger_time).read().split())
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
print(f"{fmt:<8} {size_mb:8.1f} {statements:10,} {queries:10,} {dbarch_s:8.2f} {badger_s:8.2f} "
      f"{badger_s / dbarch_s:7.1f}x {dbarch_cpu:9.2f} {badger_cpu:9.2f} {badger_cpu / max(dbarch_cpu, 0.01):8.1f}x  "
      f"{'same' if same_top else 'DIFFERENT'}")
if not same_top:
    for o, t in zip(ours, theirs):
        mark = "  " if o == t else "!="
        print(f"   {mark} dbarch {o[1]:>9} {o[2]:>12}  {o[0][:60]}\n      pgbadger {t[1]:>9} {t[2]:>12}  {t[0][:60]}")
sys.exit(0 if ok else 1)
PY
done
exit $status
