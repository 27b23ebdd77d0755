#!/usr/bin/env bash
# How many records got a sensor reading (docs/OUTPUT.md "Records that got a reading"): on an
# iotflow synth capture, `extract --sensors` counts per variant the written records with a
# sensor device and with a reading, in the summary and in --stats (sensors.joined); the count
# equals the CSV rows with a sensor cell that is not empty (counted here, independently), and is
# the same with --threads 1, 2 and 3. A sensor file a day off the capture (every reading outside
# the records' times) gives no record a reading: verdict WARN naming the file and why (exit 4
# with --strict), also with --table telemetry and timeline and for `iotflow fuse CAPTURE`; the
# right file gives verdict OK.
#
# Env: IOF_BIN (dir with iotflow). Exit 0 / 1.
. "$(dirname "$0")/lib.bash"

D="$T/D"
"$BIN" synth -q -o "$D" --seed 5 --duration 5m || fail "synth"
sed 's/^2024-06-23/2024-06-22/' "$D/sensors.csv" > "$T/dayoff.csv"
grep -q '^2024-06-22' "$T/dayoff.csv" || fail "the synth sensor file's timestamps are not 2024-06-23 any more: adapt the test"

# the right file: counts, equal to the rows with a sensor value, the same for any --threads
for n in 1 2 3; do
  "$BIN" extract --threads $n "$D/capture.pcap" --devices "$D/devices.csv" --sensors "$D/sensors.csv" -f csv \
      --stats "$T/st$n.json" -o "$T/out$n" 2> "$T/sum$n" || fail "extract --threads $n: exit $?"
  grep -q "^verdict: OK" "$T/sum$n" || fail "--threads $n: verdict not OK: $(tail -1 "$T/sum$n")"
done
python3 - "$T" "$D" <<'PY' || fail "joined counts"
import csv, glob, json, sys
T, D = sys.argv[1], sys.argv[2]
with open(D + "/sensors.csv") as f:
    cols = [c for c in next(csv.reader(f)) if c not in ("timestamp", "device_id")]
joined = [json.load(open(f"{T}/st{n}.json"))["sensors"]["joined"] for n in (1, 2, 3)]
assert joined[0] == joined[1] == joined[2], f"--threads changes the counts: {joined}"
summary = open(T + "/sum1").read()
for variant, key in (("bidirectional", "bidirectional"), ("unidirectional", "unidirectional")):
    rows = with_reading = 0
    for path in glob.glob(f"{T}/out1/{variant}/*.csv"):
        with open(path) as f:
            for r in csv.DictReader(f):
                rows += 1
                sens = [v for k, v in r.items() if any(k.startswith(c + "_") for c in cols)
                        or k in ("motion_any", "alert_any")]
                assert sens, f"no sensor column in {path}: {list(r)}"
                with_reading += any(v != "" for v in sens)
    j = joined[0][key]
    assert j["rows"] == rows, f"{key}: stats rows {j['rows']}, CSV rows {rows}"
    assert j["with_reading"] == with_reading, f"{key}: stats with_reading {j['with_reading']}, CSV {with_reading}"
    assert 0 < with_reading < rows, f"{key}: {with_reading} of {rows}: the capture should have both kinds"
    assert j["with_sensor_device"] >= with_reading, j
    line = (f"    {variant} records with a sensor device: {j['with_sensor_device']} of {rows} "
            f"(the others: sensor columns null); with a reading: {with_reading}")
    assert line in summary, f"summary lacks: {line}"
print(f"ok   joined counts {joined[0]} = the CSV rows with a sensor value, threads 1/2/3 alike")
PY

# a day off: no record joined -> WARN, and exit 4 with --strict
"$BIN" extract "$D/capture.pcap" --devices "$D/devices.csv" --sensors "$T/dayoff.csv" -f csv \
    --stats "$T/off.json" -o "$T/off" 2> "$T/off.sum" || fail "extract, day off: exit $?"
grep -q "^verdict: WARN: .*dayoff.csv: no record got a sensor reading (every sensor column null): their times are outside the readings (another day or time zone?); the readings span 2024-06-22T" "$T/off.sum" \
  || fail "day off: no WARN naming the file: $(tail -1 "$T/off.sum")"
python3 -c "
import json, sys
j = json.load(open('$T/off.json'))
assert j['verdict']['status'] == 'WARN', j['verdict']
for k, v in j['sensors']['joined'].items():
    assert v['rows'] > 0 and v['with_sensor_device'] > 0 and v['with_reading'] == 0, (k, v)
" || fail "day off: stats"
"$BIN" extract -q --strict "$D/capture.pcap" --devices "$D/devices.csv" --sensors "$T/dayoff.csv" -o "$T/off4" 2>/dev/null
rc=$?; [ $rc -eq 4 ] || fail "day off with --strict: exit $rc, not 4"
echo "ok   a sensor file a day off: WARN naming it, exit 4 with --strict"

# the ids match no device: the other reason
sed '2,$ s/^\([^,]*\),/\1,x-/' "$D/sensors.csv" > "$T/noids.csv"
"$BIN" extract "$D/capture.pcap" --devices "$D/devices.csv" --sensors "$T/noids.csv" -f csv -o "$T/noids" \
    2> "$T/noids.sum"
grep -q "^verdict: WARN: .*noids.csv: no record got a sensor reading (every sensor column null): no record's device is one of the sensor file's" \
  "$T/noids.sum" || fail "ids of no device: $(tail -1 "$T/noids.sum")"
echo "ok   ids of no device: WARN, the reason said"

# the tables, and fuse CAPTURE (the same run)
for table in telemetry timeline; do
  "$BIN" extract --table $table "$D/capture.pcap" --devices "$D/devices.csv" --sensors "$T/dayoff.csv" -f csv \
      --stats "$T/$table.json" -o "$T/$table" 2> "$T/$table.sum" || fail "--table $table: exit $?"
  grep -q "^verdict: WARN: .*dayoff.csv: no row got a sensor reading" "$T/$table.sum" \
    || fail "--table $table, day off: $(tail -1 "$T/$table.sum")"
  grep -q "^    $table rows with a sensor device: [1-9][0-9]* of [1-9][0-9]* (the others: sensor columns null); with a reading: 0$" \
    "$T/$table.sum" || fail "--table $table: no count line"
done
"$BIN" fuse --strict --sensors "$T/dayoff.csv" --devices "$D/devices.csv" -f csv -o "$T/fuse" "$D/capture.pcap" \
    2> "$T/fuse.sum"
rc=$?; [ $rc -eq 4 ] || fail "fuse CAPTURE --strict, day off: exit $rc, not 4"
grep -q "no record got a sensor reading" "$T/fuse.sum" || fail "fuse CAPTURE: $(tail -1 "$T/fuse.sum")"
echo "ok   telemetry, timeline, fuse CAPTURE: WARN when nothing joined"
echo "PASS sensors_joined"
