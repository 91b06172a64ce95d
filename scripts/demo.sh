#!/usr/bin/env bash
# The README's first command: installs what it needs, builds, and runs the pool's demo.
# Today the demo proves the Bitcoin primitives on this machine (poold --self-check); the
# regtest node, pool and CPU miners join it as their issues land.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
build_dir=${BUILD_DIR:-build}
"$build_dir/src/app/poold" --version
"$build_dir/src/app/poold" --self-check
