#!/usr/bin/env bash
# extract --table timeline --sensors FILE [--tolerance S] (docs/OUTPUT.md "The timeline table",
# docs/SENSORS.md): on an iotflow synth capture each sensor column of sensors.csv becomes a timeline
# column whose value, per device and second, is the as-of reading at the second's last instant
# (checked against an independent Python reading of the file); devices without sensors have empty
# cells; the rows and traffic columns are those of a run without --sensors; Parquet holds the same
# values (when pqcheck is usable). Hand-made files: the tolerance's both ends (2 s / 3 s), a device
# given by MAC (with and without --devices), an out-of-order and a duplicate row and a skipped row
# (counted in the summary and the stats JSON; WARN, exit 4 under --strict), a malformed file
# (exit 1, file:line), a column named like a timeline column and --sensors with -f joy (exit 1;
# the custom-flow and telemetry tables' sensor context: fuse.sh).
#
# Env: IOF_BIN (dir with iotflow), IOF_SHARED (optional: the Parquet validator). Exit 0 / 1.
. "$(dirname "$0")/lib.bash"

D="$T/D"
"$BIN" synth -q -o "$D" --seed 3 --duration 10m || fail "synth"
"$BIN" extract -q "$D/capture.pcap" --devices "$D/devices.csv" --sensors "$D/sensors.csv" --table timeline \
    -f csv,parquet --stats "$T/st.json" -o "$T/out" || fail "extract --sensors: exit $?"
"$BIN" extract -q "$D/capture.pcap" --devices "$D/devices.csv" --table timeline -f csv -o "$T/plain" \
    || fail "extract without --sensors: exit $?"
day=$(cd "$T/out/timeline" && ls *.csv | head -1)
day=${day%.csv}
PQROWS=
pq_rows "$T/out/timeline/$day.parquet" "$T/pq.jsonl" && PQROWS="$T/pq.jsonl"

# The expected value of a (device, column, second): the last reading with
# end - tol <= time <= end, end = the second's last instant (ns); missing cells are not readings.
cat > "$T/asof.py" <<PY
import sys
sys.path.insert(0, "$HERE")
from sensors_ref import ns, asof_at, load as load3
def load(path, alias=None):
    cols, _, series = load3(path, alias)
    return cols, series
def asof(series, key, sec_ns, tol_ns):
    return asof_at(series, key, sec_ns + 10**9 - 1, tol_ns)
PY

python3 - "$T" "$D" "$day" "$PQROWS" <<'PY' || fail "sensor columns of the synth run"
import csv, json, sys
T, D, day, pq = sys.argv[1:5]
sys.path.insert(0, T)
from asof import load, asof, ns
cols, series = load(f"{D}/sensors.csv")
rows = list(csv.DictReader(open(f"{T}/out/timeline/{day}.csv")))
plain = list(csv.DictReader(open(f"{T}/plain/timeline/{day}.csv")))
traffic = list(plain[0].keys())
if list(rows[0].keys()) != traffic + cols:
    sys.exit(f"columns {list(rows[0].keys())}, expected {traffic + cols}")
if len(rows) != len(plain) or any([r[c] for c in traffic] != [p[c] for c in traffic] for r, p in zip(rows, plain)):
    sys.exit("rows or traffic columns differ from the run without --sensors")
sensed = {k[0] for k in series}
checked = same_second = 0
for r in rows:
    sec = ns(r["timestamp"])
    for c in cols:
        want = asof(series, (r["device_id"], c), sec, 2 * 10**9)
        got = r[c]
        if r["device_id"] not in sensed and got != "":
            sys.exit(f"{r['device_id']} has no sensors but {c} = {got!r} at {r['timestamp']}")
        if (want is None) != (got == "") or (want is not None and abs(float(got) - want) > 1e-9 * max(1, abs(want))):
            sys.exit(f"{r['device_id']} {r['timestamp']} {c}: got {got!r}, expected {want}")
        checked += want is not None
        # synth writes one row per second per sensor device: the reading of that very second
        if want is not None and (r["device_id"], c) in series and sec in series[(r["device_id"], c)][0]:
            same_second += 1
if not checked or same_second != checked:
    sys.exit(f"{checked} values, {same_second} of them from their own second")
if not any(r["device_id"] == "nas-1" for r in rows):
    sys.exit("no nas-1 rows")
