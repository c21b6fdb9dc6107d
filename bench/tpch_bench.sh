#!/usr/bin/env bash
# Measured TPC-H latencies at scale factor 0.1 with `dbarch bench`: loads the 8 tables from
# ../shared/bench/tpch (zstd-compressed dbgen files) into a sandbox with the reference
# settings of its README (shared_buffers=1GB, work_mem=64MB), runs the 22 queries (warm-up
# + 5 timed runs each, 60 s statement_timeout) and prints the table. Without indexes q17
# and q20 take minutes: they are reported as timeouts.
# Usage: bench/tpch_bench.sh [DBARCH_BINARY] [extra dbarch bench flags, e.g. --format json]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
tpch=$repo/../shared/bench/tpch
dbarch=${1:-$repo/build/dbarch}
shift || true
exec "$dbarch" bench \
  --schema "$tpch/schema.sql" \
  --data "$tpch/sf0.1" \
  --workload "$tpch/queries" \
  --setting shared_buffers=1GB \
  --setting work_mem=64MB \
  --timeout 60s \
  "$@"
