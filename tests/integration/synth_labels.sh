#!/usr/bin/env bash
# iotflow synth's labels.rules reproduces truth.csv (docs/SYNTH.md "Labels as rules"). For each
# configuration: synth, then
#   A: iotflow extract --devices DIR/devices.csv --rules DIR/labels.rules -f jsonl  (defaults)
#   B: the same with --keep-private-ips --device-ip (real keys, for the unidirectional check)
# and check
#   1. A's bidirectional records with their labels = truth.csv's rows (multisets of device,
#      first_seen, remote_ip, proto, device_port, remote_port, label);
#   2. every label_rule (A and B, both variants) is "default" for benign records, else a rule
#      of labels.rules named after an attack kind of events.csv whose label (recon_scan ->
#      recon, mirai_* -> mirai, ddos_* -> ddos) is the record's, and the record starts inside
#      that attack's events.csv row [start, end + 60 s] (mirai_scan_c2: to the capture's end,
#      its C2 connection lasts); labels.rules has a rule for each attack of events.csv, or
#      says it opened no record (a recon ARP sweep the ratio control let no ping follow);
#   3. B's bidirectional records = A's (the same records and labels, keys without remote_ip);
#   4. unidirectional records (B): matched to the bidirectional record of the same key
#      (device, device_ip, remote_ip, proto, device_port, remote_port: real addresses, so no
#      two keys are merged by anonymisation) whose window [first_seen, first_seen + 60 s) holds
#      the unidirectional record's first_seen; exactly one must, with the same label;
#   5. extract loads labels.rules without a warning (stderr empty).
# Then the checker must fail on two deliberately wrong rule files: windows that end at the last
# unit (events.csv's end) instead of the last packet (unidirectional records of replies fall
# out), and a Mirai scan rule without the second infected device (bidirectional records).
set -uo pipefail
BIN=${IOF_BIN:?IOF_BIN}
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
pass=0; fail=0

cat > "$TMP/check.py" <<'PY'
import collections, csv, glob, json, re, sys
from datetime import datetime, timezone

d, rules_path, a_out, b_out = sys.argv[1:5]
LABEL_OF = {"recon_scan": "recon", "mirai_bruteforce": "mirai", "mirai_scan_c2": "mirai",
            "ddos_syn": "ddos", "ddos_udp": "ddos", "ddos_http": "ddos"}
WINDOW = 60_000_000
problems = []
def bad(msg):
    if len(problems) < 12: print("   ", msg)
    problems.append(msg)

def us(text):  # ISO-8601 UTC -> µs
    t = datetime.strptime(text.rstrip("Z"), "%Y-%m-%dT%H:%M:%S" + (".%f" if "." in text else ""))
    t = t.replace(tzinfo=timezone.utc)
    return int(t.timestamp()) * 1_000_000 + t.microsecond

def records(out, variant):
    return [json.loads(l) for p in sorted(glob.glob(f"{out}/{variant}/*.jsonl")) for l in open(p)]

rules_text = open(rules_path).read()
rules = dict(re.findall(r'^rule "([^"]+)": label = "([^"]+)"', rules_text, re.M))
m = re.search(r"--start (\S+)\n#\s+--duration (\S+)", rules_text)
cap_end = us(m.group(1)) + int(float(m.group(2)) * 1_000_000)
events = {r["kind"]: (us(r["start"]), us(r["end"])) for r in csv.DictReader(open(f"{d}/events.csv"))
          if r["kind"] in LABEL_OF}
norule = set(re.findall(r"^# (\w+): [^\n]*\n#[^\n]*no record, no rule$", rules_text, re.M))
for k in events:
    if rules.get(k) != LABEL_OF[k] and k not in norule:
        bad(f"events.csv has {k}: labels.rules has no rule {k} = {LABEL_OF[k]} nor says it has no record")
for k in rules:
    if k not in events: bad(f"rule {k} is not an attack of events.csv")