st = json.load(open(f"{T}/st.json"))["sensors"]
if (st["rows"], st["rows_kept"], st["devices"], st["duplicates"], st["out_of_order"]) != (3000, 3000, 5, 0, 0):
    sys.exit(f"stats {st}")
if pq:
    p = [json.loads(l) for l in open(pq)]
    if len(p) != len(rows):
        sys.exit(f"Parquet {len(p)} rows, CSV {len(rows)}")
    for a, b in zip(p, rows):
        for c in cols:
            if (a[c] is None) != (b[c] == "") or (a[c] is not None and abs(float(a[c]) - float(b[c])) > 1e-9):
                sys.exit(f"Parquet {c} {a[c]!r} != CSV {b[c]!r}")
print(f"timeline + sensors: {len(rows)} rows, {checked} sensor values, each its second's reading;"
      f" parquet {'checked' if pq else 'not checked'}")
PY

# Hand-made: thermostat-1 read at 18:00:10 only (seconds 11, 12, 13 after it), plug-1 at
# 18:00:30.999999999 (second 33's last instant is exactly 3 s later), then 40, 35 (out of order)
# and 40 again (a duplicate: the last row wins), a row with a field missing (skipped), and the
# thermostat's MAC in another spelling at 18:01:00.
cat > "$T/small.csv" <<'CSV'
timestamp,device_id,temp,level
2024-06-23T18:00:10Z,thermostat-1,20.5,1
2024-06-23T18:00:30.999999999Z,plug-1,,7
2024-06-23T18:00:40Z,plug-1,,8
2024-06-23T18:00:35Z,plug-1,,9
2024-06-23T18:00:40Z,plug-1,,10
2024-06-23T18:00:50Z,plug-1,1
2024-06-23T18:01:00Z,64-16-66-79-D7-04,30.25,
CSV
for tol in 2 3; do
    "$BIN" extract "$D/capture.pcap" --devices "$D/devices.csv" --sensors "$T/small.csv" --tolerance $tol \
        --table timeline -f csv --stats "$T/small$tol.json" -o "$T/small$tol" > "$T/small$tol.out" 2>&1 \
        || { cat "$T/small$tol.out"; fail "hand-made file, --tolerance $tol: exit $?"; }
done
"$BIN" extract -q "$D/capture.pcap" --sensors "$T/small.csv" --table timeline -f csv -o "$T/nodev" 2> "$T/nodev.err" \
    || fail "hand-made file without --devices: exit $?"
python3 - "$T" "$day" <<'PY' || fail "hand-made sensor file"
import csv, json, sys
T, day = sys.argv[1:3]
sys.path.insert(0, T)
from asof import load, asof, ns
def table(d):
    return {(r["timestamp"], r["device_id"]): r for r in csv.DictReader(open(f"{T}/{d}/timeline/{day}.csv"))}
t2, t3 = table("small2"), table("small3")
def cell(t, sec, dev, col):
    return t[(f"2024-06-23T18:{sec}Z", dev)][col]
want = [  # (second, device, column, at tolerance 2, at tolerance 3)
    ("00:09", "thermostat-1", "temp", "", ""),          # before the reading
    ("00:10", "thermostat-1", "temp", "20.50", "20.50"),
    ("00:11", "thermostat-1", "temp", "20.50", "20.50"),
    ("00:12", "thermostat-1", "temp", "", "20.50"),     # 2.999999999 s old at the second's end
    ("00:13", "thermostat-1", "temp", "", ""),
    ("00:10", "thermostat-1", "level", "1", "1"),
    ("00:33", "plug-1", "level", "", "7"),  # exactly 3 s old: tolerance ends are inclusive
    ("00:34", "plug-1", "level", "", ""),
    ("00:35", "plug-1", "level", "9", "9"),             # the out-of-order row, sorted into place
    ("00:37", "plug-1", "level", "", "9"),
    ("00:40", "plug-1", "level", "10", "10"),           # the duplicate's later row
    ("00:50", "plug-1", "level", "", ""),   # the skipped row is not a reading
    ("00:41", "plug-1", "level", "10", "10"),
    ("00:42", "plug-1", "level", "", "10"),
    ("00:43", "plug-1", "level", "", ""),
    ("01:00", "thermostat-1", "temp", "30.25", "30.25"),  # given by its MAC
    ("01:00", "nas-1", "temp", "", ""),
]
for sec, dev, col, w2, w3 in want:
    for t, w, tol in ((t2, w2, 2), (t3, w3, 3)):
        got = cell(t, sec, dev, col)
        if got != w:
            sys.exit(f"--tolerance {tol}: {dev} 18:{sec} {col} = {got!r}, expected {w!r}")
