#!/usr/bin/env bash
# iotflow fuse on written outputs (docs/OUTPUT.md "Sensor context", docs/CLI.md "iotflow fuse"):
#   - custom-flow files written with --last-seen (CSV wide, JSON Lines nested, Parquet wide; both
#     variants) fused = extract --sensors of the same capture: CSV and JSON Lines byte for byte,
#     Parquet the same rows (DuckDB, both ways) and the sensor provenance metadata; also with
#     --tolerance 5 (and 0 differs: the test can tell); without --devices (the sensor file's
#     names are found through the rows' device_name);
#   - timeline tables (three formats, with the name lists of --features) fused = extract --table
#     timeline --sensors;
#   - refused, exit 1, nothing written: a telemetry table, a file without LastSeen, a file fused
#     already, -f / --append with outputs, captures and outputs together (a file or a directory),
#     a Joy file, -o inside the input directory, a timeline with an inventory naming two devices
#     alike;
#   - a sensor file that misses the rows' times, or rows without --devices: a warning (the
#     readings' span, the hint), exit 4 with --strict;
#   - a damaged CSV row: that file not written (exit 2, file:line named), the others written.
#
# Env: IOF_BIN (dir with iotflow), IOF_SHARED (optional: the Parquet validator). Exit 0 / 1.
. "$(dirname "$0")/lib.bash"

D="$T/D"
"$BIN" synth -q -o "$D" --seed 3 --duration 20m || fail "synth"
dev=(--devices "$D/devices.csv")
X=("${dev[@]}" --last-seen -f parquet -f csv -f jsonl)
"$BIN" extract -q "${X[@]}" -o "$T/plain" "$D/capture.pcap" || fail "extract --last-seen"
"$BIN" extract -q "${X[@]}" --sensors "$D/sensors.csv" -o "$T/ref" "$D/capture.pcap" || fail "extract --sensors"
"$BIN" fuse --sensors "$D/sensors.csv" "${dev[@]}" -o "$T/fused" "$T/plain" > "$T/fuse.out" 2>&1 \
    || { cat "$T/fuse.out"; fail "fuse on outputs: exit $?"; }
grep -q "fused 6 of 6 files" "$T/fuse.out" || fail "summary: $(cat "$T/fuse.out")"
grep -q "rows with a sensor device: [1-9][0-9]* of " "$T/fuse.out" || fail "no row has a sensor device: $(cat "$T/fuse.out")"

same_text() { # REF DIR: every CSV and JSON Lines file of REF, byte for byte in DIR
    local n=0 f
    for f in $(cd "$1" && find . -name '*.csv' -o -name '*.jsonl' | sort); do
        cmp -s "$1/$f" "$2/$f" || return 1
        n=$((n + 1))
    done
    [ $n -gt 0 ]
}
same_text "$T/ref" "$T/fused" || fail "fused text files differ from extract --sensors"

PQ="${IOF_SHARED:-/nonexistent}/tools/parquet/pqcheck"
if [ -x "$PQ" ] && command -v node > /dev/null && "$PQ" sql "SELECT 1 AS n" > /dev/null 2>&1; then
    PQ_OK=1
else
    PQ_OK=
    echo "SKIP (Parquet part): no usable pqcheck (IOF_SHARED, node, its dependencies)"
