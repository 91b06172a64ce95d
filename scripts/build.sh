#!/usr/bin/env bash
# Configures and builds the project into build/ (or $BUILD_DIR) with two parallel jobs.
# Extra arguments go to CMake, e.g. scripts/build.sh -DPOOL_SANITIZE=ON. $TARGETS (space
# separated) builds only those targets.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} "$@" >/dev/null
targets=()
for t in ${TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$build_dir" -j "${JOBS:-2}" "${targets[@]}"
