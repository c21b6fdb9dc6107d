#!/bin/sh
# The commerce end-to-end advise test (test/cli/cli_advise_commerce_test.cc) at a larger
# scale: scale 10 is 3,000,000 orders, 9,000,000 order lines, 5,000,000 events (about 1.9 GB),
# loaded into a private sandbox on disk that plays the live server. Prints the per-query
# table (before, with dbarch's indexes, with the expert's) and the totals.
# Usage: bench/advise_commerce.sh [BUILD_DIR] [SCALE]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
scale=${2:-10}
DBARCH_SOURCE_DIR=$here DBARCH_COMMERCE_SCALE=$scale \
  exec "$build/test/dbarch_cli_advise_commerce_test"
