#!/usr/bin/env bash
# iotflow audit (issue "Labels", docs/LABELS.md "Leakage audit"): on labelled synth output
# (two seeds), the planted artefacts are flagged — the DDoS victim's fixed address gives the
# "ddos" label away (remote_ip), the recon burst's time window gives "recon" away
# (first_seen), the Mirai telnet ports give "mirai" away (remote_port) — and on the
# shuffled-label control nothing is flagged. The same scores come from Parquet, CSV and JSON
# Lines; --strict exits 4 on a leak and 0 on the control; a missing label column, a capture as
# input and bad options are refused with their exit codes.
#
# Env: IOF_BIN (dir with iotflow). Exit 0 / 1.
. "$(dirname "$0")/lib.bash"

for seed in 3 5; do
    S="$T/s$seed"
    "$BIN" synth -q -o "$S/in" -s $seed -d 30m || fail "synth seed $seed"
    for f in parquet csv jsonl; do
        "$BIN" extract -q --devices "$S/in/devices.csv" --rules "$S/in/labels.rules" -f $f -o "$S/$f" "$S/in/capture.pcap" \
            || fail "extract -f $f seed $seed"
        "$BIN" audit --json "$S/$f" > "$S/$f.json" || fail "audit $f seed $seed: exit $?"
    done
    # one dataset, three formats: the same scores
    python3 - "$S" <<'PY' || fail "seed $seed: the formats give different audits"
import json, sys
d = [json.load(open(f"{sys.argv[1]}/{f}.json")) for f in ("parquet", "csv", "jsonl")]
for x in d[1:]:
    if x["columns"] != d[0]["columns"] or x["records"] != d[0]["records"]:
        sys.exit("differ")
PY
    python3 - "$S/parquet.json" <<'PY' || fail "seed $seed: the planted artefacts are not flagged"
import json, sys
a = json.load(open(sys.argv[1]))
cols = {c["column"]: c for c in a["columns"]}
labels = {l["value"] for l in a["labels"]}
want = {"remote_ip": "ddos", "first_seen": "recon", "remote_port": "mirai"}
for col, lab in want.items():
    if lab not in labels:
        continue
    c = cols[col]
    if c["flag"] != "LEAK" or c["gives_away"] != lab or c["informedness"] < 0.9:
        sys.exit(f"{col}: {c} (expected LEAK giving away {lab})")
# traffic measures are never called leaks, and the device type (several devices of each) is not
if any(c["flag"] == "LEAK" for c in a["columns"] if c["class"] == "traffic"):
    sys.exit("a traffic column flagged LEAK")
if cols["device_type"]["flag"]:
    sys.exit(f"device_type flagged: {cols['device_type']}")
PY
    # the control: labels shuffled, nothing flagged; --strict 0 there, 4 on the real labels
    for shuf in 1 2 3; do
        "$BIN" audit --strict --shuffle $shuf "$S/parquet" > "$S/ctl.txt" || fail "seed $seed shuffle $shuf flagged: $(cat "$S/ctl.txt")"
        grep -q 'verdict: OK' "$S/ctl.txt" || fail "control verdict: $(tail -1 "$S/ctl.txt")"
    done
    "$BIN" audit --strict "$S/parquet" > "$S/strict.txt"
    rc=$?
    [ $rc -eq 4 ] || fail "--strict on leaking labels: exit $rc, expected 4"
    grep -q 'verdict: LEAK' "$S/strict.txt" || fail "no LEAK verdict"
done

S="$T/s3"
# one dataset written in the three formats side by side, given file by file (a file twice, and
# its directory too): audited once, the Parquet file's scores; the files left out are named
"$BIN" extract -q --devices "$S/in/devices.csv" --rules "$S/in/labels.rules" -f parquet,csv,jsonl -o "$S/all" \
    "$S/in/capture.pcap" || fail "extract -f parquet,csv,jsonl"
"$BIN" audit --json "$S/all/bidirectional/"* "$S/all/bidirectional/./24-06-23.csv" "$S/all" > "$S/files.json" \
    2> "$S/files.err" || fail "audit on the files: exit $?"
python3 - "$S/parquet.json" "$S/files.json" <<'PY' || fail "the formats given as files give another audit (counted more than once?)"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
sys.exit(a["columns"] != b["columns"] or a["records"] != b["records"])
PY
grep -q "bidirectional/24-06-23.csv left out: the same records as .*bidirectional/24-06-23.parquet in another format" \
    "$S/files.err" || fail "the CSV left out is not named: $(cat "$S/files.err")"
grep -q "bidirectional/./24-06-23.csv left out: the same file as" "$S/files.err" || fail "the file given twice is not named"
# a dataset's parts in different formats (two directories): each value keyed the same way
# whatever its file's format (a CSV port is the port 443, not the text "443")
cp -r "$S/csv" "$S/csv2"
cp -r "$S/parquet" "$S/parquet2"
for pair in "csv csv2" "csv parquet" "jsonl parquet" "csv jsonl" "parquet parquet2"; do
    set -- $pair
    "$BIN" audit --json "$S/$1" "$S/$2" > "$S/mix-$1-$2.json" || fail "audit $1 + $2: exit $?"
done
python3 - "$S" <<'PY' || fail "a dataset's parts in different formats give another audit"
import json, sys
d = {p: json.load(open(f"{sys.argv[1]}/mix-{p}.json")) for p in ("parquet-parquet2", "csv-csv2", "csv-parquet", "jsonl-parquet", "csv-jsonl")}
one = json.load(open(f"{sys.argv[1]}/parquet.json"))
ref = d["parquet-parquet2"]
for p, x in d.items():
    if x["columns"] != ref["columns"] or x["records"] != ref["records"]:
        sys.exit(f"{p} differs from parquet + parquet")
# the same records twice: as many distinct values as once
if {c["column"]: c["distinct"] for c in ref["columns"]} != {c["column"]: c["distinct"] for c in one["columns"]}:
    sys.exit("distinct values differ from one copy")
PY
"$BIN" audit --label attack "$S/parquet" > "$T/nolabel.out" 2>&1
rc=$?
[ $rc -eq 2 ] || fail "a missing label column: exit $rc, expected 2"
grep -q 'attack' "$T/nolabel.out" || fail "the message does not name the column: $(cat "$T/nolabel.out")"
"$BIN" audit "$S/in/capture.pcap" > "$T/cap.out" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "a capture as input: exit $rc, expected 1"
for bad in "--threshold 0" "--threshold 2" "--variant both" "--max-rows 0" "--shuffle 0" "--nope"; do
    # shellcheck disable=SC2086
    "$BIN" audit $bad "$S/parquet" > /dev/null 2>&1
    rc=$?
    [ $rc -eq 1 ] || fail "audit $bad: exit $rc, expected 1"
done
# --max-rows: later records are counted, not scored
"$BIN" audit --json --max-rows 100 "$S/parquet" > "$T/cap100.json" || fail "--max-rows 100"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); sys.exit(not (a["records"]==100 and a["records_over_max_rows"]>0))' "$T/cap100.json" \
    || fail "--max-rows 100: $(cat "$T/cap100.json")"
echo "PASS: audit flags the planted artefacts and nothing on the shuffled control"
