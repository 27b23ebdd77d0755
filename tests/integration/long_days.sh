#!/usr/bin/env bash
# Long-running, generated (issue "Runs a researcher can trust"): timestamps spread over
# thousands of days. Memory must not grow with the number of UTC days (each open day file
# used to stay in memory until the end: 2,000 days took 1.3 GB): peak RSS < 300 MB, every
# packet counted in exactly one record, one complete file per day and variant. A second
# signal while hundreds of day files are being written leaves nothing but complete,
# published files, and says so. (Release build only: ~2-3 min.)
source "$(dirname "$0")/../robust/lib.bash"
DAYS=${IOF_LONG_DAYS:-2000}
python3 - "$DAYS" "$TMP" <<'PY'
import random, sys
n, tmp = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(7)
# one DNS query per day at a random time of the day, in time order ...
with open(tmp + "/sorted.txt", "w") as f:
    for i in range(n):
        f.write("%d 192.168.1.10:%d > 8.8.8.8:53 udp len=40\n" % (i * 86400 + rnd.randint(0, 86000), 1024 + i % 60000))
# ... and the same number of packets at random times over the whole span (time jumps back and forth)
with open(tmp + "/random.txt", "w") as f:
    for i in range(n):
        f.write("%d 192.168.1.10:%d > 8.8.8.8:53 udp len=40\n" % (rnd.randint(0, n * 86400), 1024 + i % 60000))
PY
"$BIN/pcapgen" -o "$TMP/sorted.pcap" "$TMP/sorted.txt" 2>/dev/null
"$BIN/pcapgen" -o "$TMP/random.pcap" "$TMP/random.txt" 2>/dev/null

csv_packets() { # sum of PacketCount over every bidirectional CSV file (header lines skipped)
  find "$1/bidirectional" -name '*.csv' -exec awk -F, 'FNR > 1 { s += $8 } END { print s + 0 }' {} + | awk '{ s += $1 } END { print s + 0 }'
}
for kind in sorted random; do
  out="$TMP/out-$kind"
  /usr/bin/time -f "%M" -o "$TMP/rss-$kind" "$BIN/iotflow" extract -q --hash-seed 1 -f parquet -f csv \
    -o "$out" --stats "$TMP/$kind.json" "$TMP/$kind.pcap"; rc=$?
  rss=$(tail -1 "$TMP/rss-$kind")
  echo "$kind: $DAYS days -> peak RSS $((rss / 1024)) MiB, $(find "$out" -name '*.parquet' | wc -l) Parquet files"
  check "$kind: exit 0 (got $rc)" [ $rc -eq 0 ]
  check "$kind: peak RSS $((rss / 1024)) MiB < 300 MiB" [ "$rss" -lt $((300 * 1024)) ]
  check "$kind: every packet in exactly one bidirectional record" [ "$(csv_packets "$out")" -eq "$DAYS" ]
  check "$kind: stats conserve packets" \
    [ "$(json "$TMP/$kind.json" 'd["packets"]["read"] == d["packets"]["decoded"] == d["packets"]["attributed"]')" = True ]
  check "$kind: no temporary file" no_temp_files "$out"
  check "$kind: every Parquet file complete (PAR1 footer)" \
    bash -c "! find '$out' -name '*.parquet' -exec sh -c 'tail -c 4 \"\$1\" | grep -q PAR1 || echo bad' _ {} \; | grep -q bad"
  listed=$(json "$TMP/$kind.json" 'len(d["outputs"])')
  check "$kind: the stats list every file written ($listed)" [ "$listed" -eq "$(find "$out" -type f | wc -l)" ]
done
check "sorted: one file per day, variant and format (no part files)" \
  [ "$(find "$TMP/out-sorted" -name '*.part*' | wc -l)" -eq 0 ]

# a second signal (SIGINT then SIGTERM) while the day files are being written (slowed down)
IOF_TEST_SLOW_US=2000 "$BIN/iotflow" extract -q -f parquet -f csv -o "$TMP/sig" "$TMP/sorted.pcap" 2>"$TMP/sig.err" &
pid=$!
# wait for 200 *published* files (temporary ones start with '.' and the second signal removes them);
# up to 60 s: a loaded CI machine writes the slowed-down files at a third of this VM's pace
for _ in $(seq 1 600); do [ "$(find "$TMP/sig" -type f ! -name '.*' 2>/dev/null | wc -l)" -ge 200 ] && break; sleep 0.1; done
kill -INT $pid; kill -TERM $pid  # two different signals: they cannot merge into one pending signal
wait $pid; rc=$?
n=$(find "$TMP/sig" -type f ! -name '.*' | wc -l)
check "second SIGINT: exit 130 (got $rc) after $n published files" bash -c "[ $rc -eq 130 ] && [ $n -ge 200 ]"
check "second SIGINT: no temporary file left" no_temp_files "$TMP/sig"
check "second SIGINT: it says so" grep -q "second signal: stopped at once; [0-9]* temporary file(s) removed" "$TMP/sig.err"
check "second SIGINT: every published Parquet file is complete" \
  bash -c "! find '$TMP/sig' -name '*.parquet' -exec sh -c 'tail -c 4 \"\$1\" | grep -q PAR1 || echo bad' _ {} \; | grep -q bad"
check "second SIGINT: every published CSV file ends with a full row" \
  bash -c "! find '$TMP/sig' -name '*.csv' -exec sh -c '[ \"\$(tail -c 1 \"\$1\" | od -An -c | tr -d \" \")\" = \"\\\\n\" ] || echo bad' _ {} \; | grep -q bad"
# a day's last records before a night's gap whose first frame is dropped (not IP: EAPOL) are
# written to that day's one file: the dropped frame moved the day clock but not the flow table,
# so they used to open a .part1 file of a day already completed
BLINK=${IOF_SHARED:-/nonexistent}/corpus/iot__blink-camera-1week-asym-vlan-hdrs-only__blink-cam-01.pcap
if [ -f "$BLINK" ]; then
  "$BIN/iotflow" extract -q -f csv -o "$TMP/blink" "$BLINK" > /dev/null 2>&1
  check "a dropped frame after a gap: one file per day and variant, no .part" \
    bash -c "[ -z \"\$(find '$TMP/blink' -name '*.part*')\" ] && [ \$(find '$TMP/blink' -name '*.csv' | wc -l) -ge 12 ]"
fi
finish
