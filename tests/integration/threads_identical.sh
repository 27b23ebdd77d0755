#!/usr/bin/env bash
# Sharded flow workers (--threads N, pipeline/shard.h) give the single table's output: on corpus
# captures (Ethernet with asymmetric VLANs, SLL, SLL2, NULL, raw IPv4/IPv6, NFLOG, PPP, pcapng
# with several link types, IPv6 extension headers and fragments, backward timestamps and late
# packets), on the whole corpus read as one time-merged input (timestamps going back across
# inputs), and on `iotflow synth` output, `--threads 1`, `2` and `3` write byte-identical
# Parquet, CSV and JSON Lines files, and the same statistics but for what legitimately differs
# (elapsed time, the workers, the peaks of live records and bytes, summed over the tables).
# --features (whole payloads travel to the workers) and --rules (labels on the merged records)
# alike; a --max-flows that evicts in no table gives the same output; one that evicts still
# accounts for every packet. Runs that cannot be sharded say so and still match.
source "$(dirname "$0")/lib.bash"
CORPUS=${IOF_SHARED:-}/corpus
[ -d "$CORPUS" ] || { echo "SKIP: no corpus at $CORPUS"; exit 77; }

# same A B: the same files, byte for byte (a capture without records writes none)
same() {
    (cd "$1" 2>/dev/null && find . -type f | LC_ALL=C sort) > "$T/la"
    (cd "$2" 2>/dev/null && find . -type f | LC_ALL=C sort) > "$T/lb"
    cmp -s "$T/la" "$T/lb" || fail "$1 and $2 hold different files"
    while read -r f; do cmp -s "$1/$f" "$2/$f" || fail "$f differs between $1 and $2"; done < "$T/la"
}
# stats_same A B WORKERS: A.json and B.json equal but for what may differ (and the output
# directories' names in them); B ran with WORKERS workers
stats_same() {
    python3 - "$1" "$2" "$3" <<'PY' || fail "statistics differ: $1.json $2.json"
import json, sys
def load(d):
    return json.loads(open(d + ".json").read().replace(d, "OUT"))
a, b, n = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
got = b["flow_workers"]["workers"]
if got != n:
    sys.exit(f"{sys.argv[2]}: {got} flow workers, expected {n} ({b['flow_workers']})")
for s in (a, b):
    for k in ("elapsed_s", "flow_workers"):
        s.pop(k, None)
    for k in ("peak_live", "peak_live_bytes"):  # per table, summed
        s["records"].pop(k, None)
if a != b:
    for k in a:
        if a[k] != b.get(k):
            print(k, str(a[k])[:300], str(b.get(k))[:300])
    sys.exit(1)
PY
}
# check NAME ARGS... : --threads 1, 2, 3 on the same inputs and options
check() {
    local name=$1; shift
    local rc rc1
    for n in 1 2 3; do
        rm -rf "$T/$name.$n"
        rc=0
        "$BIN" extract -q --hash-seed 3 --max-memory none --threads $n --stats "$T/$name.$n.json" \
            -o "$T/$name.$n" "$@" 2>"$T/err" || rc=$?
        # 2: damaged inputs (the malformed captures of the corpus), reported the same way
        [ $rc -le 2 ] || { cat "$T/err"; fail "$name: --threads $n exited $rc"; }
        [ $n = 1 ] && rc1=$rc
        [ $rc = "$rc1" ] || fail "$name: --threads $n exited $rc, --threads 1 $rc1"
    done
    for n in 2 3; do
        same "$T/$name.1" "$T/$name.$n"
        stats_same "$T/$name.1" "$T/$name.$n" $n
    done
    echo "ok $name: --threads 1, 2, 3 write the same files"
}
ALL=(-f parquet -f csv -f jsonl --variant both)
caps=(
  iot__blink-camera-1week-asym-vlan-hdrs-only__blink-cam-01.pcap
  iot__xiaodu-smart-plug-68min__xiaodu_plug.pcap
  iot__ndpi-coap-and-mqtt__coap_mqtt.pcap
  pcapng-ns__ndpi-steam__steam.pcapng
  linktype-sll2__pcpp__sll2.pcap
  linktype-nflog__tcpdump__nflog.pcap
  linktype-raw101__tcpdump__LINKTYPE_RAW_ipv6.pcap
  linktype-raw12__pcpp__four_ipv6_http_streams.pcap
  ipv6__pcpp-opt-fragments__ipv6_opt_fragments.pcap
  ipv6__libpcap-ext-headers__ipv6_ext_headers.pcap
  malformed/rec__tcpdump-caplen-gt-origlen-ts-backwards__pim_header_asan-2.pcap
)
for c in "${caps[@]}"; do
    [ -f "$CORPUS/$c" ] || { echo "note: $c not in this corpus"; continue; }
    check "$(basename "$c")" "${ALL[@]}" "$CORPUS/$c"
