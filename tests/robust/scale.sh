#!/usr/bin/env bash
# R2 (bounded memory under flow floods) and R9 (64-bit counters on huge flows), streamed
# through pipes so nothing proportional to the input touches the disk.
source "$(dirname "$0")/lib.bash"
rss_run() { # N -> prints "rows rss_kb" ; stats in $TMP/flood-N.json
  local n=$1
  /usr/bin/time -f "%M" -o "$TMP/time-$n" bash -c \
    "'$BIN/pcapgen' --flood $n -o - 2>/dev/null | '$BIN/iotflow' extract -q --max-flows 100000 -f jsonl --variant bi --packets 1 --payload 0 --stats '$TMP/flood-$n.json' -o - - | wc -l > '$TMP/rows-$n'"
  echo "$(cat "$TMP/rows-$n") $(tail -1 "$TMP/time-$n")"
}
read -r rows1 rss1 < <(rss_run 500000)
read -r rows2 rss2 < <(rss_run 2000000)
echo "flood: 500k flows -> rss ${rss1} KiB; 2M flows -> rss ${rss2} KiB"
check "500k distinct flows -> 500k rows" [ "$rows1" -eq 500000 ]
check "2M distinct flows -> 2M rows (none lost)" [ "$rows2" -eq 2000000 ]
check "RSS plateau: RSS(2M) - RSS(500k) < 16 MiB" [ $((rss2 - rss1)) -lt 16384 ]
ev=$(json "$TMP/flood-2000000.json" 'd["records"]["evicted_bidirectional"]')
check "evicted = N - max_flows ($ev)" [ "$ev" -eq 1900000 ]
peak=$(json "$TMP/flood-2000000.json" 'd["records"]["peak_live"]')
check "live records never exceed --max-flows ($peak)" [ "$peak" -le 100000 ]
# the per-device table past its 100,000 rows: one "(other)" row takes the rest, no real device
# absorbs another's counts, and the printed summary stays short (110,000 devices: one MAC each)
python3 -c "
for i in range(110000):
    print('%.6f 10.%d.%d.%d:1000 > 8.8.8.8:53 udp' % (i / 1e6, i >> 16 & 255, i >> 8 & 255, i & 255))" > "$TMP/devs.txt"
"$BIN/pcapgen" -o - "$TMP/devs.txt" 2>/dev/null | "$BIN/iotflow" extract --packets 1 --payload 0 -f jsonl \
  --variant bi --stats "$TMP/devs.json" -o - - 2>"$TMP/sum.txt" > /dev/null
read -r nd other maxreal < <(python3 -c "
import json; d = json.load(open('$TMP/devs.json'))['devices']
o = [x for x in d if x['device'] == '(other)']
print(len(d), o[0]['records_bidirectional'] if o else -1, max(x['records_bidirectional'] for x in d if x['device'] != '(other)'))")
check "device table: 100,000 rows + (other) ($nd)" [ "$nd" -eq 100001 ]
check "device table: (other) holds the 10,000 other devices' records ($other)" [ "$other" -eq 10000 ]
check "device table: every real device has its own single record ($maxreal)" [ "$maxreal" -eq 1 ]
check "summary of 110,000 devices: at most 50 device rows printed ($(wc -l < "$TMP/sum.txt") lines)" \
  bash -c "[ \$(wc -l < '$TMP/sum.txt') -lt 100 ] && grep -q '99951 more device(s) not shown' '$TMP/sum.txt'"
# R9: one flow, 3,000,000 packets, caplen 64, wire 1514 (IP length 1500): 4.5e9 bytes
"$BIN/pcapgen" --one-flow 3000000 -o - 2>/dev/null | \
  "$BIN/iotflow" extract -q -f jsonl --variant bi --stats "$TMP/big.json" -o - - > "$TMP/big.jsonl"
read -r pk by < <(python3 -c "import json; r=json.loads(open('$TMP/big.jsonl').readline()); print(r['packets'], r['bytes'])")
check "one record with 3,000,000 packets ($pk)" [ "$pk" -eq 3000000 ]
check "TotalFlowSize 4,500,000,000 (64-bit) ($by)" [ "$by" -eq 4500000000 ]
wb=$(json "$TMP/big.json" 'd["packets"]["wire_bytes"]')
check "wire bytes 4,542,000,000 ($wb)" [ "$wb" -eq 4542000000 ]
finish
