#!/usr/bin/env bash
# Runs every test: installs the build dependencies, builds with warnings as errors, runs ctest.
# This is the README's test command and what CI (.ci/run) calls.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh -DPOOL_WERROR=ON
cd "${BUILD_DIR:-build}"
ctest -j "${JOBS:-2}" --output-on-failure --timeout 300