done
# every feature group that does not read the run's maps (l7 does: such runs are not sharded)
FEAT=dns,tls,byte_dist,entropy,splt,wht,dhcp,payload,http,ppi,hd,idp
# on a capture with TLS (handshakes and certificates split over segments) and one with HTTP heads
for c in iot__xiaodu-smart-plug-68min__xiaodu_plug.pcap linktype-raw12__pcpp__four_ipv6_http_streams.pcap; do
    if [ -f "$CORPUS/$c" ]; then
        check "features-${c##*__}" -f parquet -f jsonl --variant both --features $FEAT "$CORPUS/$c"
    fi
done
# the whole corpus as one input merged by time: every link type, time going back across inputs
check corpus "${ALL[@]}" "$CORPUS"
python3 -c "import json,sys; p=json.load(open(sys.argv[1]))['packets']; sys.exit(p['ts_backwards_across_inputs'] == 0)" \
    "$T/corpus.1.json" || fail "the merged corpus should have timestamps going back across inputs"
# in name order: late inputs read while the clock stands still
check corpus-name -f csv --variant both --input-order name "$CORPUS"

# synth: a smart home with an inventory (mirrored device-to-device views), features, rules
"$BIN" synth -q -o "$T/in" --profile small --seed 5 --scale 20 --duration 3m || fail "synth"
check synth "${ALL[@]}" --devices "$T/in/devices.csv" "$T/in/capture.pcap"
check synth-features -f parquet -f jsonl --variant both --features $FEAT \
    --devices "$T/in/devices.csv" "$T/in/capture.pcap"
check synth-rules -f csv --variant bi --rules "$T/in/labels.rules" --devices "$T/in/devices.csv" "$T/in/capture.pcap"

# --max-flows: four times the single table's peak evicts in no table of 2 or 3 -> the same output
peak=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['records']['peak_live'])" "$T/synth.1.json")
check synth-maxflows -f csv --variant both --max-flows $((peak * 4)) --devices "$T/in/devices.csv" "$T/in/capture.pcap"
for n in 1 2 3; do
    python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['records']; sys.exit(r['evicted_bidirectional'] + r['evicted_unidirectional'])" \
        "$T/synth-maxflows.$n.json" || fail "--max-flows $((peak * 4)) evicted with --threads $n"
done
# one that evicts: other records than one table's (documented), every packet still in one
for n in 1 3; do
    "$BIN" extract -q --hash-seed 3 --threads $n -f csv --variant bi --max-flows $((peak / 4 + 1)) --stats "$T/ev.$n.json" \
        -o "$T/ev.$n" --devices "$T/in/devices.csv" "$T/in/capture.pcap" || fail "evicting run, --threads $n"
done
# ... and the same records from run to run without --hash-seed (each run's tables get a random
# seed; the routing's is fixed): which records a table evicts does not depend on it
for k in a b; do
    "$BIN" extract -q --threads 3 -f csv --variant bi --max-flows $((peak / 4 + 1)) \
        -o "$T/evr.$k" --devices "$T/in/devices.csv" "$T/in/capture.pcap" || fail "evicting run $k"
done
cmp "$T/evr.a/bidirectional/"*.csv "$T/evr.b/bidirectional/"*.csv || fail "evicting runs with random seeds differ"
cmp "$T/evr.a/bidirectional/"*.csv "$T/ev.3/bidirectional/"*.csv || fail "an evicting run depends on --hash-seed"
pk() { awk -F, 'FNR == 1 { for (i = 1; i <= NF; i++) if ($i == "PacketCount") c = i; next } { s += $c } END { print s }' "$1"/bidirectional/*.csv; }
[ "$(pk "$T/ev.1")" = "$(pk "$T/ev.3")" ] || fail "evicting runs: packets in records $(pk "$T/ev.1") vs $(pk "$T/ev.3")"
echo "ok --max-flows: no eviction -> same files; eviction -> every packet in a record"

# runs that are not sharded say why, and match
"$BIN" extract --threads 2 --hash-seed 3 -f csv --table telemetry -o "$T/tel" --devices "$T/in/devices.csv" \
    "$T/in/capture.pcap" 2>"$T/tel.err" || fail "telemetry run"
grep -q "flow workers: 1 (not sharded: --table telemetry" "$T/tel.err" || { cat "$T/tel.err"; fail "the summary should say why"; }
echo "ok a run that cannot be sharded says so"

# a stop (SIGINT) while the workers hold records: the same records, ended "stopped", as one table
head -c 2000000 "$T/in/capture.pcap" > "$T/part.pcap"
for n in 1 3; do
    rm -f "$T/fifo"; mkfifo "$T/fifo"
    ( cat "$T/part.pcap"; sleep 20 ) > "$T/fifo" &
    wpid=$!
    "$BIN" extract -q --hash-seed 3 --threads $n --end-reason -f csv --variant both --devices "$T/in/devices.csv" \
        -o "$T/stop.$n" "$T/fifo" 2>/dev/null &
    pid=$!
    sleep 2
    kill -INT $pid
    wait $pid; rc=$?
    kill $wpid 2>/dev/null; wait $wpid 2>/dev/null
    [ $rc = 130 ] || fail "stopped run, --threads $n: exit $rc, expected 130"
done
same "$T/stop.1" "$T/stop.3"
grep -q ',stopped' "$T/stop.3"/bidirectional/*.csv || fail "no record ended stopped"
echo "ok SIGINT: the same records, ended stopped"