# 1. bidirectional records of A = truth.csv, labels included
KEY = ("device", "first_seen", "remote_ip", "proto", "device_port", "remote_port")
truth = collections.Counter()
for r in csv.DictReader(open(f"{d}/truth.csv")):
    truth[(r["device"], int(r["first_seen"]), r["remote_ip"], int(r["proto"]),
           int(r["device_port"]), int(r["remote_port"]), r["label"])] += 1
a_bi = records(a_out, "bidirectional")
got = collections.Counter(tuple(r[k] for k in KEY) + (r["label"],) for r in a_bi)
for k, n in (truth - got).items(): bad(f"truth row {k} x{n}: extract labels it otherwise or lacks it")
for k, n in (got - truth).items(): bad(f"extract record {k} x{n} is not a truth row")

# 2. provenance: the named rule of the record's attack kind, or default
def check_rule(r, what):
    lab, rule = r["label"], r["label_rule"]
    if lab == "benign":
        if rule != "default": bad(f"{what}: benign by rule {rule}: {r['first_seen']}")
        return
    if LABEL_OF.get(rule) != lab or rule not in events:
        bad(f"{what}: label {lab} by rule {rule!r}"); return
    start, end = events[rule]
    end = cap_end if rule == "mirai_scan_c2" else end + WINDOW
    if not start <= r["first_seen"] <= end:
        bad(f"{what}: {rule} record at {r['first_seen']} outside its attack [{start}, {end}]")
b_bi, b_uni, a_uni = records(b_out, "bidirectional"), records(b_out, "unidirectional"), records(a_out, "unidirectional")
for name, rs in (("A bi", a_bi), ("A uni", a_uni), ("B bi", b_bi), ("B uni", b_uni)):
    for r in rs: check_rule(r, name)

# 3. B's bidirectional records are A's
nokey = lambda rs: collections.Counter((r["device"], r["first_seen"], r["proto"], r["device_port"],
                                        r["remote_port"], r["label"], r["label_rule"]) for r in rs)
if nokey(a_bi) != nokey(b_bi): bad("run B's bidirectional records or labels differ from run A's")
if nokey(a_uni) != nokey(b_uni): bad("run B's unidirectional records or labels differ from run A's")

# 4. each unidirectional record: the label of the bidirectional record of its key and window
UKEY = ("device", "device_ip", "remote_ip", "proto", "device_port", "remote_port")
by_key = collections.defaultdict(list)
for r in b_bi: by_key[tuple(r[k] for k in UKEY)].append(r)
for u in b_uni:
    t = u["first_seen"]
    hold = [r for r in by_key.get(tuple(u[k] for k in UKEY), []) if r["first_seen"] <= t < r["first_seen"] + WINDOW]
    if len(hold) != 1:
        bad(f"uni record {tuple(u[k] for k in UKEY)} at {t}: {len(hold)} bidirectional windows hold it")
    elif hold[0]["label"] != u["label"]:
        bad(f"uni record {tuple(u[k] for k in UKEY)} at {t}: {u['label']} ({u['label_rule']}), "
            f"its bidirectional record {hold[0]['label']} ({hold[0]['label_rule']})")

labels = collections.Counter(r["label"] for r in a_bi)
print(f"    {len(a_bi)} bi / {len(b_uni)} uni records, labels {dict(labels)}, rules {sorted(rules)}, "
      f"{len(problems)} problems")
sys.exit(1 if problems else 0)
PY

