#!/usr/bin/env bash
# Builds dbarch and runs the whole test suite (unit, golden, real-PostgreSQL integration and
# CLI end-to-end tests). Works on a fresh Debian 12 machine as root: installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
build_dir=${DBARCH_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=${DBARCH_BUILD_TYPE:-RelWithDebInfo} >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
cd "$build_dir"
ctest --output-on-failure -j"$(nproc)" --timeout 600
