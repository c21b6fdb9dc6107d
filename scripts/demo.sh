#!/usr/bin/env bash
# The main job on the embedded default: builds dbarch, starts a private PostgreSQL 15
# sandbox, loads the bundled 20-table marketplace example (examples/marketplace: schema,
# weighted workload, ~2.3 M generated rows), asks the planner what-if questions through
# HypoPG, recommends indexes, then builds them for real and measures every query before and
# after (`dbarch advise --verify`). Extra arguments go to `dbarch advise` (e.g.
# --format markdown, --budget-mb 50). Takes about a minute after the build.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target dbarch >/dev/null
exec ./build/dbarch advise --schema examples/marketplace/schema.sql \
  --workload examples/marketplace/workload.sql \
  --generate --spec examples/marketplace/spec.yaml --verify "$@"
