#!/usr/bin/env bash
# extract --table telemetry / timeline (issue "Cyber-physical fusion"): on iotflow synth captures (two
# seeds) the telemetry rows' packets sum to the run's attributed packets and their rows to the
# stats; Parquet (validated by pqcheck when installed), CSV and JSON Lines hold the same rows;
# labels from synth's labels.rules agree with truth.csv (each row against the truth record of
# its device, protocol and ports whose window holds the row's second); one row per flow and
# second; --telemetry-idle splits a flow after a pause; --table timeline has one row per inventory
# device and second over the capture's span, zeros included, whose packets per device and second
# equal the telemetry rows' and sum to the attributed packets; bad --table / --telemetry-idle values
# exit 1; a label key named like a telemetry column is refused.
#
# Env: IOF_BIN (dir with iotflow), IOF_SHARED (optional: the Parquet validator). Exit 0 / 1.
. "$(dirname "$0")/lib.bash"
PQCHECK=${IOF_SHARED:-/nonexistent}/tools/parquet/pqcheck

for seed in 3 5; do
    S="$T/s$seed"
    "$BIN" synth -q -o "$S/in" -s $seed -d 10m || fail "synth seed $seed"
    "$BIN" extract -q --table telemetry -f parquet,csv,jsonl --keep-private-ips --rules "$S/in/labels.rules" \
        --stats "$S/stats.json" -o "$S/out" "$S/in/capture.pcap" || fail "extract --table telemetry seed $seed: exit $?"
    day=$(cd "$S/out/telemetry" && ls *.csv | head -1)
    day=${day%.csv}
    if [ -x "$PQCHECK" ] && command -v node >/dev/null; then
        "$PQCHECK" verify --quiet "$S/out/telemetry/$day.parquet" > /dev/null || fail "pqcheck verify seed $seed"
        "$PQCHECK" rows "$S/out/telemetry/$day.parquet" --reader duckdb > "$S/pq.jsonl" || fail "pqcheck rows"
    fi
    python3 - "$S" "$day" <<'PY' || fail "seed $seed: telemetry rows"
import csv, json, os, sys
S, day = sys.argv[1], sys.argv[2]
st = json.load(open(f"{S}/stats.json"))
rows = list(csv.DictReader(open(f"{S}/out/telemetry/{day}.csv")))
js = [json.loads(l) for l in open(f"{S}/out/telemetry/{day}.jsonl")]
def norm(r):
    return (r["timestamp"], r["device_id"], r["src_ip"], r["dst_ip"], str(r["src_port"] if r["src_port"] not in ("", None) else ""),
            str(r["dst_port"] if r["dst_port"] not in ("", None) else ""), r["protocol"], int(r["packets"]), int(r["bytes"]),
            r["direction"], r["label"], r["label_rule"])
if [norm(r) for r in rows] != [norm(r) for r in js]:
    sys.exit("CSV and JSON Lines differ")
if os.path.exists(f"{S}/pq.jsonl"):
    pq = [json.loads(l) for l in open(f"{S}/pq.jsonl")]
    if len(pq) != len(rows) or [int(p["packets"]) for p in pq] != [int(r["packets"]) for r in rows]:
        sys.exit("Parquet and CSV differ")
pk = sum(int(r["packets"]) for r in rows)
if pk != st["packets"]["attributed"] or pk != st["telemetry"]["packets"] or len(rows) != st["telemetry"]["rows"]:
    sys.exit(f"packets {pk} vs attributed {st['packets']['attributed']}, rows {len(rows)} vs {st['telemetry']['rows']}")
# one row per flow and second: (second, device, 5-tuple) never repeats while the flow lives
keys = [(r["timestamp"], r["device_id"], r["src_ip"], r["dst_ip"], r["src_port"], r["dst_port"], r["protocol"]) for r in rows]
if len(set(keys)) != len(keys):
    sys.exit("a flow has two rows in one second")
if any(float(r["flow_duration"]) < 0 or abs(float(r["packet_size"]) * int(r["packets"]) - int(r["bytes"])) > 0.01 * int(r["packets"]) for r in rows):
    sys.exit("flow_duration / packet_size inconsistent")
# labels against truth.csv: the truth record (bidirectional, 60 s windows) of the row's device,
# protocol and ports whose window holds the row's second
import datetime
truth = {}
for t in csv.DictReader(open(f"{S}/in/truth.csv")):
    truth.setdefault((t["device"], t["proto"], t["device_port"], t["remote_port"]), []).append(t)
names = {"tcp": "6", "udp": "17", "icmp": "1", "igmp": "2"}
ok = bad = unmatched = 0
for r in rows:
    sec = int(datetime.datetime.fromisoformat(r["timestamp"].replace("Z", "+00:00")).timestamp()) * 1000000
    out = r["direction"] != "inbound"  # device is the source unless a remote started it
    dp, rp = (r["src_port"], r["dst_port"]) if out else (r["dst_port"], r["src_port"])
    cands = [t for t in truth.get((r["device_id"], names.get(r["protocol"], r["protocol"]), dp or "0", rp or "0"), [])
             if int(t["first_seen"]) - 1000000 <= sec < int(t["first_seen"]) + 60000000]
    if not cands:
        unmatched += 1
        continue
    if any(t["label"] == r["label"] for t in cands):
        ok += 1
    else:
        bad += 1
print(f"{len(rows)} rows, {pk} packets; labels: {ok} agree with truth, {bad} differ, {unmatched} without a truth record")
if bad or ok < 0.95 * len(rows):
    sys.exit("labels differ from truth")
PY
done

