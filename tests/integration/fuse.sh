#!/usr/bin/env bash
# Sensor context of flow records (docs/OUTPUT.md "Sensor context", docs/CLI.md "iotflow fuse"):
# extract --sensors with the custom-flow table (both variants; CSV wide, JSON Lines nested,
# Parquet) and the telemetry table on an iotflow synth capture, checked by fuse_check.py against
# sensors.csv and the capture read independently (C_at_start: the as-of reading at the first
# packet within 2 s; C_mean/min/max over the readings from the first to the last packet;
# motion_any/alert_any); devices without sensors all null; rows and the other columns those of a
# run without --sensors; JSON Lines and Parquet (when pqcheck is usable) hold the CSV's values;
# `iotflow fuse` writes byte-identical files. Hand-made files: a reading exactly --tolerance
# before the first packet (kept) and 1 µs beyond (null), one at the last packet (in) and 1 µs
# after (out), a *_flag column (NAME_any), a device given by MAC with and without --devices.
# Refused (exit 1, nothing written): -f joy, fuse without --sensors, fuse on a written output
# without LastSeen (the rest of fuse on outputs: fuse_outputs.sh),
# two flag columns naming one _any column, a name too long for its _at_start column, no room
# left in the wide layout's 8192 columns.
#
# Env: IOF_BIN (dir with iotflow), IOF_SHARED (optional: the Parquet validator). Exit 0 / 1.
. "$(dirname "$0")/lib.bash"
CHECK="$HERE/fuse_check.py"

D="$T/D"
"$BIN" synth -q -o "$D" --seed 3 --duration 10m || fail "synth"
common=("$D/capture.pcap" --devices "$D/devices.csv")
"$BIN" extract -q "${common[@]}" --sensors "$D/sensors.csv" -f csv,jsonl,parquet --stats "$T/st.json" -o "$T/out" \
    || fail "extract --sensors: exit $?"
"$BIN" fuse -q "${common[@]}" --sensors "$D/sensors.csv" -f csv,jsonl,parquet -o "$T/fused" \
    || fail "fuse: exit $?"
"$BIN" extract -q "${common[@]}" -f csv -o "$T/plain" || fail "extract without --sensors: exit $?"
# every packet's offset, private remotes and the device address: what the check needs to find
# each record's last packet
"$BIN" extract -q "${common[@]}" --sensors "$D/sensors.csv" -f csv --packets 1000 --payload 0 \
    --payload-total 0 --keep-private-ips --device-ip -o "$T/exact" || fail "extract --packets 1000: exit $?"

(cd "$T/out" && find . -type f | sort | xargs sha256sum) > "$T/out.sha"
(cd "$T/fused" && find . -type f | sort | xargs sha256sum) > "$T/fused.sha"
[ "$(wc -l < "$T/out.sha")" -eq 6 ] || fail "expected 6 files: $(cat "$T/out.sha")"
diff "$T/out.sha" "$T/fused.sha" || fail "fuse and extract --sensors wrote different files"

day=$(cd "$T/out/bidirectional" && ls *.csv | head -1)
day=${day%.csv}
PQROWS=
pq_rows "$T/out/bidirectional/$day.parquet" "$T/pq.jsonl" && PQROWS="$T/pq.jsonl"
python3 "$CHECK" flows "$T" "$D" "$day" "$PQROWS" || fail "custom-flow records with sensor context"

"$BIN" extract -q "${common[@]}" --sensors "$D/sensors.csv" --table telemetry -f csv -o "$T/tel" \
    || fail "extract --table telemetry --sensors: exit $?"
"$BIN" extract -q "${common[@]}" --table telemetry -f csv -o "$T/telplain" || fail "telemetry: exit $?"
python3 "$CHECK" telemetry "$T" "$D" "$day" || fail "telemetry rows with sensor context"

# hand-made files around one nas-1 record (nas-1 has no readings in sensors.csv)
python3 "$CHECK" pick "$T" "$day" || fail "pick a record"
"$BIN" extract -q "$D/capture.pcap" --sensors "$T/A.csv" -f csv --variant bi -o "$T/edgeA" || fail "A: exit $?"
"$BIN" fuse -q "${common[@]}" --sensors "$T/A.csv" -f csv --variant bi -o "$T/edgeA_inv" || fail "A --devices: exit $?"
"$BIN" fuse -q "$D/capture.pcap" --sensors "$T/B.csv" -f csv --variant bi -o "$T/edgeB" || fail "B: exit $?"
"$BIN" fuse -q "$D/capture.pcap" --sensors "$T/B.csv" --tolerance 3s -f csv --variant bi -o "$T/edgeB3" \
    || fail "B --tolerance 3s: exit $?"
python3 "$CHECK" edges "$T" "$day" || fail "hand-made sensor files"

# configuration errors: exit 1, nothing written, a message naming the problem
check_refused() { # NAME EXPECTED-TEXT command args...
    local name=$1 text=$2
    shift 2
    "$BIN" "$@" -q -o "$T/bad-$name" > "$T/bad-$name.out" 2>&1
    local rc=$?
    [ $rc -eq 1 ] || { cat "$T/bad-$name.out"; fail "$name: exit $rc, expected 1"; }
    grep -qF -- "$text" "$T/bad-$name.out" || { cat "$T/bad-$name.out"; fail "$name: message lacks '$text'"; }
    [ ! -e "$T/bad-$name" ] || fail "$name: something was written"
}
check_refused joy "Joy flows (-f joy) have no sensor context" extract "$D/capture.pcap" --sensors "$D/sensors.csv" -f joy
check_refused joy-csv "Joy flows (-f joy) have no sensor context" fuse "$D/capture.pcap" --sensors "$D/sensors.csv" \
    -f csv,joy
check_refused no-sensors "iotflow fuse: --sensors FILE is required" fuse "$D/capture.pcap" -f csv
# (fuse on written outputs: fuse_outputs.sh) a custom-flow file without LastSeen
check_refused output "iotflow fuse: $T/out/bidirectional/$day.parquet: no LastSeen column" \
    fuse "$T/out/bidirectional/$day.parquet" --sensors "$D/sensors.csv"
printf 'timestamp,device_id,motion,Motion_flag\n2024-06-23T18:00:00Z,plug-1,0,1\n' > "$T/twice.csv"
check_refused twice 'columns "motion" and "Motion_flag" would both be a column "Motion_any"' \
    fuse "$D/capture.pcap" --sensors "$T/twice.csv"
long=$(printf 'x%.0s' $(seq 40))
printf 'timestamp,device_id,%s\n2024-06-23T18:00:00Z,plug-1,3\n' "$long" > "$T/long.csv"
check_refused long "column \"$long\" is too long" fuse "$D/capture.pcap" --sensors "$T/long.csv" --table telemetry -f csv
check_refused room "leave room for --payload-total 8129 at most (got 8151)" fuse "$D/capture.pcap" \
    --sensors "$D/sensors.csv" --payload-total 8151 -f csv
echo "PASS: fuse"
