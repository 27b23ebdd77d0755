#!/usr/bin/env bash
# The label rules' `app` condition (docs/LABELS.md "Applications", src/flow/appmap.c) against
# nDPI's own reader, ndpiReader (Debian libndpi-bin), on corpus captures of IoT devices, phones
# and home networks:
#   - extract --rules (one rule per name ndpiReader gives) --device-ip, CSV, bidirectional:
#     every row's label is the name ndpiReader gives its connection (app_labels.py); JSON Lines
#     carries the same labels; --features l7's column l7_app is the name the label has (null
#     where the label says missing) in both; Parquet with --threads 1 is byte for byte the default run's;
#   - -f joy --rules: every Joy flow's label is ndpiReader's name of its connection, and the
#     custom-flow CSV of a run with -f joy too is byte for byte the one without;
#   - the summary's "applications" line and the stats JSON add up: every connection settled
#     once or still inspected, every answer detected, guessed or unknown;
#   - --table telemetry rows carry ndpiReader's name once nDPI named the connection (never
#     another), and the same labels whatever --window;
#   - iotflow label refuses rules on app: exit 1, nothing written.
# Skips (77) without the corpus, without ndpiReader, or when iotflow was built without nDPI
# (the refusal of such a build is checked by scripts/test.sh on its build without nDPI).
source "$(dirname "$0")/lib.bash"
need_corpus
if ! command -v ndpiReader >/dev/null; then echo "SKIP: ndpiReader (libndpi-bin) is not installed"; exit 77; fi
if "$BIN" --version | grep -q "without nDPI"; then echo "SKIP: iotflow was built without nDPI"; exit 77; fi

caps=(iot__ndpi-alexa-app__alexa-app.pcapng home__ndpi-android__android.pcap
      iot__xiaodu-smart-plug-68min__xiaodu_plug.pcap iot__iotsentinel-HueBridge-setup__Setup-A-2-STA.pcap
      iot__ndpi-tplink-shp__tplink_shp.pcap iot__ndpi-rtsp-camera-sll__rtsp.pcap
      iot__ndpi-coap-and-mqtt__coap_mqtt.pcap iot__ndpi-sonos__sonos.pcapng)
ran=0 named=0
for cap in "${caps[@]}"; do
    C=$CORPUS/$cap
    [ -f "$C" ] || continue
    ran=$((ran + 1))
    name=${cap%.*}
    out=$T/$name
    ndpiReader -i "$C" -v 2 > "$out.nr" 2>/dev/null || fail "ndpiReader $cap"
    python3 "$HERE/app_labels.py" rules "$out.nr" > "$out.rules" || fail "$cap: rules"
    "$BIN" extract --rules "$out.rules" --features l7 --device-ip --keep-private-ips -f csv,jsonl --layout wide --variant bi \
        --stats "$out.stats.json" -o "$out" "$C" > "$out.log" 2>&1 || { cat "$out.log"; fail "$cap: extract"; }
    python3 "$HERE/app_labels.py" records "$out.nr" $(find "$out" -name '*.csv' | sort) > "$out.cmp" \
        || { cat "$out.cmp"; fail "$cap: custom-flow labels differ from ndpiReader's"; }
    cat "$out.cmp" | head -1
    named=$((named + $(sed -n 's/.*(\([0-9]*\) named).*/\1/p' "$out.cmp")))
    for f in $(cd "$out" && find . -name '*.csv' | sort); do
        python3 - "$out/$f" "$out/${f%.csv}.jsonl" "$T/l7.count" <<'PY' || fail "$cap: $f: JSON Lines labels differ from the CSV's, or l7_app from the labels"
import csv, json, sys
a = [(r["app_label"], r["app_label_rule"], r["l7_app"] or None) for r in csv.DictReader(open(sys.argv[1], newline=""))]
b = [(r["app_label"], r["app_label_rule"], r["l7_app"]) for r in map(json.loads, open(sys.argv[2]))]
# --features l7's column is what the rules' app reads: "=NAME" <-> NAME, "missing" <-> null
bad = [r for r in a if (r[0].startswith("=") and r[2] != r[0][1:]) or (r[0] == "missing") != (r[2] is None)]
print(bad[:5]) if bad else None
open(sys.argv[3], "a").write(f"{sum(1 for r in a if r[2])}\n")
sys.exit(0 if a == b and not bad else 1)
PY
    done
    python3 - "$out.stats.json" "$out.log" <<'PY' || fail "$cap: the applications counts do not add up"
import json, re, sys
a = json.load(open(sys.argv[1]))["applications"]
settled = sum(a["settled"].values())
ok = (settled + a["inspecting_at_end"] == a["connections"] and a["detected"] + a["guessed"] + a["unknown"] == settled
      and a["inspected"] <= a["packets"] and a["connections"] > 0 and a["ndpi"])
