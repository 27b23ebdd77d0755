#!/usr/bin/env bash
# Sets up, builds and runs the main job on the built-in sample: iotflow demo
# (synthetic smart home -> custom flows -> per-device table).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
exec build/bin/iotflow demo -o "${1:-./iotflow-demo}"