# --telemetry-idle: a 10 s pause ends a flow at --telemetry-idle 5s (flow_duration restarts), not at 60s
S="$T/s3"
"$BIN" extract -q --table telemetry -f csv --telemetry-idle 5s -o "$T/idle5" "$S/in/capture.pcap" || fail "--telemetry-idle 5s"
"$BIN" extract -q --table telemetry -f csv -o "$T/idle60" "$S/in/capture.pcap" || fail "default idle"
python3 - "$T/idle5" "$T/idle60" <<'PY' || fail "--telemetry-idle does not split flows"
import csv, glob, sys
def maxdur(d):
    return max(float(r["flow_duration"]) for f in glob.glob(d + "/telemetry/*.csv") for r in csv.DictReader(open(f)))
a, b = maxdur(sys.argv[1]), maxdur(sys.argv[2])
sys.exit(not (a < b))
PY
# --table timeline: one row per inventory device and second from the first second to the last,
# zeros included; per device and second the packets equal the telemetry rows' (same run rules)
"$BIN" extract -q --table timeline -f csv --devices "$S/in/devices.csv" --stats "$T/tl.json" -o "$T/tl" "$S/in/capture.pcap" \
    || fail "--table timeline"
"$BIN" extract -q --table telemetry -f csv --devices "$S/in/devices.csv" -o "$T/tm" "$S/in/capture.pcap" || fail "telemetry with devices"
python3 - "$T" "$S/in/devices.csv" <<'PY' || fail "timeline rows"
import collections, csv, glob, json, sys
T = sys.argv[1]
st = json.load(open(f"{T}/tl.json"))
tl = [r for f in sorted(glob.glob(f"{T}/tl/timeline/*.csv")) for r in csv.DictReader(open(f))]
tm = [r for f in sorted(glob.glob(f"{T}/tm/telemetry/*.csv")) for r in csv.DictReader(open(f))]
ndev = sum(1 for _ in csv.DictReader(open(sys.argv[2])))
secs = sorted({r["timestamp"] for r in tl})
if len(tl) != ndev * len(secs) or len(tl) != st["timeline"]["rows"] or st["timeline"]["devices"] != ndev:
    sys.exit(f"{len(tl)} rows != {ndev} devices x {len(secs)} seconds ({st['timeline']})")
first = int(st["first_ts_us"] if "first_ts_us" in st else st["packets"]["first_ts_us"]) // 1000000
last = int(st["packets"]["last_ts_us"]) // 1000000
if len(secs) != last - first + 1:
    sys.exit(f"{len(secs)} seconds, capture spans {last - first + 1}")
pk = sum(int(r["packets_out"]) + int(r["packets_in"]) for r in tl)
if pk != st["packets"]["attributed"]:
    sys.exit(f"timeline packets {pk} != attributed {st['packets']['attributed']}")
want = collections.Counter()
for r in tm:
    want[(r["timestamp"], r["device_id"])] += int(r["packets"])
got = {(r["timestamp"], r["device_id"]): int(r["packets_out"]) + int(r["packets_in"]) for r in tl}
if any(got.get(k, 0) != v for k, v in want.items()):
    sys.exit("timeline packets differ from the telemetry rows per device and second")
if not any(int(r["packets_out"]) + int(r["packets_in"]) == 0 for r in tl):
    sys.exit("no silent second written")
flows = sum(int(r["flows_out"]) + int(r["flows_in"]) for r in tl)
if flows != st["telemetry"]["flows"]:
    sys.exit(f"flows started {flows} != telemetry flows {st['telemetry']['flows']}")
print(f"timeline: {len(tl)} rows = {ndev} devices x {len(secs)} seconds, {pk} packets, {flows} flows")
PY
# stats and audit read custom-flow records: on a telemetry table they say what it is (its
# metadata's iotflow.table), exit 2, and audit does not send the user after --label
tfile=$(ls "$T"/s3/out/telemetry/*.parquet | head -1)
for cmd in stats audit; do
    "$BIN" $cmd "$tfile" > /dev/null 2> "$T/$cmd.err"
    rc=$?
    [ $rc -eq 2 ] || fail "$cmd on a telemetry table: exit $rc, expected 2"
    grep -q "an iotflow telemetry table (iotflow.table)" "$T/$cmd.err" || fail "$cmd: $(cat "$T/$cmd.err")"
    ! grep -q -- "--label" "$T/$cmd.err" || fail "$cmd: points at --label: $(cat "$T/$cmd.err")"
done
for bad in "--table flows" "--telemetry-idle 0" "--telemetry-idle x" "--telemetry-idle 400d" "-f joy"; do
    # shellcheck disable=SC2086
    "$BIN" extract --table telemetry $bad -o "$T/bad" "$S/in/capture.pcap" > /dev/null 2>&1
    rc=$?
    [ $rc -eq 1 ] || fail "extract $bad: exit $rc, expected 1"
done
# a real capture with dropped frames and days of silence: each day's file is written once
# (the rows of a day's last second come before the day is completed: no .part1 files)
BLINK=${IOF_SHARED:-/nonexistent}/corpus/iot__blink-camera-1week-asym-vlan-hdrs-only__blink-cam-01.pcap
if [ -f "$BLINK" ]; then
    for tb in telemetry timeline; do
        "$BIN" extract -q --table $tb -f csv -o "$T/blink-$tb" "$BLINK" || fail "--table $tb on $BLINK"
        [ -z "$(find "$T/blink-$tb" -name '*.part*')" ] || fail "--table $tb: a day was completed before its last second"
    done
fi
printf 'key direction default "x"\n' > "$T/clash.rules"
"$BIN" extract --table telemetry --rules "$T/clash.rules" -o "$T/clash" "$S/in/capture.pcap" > "$T/clash.out" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "a label key named like a telemetry column: exit $rc, expected 1"
echo "PASS: telemetry table"
