#!/usr/bin/env bash
# Sets up and runs every test: unit, golden, robustness, integration (tshark, Parquet readers),
# fuzz-corpus replay — on a release build and on an ASan/UBSan build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
SHARED="${IOF_SHARED:-$(cd .. && pwd)/shared}"
if [ -x "$SHARED/tools/parquet/install.sh" ]; then
  "$SHARED/tools/parquet/install.sh" >/dev/null 2>&1 || echo "test: pqcheck install failed; Parquet cross-checks will be skipped"
fi
BUILD_DIR=build scripts/build.sh
BUILD_DIR=build-asan BUILD_TYPE=Debug CMAKE_ARGS="-DIOF_SANITIZE=address,undefined -DIOF_WERROR=ON" scripts/build.sh
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
echo "== libFuzzer smoke (${FUZZ_SECONDS:-30} s per target)"
tests/fuzz/smoke.sh "${FUZZ_SECONDS:-30}" || status=1
echo "== ASan/UBSan build: unit, golden, robust, fuzz-replay"
(cd build-asan && ctest --output-on-failure -j2 -LE integration) || status=1
echo "== release build: all tests"
(cd build && ctest --output-on-failure -j2) || status=1
echo "== ThreadSanitizer build: the Parquet writer's threads, two syntheses at once, app lookups from another thread, the sharded flow workers (rings, merge), slabs made ahead"
BUILD_DIR=build-tsan BUILD_TYPE=Debug CMAKE_ARGS="-DIOF_SANITIZE=thread" BUILD_TARGETS="test_parquet test_synth test_appmap test_shard test_table" \
  scripts/build.sh
# setarch -R turns address randomisation off: its high entropy on some kernels makes TSan abort at start
TSAN_OPTIONS=halt_on_error=1 setarch "$(uname -m)" -R build-tsan/tests/test_parquet || status=1
TSAN_OPTIONS=halt_on_error=1 setarch "$(uname -m)" -R build-tsan/tests/test_synth || status=1
TSAN_OPTIONS=halt_on_error=1 setarch "$(uname -m)" -R build-tsan/tests/test_appmap || status=1
TSAN_OPTIONS=halt_on_error=1 setarch "$(uname -m)" -R build-tsan/tests/test_shard || status=1
TSAN_OPTIONS=halt_on_error=1 setarch "$(uname -m)" -R build-tsan/tests/test_table || status=1
echo "== build without nDPI (optional at build time): rules on app refused"
BUILD_DIR=build-nondpi CMAKE_ARGS="-DIOF_NDPI=OFF -DIOF_WERROR=ON" BUILD_TARGETS="iotflow test_appmap" scripts/build.sh
build-nondpi/tests/test_appmap || status=1
tests/integration/app_refused.sh build-nondpi/bin/iotflow || status=1
exit $status
