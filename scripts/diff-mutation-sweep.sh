#!/usr/bin/env bash
# Runs the diff mutation round trip (test/diff/mutation_roundtrip_test.cc) over many seeds:
#   scripts/diff-mutation-sweep.sh [BUILD_DIR] [FIRST-LAST] [COUNT] [OUT_DIR] [FILTER]
# e.g. scripts/diff-mutation-sweep.sh build 1-200 8 /tmp/diff-mutations '*Pagila*'
# Each failing seed is written to OUT_DIR/<base>_<seed>_<kind>/ (FROM.sql, TO.sql, up.sql,
# down.sql, why.txt), with the mutations that fail alone when SHRINK=1; the per-base tally
# is printed as "[mutation] base=... seeds=... mutations=... failures: ... known-limits: ...".
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build}"
seeds="${2:-1-100}"
count="${3:-8}"
out="${4:-/tmp/diff-mutations}"
filter="${5:-DiffMutation.*}"
mkdir -p "$out"
DBARCH_SOURCE_DIR="$here" DBARCH_MUTATION_SEEDS="$seeds" DBARCH_MUTATION_COUNT="$count" \
  DBARCH_MUTATION_OUT="$out" DBARCH_MUTATION_SHRINK="${SHRINK:-0}" \
  DBARCH_MUTATION_FIXTURES="${FIXTURES:-1000}" \
  "$build/test/dbarch_diff_mutation_test" --gtest_filter="$filter" 2>&1 |
  tee "$out/log.txt" | grep -E '^\[mutation\]|^\[  (PASSED|FAILED)' || true
echo "failing cases: $(find "$out" -mindepth 1 -maxdepth 1 -type d | wc -l) in $out"
