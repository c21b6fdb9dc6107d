#!/usr/bin/env bash
# Builds the whole suite with AddressSanitizer and UndefinedBehaviorSanitizer (g++,
# -DDBARCH_SANITIZE=address,undefined) into its own build directory and runs ctest there.
# Any sanitizer report fails the run: UBSan stops at the first report
# (-fno-sanitize-recover=all), ASan halts on its first error and LeakSanitizer fails a
# process that leaks at exit. See docs/reliability.md.
#
#   scripts/sanitize.sh [CTEST_ARGS...]    e.g. -LE sandbox (no PostgreSQL), -R '^sql\.'
#
# Environment: DBARCH_ASAN_BUILD_DIR (default build-asan), DBARCH_ASAN_JOBS (build and test
# jobs, default nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
./scripts/install-deps.sh
build_dir=${DBARCH_ASAN_BUILD_DIR:-build-asan}
jobs=${DBARCH_ASAN_JOBS:-$(nproc)}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# Warnings are not errors here: scripts/test.sh's build enforces them, and under
# -fsanitize=address g++ 12 reports false -Wmaybe-uninitialized warnings inside libstdc++'s
# <regex> (std::function moves in regex_automaton.h) that the plain build does not.
# No benchmarks (CMAKE_DISABLE_FIND_PACKAGE_benchmark): ctest does not run them, and timings
# under ASan mean nothing. -O1 -g1: the usual level for ASan (reports with file:line), and a
# much quicker build than RelWithDebInfo's -O2 -g on a 2-core machine.
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDBARCH_SANITIZE=address,undefined \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DDBARCH_WERROR=OFF \
  -DCMAKE_DISABLE_FIND_PACKAGE_benchmark=ON "${launcher[@]}" >/dev/null
cmake --build "$build_dir" -j"$jobs"

# halt_on_error: the first ASan error ends the process (exit 1), so the test fails.
# detect_leaks: LeakSanitizer runs at exit of every instrumented process (test binaries and
# the dbarch binary the CLI tests start) and fails it on a leak. No leak suppressions: the
# suite runs clean without them (libpg_query's memory stays reachable from its globals).
# detect_stack_use_after_return, check_initialization_order, strict_init_order: the checks
# ASan leaves off by default because they cost time; the suite can afford them.
# log_path: every report also goes to a file, so one from a process whose exit code no test
# checks (a helper, a child the test does not wait for) still fails the run below.
logs=$root/$build_dir/sanitizer-logs
rm -rf "$logs"
mkdir -p "$logs"
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:log_path=$logs/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$logs/ubsan"
cd "$build_dir"
start=$(date +%s)
rc=0
ctest --output-on-failure -j"$jobs" --timeout 1200 "$@" || rc=$?
cd "$root"
reports=$(find "$logs" -type f | sort)
if [ -n "$reports" ]; then
  echo "sanitize: sanitizer reports:" >&2
  for f in $reports; do
    echo "==== $f" >&2
    cat "$f" >&2
  done
  [ "$rc" -eq 0 ] && rc=1
fi
echo "sanitize: ctest under ASan+UBSan took $(($(date +%s) - start)) s, exit $rc," \
  "$(echo -n "$reports" | grep -c . || true) sanitizer report(s)" >&2
exit $rc
