#!/usr/bin/env bash
# Installs every build, test and sandbox dependency of dbarch from Debian packages.
# Idempotent: quiet and quick when everything is already present. Run as root.
# --fuzz adds the clang toolchain of scripts/fuzz.sh (not needed by the build or the tests).
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libpg-query-dev libprotobuf-c-dev libpq-dev nlohmann-json3-dev libcli11-dev libfmt-dev libyaml-cpp-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  postgresql-15 postgresql-15-hypopg postgresql-contrib
  zstd libzstd-dev
  # check_postgres: `dbarch health`'s tests and bench compare findings with its actions.
  check-postgres
  libssl-dev  # libcrypto: SHA-256 checksums of migration files (dbarch migrate)
  # zlib: `dbarch workload` reads gzip-compressed server logs (rotated logs are often .gz).
  zlib1g-dev
  # promtool (in prometheus) validates `dbarch health --emit-alert-rules`; the exporter is run
  # against a sandbox by that test to prove every metric a rule uses is exported.
  prometheus prometheus-postgres-exporter
  # chromium-headless-shell: the test of `dbarch workload --format html` opens the report in
  # a real browser (DOM, network log, screenshot) to prove it renders offline, and the diagram
  # test renders `inspect --format svg` and compares the boxes' bounding boxes.
  chromium-headless-shell
  # pgBackRest: `dbarch backup verify` takes real backups and restores with it (and the
  # plans of `dbarch backup plan` are pgBackRest configurations).
  pgbackrest
  # pgaudit: `dbarch secure --verify` loads it in the sandbox and proves the generated audit
  # settings log what they promise.
  postgresql-15-pgaudit
  # Graphviz (libgvc, libcgraph and the dot layout / core plugins, linked in): `dbarch inspect
  # --format svg` and design's er.svg are the DOT diagram laid out and rendered in process.
  graphviz libgraphviz-dev
  # python3-jsonschema: the design tests validate example models against
  # docs/design-model.schema.json with a real JSON Schema validator; python3-yaml reads the
  # YAML models for it.
  python3-jsonschema python3-yaml
)
# Packages whose postinst starts a daemon dbarch never needs: installed with their service
# start refused (policy-rc.d) and, under systemd, disabled and stopped afterwards.
services=(prometheus prometheus-postgres-exporter)
# Not installed here: pgbadger, which only bench/workload_vs_pgbadger.sh runs for comparison
# (apt-get install pgbadger); dbarch itself never needs it.
# --fuzz: also the fuzzing toolchain of scripts/fuzz.sh: clang 14 and its runtime libraries
# (libFuzzer, ASan and UBSan runtimes live in libclang-rt-14-dev).
if [ "${1:-}" = "--fuzz" ]; then
  packages+=(clang-14 libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}; run this script as root" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# policy-rc.d (Debian policy's hook for invoke-rc.d): refuse to start the listed services
# during this install, allow the rest. An existing policy (containers ship one refusing
# everything) is left alone.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# written by dbarch install-deps for the duration of an install\ncase "$1" in\n' >"$policy"
  printf '  %s) exit 101 ;;\n' "${services[@]}" >>"$policy"
  printf 'esac\nexit 0\n' >>"$policy"
  chmod 755 "$policy"
  own_policy=1
  trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
[ "$own_policy" = 1 ] && rm -f "$policy"
if [ -d /run/systemd/system ]; then
  for s in "${services[@]}"; do
    systemctl disable --now "$s.service" >/dev/null 2>&1 || true
  done
fi
