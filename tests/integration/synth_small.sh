#!/usr/bin/env bash
# iotflow synth --profile small and dense (the benchmark inputs) and --stats:
#  - truth.csv == the records of `iotflow extract --devices devices.csv -f jsonl --variant bi`
#    (multisets), attack share within one point of --attack-ratio, at two seeds/scales (small)
#    and one (dense);
#  - small: small packets (average frame 100..200 bytes), no camera video to the NAS; dense:
#    a record every 5..10 packets, camera video to the NAS; 60 devices by default and
#    --devices respected;
#  - --stats JSON: every count equals what the files hold (packets and per-device packets
#    recounted from the capture, records and per-label counts from truth.csv), the
#    configuration echo, atomic publication (no temp file left), nothing on a usage error.
set -euo pipefail
BIN=${IOF_BIN:?IOF_BIN not set}/iotflow
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() { # PROFILE SEED SCALE RATIO DURATION DEVICES(or "")
    local prof=$1; shift
    local seed=$1 scale=$2 ratio=$3 dur=$4 ndev=$5 d="$tmp/s$1"
    local devopt=()
    [ -n "$ndev" ] && devopt=(--devices "$ndev")
    "$BIN" synth -q -o "$d" --profile "$prof" --seed "$seed" --scale "$scale" \
        --attack-ratio "$ratio" --duration "$dur" "${devopt[@]}" --stats "$d/stats/run.json"
    if ls -A "$d" "$d/stats" | grep -q '\.tmp\.'; then echo "FAIL: temporary file left"; exit 1; fi
    "$BIN" extract -q --devices "$d/devices.csv" -f jsonl --variant bi -o "$d/out" "$d/capture.pcap"
    python3 - "$prof" "$d" "$seed" "$scale" "$ratio" "${ndev:-60}" <<'PY'
import csv, glob, json, struct, sys
from collections import Counter
prof, d = sys.argv[1], sys.argv[2]
seed, scale, ratio, ndev = int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
cols = ("device", "first_seen", "remote_ip", "proto", "device_port", "remote_port")
rows = list(csv.DictReader(open(f"{d}/truth.csv")))
want = Counter(tuple(str(r[c]) for c in cols) for r in rows)
have = Counter()
for path in glob.glob(f"{d}/out/bidirectional/*.jsonl"):
    with open(path) as f:
        have.update(tuple(str(json.loads(l)[c]) for c in cols) for l in f)
if want != have:
    print("FAIL: truth.csv differs from extract:", len(rows), "truth rows,", sum(have.values()),
          "extracted;", "only in truth:", list(want - have)[:3], "only in extract:", list(have - want)[:3])
    sys.exit(1)
labels = Counter(r["label"] for r in rows)
share = 1 - labels["benign"] / len(rows)
assert abs(share - ratio) <= 0.01, f"attack share {share} vs {ratio}"
# small: no NAS video, the only records on the NAS's SMB/NetBIOS ports are scans; dense: video
nas = [r for r in rows if r["device_port"] in ("139", "445") and r["label"] != "recon"]
assert bool(nas) == (prof == "dense"), (prof, nas[:3])

# recount the capture: frames, bytes, frame size, frames per inventoried MAC (src or dst)
inv = {r["mac"]: r["name"] for r in csv.DictReader(open(f"{d}/devices.csv"))}
assert len(inv) == ndev + 1, (len(inv), ndev)
per_dev, frames, frame_bytes = Counter(), 0, 0
with open(f"{d}/capture.pcap", "rb") as f:
    data = f.read()
off = 24
while off < len(data):
    incl = struct.unpack_from("<I", data, off + 8)[0]
    fr = data[off + 16: off + 16 + incl]
    off += 16 + incl
    frames += 1
    frame_bytes += incl
    for mac in {fr[0:6].hex(":"), fr[6:12].hex(":")}:
        if mac in inv:
            per_dev[inv[mac]] += 1
avg = frame_bytes / frames
if prof == "small":
    assert 100 <= avg <= 200, f"average frame {avg:.1f} bytes"
else:
    assert 5 <= frames / len(rows) <= 10, f"{frames / len(rows):.2f} packets per record"

st = json.load(open(f"{d}/stats/run.json"))
cfg = st["config"]
assert (cfg["profile"], cfg["seed"], cfg["scale"], cfg["attack_ratio"], cfg["devices"]) == \
    (prof, seed, scale, ratio, ndev), cfg
assert cfg["start"] == "2024-06-23T18:00:00Z" and cfg["output_dir"] == d, cfg
assert (st["packets"], st["bytes"], st["records"], st["devices"]) == (frames, len(data), len(rows), ndev + 1), st
assert st["attack_records"] == len(rows) - labels["benign"]
assert st["records_by_label"] == {k: labels[k] for k in ("benign", "mirai", "ddos", "recon")}, st["records_by_label"]
assert abs(st["avg_frame_bytes"] - avg) < 0.06, (st["avg_frame_bytes"], avg)
assert {x["name"]: x["packets"] for x in st["per_device"] if x["packets"]} == dict(per_dev)
assert sum(x["records"] for x in st["per_device"]) == len(rows)
assert st["sensor_rows"] == sum(1 for _ in open(f"{d}/sensors.csv")) - 1
assert st["events"] == sum(1 for _ in csv.DictReader(open(f"{d}/events.csv")))
print(f"ok {prof} seed {seed} scale {scale}: {frames} frames, avg {avg:.1f} B, {len(rows)} records, "
      f"attack share {share:.4f}, {ndev} devices")
PY
}

check small 21 1 0.1 5m ""
check small 22 40 0.2 3m 25
check dense 23 10 0.1 3m ""

# usage errors: exit 1, no stats file
if "$BIN" synth -q -o "$tmp/bad" --profile tiny --stats "$tmp/bad.json" 2>/dev/null; then
    echo "FAIL: unknown profile accepted"; exit 1
fi
if "$BIN" synth -q -o "$tmp/bad" --profile small --devices 101 --stats "$tmp/bad.json" 2>/dev/null; then
    echo "FAIL: --devices 101 accepted"; exit 1
fi
[ ! -e "$tmp/bad.json" ] && [ ! -e "$tmp/bad/capture.pcap" ] || { echo "FAIL: files written on a usage error"; exit 1; }
"$BIN" synth --help | grep -q -- "--profile" && "$BIN" synth --help | grep -q -- "--stats" \
    || { echo "FAIL: --help lacks --profile/--stats"; exit 1; }
echo PASS