line = re.search(r"applications \(rules on app, --features l7, nDPI [^)]*\): (\d+) connection", open(sys.argv[2]).read())
ok = ok and line is not None and int(line.group(1)) == a["connections"]
print(a) if not ok else None
sys.exit(0 if ok else 1)
PY
    "$BIN" extract --rules "$out.rules" --features l7 -f parquet -o "$out.p" "$C" > /dev/null 2>&1 || fail "$cap: parquet"
    "$BIN" extract --rules "$out.rules" --features l7 -f parquet --threads 1 -o "$out.t1" "$C" > /dev/null 2>&1 \
        || fail "$cap: parquet --threads 1"
    same_bytes "$cap: --threads 1" "$out.p" "$out.t1"
    "$BIN" extract -f joy --rules "$out.rules" -o - "$C" 2> "$out.joy.log" > "$out.joy.ndjson" \
        || { cat "$out.joy.log"; fail "$cap: -f joy"; }
    python3 "$HERE/app_labels.py" joy "$out.nr" "$out.joy.ndjson" || fail "$cap: Joy labels differ from ndpiReader's"
    # Joy flows settle connections too: the custom-flow labels stay those of a run without them
    "$BIN" extract --rules "$out.rules" --features l7 --device-ip --keep-private-ips -f csv,joy --layout wide --variant bi \
        -o "$out.both" "$C" > /dev/null 2>&1 || fail "$cap: -f csv,joy"
    for f in $(cd "$out" && find . -name '*.csv' | sort); do
        cmp -s "$out/$f" "$out.both/$f" || fail "$cap: $f: the records' labels change with -f joy in the same run"
    done
done
[ $ran -ge 4 ] || { echo "SKIP: fewer than 4 of the captures are in the corpus"; exit 77; }
[ $named -ge 100 ] || fail "only $named rows were named: the comparison says little"
l7=$(awk '{s += $1} END {print s + 0}' "$T/l7.count")
# --features l7 without rules (the map kept for the column alone): the same l7_app per row as the
# run with rules, and the summary says why the map is kept
cap=${caps[0]}; out=$T/${cap%.*}
"$BIN" extract --features l7 --device-ip --keep-private-ips -f csv --layout wide --variant bi -o "$out.l7" \
    "$CORPUS/$cap" > "$out.l7.log" 2>&1 || { cat "$out.l7.log"; fail "$cap: --features l7 alone"; }
grep -q "applications (--features l7, nDPI" "$out.l7.log" || fail "$cap: --features l7 alone: no applications line"
for f in $(cd "$out.l7" && find . -name '*.csv'); do
    python3 - "$out/$f" "$out.l7/$f" <<'PY' || fail "$cap: $f: l7_app differs without --rules"
import csv, sys
a = [r["l7_app"] for r in csv.DictReader(open(sys.argv[1], newline=""))]
b = [r["l7_app"] for r in csv.DictReader(open(sys.argv[2], newline=""))]
sys.exit(0 if a == b and any(a) else 1)
PY
done
[ "$l7" -ge 100 ] || fail "only $l7 rows have an l7_app: the comparison says little"

# telemetry rows: each carries ndpiReader's name of its connection once nDPI named it (never
# another name), and the labels do not depend on --window (custom-flow records are not written
# in a telemetry run: they settle nothing)
name=iot__ndpi-alexa-app__alexa-app
if [ -f "$T/$name.rules" ]; then
    for w in 5 60; do
        "$BIN" extract --window $w --table telemetry --rules "$T/$name.rules" --device-ip --keep-private-ips -f csv \
            -o "$T/tel$w" "$CORPUS/$name.pcapng" > /dev/null 2>&1 || fail "telemetry --window $w"
    done
    diff -r "$T/tel5" "$T/tel60" > /dev/null || fail "telemetry labels change with --window"
    python3 "$HERE/app_labels.py" telemetry "$T/$name.nr" $(find "$T/tel60" -name '*.csv') > "$T/tel.cmp" \
        || { cat "$T/tel.cmp"; fail "telemetry rows carry another name than ndpiReader's"; }
    head -1 "$T/tel.cmp"
    n=$(sed -n 's/.*(\([0-9]*\) named).*/\1/p' "$T/tel.cmp")
    [ "$n" -ge 300 ] || fail "telemetry: only $n rows named"
fi

# iotflow label: refused, nothing written
label_refuses "$T/${caps[0]%.*}.rules" "$(find "$T/${caps[0]%.*}" -name '*.csv' | head -1)" app
echo "PASS: app labels on $ran captures ($named named rows) equal ndpiReader's"
