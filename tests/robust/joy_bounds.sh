#!/usr/bin/env bash
# -f joy under a memory bound (issue "Speed and scale": memory bounded in bytes; issue "Joy"):
# --max-memory caps the Joy table's live records (its records are fixed-size: record, packets[]
# arrays, feature states), flows leave early and are counted, nothing is lost (every packet
# the table took is in a written flow), and the stats JSON says what the cap was. Also: --idp
# without -f joy is refused.
. "$(dirname "$0")/lib.bash"
command -v python3 >/dev/null || { echo "SKIPPED: python3"; exit 77; }
"$BIN/iotflow" synth -q -o "$TMP/s" --profile small -d 2m -s 2 || { bad "synth"; finish; exit; }
run() { # name, extra options...
  local n=$1; shift
  "$BIN/iotflow" extract -q -f joy --stats "$TMP/$n.json" -o "$TMP/$n" "$@" "$TMP/s/capture.pcap"
}
# 2M: the table's fixed part (the minimum buckets and one slab: 1 MiB of records, ~33 of about
# 31 KB) leaves room for a cap of about 32 records (a smaller bound gives the smallest cap, 2)
check "extract -f joy --max-memory 2M" run capped --max-memory 2M
check "extract -f joy --max-memory none" run free --max-memory none
# packets in flows = packets the table took; the cap in force and its memory fit the bound
flows_ok() { # name, expect capped (1/0)
  python3 - "$TMP/$1.json" "$TMP/$1/joy/capture.json.gz" "$2" <<'PY'
import gzip, json, sys
st = json.load(open(sys.argv[1]))["joy"]
n = pk = 0
with gzip.open(sys.argv[2], "rt") as f:
    next(f)
    for line in f:
        o = json.loads(line)
        n += 1
        pk += o["num_pkts_out"] + o.get("num_pkts_in", 0)
capped = sys.argv[3] == "1"
ok = n == st["flows"] and pk == st["packets"] and st["peak_live"] <= st["max_live"]
ok = ok and st["capped_by_memory"] == capped and (st["evicted"] > 0) == capped
if capped:
    ok = ok and 2 < st["max_live"] and st["max_live"] * st["record_bytes"] <= 2 << 20
print(st, n, pk)
sys.exit(not ok)
PY
}
check "capped: every packet in a flow, evictions counted, cap x record size within 2 MiB" flows_ok capped 1
check "unbounded: no eviction, same packets" flows_ok free 0
# a module's bound is counted, never silent: 9 segments of 1,400 bytes on port 443, each one TLS
# handshake record (16 03 03, 1,395 bytes), overflow tls's 11,000-byte buffer (the 8th is
# refused, Joy's rule), then a ChangeCipherSpec ends the handshake and gives the version, so the
# flow has a tls object ({"error":"no role"}) that lacks a packet: joy.features_cut.tls = 1;
# without the CCS there is no tls object and nothing is counted
rec=160303057300$(printf '0%.0s' $(seq 1 2788))
for i in 0 1 2 3 4 5 6 7 8; do echo "$i 192.168.1.20:40000 > 52.1.1.1:443 tcp flags=PA hex=$rec"; done > "$TMP/hs0.txt"
{ cat "$TMP/hs0.txt"; echo "9 192.168.1.20:40000 > 52.1.1.1:443 tcp flags=PA hex=140303000101"; } > "$TMP/hs.txt"
"$BIN/pcapgen" -o "$TMP/hs0.pcap" "$TMP/hs0.txt" 2>/dev/null
"$BIN/iotflow" extract -f joy --stats "$TMP/hs0.json" -o "$TMP/hs0" "$TMP/hs0.pcap" > /dev/null 2>&1
check "no tls object, nothing counted: joy.features_cut.tls = 0" \
    test "$(json "$TMP/hs0.json" 'd["joy"]["features_cut"]["tls"]')" = 0
"$BIN/pcapgen" -o "$TMP/hs.pcap" "$TMP/hs.txt" 2>/dev/null
"$BIN/iotflow" extract -f joy --stats "$TMP/hs.json" -o "$TMP/hs" "$TMP/hs.pcap" > "$TMP/hs.out" 2>&1
check "tls buffer overflow counted: joy.features_cut = {dns 0, tls 1, dhcp 0, http 0}" \
    test "$(json "$TMP/hs.json" 'd["joy"]["features_cut"]')" = "{'dns': 0, 'tls': 1, 'dhcp': 0, 'http': 0}"
check "... and named in the summary" grep -q 'Joy tls: 1 flow(s) lost part of it to a bound' "$TMP/hs.out"
"$BIN/iotflow" extract --idp 10 -o "$TMP/idp" "$TMP/s/capture.pcap" > "$TMP/idp.out" 2>&1
rc=$?
check "--idp without -f joy: exit 1" test "$rc" -eq 1
check "... naming -f joy" grep -q -- '-f joy' "$TMP/idp.out"
finish
