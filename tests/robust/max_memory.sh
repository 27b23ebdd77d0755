#!/usr/bin/env bash
# --max-memory: memory under payload-heavy hostile traffic is bounded in bytes, not only in
# flows (issue "Speed and scale"). 20,000 conversations x 3 packets of 1,400 payload bytes with
# --max-flows 100000 hold ~85 MB of payload unbounded; --max-memory 16M keeps the flow table
# under 16 MiB, evicts the oldest records early (counted apart from --max-flows), and every
# packet still lands in exactly one record.
source "$(dirname "$0")/lib.bash"
python3 -c "
for r in range(3):
    for i in range(20000):
        print('%.6f 10.%d.%d.%d:%d > 8.8.8.8:443 tcp len=1400' % (r * 20 + i / 1e3, i >> 16 & 255, i >> 8 & 255, 1 + (i & 127), 1000 + i))" > "$TMP/heavy.txt"
"$BIN/pcapgen" -o "$TMP/heavy.pcap" "$TMP/heavy.txt" 2>/dev/null
run() { # name extra-args... -> stats in $TMP/NAME.json, rows in $TMP/NAME.jsonl, peak RSS (KiB) in $TMP/NAME.rss
  local name=$1; shift
  /usr/bin/time -f "%M" -o "$TMP/$name.rss" "$BIN/iotflow" extract -q --max-flows 100000 -f jsonl \
    --variant bi --packets 3 --payload 1400 --stats "$TMP/$name.json" -o - "$@" "$TMP/heavy.pcap" > "$TMP/$name.jsonl"
}
run bounded --max-memory 16M; rc_b=$?
run unbounded --max-memory none; rc_u=$?
check "bounded run: exit 0 (got $rc_b)" [ "$rc_b" -eq 0 ]
check "unbounded run: exit 0 (got $rc_u)" [ "$rc_u" -eq 0 ]
peak=$(json "$TMP/bounded.json" 'd["records"]["peak_live_bytes"]')
check "flow table never above --max-memory ($peak <= 16 MiB)" [ "$peak" -le $((16 << 20)) ]
upeak=$(json "$TMP/unbounded.json" 'd["records"]["peak_live_bytes"]')
check "unbounded it would hold > 64 MB ($upeak)" [ "$upeak" -gt 64000000 ]
ev=$(json "$TMP/bounded.json" 'd["records"]["evicted_for_memory"]')
evb=$(json "$TMP/bounded.json" 'd["records"]["evicted_bidirectional"]')
check "evictions counted for --max-memory ($ev of $evb)" bash -c "[ $ev -gt 10000 ] && [ $ev -eq $evb ]"
check "records flagged evicted in the output = the count" \
  [ "$(grep -c '"evicted":true' "$TMP/bounded.jsonl")" -eq "$evb" ]
check "no eviction without a bound" [ "$(json "$TMP/unbounded.json" 'd["records"]["evicted_for_memory"]')" -eq 0 ]
check "max_memory recorded in the stats" [ "$(json "$TMP/bounded.json" 'd["records"]["max_memory"]')" -eq $((16 << 20)) ]
for name in bounded unbounded; do
  got=$(python3 -c "import json,sys; print(sum(json.loads(l)['packets'] for l in open(sys.argv[1])))" "$TMP/$name.jsonl")
  check "$name: every packet in exactly one record ($got of 60000)" [ "$got" -eq 60000 ]
done
rb=$(cat "$TMP/bounded.rss" | tail -1); ru=$(cat "$TMP/unbounded.rss" | tail -1)
echo "peak RSS: bounded $((rb / 1024)) MiB, unbounded $((ru / 1024)) MiB"
# a difference, not an absolute figure: sanitizer builds hold freed memory in quarantine
check "peak RSS: the bound saves > 50 MiB" [ $((ru - rb)) -gt $((50 * 1024)) ]
# the default is derived from the machine: a positive bound of at least 64 MiB
"$BIN/iotflow" extract -q -f jsonl --variant bi --stats "$TMP/default.json" -o - "$TMP/heavy.pcap" > /dev/null
check "default --max-memory >= 64 MiB" [ "$(json "$TMP/default.json" 'd["records"]["max_memory"]')" -ge $((64 << 20)) ]
# bad values are usage errors (exit 1) that name the option
for bad in 512 1x -5M 0 ""; do
  "$BIN/iotflow" extract -q --max-memory "$bad" -o "$TMP/none" "$TMP/heavy.pcap" 2>"$TMP/err" >/dev/null; rc=$?
  check "--max-memory '$bad': exit 1 (got $rc) and a message" bash -c "[ $rc -eq 1 ] && grep -q -- '--max-memory' '$TMP/err'"
done
finish
