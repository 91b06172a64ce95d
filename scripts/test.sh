#!/usr/bin/env bash
# Runs every test: installs the build dependencies, builds with warnings as errors, runs a short
# libFuzzer pass (clang build in build-fuzz/), checks the installation and the Debian package
# (scripts/package-test.sh, as root) and then every CTest suite. This is the README's
# test command and what CI (.ci/run) calls. Its last line is ctest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scripts/deps.sh
jobs=${JOBS:-2}

if [[ "${SKIP_FUZZ:-0}" != 1 ]]; then
  echo "== fuzzing (clang, libFuzzer, ${FUZZ_SECONDS:-10} s per target)"
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DPOOL_FUZZ=ON -DPOOL_FUZZ_SECONDS="${FUZZ_SECONDS:-10}" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build-fuzz -j "$jobs"
  ctest --test-dir build-fuzz --output-on-failure
fi

# PostgreSQL for the storage tests: started here on a loopback port, stopped on exit.
pg_dir=""
if [[ -z "${POOL_TEST_POSTGRES_URL:-}" && $(id -u) -eq 0 ]]; then
  read -r pg_dir POOL_TEST_POSTGRES_URL < <(scripts/postgres.sh start)
  export POOL_TEST_POSTGRES_URL
  echo "== PostgreSQL for the tests at $POOL_TEST_POSTGRES_URL"
fi
cleanup() {
  if [[ -n "$pg_dir" ]]; then "$root/scripts/postgres.sh" stop "$pg_dir"; fi
  rm -f "${log:-}"
}
trap cleanup EXIT

# The dashboard's browser test: playwright-core from npm (Chromium itself is Debian's).
npm ci --prefix tests/dashboard --no-audit --no-fund >/dev/null

echo "== build and test"
scripts/build.sh -DPOOL_WERROR=ON -DPOOL_BUILD_TESTS=ON -DPOOL_BUILD_BENCH=ON

# cmake --install, the .deb (apt-get install, check-config, conffile on upgrade, purge) and the
# systemd unit (systemd-analyze verify). It installs a package, so only as root (CI is).
if [[ $(id -u) -eq 0 && "${SKIP_PACKAGE:-0}" != 1 ]]; then
  scripts/package-test.sh
else
  echo "== package check skipped (needs root; SKIP_PACKAGE=${SKIP_PACKAGE:-0})"
fi

cd "${BUILD_DIR:-build}"
log=$(mktemp)
status=0
ctest -j "$jobs" --output-on-failure --timeout 300 2>&1 | tee "$log" || status=$?
# ctest lists skipped tests after its summary; repeat the summary so it is the closing line.
grep -E '^[0-9]+% tests passed' "$log" | tail -n 1 || true
exit "$status"
