#!/usr/bin/env bash
# Builds dbarch and runs the whole test suite (unit, golden, real-PostgreSQL integration and
# CLI end-to-end tests). Works on a fresh Debian 12 machine as root: installs what it needs.
# In CI (CI=true) it then runs the same suite again built with ASan and UBSan
# (scripts/sanitize.sh): measured at about 7 minutes of build on two cores plus 3.5 minutes
# of tests (docs/reliability.md). DBARCH_SANITIZE_IN_TEST=0 skips that step, =1 forces it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
build_dir=${DBARCH_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=${DBARCH_BUILD_TYPE:-RelWithDebInfo} >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
(cd "$build_dir" && ctest --output-on-failure -j"$(nproc)" --timeout 600)
sanitize=${DBARCH_SANITIZE_IN_TEST:-}
if [ -z "$sanitize" ]; then
  [ "${CI:-}" = "true" ] && sanitize=1 || sanitize=0
fi
if [ "$sanitize" = "1" ]; then
  ./scripts/sanitize.sh
fi
