#!/usr/bin/env bash
# Runs every test: installs the build dependencies, builds with warnings as errors, runs ctest.
# This is the README's test command and what CI (.ci/run) calls. Its last line is ctest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh -DPOOL_WERROR=ON
cd "${BUILD_DIR:-build}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
ctest -j "${JOBS:-2}" --output-on-failure --timeout 300 2>&1 | tee "$log" || status=$?
# ctest lists skipped tests after its summary; repeat the summary so it is the closing line.
grep -E '^[0-9]+% tests passed' "$log" | tail -n 1 || true
exit "$status"