fi
pq_same() { # A B: the same rows (multisets) and the sensor metadata
    [ -n "$PQ_OK" ] || return 0
    local n
    n=$("$PQ" sql "SELECT (SELECT count(*) FROM (SELECT * FROM read_parquet('$1') EXCEPT ALL SELECT * FROM read_parquet('$2'))) + (SELECT count(*) FROM (SELECT * FROM read_parquet('$2') EXCEPT ALL SELECT * FROM read_parquet('$1'))) AS n" 2>&1) || return 1
    [ "$n" = '{"n":0}' ] || { echo "$n"; return 1; }
    n=$("$PQ" sql "SELECT count(*) AS n FROM parquet_kv_metadata('$2') WHERE key = 'iotflow.sensors' AND value = 'sensors.csv'::BLOB")
    [ "$n" = '{"n":1}' ]
}
for v in bidirectional unidirectional; do
    for f in "$T/ref/$v"/*.parquet; do
        pq_same "$f" "$T/fused/$v/$(basename "$f")" || fail "fused Parquet $v differs from extract --sensors"
    done
done

# the tolerance reaches the columns: --tolerance 5 equal to extract's, 0 not equal to 2's
"$BIN" extract -q "${X[@]}" -f csv --sensors "$D/sensors.csv" --tolerance 5 -o "$T/ref5" "$D/capture.pcap" \
    || fail "extract --tolerance 5"
"$BIN" fuse -q --sensors "$D/sensors.csv" "${dev[@]}" --tolerance 5 -o "$T/fused5" "$T/plain" || fail "fuse --tolerance 5"
same_text "$T/ref5" "$T/fused5" || fail "fuse --tolerance 5 differs from extract --tolerance 5"
"$BIN" fuse -q --sensors "$D/sensors.csv" "${dev[@]}" --tolerance 0 -o "$T/fused0" "$T/plain" || fail "fuse --tolerance 0"
! same_text "$T/ref" "$T/fused0" || fail "--tolerance 0 gave the same columns as 2 s (the test cannot tell)"

# written with --devices, fused without: the rows' device_name finds the sensor file's names
"$BIN" fuse -q --sensors "$D/sensors.csv" -o "$T/nodev" "$T/plain" || fail "fuse without --devices"
same_text "$T/ref" "$T/nodev" || fail "fuse without --devices differs"

# timeline tables
TL=("${dev[@]}" --table timeline --features all -f parquet -f csv -f jsonl)  # names: list columns through fuse
"$BIN" extract -q "${TL[@]}" -o "$T/tplain" "$D/capture.pcap" || fail "extract timeline"
"$BIN" extract -q "${TL[@]}" --sensors "$D/sensors.csv" -o "$T/tref" "$D/capture.pcap" || fail "extract timeline --sensors"
"$BIN" fuse -q --sensors "$D/sensors.csv" "${dev[@]}" -o "$T/tfused" "$T/tplain" || fail "fuse timeline"
same_text "$T/tref" "$T/tfused" || fail "fused timeline differs from extract --sensors"
for f in "$T/tref/timeline"/*.parquet; do
    pq_same "$f" "$T/tfused/timeline/$(basename "$f")" || fail "fused timeline Parquet differs"
done

# refused: exit 1, nothing written
refused() { # NAME TEXT args...
    local name=$1 text=$2
    shift 2
    "$BIN" fuse -q --sensors "$D/sensors.csv" -o "$T/bad-$name" "$@" > "$T/bad-$name.out" 2>&1
    local rc=$?
    [ $rc -eq 1 ] || { cat "$T/bad-$name.out"; fail "$name: exit $rc, expected 1"; }
    grep -qF -- "$text" "$T/bad-$name.out" || { cat "$T/bad-$name.out"; fail "$name: message lacks '$text'"; }
    [ ! -e "$T/bad-$name" ] || fail "$name: something was written"
}
"$BIN" extract -q "${dev[@]}" --table telemetry -f csv -o "$T/tel" "$D/capture.pcap" || fail "extract telemetry"
"$BIN" extract -q "${dev[@]}" -f csv -o "$T/nolast" "$D/capture.pcap" || fail "extract without --last-seen"
refused telemetry "a telemetry table" "$T/tel"
refused nolast ": no LastSeen column" "$T/nolast"
refused twice "fused already?" "$T/fused/bidirectional"
refused format "--format applies to captures" -f csv "$T/plain"
refused append "--append applies to captures" --append "$T/plain"
refused mixed "not both" "$T/plain/bidirectional/$(ls "$T/plain/bidirectional" | head -1)" "$D/capture.pcap"
refused mixed-dir "not both" "$T/plain" "$D/capture.pcap"
# a timeline names devices by inventory name: an inventory with two devices of one name cannot
# tell its rows apart (extract resolved them by index)
sed 's/,nas-1,/,gateway-1,/' "$D/devices.csv" > "$T/dup.csv" # (devices without sensors)
refused dupnames "gives two devices the name" --devices "$T/dup.csv" "$T/tplain"
"$BIN" extract -q -f joy -o "$T/joy" "$D/capture.pcap" || fail "extract -f joy"
refused joy "Joy flows carry no device" "$T/joy"
"$BIN" fuse -q --sensors "$D/sensors.csv" -o "$T/plain/inside" "$T/plain" > "$T/inside.out" 2>&1
[ $? -eq 1 ] && grep -q "inside the input directory" "$T/inside.out" || fail "-o inside the input: $(cat "$T/inside.out")"

# a sensor file that misses the rows' time: written (exit 0) with a warning naming the readings'
# span; --strict: exit 4
python3 - "$D/sensors.csv" "$T/late.csv" <<'PY'
import csv, sys, datetime as dt
r = csv.reader(open(sys.argv[1])); w = csv.writer(open(sys.argv[2], "w", newline=""), lineterminator="\n")
w.writerow(next(r))
for row in r:
    t = dt.datetime.strptime(row[0], "%Y-%m-%dT%H:%M:%SZ") + dt.timedelta(hours=5)
    w.writerow([t.strftime("%Y-%m-%dT%H:%M:%SZ")] + row[1:])
PY
"$BIN" fuse -q --sensors "$T/late.csv" "${dev[@]}" -o "$T/late" "$T/plain" > "$T/late.out" 2>&1 \
    || fail "fuse with a late sensor file: exit $? ($(cat "$T/late.out"))"
grep -q "no row got a sensor reading.*outside the readings.*span 2024-06-23T23:00:00Z" "$T/late.out" \
    || fail "no warning for a sensor file that misses the rows: $(cat "$T/late.out")"
"$BIN" fuse -q --strict --sensors "$T/late.csv" "${dev[@]}" -o "$T/late-strict" "$T/plain" > /dev/null 2>&1
[ $? -eq 4 ] || fail "--strict after the warning: not exit 4"
"$BIN" fuse -q --strict --sensors "$D/sensors.csv" "${dev[@]}" -o "$T/ok-strict" "$T/plain" > /dev/null 2>&1 \
    || fail "--strict without a warning: exit $?"
"$BIN" extract -q -f csv --last-seen -o "$T/noinv" "$D/capture.pcap" || fail "extract without --devices"
"$BIN" fuse -q --sensors "$D/sensors.csv" -o "$T/noinv-f" "$T/noinv" > "$T/noinv.out" 2>&1 || fail "fuse noinv"
grep -q "give the --devices the outputs were written with" "$T/noinv.out" || fail "no hint to give --devices: $(cat "$T/noinv.out")"

# a damaged row: that file not written (exit 2, file:line), the others are
mkdir -p "$T/dmg" && cp "$T/plain/bidirectional/"*.csv "$T/plain/bidirectional/"*.jsonl "$T/dmg/"
csv=$(ls "$T/dmg/"*.csv)
awk -F, 'BEGIN { OFS = "," } NR == 5 { $2 = "soon" } { print }' "$csv" > "$T/x" && mv "$T/x" "$csv"
"$BIN" fuse -q --sensors "$D/sensors.csv" "${dev[@]}" -o "$T/dmg-out" "$T/dmg" > "$T/dmg.out" 2>&1
rc=$?
[ $rc -eq 2 ] || { cat "$T/dmg.out"; fail "damaged row: exit $rc, expected 2"; }
grep -q "$(basename "$csv"):5: .*not a timestamp" "$T/dmg.out" || fail "damaged row not named: $(cat "$T/dmg.out")"
[ ! -e "$T/dmg-out/$(basename "$csv")" ] || fail "the damaged file was written"
[ -s "$T/dmg-out/$(basename "$csv" .csv).jsonl" ] || fail "the good file was not written"
[ -z "$(find "$T/dmg-out" -name '.*')" ] || fail "temporary files left"
echo "PASS: fuse_outputs"
