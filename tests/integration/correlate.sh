#!/usr/bin/env bash
# iotflow correlate (issue "Cyber-physical fusion", docs/SENSORS.md): on iotflow synth output
# (3 hours, two seeds) every planted coupling of events.csv is ranked first for its trigger
# sensor, significant, at its planted lag +-1 s:
#   motion onset -> the motion sensor's CoAP report (lag 0) or the camera stream (lag 1);
#   plug power step -> that plug's MQTT report (lag 1);
#   thermostat alert_flag 0->1 -> the thermostat's MQTT publish (lag 1);
# and the camera's traffic is best explained by a motion sensor at lag 1. Controls: the sensor
# file shifted by one hour and by 70 minutes: nothing significant. On a 40-minute run: the
# same CSV from the capture and from its timeline table (Parquet and CSV), and with --threads 1. --plot writes an
# SVG that parses as XML and renders to PNG (rsvg-convert). A synth directory (capture + CSV
# files) reads the capture. Errors: exit codes and messages, a damaged capture (pairs, then exit
# 2), hostile timeline rows (file and row named), a plot path that is not a regular file.
#
# Env: IOF_BIN (dir with iotflow). Exit 0 / 1.
. "$(dirname "$0")/lib.bash"

check_planted() { # DIR CSV
    python3 - "$1" "$2" <<'PY'
import csv, sys
d, out = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(out)))
ev = list(csv.DictReader(open(f"{d}/events.csv")))
# trigger sensor (device, column) -> {reacting device: planted lag}
planted = {}
count = {}
for e in ev:
    devs = e["devices"].split(";")
    if e["kind"] == "coupling_motion_camera":
        key = (devs[0], "motion")
        planted.setdefault(key, {})[devs[0]] = 0      # CoAP POST at t + 0.3 s
        planted[key][devs[1]] = 1                     # camera stream at t + 1 s
    elif e["kind"] == "coupling_power_report":
        key = (devs[0], "power")
        planted.setdefault(key, {})[devs[0]] = 1
    elif e["kind"] == "coupling_alert_report":
        key = (devs[0], "alert_flag")
        planted.setdefault(key, {})[devs[0]] = 1
    else:
        continue
    count[key] = count.get(key, 0) + 1
kinds = {k[1] for k, n in count.items() if n >= 5}
for need in ("motion", "power", "alert_flag"):
    if need not in kinds:
        sys.exit(f"events.csv has fewer than 5 instances of every {need} coupling: {count}")
checked = 0
for key, n in sorted(count.items()):
    if n < 5:      # a handful of instances: fewer than 10 events, never scored
        continue
    top = next((r for r in rows if (r["sensor_device"], r["sensor"]) == key), None)
    if top is None:
        sys.exit(f"{key}: no pair at all ({n} instances)")
    lag = planted[key].get(top["traffic_device"])
    if lag is None or abs(int(top["lag_s"]) - lag) > 1 or top["significant"] != "true":
        sys.exit(f"{key}: top pair {top} is not a planted reaction {planted[key]}")
    checked += 1
cam = next(r for r in rows if r["traffic_device"].startswith("camera"))
if not (cam["sensor"] == "motion" and abs(int(cam["lag_s"]) - 1) <= 1 and cam["significant"] == "true"):
    sys.exit(f"camera traffic: top pair {cam} is not motion at lag 1")
print(f"planted couplings ranked first: {checked} trigger sensors, camera <- {cam['sensor_device']} at lag {cam['lag_s']}")
PY
}

n_significant() { python3 -c 'import csv,sys; print(sum(r["significant"]=="true" for r in csv.DictReader(open(sys.argv[1]))))' "$1"; }

for seed in 3 5; do
    S="$T/s$seed"
    "$BIN" synth -q -o "$S" -s $seed -d 3h || fail "synth seed $seed"
    "$BIN" correlate --csv --sensors "$S/sensors.csv" --devices "$S/devices.csv" "$S/capture.pcap" > "$S/c.csv" 2> "$S/err" \
        || fail "correlate seed $seed: exit $?: $(cat "$S/err")"
    check_planted "$S" "$S/c.csv" || fail "seed $seed: planted couplings"
    # controls: the sensor readings moved by about an hour. Without the family-wise correction
    # seed 5 at 3205 s had a chance pair at z 6.65 (4 of 32 random offsets had one); without the
    # burst rule seed 3 at 4012 s had a plug's one alert burst in its own flood at z 15.2
    # (docs/SENSORS.md "Controls"): both are among these fixed offsets
    if [ $seed = 5 ]; then shifts="3600 3205 4200"; else shifts="4012"; fi
    for shift in $shifts; do
        python3 - "$S/sensors.csv" "$S/shift.csv" $shift <<'PY'
