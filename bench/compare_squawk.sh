#!/usr/bin/env bash
# Times `dbarch lint` and squawk on the same generated 20,000-line schemas (ours and the
# shared generator's), side by side in one run on this machine (the machines are noisy:
# compare the ratio). squawk comes from the npm
# registry (squawk-cli, Apache-2.0/MIT) into a temporary directory; it is not part of dbarch.
# Usage: bench/compare_squawk.sh [BUILD_DIR] [LINES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-release}
lines=${2:-20000}
runs=${3:-10}
if [ ! -x "$build/dbarch" ] || [ ! -x "$build/bench/lint_schema_gen" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" -j"$(nproc)" --target dbarch lint_schema_gen >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Two inputs: our generator's file (200-table blocks, one schema each) and the shared
# generator's (../shared/bench/lint/gen_schema.py: 2,000 tables with identity keys, typed
# columns, a foreign key and two indexes each, about 20,000 lines).
"$build/bench/lint_schema_gen" "$lines" > "$work/lint_schema_gen.sql"
shared_gen=${SHARED_GEN:-../shared/bench/lint/gen_schema.py}
inputs=("$work/lint_schema_gen.sql")
if [ -f "$shared_gen" ]; then
  python3 "$shared_gen" $(( lines / 10 )) > "$work/gen_schema.sql"
  inputs+=("$work/gen_schema.sql")
else
  echo "note: $shared_gen not found; only lint_schema_gen's file is measured" >&2
fi
squawk=${SQUAWK:-}
if [ -z "$squawk" ]; then
  (cd "$work" && npm install --silent --no-audit --no-fund squawk-cli@2.66.0 >/dev/null 2>&1)
  squawk="$work/node_modules/.bin/squawk"
fi
time_runs() {  # prints the median wall time in ms of $runs runs of "$@"
  local times=()
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
echo "squawk $("$squawk" --version), $runs runs x 2 each, interleaved"
for input in "${inputs[@]}"; do
  n=$(wc -l < "$input")
  echo "input $(basename "$input"): $n lines, $(wc -c < "$input") bytes"
  # Interleave the two tools so that machine noise hits both alike.
  d=$(time_runs "$build/dbarch" lint "$input" --format json)
  s=$(time_runs "$squawk" --reporter json "$input")
  d2=$(time_runs "$build/dbarch" lint "$input" --format json)
  s2=$(time_runs "$squawk" --reporter json "$input")
  dm=$(( (d + d2) / 2 )); sm=$(( (s + s2) / 2 ))
  echo "  dbarch lint (all rules): ${dm} ms median   squawk: ${sm} ms median"
  awk -v d="$dm" -v s="$sm" -v l="$n" 'BEGIN { printf "  dbarch: %.0f lines/s, squawk: %.0f lines/s, speed-up %.2fx\n", l/(d/1000), l/(s/1000), s/d }'
done
