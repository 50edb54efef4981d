#!/usr/bin/env bash
# Installs what the advisor needs on Debian 12, only what is missing, and says what it does.
#   scripts/deps.sh build   packages to build and run the advisor
#   scripts/deps.sh test    those, plus what the tests need (doctest, Chromium, Node.js, npm packages,
#                           PostgreSQL 15's server for the throwaway test cluster, promtool
#                           from prometheus, systemd-analyze from systemd, openssl and curl for
#                           docs/slack.md's recipe)
#   scripts/deps.sh fuzz    the build packages, plus clang and its libFuzzer runtime (scripts/fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-build}
packages=(cmake ninja-build g++ pkg-config nlohmann-json3-dev libsqlite3-dev libboost-dev
          libcurl4-openssl-dev libssl-dev libcli11-dev libspdlog-dev libjemalloc-dev
          libstemmer-dev libhunspell-dev hunspell-en-us zlib1g-dev libpq-dev libsystemd-dev)
if [[ $mode == test ]]; then
  packages+=(doctest-dev chromium libsodium-dev clang libclang-rt-14-dev clang-format-14 python3
             postgresql-15 prometheus systemd openssl curl nginx)
  command -v node >/dev/null 2>&1 || packages+=(nodejs)
  command -v npm >/dev/null 2>&1 || packages+=(npm)
fi
if [[ $mode == fuzz ]]; then
  packages+=(clang libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "==> Installing Debian packages: ${missing[*]}"
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  # Another apt run (an unattended upgrade, a second checkout's set-up) may hold dpkg's lock:
  # wait for it rather than fail.
  wait_lock=(-o DPkg::Lock::Timeout=900)
  $sudo apt-get "${wait_lock[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get "${wait_lock[@]}" install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
else
  echo "==> Debian packages: all present"
fi

if [[ $mode == test && -f tests/e2e/package-lock.json ]]; then
  if [[ ! -d tests/e2e/node_modules ]] || [[ tests/e2e/package-lock.json -nt tests/e2e/node_modules ]]; then
    echo "==> Installing npm packages for the browser and protocol tests (tests/e2e)"
    (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
    touch tests/e2e/node_modules
  else
    echo "==> npm packages: all present"
  fi
fi