import csv, sys, datetime as dt
src, dst, sh = sys.argv[1], sys.argv[2], int(sys.argv[3])
r = csv.reader(open(src)); w = csv.writer(open(dst, "w", newline=""), lineterminator="\n")
w.writerow(next(r))
for row in r:
    t = dt.datetime.strptime(row[0], "%Y-%m-%dT%H:%M:%SZ") + dt.timedelta(seconds=sh)
    w.writerow([t.strftime("%Y-%m-%dT%H:%M:%SZ")] + row[1:])
PY
        "$BIN" correlate --csv --sensors "$S/shift.csv" --devices "$S/devices.csv" "$S/capture.pcap" > "$S/ctl.csv" \
            || fail "control shift $shift"
        [ "$(n_significant "$S/ctl.csv")" = 0 ] || fail "control shifted by $shift s: significant pairs: $(grep true "$S/ctl.csv" | head -3)"
        [ "$(wc -l < "$S/ctl.csv")" -gt 100 ] || fail "control shifted by $shift s: too few pairs scored"
    done
    rm -f "$S/capture.pcap"
done

# the same pairs from the capture, its timeline table (Parquet, CSV) and with --threads 1; the
# table and the plot (a 40-minute run: enough for the null's copies, quicker than 3 hours)
S="$T/s7"
"$BIN" synth -q -o "$S" -s 7 -d 40m || fail "synth seed 7"
"$BIN" correlate --csv --sensors "$S/sensors.csv" --devices "$S/devices.csv" "$S/capture.pcap" > "$S/c.csv" \
    || fail "correlate seed 7"
# the timeline table, written and read back, gives the same pairs
for f in parquet csv; do
    "$BIN" extract -q --devices "$S/devices.csv" --table timeline -f $f -o "$S/tl-$f" "$S/capture.pcap" \
        || fail "extract timeline $f"
    "$BIN" correlate --csv --sensors "$S/sensors.csv" --devices "$S/devices.csv" "$S/tl-$f" > "$S/c-$f.csv" \
        || fail "correlate on the $f timeline"
    cmp -s "$S/c.csv" "$S/c-$f.csv" || fail "the $f timeline table gives other pairs than the capture"
done
# one table in both formats side by side, given file by file (and one file twice): read once,
# Parquet kept, and the files left out named
"$BIN" extract -q --devices "$S/devices.csv" --table timeline -f parquet,csv -o "$S/tl-both" "$S/capture.pcap" \
    || fail "extract timeline parquet,csv"
"$BIN" correlate --csv --sensors "$S/sensors.csv" --devices "$S/devices.csv" "$S/tl-both/timeline/"* \
    "$S/tl-both/timeline/./24-06-23.csv" > "$S/c-files.csv" 2> "$S/e-files" || fail "correlate on the table's files"
cmp -s "$S/c.csv" "$S/c-files.csv" || fail "a table's two formats given as files give other pairs (counted twice?)"
grep -q "timeline/24-06-23.csv left out: the same records as .*timeline/24-06-23.parquet" "$S/e-files" \
    || fail "the CSV left out is not named: $(cat "$S/e-files")"
grep -q "timeline/./24-06-23.csv left out: the same file as" "$S/e-files" || fail "the file given twice is not named"
"$BIN" correlate --csv --threads 1 --sensors "$S/sensors.csv" --devices "$S/devices.csv" "$S/tl-csv" > "$S/c1.csv" \
    || fail "correlate --threads 1"
cmp -s "$S/c.csv" "$S/c1.csv" || fail "--threads 1 gives other pairs"
# the table and the plot
"$BIN" correlate --top 5 --plot "$S/plot.svg" --sensors "$S/sensors.csv" --devices "$S/devices.csv" "$S/tl-csv" \
    > "$S/table.txt" || fail "correlate --plot"
grep -q "significant: [1-9]" "$S/table.txt" || fail "table: $(cat "$S/table.txt")"
[ "$(grep -c '^ *[0-9]\+  ' "$S/table.txt")" = 5 ] || fail "table: not 5 ranked rows: $(cat "$S/table.txt")"
python3 -c 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); sys.exit(0 if r.tag.endswith("svg") else 1)' \
    "$S/plot.svg" || fail "the plot is not an SVG document"
