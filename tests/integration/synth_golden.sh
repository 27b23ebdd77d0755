#!/usr/bin/env bash
# iotflow synth byte-for-byte: every output file of a set of configurations must hash to the
# sums in synth_golden.sha256 (recorded from the generator before src/synth/ was split; any
# change of the synthetic data must be deliberate). The --stats JSON is compared without its
# two wall-clock fields (seconds, mb_per_s). UPDATE_GOLDEN=1 rewrites the sums file (review
# the diff before committing it).
set -euo pipefail
BIN=${IOF_BIN:?IOF_BIN not set}/iotflow
HERE=$(cd "$(dirname "$0")" && pwd)
SUMS="$HERE/synth_golden.sha256"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# name|options (the seven of the split's brief, then more corners: fractional start over a
# day boundary, scale < 1, 100 devices, 3 devices, the small profile's defaults)
configs=(
    "default|"
    "s11_5m|--seed 11 --duration 5m"
    "small_s11_2m_x4|--profile small --seed 11 --duration 2m --scale 4"
    "s11_5m_d12|--seed 11 --duration 5m --devices 12 --attack-ratio 0.2 --scale 3 --start 2025-01-01T00:00:00Z"
    "1h|--duration 1h"
    "d1_r0|--devices 1 --attack-ratio 0"
    "r05|--attack-ratio 0.5"
    "small_default|--profile small"
    "small_s5_d100|--profile small --seed 5 --duration 3m --devices 100 --scale 30 --attack-ratio 0.2"
    "s3_x02_frac|--seed 3 --duration 40s --scale 0.2 --start 2024-12-31T23:59:50.5Z"
    "s7_d3|--seed 7 --devices 3 --duration 4m --attack-ratio 0.05"
)
files="capture.pcap devices.csv sensors.csv events.csv truth.csv labels.rules stats.json"

cd "$tmp"
for c in "${configs[@]}"; do
    name=${c%%|*}
    # shellcheck disable=SC2086
    "$BIN" synth -q -o "$name" --stats "$name.stats.json" ${c#*|}
    # relative -o: the configuration echo holds "output_dir":"NAME" on every machine
    sed -E 's/"seconds":[0-9.e+-]+,"mb_per_s":[0-9.e+-]+/"seconds":T,"mb_per_s":T/' \
        "$name.stats.json" > "$name/stats.json"
    grep -q '"seconds":T,"mb_per_s":T' "$name/stats.json" || { echo "FAIL: $name: stats timing fields not found"; exit 1; }
    for f in $files; do
        sha256sum "$name/$f"
    done
done > got.sha256

if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
    cp got.sha256 "$SUMS"
    echo "updated $SUMS"
    exit 0
fi
if ! diff "$SUMS" got.sha256; then
    echo "FAIL: synth output differs from synth_golden.sha256 (< expected, > got)"
    exit 1
fi
echo "PASS ($(wc -l < got.sha256) files)"
