#!/usr/bin/env bash
# Builds iotflow into build/ (release) — `build/bin/iotflow`. BUILD_DIR, BUILD_TYPE, CMAKE_ARGS
# and BUILD_TARGETS (default: everything) change what is built where.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B "${BUILD_DIR:-build}" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} ${CMAKE_ARGS:-} >/dev/null
cmake --build "${BUILD_DIR:-build}" -j"$(nproc)" ${BUILD_TARGETS:+--target $BUILD_TARGETS}
