#!/usr/bin/env bash
# `dbarch tune --verify` for a 2-core / 24 GB machine with a mixed workload: the
# recommendations measured group by group on a sandbox (durability on) with pgbench TPC-B and
# select-only (scale 50, ~750 MB: larger than the default shared_buffers, smaller than the
# recommended one) and the TPC-H queries at scale factor 0.1 (q17 and q20 left out), three
# rounds per configuration. Takes about 20-30 minutes on a 2-core machine.
# Usage: bench/tune_verify.sh [DBARCH_BINARY] [extra dbarch tune flags, e.g. --format json]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
dbarch=${1:-$repo/build/dbarch}
shift || true
exec "$dbarch" tune --memory 24GB --cpus 2 --storage ssd --workload mixed \
  --verify --tpch "$repo/../shared/bench/tpch" \
  --rounds 3 --pgbench-scale 50 --pgbench-seconds 20 \
  "$@"