# runs extract A and B on DIR with RULES and the checker; exit status of the checker
check() { # DIR RULES
  local d=$1 rules=$2 rc=0
  rm -rf "$d/a" "$d/b"
  "$BIN/iotflow" extract -q --devices "$d/devices.csv" --rules "$rules" -f jsonl -o "$d/a" \
    "$d/capture.pcap" 2>"$d/a.err" || { echo "    extract A failed: $(head -3 "$d/a.err")"; return 1; }
  "$BIN/iotflow" extract -q --devices "$d/devices.csv" --rules "$rules" -f jsonl --keep-private-ips \
    --device-ip -o "$d/b" "$d/capture.pcap" 2>"$d/b.err" || { echo "    extract B failed"; return 1; }
  if [ -s "$d/a.err" ]; then echo "    extract printed: $(head -3 "$d/a.err")"; rc=1; fi
  python3 "$TMP/check.py" "$d" "$rules" "$d/a" "$d/b" || rc=1
  return $rc
}

configs=(
  "s1_default|--seed 1"
  "s2_r02_d12_x2|--seed 2 --attack-ratio 0.2 --duration 5m --devices 12 --scale 2"
  "s3_r0|--seed 3 --attack-ratio 0 --duration 3m"
  "s4_small|--profile small --seed 4 --duration 2m"
  "s5_r005_d5|--seed 5 --attack-ratio 0.05 --devices 5 --duration 4m"
  "s6_r05_d3|--seed 6 --attack-ratio 0.5 --devices 3 --duration 2m"
  "s7_r03_x05|--seed 7 --attack-ratio 0.3 --duration 15m --scale 0.5 --start 2025-03-30T00:59:30.25Z"
  "s8_small_r02_x5|--profile small --seed 8 --duration 3m --scale 5 --attack-ratio 0.2"
  "s9_r001_arp_only|--profile small --seed 12 --attack-ratio 0.01 --devices 4 --duration 2m --scale 10"
)
for c in "${configs[@]}"; do
  name=${c%%|*}; d="$TMP/$name"
  # shellcheck disable=SC2086
  if ! "$BIN/iotflow" synth -q -o "$d" ${c#*|}; then echo "FAIL $name: synth failed"; fail=$((fail+1)); continue; fi
  echo "$name: ${c#*|}"
  if check "$d" "$d/labels.rules"; then echo "ok   $name"; pass=$((pass+1)); else echo "FAIL $name"; fail=$((fail+1)); fi
done

# the checker catches wrong rules (s1: recon and brute force have replies after their last unit;
# s2: the camera is infected and scans)
wrong() { # EDIT DIR DESCRIPTION EXPECTED-PROBLEM (a line the checker prints)
  local d=$2 w="$TMP/wrong-$1.rules"
  python3 - "$d" "$w" "$1" <<'PY' || { echo "FAIL wrong rules: cannot write them ($3)"; fail=$((fail+1)); return; }
import csv, re, sys
d, out, how = sys.argv[1:4]
text = orig = open(f"{d}/labels.rules").read()
if how == "last-unit":  # each window ends at events.csv's end: the last unit, not the last packet
    for e in csv.DictReader(open(f"{d}/events.csv")):
        text = re.sub(r'(rule "%s":.*?time in \[[^,]+, )[^\]]+\]' % e["kind"],
                      lambda m: m.group(1) + e["end"] + "]", text, flags=re.S)
else:  # the Mirai scan rule forgets all infected devices but the first
    text = re.sub(r'(rule "mirai_scan_c2":.*?device\.addr )\{([^,]+),[^}]*\}', r"\1\2", text, flags=re.S)
assert text != orig, "the edit changed nothing"
open(out, "w").write(text)
PY
  if ! check "$d" "$w" >"$TMP/wrong-$1.log" 2>&1 && grep -q "^    $4" "$TMP/wrong-$1.log"; then
    echo "ok   wrong rules caught: $3"; sed -n 1,3p "$TMP/wrong-$1.log"; pass=$((pass+1))
  else echo "FAIL wrong rules not caught as '$4': $3"; cat "$TMP/wrong-$1.log"; fail=$((fail+1)); fi
}
wrong last-unit "$TMP/s1_default" "s1: windows end at the last unit" "uni record"
wrong one-infected "$TMP/s2_r02_d12_x2" "s2: Mirai scan rule without camera-1" "truth row"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
