#!/usr/bin/env bash
# Same seed -> identical bytes of every output file; different seeds -> different traffic.
set -euo pipefail
BIN=${IOF_BIN:?IOF_BIN not set}/iotflow
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
files="capture.pcap devices.csv sensors.csv events.csv truth.csv labels.rules"
"$BIN" synth -q -o "$tmp/a" --seed 11 --duration 5m
"$BIN" synth -q -o "$tmp/b" --seed 11 --duration 5m
"$BIN" synth -q -o "$tmp/c" --seed 12 --duration 5m
for f in $files; do
    cmp "$tmp/a/$f" "$tmp/b/$f" || { echo "FAIL: $f differs for the same seed"; exit 1; }
    if cmp -s "$tmp/a/$f" "$tmp/c/$f"; then
        echo "FAIL: $f identical for different seeds"; exit 1
    fi
done
# options other than the seed change the output too, and runs stay deterministic with them
"$BIN" synth -q -o "$tmp/d" --seed 11 --duration 5m --devices 12 --attack-ratio 0.2 --scale 3 \
    --start 2025-01-01T00:00:00Z
"$BIN" synth -q -o "$tmp/e" --seed 11 --duration 5m --devices 12 --attack-ratio 0.2 --scale 3 \
    --start 2025-01-01T00:00:00Z
for f in $files; do
    cmp "$tmp/d/$f" "$tmp/e/$f" || { echo "FAIL: $f differs for the same options"; exit 1; }
done
# the small profile too; --stats does not change the dataset; another profile changes it
"$BIN" synth -q -o "$tmp/f" --profile small --seed 11 --duration 2m --scale 4 --stats "$tmp/f.json"
"$BIN" synth -q -o "$tmp/g" --profile small --seed 11 --duration 2m --scale 4
"$BIN" synth -q -o "$tmp/h" --profile small --seed 12 --duration 2m --scale 4
for f in $files; do
    cmp "$tmp/f/$f" "$tmp/g/$f" || { echo "FAIL: small profile: $f differs for the same seed"; exit 1; }
    if cmp -s "$tmp/f/$f" "$tmp/h/$f"; then
        echo "FAIL: small profile: $f identical for different seeds"; exit 1
    fi
done
if cmp -s "$tmp/a/capture.pcap" "$tmp/f/capture.pcap"; then echo "FAIL: profiles give the same capture"; exit 1; fi
# truth.csv: header, sorted order, attack share within one point of the ratio
for d in a d; do
    want=0.1; [ "$d" = d ] && want=0.2
    python3 - "$tmp/$d/truth.csv" "$want" <<'PY'
import sys
rows = open(sys.argv[1]).read().splitlines()
assert rows[0] == "device,first_seen,remote_ip,proto,device_port,remote_port,label", rows[0]
recs = [r.split(",") for r in rows[1:]]
keys = [(int(r[1]), r[0], r[2], int(r[3]), int(r[4]), int(r[5]), r[6]) for r in recs]
assert keys == sorted(keys), "truth.csv is not sorted"
assert all(r[6] in ("benign", "mirai", "ddos", "recon") for r in recs)
share = sum(r[6] != "benign" for r in recs) / len(recs)
assert abs(share - float(sys.argv[2])) <= 0.01, share
print("%s: %d records, attack share %.4f" % (sys.argv[1], len(recs), share))
PY
done
# bad usage -> exit 1, nothing written
if "$BIN" synth -o "$tmp/x" --attack-ratio 2 2>/dev/null; then echo "FAIL: bad ratio accepted"; exit 1; fi
[ ! -e "$tmp/x/capture.pcap" ] || { echo "FAIL: files written on a usage error"; exit 1; }
echo PASS
