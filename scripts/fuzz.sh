#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/*_fuzz.cc, clang 14 with ASan + UBSan) into build-fuzz/
# and runs each for SECONDS, then prints per target: seconds run, inputs executed, coverage
# (libFuzzer's cov: edges and ft: features) and crashes. See docs/reliability.md.
#
#   scripts/fuzz.sh SECONDS [TARGET...]     default: every target, 60 s each
#
# Seeds come from the repository's own fixtures (test/fixtures, test/golden, examples), copied
# into build-fuzz/seeds/<target>/ on every run; what a run finds goes to the target's working
# corpus build-fuzz/corpus/<target>/ and is reused by the next run. A crashing, leaking or
# hanging input is kept in build-fuzz/artifacts/<target>/ and the script exits 1. Replay one
# input with build-fuzz/fuzz/<target>_fuzz FILE.
# Environment: DBARCH_FUZZ_BUILD_DIR (default build-fuzz), DBARCH_FUZZ_JOBS (build jobs,
# default nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

seconds=${1:-60}
shift || true
if ! [[ $seconds =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ]; then
  echo "usage: scripts/fuzz.sh SECONDS [TARGET...]" >&2
  exit 2
fi
all_targets=(sql_split sql_parse lint_sql psql_script workload log_reader lint_config datagen_spec explain_json)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")

./scripts/install-deps.sh --fuzz
build_dir=${DBARCH_FUZZ_BUILD_DIR:-build-fuzz}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
# Warnings are the g++ build's business (scripts/test.sh): clang 14 warns differently, and a
# fuzz run should not stop on a warning.
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-14 \
  -DCMAKE_CXX_COMPILER=clang++-14 -DDBARCH_FUZZ=ON -DDBARCH_WERROR=OFF "${launcher[@]}" >/dev/null
cmake --build "$build_dir" -j"${DBARCH_FUZZ_JOBS:-$(nproc)}" --target "${targets[@]/%/_fuzz}"

# Seed corpora: copies of the fixtures each parser reads (no fuzz-only copies in git).
seeds=$build_dir/seeds
rm -rf "$seeds"
mkdir -p "$seeds"
copy_seeds() {  # copy_seeds TARGET FILE...
  mkdir -p "$seeds/$1"
  local target=$1 f
  shift
  for f in "$@"; do
    [ -f "$f" ] && cp "$f" "$seeds/$target/$(echo "${f#./}" | tr / _)"
  done
  return 0
}
# The SQL and the dbarch.yaml blocks of the lint golden cases (format: test/golden/README.md).
golden_blocks() {  # golden_blocks DIR KIND(sql|config)
  mkdir -p "$1"
  awk -v dir="$1" -v kind="$2" '
    function flush() { if (buf != "") { n++; print buf > (dir "/golden_" n); close(dir "/golden_" n) } buf = "" }
    /^# name:/ { flush(); section = ""; next }
    /^schema$/ || /^file / { flush(); section = "sql"; next }
    /^config$/ { flush(); section = "config"; next }
    /^lint( |$)/ || /^----$/ { flush(); section = ""; next }
    section == kind && !/^# / { buf = buf $0 "\n" }
    END { flush() }' test/golden/lint/*.test
}
sql_files=$(find test/fixtures test/golden examples -name '*.sql' | sort)
for t in sql_split sql_parse lint_sql psql_script; do
  # shellcheck disable=SC2086
  copy_seeds $t $sql_files
  golden_blocks "$seeds/$t" sql
done
# shellcheck disable=SC2046
copy_seeds workload $(find test/fixtures examples -name '*workload*.sql' | sort) \
  test/fixtures/bench/workload/*.sql test/fixtures/bench/bad_workload.sql
# shellcheck disable=SC2046
copy_seeds log_reader $(find test/fixtures/logs -type f ! -name '*.py' | sort)
golden_blocks "$seeds/lint_config" config
# shellcheck disable=SC2046
copy_seeds datagen_spec $(find test/fixtures examples -name '*.yaml' | sort)
# shellcheck disable=SC2046
copy_seeds explain_json $(find test/fixtures/explain test/golden/report -name '*.json' | sort)

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
summary=()
for t in "${targets[@]}"; do
  corpus=$build_dir/corpus/$t
  artifacts=$build_dir/artifacts/$t
  log=$build_dir/logs/$t.log
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  echo "fuzz: $t for ${seconds}s (log: $log)" >&2
  stamp=$build_dir/logs/$t.start
  touch "$stamp"
  start=$(date +%s)
  rc=0
  "$build_dir/fuzz/${t}_fuzz" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2560 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts/" \
    "$corpus" "$seeds/$t" >"$log" 2>&1 || rc=$?
  elapsed=$(($(date +%s) - start))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov_line=$(grep -E '^#[0-9]+' "$log" | grep -E 'cov: [0-9]+' | tail -1 || true)
  cov=$(echo "$cov_line" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$cov_line" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
  crashes=$(find "$artifacts" -type f -newer "$stamp" | wc -l)  # this run's only
  corpus_size=$(find "$corpus" -type f | wc -l)
  line=$(printf '%-13s %5ss  runs %-10s cov %-6s ft %-7s corpus %-6s crashes %s' "$t" "$elapsed" \
    "${runs:-?}" "${cov:-?}" "${ft:-?}" "$corpus_size" "$crashes")
  summary+=("$line")
  if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
    status=1
    echo "fuzz: $t FAILED (exit $rc); inputs in $artifacts:" >&2
    find "$artifacts" -type f -newer "$stamp" >&2
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | head -5 >&2 || true
  fi
done
echo "fuzz summary (seconds run, inputs executed, libFuzzer cov/ft, working corpus, crashes):"
printf '%s\n' "${summary[@]}"
exit $status
