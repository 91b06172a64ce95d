#!/usr/bin/env bash
# Installs the Debian 12 packages the project builds and tests with, skipping those present.
# Usage: scripts/deps.sh [extra-package ...]
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libssl-dev libboost-dev libboost-system-dev rapidjson-dev libspdlog-dev libcli11-dev
  libsqlite3-dev libpq-dev cppzmq-dev libzmq3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev postgresql sqlite3 chromium fonts-ipafont-gothic
  prometheus systemd python3-yaml
  "$@"
)

# Node.js and npm (the dashboard's browser test) may come from Debian or from the machine's own
# Node.js install; ask for Debian's only when there is no npm at all.
command -v npm >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "deps: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then sudo_cmd=(sudo); else
    echo "deps: run as root, or install: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
