#!/usr/bin/env bash
# The main job on the embedded default: builds dbarch, starts a private PostgreSQL 15
# sandbox, loads the bundled example schema into it, reads the schema back from the live
# server and prints the model. Extra arguments go to `dbarch inspect` (e.g. --format json).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target dbarch >/dev/null
exec ./build/dbarch inspect --schema examples/shop/schema.sql --sandbox "$@"
