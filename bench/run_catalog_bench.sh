#!/usr/bin/env bash
# Builds the catalog benchmark in Release mode and runs it on the generated 10,000-table
# schema, then prints the headline figure (parse + model) against the 2 s target.
# Usage: bench/run_catalog_bench.sh [extra Google Benchmark flags, e.g. --benchmark_filter=Json]
# Environment: DBARCH_BENCH_BUILD_DIR (default build-release), DBARCH_BENCH_REPETITIONS (3),
# DBARCH_BENCH_CMAKE_ARGS (extra configure flags, e.g. -DDBARCH_WERROR=OFF).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${DBARCH_BENCH_BUILD_DIR:-build-release}
repetitions=${DBARCH_BENCH_REPETITIONS:-3}
# shellcheck disable=SC2086  # word splitting of the extra flags is intended
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release ${DBARCH_BENCH_CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" -j"$(nproc)" --target dbarch_catalog_bench >/dev/null
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$build_dir/bench/dbarch_catalog_bench" --benchmark_repetitions="$repetitions" \
  --benchmark_report_aggregates_only=true "$@" | tee "$out"
# The median wall-clock time of parse + build, in ms (console columns: name, time, unit, ...).
median_ms=$(awk '$1 ~ /^BM_ParseAndBuild\/.*_median$/ { print $2; exit }' "$out")
[[ -n "$median_ms" ]] || median_ms=$(awk '$1 ~ /^BM_ParseAndBuild\/real_time$/ { print $2; exit }' "$out")
if [[ -n "$median_ms" ]]; then
  awk -v ms="$median_ms" 'BEGIN {
    printf "\nparse + model of 10,000 tables: %.2f s (median of runs; target < 2 s): %s\n",
           ms / 1000, (ms < 2000 ? "OK" : "over target") }'
fi
