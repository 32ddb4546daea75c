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
  fail2ban
  dovecot-imapd
  chromium
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
  # fail2ban is installed for its filters and annotated sample logs (the detection tests read
  # them), dovecot-imapd for the private IMAP server the mail tests start (tests/harness/imap.sh),
  # neither to run as a service: keep their maintainer scripts from starting one. A policy-rc.d
  # that refuses is the Debian way; it is removed again unless it was there before.
  policy=/usr/sbin/policy-rc.d
  own_policy=0
  if [[ ( " ${missing[*]} " == *" fail2ban "* || " ${missing[*]} " == *" dovecot-imapd "* ) &&
    ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
    own_policy=1
  fi
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  if ((own_policy)); then $SUDO rm -f "$policy"; fi
else
  echo "install-deps: system packages present"
fi

# Nothing of fail2ban or the system's dovecot may keep running (on a machine with systemd their
# units are enabled on install; on one without, there is no service manager to start them, and
# that is fine too).
if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  $SUDO systemctl disable --now fail2ban.service >/dev/null 2>&1 || true
  $SUDO systemctl disable --now dovecot.service dovecot.socket >/dev/null 2>&1 || true
elif command -v fail2ban-client >/dev/null && pgrep -x fail2ban-server >/dev/null 2>&1; then
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  $SUDO fail2ban-client stop >/dev/null 2>&1 || true
fi

# JavaScript tooling: the integration tests (tests/), and the web application (web/: Vite,
# TypeScript, React, Vitest, playwright-core), which the CMake build needs offline from here on.
# playwright-core drives the chromium installed above; it downloads no browser.
for dir in tests web; do
  if [[ -f $dir/package.json ]]; then
    if [[ ! -d $dir/node_modules ]] || [[ $dir/package-lock.json -nt $dir/node_modules ]]; then
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
  fi
done