# every cell against the independent reading of the file, at both tolerances
cols, series = load(f"{T}/small.csv", {"64-16-66-79-D7-04": "thermostat-1"})
for t, tol in ((t2, 2), (t3, 3)):
    for (ts, dev), r in t.items():
        for c in cols:
            w = asof(series, (dev, c), ns(ts), tol * 10**9)
            if (w is None) != (r[c] == "") or (w is not None and float(r[c]) != w):
                sys.exit(f"--tolerance {tol}: {dev} {ts} {c} = {r[c]!r}, expected {w}")
for tol in (2, 3):
    st = json.load(open(f"{T}/small{tol}.json"))
    s = st["sensors"]
    if (s["rows"], s["rows_kept"], s["skipped_fields"], s["duplicates"], s["out_of_order"], s["devices"]) != (7, 5, 1, 1, 1, 2):
        sys.exit(f"--tolerance {tol}: sensors stats {s}")
    if s["tolerance_s"] != tol or st["verdict"]["status"] != "WARN" or "1 row(s) skipped" not in st["verdict"]["text"]:
        sys.exit(f"--tolerance {tol}: {s['tolerance_s']}, verdict {st['verdict']}")
out = open(f"{T}/small2.out").read()
for text in ("sensors: ", "7 rows, kept 5, skipped 1 (csv=0 fields=1 time=0 device=0)", "duplicates replaced 1",
             "out of order 1", "small.csv:7: column 4: 3 fields, the header has 4"):
    if text not in out:
        sys.exit(f"summary lacks {text!r}:\n{out}")
# without --devices: the thermostat's rows are keyed by its MAC and find the MAC's readings; the
# names are unresolved and meet no row
nd = table("nodev")
mac = nd[("2024-06-23T18:01:00Z", "64:16:66:79:d7:04")]
if mac["temp"] != "30.25" or any(r["temp"] or r["level"] for k, r in nd.items() if k[1] != "64:16:66:79:d7:04"):
    sys.exit("without --devices: the MAC's row should be the only one with values")
print("hand-made sensor file: tolerance ends, MAC, out of order, duplicate, skipped row: as expected")
PY
"$BIN" extract -q --strict "$D/capture.pcap" --devices "$D/devices.csv" --sensors "$T/small.csv" --table timeline \
    -f csv -o "$T/strict" > /dev/null 2>&1
rc=$?
[ $rc -eq 4 ] || fail "a skipped sensor row under --strict: exit $rc, expected 4"

# configuration errors: exit 1, nothing written, a message naming the problem
check_refused() { # NAME EXPECTED-TEXT extract-args...
    local name=$1 text=$2
    shift 2
    "$BIN" extract -q "$@" -o "$T/bad-$name" > "$T/bad-$name.out" 2>&1
    local rc=$?
    [ $rc -eq 1 ] || { cat "$T/bad-$name.out"; fail "$name: exit $rc, expected 1"; }
    grep -qF -- "$text" "$T/bad-$name.out" || { cat "$T/bad-$name.out"; fail "$name: message lacks '$text'"; }
    [ ! -e "$T/bad-$name" ] || fail "$name: something was written"
}
printf 'timestamp,device_id,temp\n2024-06-23T18:00:00Z,plug-1,1\n2024-06-23T18:00:01,plug-1,2\n' > "$T/nozone.csv"
check_refused nozone "nozone.csv:3: column 1 (timestamp)" "$D/capture.pcap" --devices "$D/devices.csv" \
    --sensors "$T/nozone.csv" --table timeline -f csv
check_refused missing "missing.csv" "$D/capture.pcap" --sensors "$T/missing.csv" --table timeline -f csv
printf 'timestamp,device_id,Bytes_Out\n' > "$T/clash.csv"
check_refused clash 'column "Bytes_Out"' "$D/capture.pcap" --sensors "$T/clash.csv" --table timeline -f csv
check_refused joy "Joy flows (-f joy) have no sensor context" "$D/capture.pcap" --sensors "$D/sensors.csv" \
    --table timeline -f csv,joy
check_refused tolerance "--tolerance" "$D/capture.pcap" --sensors "$D/sensors.csv" --table timeline --tolerance 2h
check_refused tolerance-alone "--tolerance applies to --sensors" "$D/capture.pcap" --table timeline --tolerance 3
echo "PASS: timeline with sensors"