! grep -qiE 'nan|inf[^o]' "$S/plot.svg" || fail "the plot has NaN or infinite numbers"
if command -v rsvg-convert >/dev/null; then
    rsvg-convert -o "$S/plot.png" "$S/plot.svg" 2> "$S/rsvg.err" || fail "rsvg-convert: $(cat "$S/rsvg.err")"
    [ "$(head -c 8 "$S/plot.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "no PNG rendered"
    [ "$(stat -c %s "$S/plot.png")" -gt 20000 ] || fail "the rendered plot is nearly empty"
else
    echo "note: rsvg-convert missing (Debian librsvg2-bin): the plot was not rendered"
fi
[ -z "$(find "$S" -name '.*.tmp.*')" ] || fail "temporary files left"

# errors
"$BIN" synth -q -o "$T/small" -s 1 -d 2m --start 2025-01-01T00:00:00Z || fail "synth small"
"$BIN" correlate "$T/small/capture.pcap" >/dev/null 2>&1; [ $? = 1 ] || fail "no --sensors: not exit 1"
"$BIN" correlate --sensors "$T/small/sensors.csv" --max-lag 0 "$T/small/capture.pcap" >/dev/null 2>&1; [ $? = 1 ] || fail "--max-lag 0 accepted"
# readings of another day: no overlap, said with both spans
"$BIN" correlate --sensors "$S/sensors.csv" "$T/small/capture.pcap" >/dev/null 2> "$T/e"; [ $? = 1 ] || fail "no overlap: not exit 1"
grep -q "no reading falls inside" "$T/e" || fail "no-overlap message: $(cat "$T/e")"
printf 'timestamp,device_id,power\n2024-06-23T18:00:00Z,plug-1,3\n2024-06-23T18:00:01,plug-1,3\n' > "$T/bad.csv"
"$BIN" correlate --sensors "$T/bad.csv" "$T/small/capture.pcap" >/dev/null 2> "$T/e"; rc=$?
[ $rc = 1 ] || fail "malformed sensors: exit $rc"
grep -q "bad.csv:3" "$T/e" || fail "malformed sensors message has no file:line: $(cat "$T/e")"
"$BIN" correlate --sensors "$T/nonexistent.csv" "$T/small/capture.pcap" >/dev/null 2>&1; [ $? = 1 ] || fail "missing sensors file: not exit 1"
"$BIN" correlate --sensors "$T/small/sensors.csv" "$T/nonexistent.pcap" >/dev/null 2>&1; [ $? = 2 ] || fail "missing capture: not exit 2"
"$BIN" correlate --sensors "$T/small/sensors.csv" --plot /proc/nonexistent/x.svg "$T/small/capture.pcap" >/dev/null 2>&1
[ $? = 3 ] || fail "unwritable plot: not exit 3"
mkfifo "$T/fifo.svg"
"$BIN" correlate --sensors "$S/sensors.csv" --plot "$T/fifo.svg" "$S/tl-csv" >/dev/null 2> "$T/e"; [ $? = 3 ] \
    || fail "a plot path that is not a regular file: not exit 3"
[ -p "$T/fifo.svg" ] || fail "the fifo was replaced"
# a directory with the capture and synth's CSV files: the capture is read, the tables ignored (said)
"$BIN" correlate --csv --sensors "$S/sensors.csv" --devices "$S/devices.csv" "$S" > "$T/dir.csv" 2> "$T/e" \
    || fail "a synth directory as input: $(cat "$T/e")"
cmp -s "$T/dir.csv" "$S/c.csv" || fail "the synth directory gives other pairs than its capture"
grep -q "ignored" "$T/e" || fail "the ignored tables are not said: $(cat "$T/e")"
# a damaged capture after a good one: the pairs of what was read, then exit 2 (as extract)
head -c 300000 "$S/capture.pcap" > "$T/cut.pcap"
"$BIN" correlate --csv --sensors "$S/sensors.csv" "$S/capture.pcap" "$T/cut.pcap" > "$T/cut.csv" 2> "$T/e"; rc=$?
[ $rc = 2 ] || fail "a truncated capture: exit $rc, not 2"
[ "$(wc -l < "$T/cut.csv")" -gt 10 ] || fail "a truncated capture: the pairs of what was read are not printed"
grep -q "cut.pcap" "$T/e" || fail "the damaged capture is not named: $(cat "$T/e")"
# hostile timeline rows: file and row named, exit 2; nothing hangs
mkdir -p "$T/bad"
printf '{"timestamp":9300000000000000,"device_id":"a","packets_out":1,"packets_in":0,"bytes_out":1,"bytes_in":0,"flows_out":1,"flows_in":0}\n' > "$T/bad/t.jsonl"
printf '{"timestamp":"2024-06-23T18:00:00Z","device_id":"a\\u0000b","packets_out":1,"packets_in":0,"bytes_out":1,"bytes_in":0,"flows_out":1,"flows_in":0}\n' > "$T/bad/u.jsonl"
for f in t u; do
    timeout 20 "$BIN" correlate --sensors "$S/sensors.csv" "$T/bad/$f.jsonl" >/dev/null 2> "$T/e"; rc=$?
    [ $rc = 2 ] || fail "hostile timeline row $f: exit $rc: $(cat "$T/e")"
    grep -q "$f.jsonl" "$T/e" && grep -q "row 1" "$T/e" || fail "hostile row $f: file and row not named: $(cat "$T/e")"
done
echo "ok: correlate"
