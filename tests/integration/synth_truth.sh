#!/usr/bin/env bash
# iotflow synth's truth.csv must name exactly the bidirectional records that
# `iotflow extract --devices devices.csv` produces (same keys, no more, no fewer), and the
# share of non-benign rows must be within one point of --attack-ratio. Also checks the same
# records come out of Parquet (read back by iotflow stats) as out of JSON Lines.
set -uo pipefail
BIN=${IOF_BIN:?IOF_BIN}
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
pass=0; fail=0
for cfg in "1 0.1 600 8" "2 0.2 900 5" "5 0.05 600 12"; do
  read -r seed ratio dur ndev <<<"$cfg"
  d="$TMP/s$seed"
  "$BIN/iotflow" synth -o "$d" --seed "$seed" --attack-ratio "$ratio" --duration "$dur" --devices "$ndev" >/dev/null 2>&1 \
    || { echo "FAIL seed $seed: synth failed"; fail=$((fail+1)); continue; }
  "$BIN/iotflow" extract -q --devices "$d/devices.csv" -f jsonl -f parquet --variant bi -o "$d/out" "$d/capture.pcap" \
    || { echo "FAIL seed $seed: extract failed"; fail=$((fail+1)); continue; }
  if python3 - "$d" "$ratio" <<'PY'
import collections, csv, glob, json, sys
d, ratio = sys.argv[1], float(sys.argv[2])
truth = collections.Counter()
labels = collections.Counter()
with open(f"{d}/truth.csv") as f:
    for r in csv.DictReader(f):
        truth[(r["device"], int(r["first_seen"]), r["remote_ip"], int(r["proto"]), int(r["device_port"]), int(r["remote_port"]))] += 1
        labels[r["label"]] += 1
got = collections.Counter()
for p in glob.glob(f"{d}/out/bidirectional/*.jsonl"):
    for line in open(p):
        r = json.loads(line)
        got[(r["device"], r["first_seen"], r["remote_ip"], r["proto"], r["device_port"], r["remote_port"])] += 1
missing, extra = truth - got, got - truth
share = 1 - labels["benign"] / sum(labels.values())
print(f"  truth {sum(truth.values())} rows, extract {sum(got.values())} rows, missing {sum(missing.values())}, "
      f"extra {sum(extra.values())}, labels {dict(labels)}, non-benign share {share:.4f} (want {ratio})")
for k in list(missing)[:5]: print("  missing", k)
for k in list(extra)[:5]: print("  extra  ", k)
assert set(labels) <= {"benign", "mirai", "ddos", "recon"}, labels
ok = not missing and not extra and abs(share - ratio) <= 0.01 and sum(truth.values()) > 100
sys.exit(0 if ok else 1)
PY
  then echo "ok   seed $seed ratio $ratio"; pass=$((pass+1)); else echo "FAIL seed $seed ratio $ratio"; fail=$((fail+1)); fi
  # Parquet and JSON Lines hold the same records (per-device tables equal)
  "$BIN/iotflow" stats "$d/out/bidirectional/"*.parquet | grep -v "output file" > "$TMP/pq.txt"
  "$BIN/iotflow" stats "$d/out/bidirectional/"*.jsonl | grep -v "output file" > "$TMP/js.txt"
  if diff "$TMP/pq.txt" "$TMP/js.txt" >/dev/null; then echo "ok   seed $seed parquet == jsonl tables"; pass=$((pass+1));
  else echo "FAIL seed $seed parquet tables differ from jsonl"; diff "$TMP/pq.txt" "$TMP/js.txt" | head; fail=$((fail+1)); fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
