#!/usr/bin/env bash
# Installs everything custos needs to build, run and test on Debian 12.
# Idempotent: packages already present are skipped, so a second run is quick.
set -euo pipefail

cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libboost-dev nlohmann-json3-dev libsqlite3-dev sqlite3 libpq-dev postgresql
  libsodium-dev libssl-dev libcurl4-openssl-dev libhyperscan-dev libpcre2-dev
  libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-format clang-tidy
  nodejs npm curl wrk openssl
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

# Node from another source (e.g. NodeSource) provides npm itself; do not fight it.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for pkg in "${missing[@]}"; do
    [[ $pkg == nodejs || $pkg == npm ]] || filtered+=("$pkg")
  done
  missing=("${filtered[@]}")
fi

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: system packages present"
fi

# JavaScript tooling for the integration and browser tests.
if [[ -f tests/package.json ]]; then
  if [[ ! -d tests/node_modules ]] || [[ tests/package-lock.json -nt tests/node_modules ]]; then
    (cd tests && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
