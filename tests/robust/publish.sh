#!/usr/bin/env bash
# Publishing and earlier runs' files (docs/OUTPUT.md "Files"):
#  - a day's file is published once the packet clock has passed that day (seen while the run
#    is still reading a FIFO); the files open at the end are published together;
#  - a failure after some days were published: exit 3, the published files are complete and
#    listed (stats JSON and summary), nothing else is left, the verdict says so;
#  - an earlier run's file in the way: refused by default (exit 1, the directory as it was,
#    including the days this run had completed), --overwrite (replaced, stale parts removed),
#    --append (part files beside; refused when the earlier file has other columns);
#  - --stats that cannot be written: exit 3 and a FAILED verdict, never "OK";
#  - stdout closed by its reader (| head): quiet, exit 141; a file-size limit (SIGXFSZ):
#    exit 3 with a message, no temporary file.
source "$(dirname "$0")/lib.bash"
# three days, one device, a DNS exchange each day (the clock passes each day by hours)
cat > "$TMP/s.txt" <<'S'
0 192.168.1.10:5000 > 8.8.8.8:53 udp len=30
1 8.8.8.8:53 > 192.168.1.10:5000 udp len=60
86400 192.168.1.10:5001 > 8.8.8.8:53 udp len=30
86401 8.8.8.8:53 > 192.168.1.10:5001 udp len=60
172800 192.168.1.10:5002 > 8.8.8.8:53 udp len=30
172801 8.8.8.8:53 > 192.168.1.10:5002 udp len=60
S
"$BIN/pcapgen" -o "$TMP/3d.pcap" "$TMP/s.txt" 2>/dev/null
days="24-06-23 24-06-24 24-06-25"
run() { "$BIN/iotflow" extract -q --hash-seed 1 "$@"; }

# -- a day is published while the run goes on
rm -f "$TMP/fifo"; mkfifo "$TMP/fifo"
( cat "$TMP/3d.pcap"; sleep 4 ) > "$TMP/fifo" &
wpid=$!
run -f csv -o "$TMP/live" "$TMP/fifo" &
pid=$!
sleep 2
check "day 1 and 2 published while the run still reads" \
  bash -c "[ -s '$TMP/live/bidirectional/24-06-23.csv' ] && [ -s '$TMP/live/bidirectional/24-06-24.csv' ]"
check "day 3 (the clock is in it) not yet published" [ ! -e "$TMP/live/bidirectional/24-06-25.csv" ]
wait $pid; rc=$?; wait $wpid
check "run over the FIFO: exit 0 (got $rc)" [ $rc -eq 0 ]
check "one file per day and variant, no part files" [ "$(find "$TMP/live" -type f | wc -l)" -eq 6 ]
check "no temp file left" no_temp_files "$TMP/live"

# -- a write failure after two files were published (CSV: one write per small file)
IOF_TEST_FAIL_WRITE=3 "$BIN/iotflow" extract --hash-seed 1 -f csv -o "$TMP/fail" --stats "$TMP/fail.json" \
  "$TMP/3d.pcap" 2>"$TMP/fail.err"; rc=$?
check "failure on the 3rd file: exit 3 (got $rc)" [ $rc -eq 3 ]
check "the two files of day 1 stay published and complete" \
  bash -c "[ \$(find '$TMP/fail' -type f ! -name '.*' | wc -l) -eq 2 ] && [ \$(wc -l < '$TMP/fail/bidirectional/24-06-23.csv') -eq 2 ]"
check "no temp file left after the failure" no_temp_files "$TMP/fail"
check "stats list exactly the published files" \
  [ "$(json "$TMP/fail.json" '" ".join(sorted(o["path"].split("/")[-2] + "/" + o["path"].split("/")[-1] for o in d["outputs"]))')" = "bidirectional/24-06-23.csv unidirectional/24-06-23.csv" ]
check "stats verdict FAILED" [ "$(json "$TMP/fail.json" 'd["verdict"]["status"]')" = FAILED ]
check "summary verdict names the published files and the failure" \
  grep -q "verdict: FAILED: .*No space left.*the 2 file(s) published before the failure are complete" "$TMP/fail.err"
# files still open at the end are published together or not at all
IOF_TEST_FAIL_WRITE=6 run -f csv -o "$TMP/fail6" "$TMP/3d.pcap" 2>/dev/null
check "failure on the last day's 2nd file: its 1st file is not published either" \
  bash -c "[ ! -e '$TMP/fail6/bidirectional/24-06-25.csv' ] && [ -e '$TMP/fail6/unidirectional/24-06-24.csv' ]"

# -- an earlier run's files
run -f csv -f parquet -o "$TMP/prev" --stats "$TMP/ok3d.json" "$TMP/3d.pcap" 2>"$TMP/ok3d.err"
find "$TMP/prev" -type f -exec md5sum {} + | sort > "$TMP/prev.md5"
"$BIN/iotflow" extract --hash-seed 1 -f csv -f parquet -o "$TMP/prev" "$TMP/3d.pcap" 2>"$TMP/refuse.err"; rc=$?
check "second run into the same directory: refused, exit 1 (got $rc)" [ $rc -eq 1 ]
check "refusal names the file and the options" \
  bash -c "grep -qE '24-06-23.(csv|parquet) already exists' '$TMP/refuse.err' && grep -q -- '--overwrite' '$TMP/refuse.err' && grep -q -- '--append' '$TMP/refuse.err'"
check "refused: the directory is as it was" cmp -s "$TMP/prev.md5" <(find "$TMP/prev" -type f -exec md5sum {} + | sort)
# the summary's record counts say where the output stopped, so they agree with its tables: three
# conversations of one minute, all made at the end of the input, the first one refused
printf '0 192.168.1.10:5000 > 8.8.8.8:53 udp len=30\n1 192.168.1.11:5000 > 8.8.4.4:53 udp len=30\n2 192.168.1.12:5000 > 1.1.1.1:53 udp len=30\n' > "$TMP/three.txt"
"$BIN/pcapgen" -o "$TMP/three.pcap" "$TMP/three.txt" 2>/dev/null
run -f csv -o "$TMP/three" "$TMP/three.pcap"
"$BIN/iotflow" extract --hash-seed 1 -f csv -o "$TMP/three" --stats "$TMP/refuse.json" "$TMP/three.pcap" 2>"$TMP/refuse2.err"
made=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['records']; print(r['bidirectional'], r['reached_output_bidirectional'], sum(d['records_bidirectional'] for d in json.load(open(sys.argv[1]))['devices']))" "$TMP/refuse.json")
check "refused: records made, those that reached the output, and the device table's ($made)" \
  bash -c "set -- $made; [ \$1 -gt \$2 ] && grep -q \"the output stopped after bidirectional \$2, \" '$TMP/refuse2.err'"
check "a run that writes everything: no such line, all records reached the output" \
  bash -c "! grep -q 'the output stopped' '$TMP/ok3d.err' && [ \"\$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))[\"records\"]; print(r[\"bidirectional\"] == r[\"reached_output_bidirectional\"] > 0)' '$TMP/ok3d.json')\" = True ]"
# only day 3 is in the way: days 1 and 2 are written first, then removed again
mkdir -p "$TMP/d3/bidirectional"; echo "someone else's" > "$TMP/d3/bidirectional/24-06-25.csv"
run -f csv -o "$TMP/d3" "$TMP/3d.pcap" 2>/dev/null; rc=$?
check "refused on day 3: exit 1, the files of days 1-2 removed again, day 3 untouched" \
  bash -c "[ $rc -eq 1 ] && [ \$(find '$TMP/d3' -type f | wc -l) -eq 1 ] && grep -q \"someone else's\" '$TMP/d3/bidirectional/24-06-25.csv'"
# --append: part files beside
run -f csv --append -o "$TMP/prev" "$TMP/3d.pcap"; rc=$?
check "--append: exit 0, one part1 per day and variant" \
  bash -c "[ $rc -eq 0 ] && [ \$(find '$TMP/prev' -name '*.part1.csv' | wc -l) -eq 6 ]"
check "--append: the part files hold the same rows" cmp -s "$TMP/prev/bidirectional/24-06-24.csv" "$TMP/prev/bidirectional/24-06-24.part1.csv"
run -f csv --append -o "$TMP/prev" "$TMP/3d.pcap"
check "--append again: part2" [ -e "$TMP/prev/unidirectional/24-06-25.part2.csv" ]
# --append with other columns (--device-ip; the nested layout): refused, exit 1, nothing added,
# the message names the file and the first column that differs; each format is compared
find "$TMP/prev" -type f -exec md5sum {} + | sort > "$TMP/prev2.md5"
for args in "-f csv --device-ip" "-f parquet --device-ip" "-f jsonl --layout wide" "-f parquet --layout nested"; do
  # shellcheck disable=SC2086
  "$BIN/iotflow" extract -q --hash-seed 1 --append $args -o "$TMP/prev" "$TMP/3d.pcap" 2>"$TMP/cols.err"; rc=$?
  [ "$args" = "-f jsonl --layout wide" ] && { check "--append $args: no earlier jsonl, exit 0 (got $rc)" [ $rc -eq 0 ]; continue; }
  check "--append $args: other columns, exit 1 (got $rc)" [ $rc -eq 1 ]
  check "--append $args: the message names the file and the columns" \
    grep -qE -- '--append: .*24-06-2[345]\.(csv|parquet) has other columns than this run writes \([0-9]+ there, [0-9]+ here; column [0-9]+ is ' "$TMP/cols.err"
  check "--append $args: nothing added" cmp -s "$TMP/prev2.md5" <(find "$TMP/prev" -type f ! -name '*.jsonl' -exec md5sum {} + | sort)
done
run -f jsonl --layout nested --append -o "$TMP/prev" "$TMP/3d.pcap" 2>"$TMP/cols.err"; rc=$?
check "--append -f jsonl (nested) beside the wide jsonl: refused, exit 1 (got $rc)" [ $rc -eq 1 ]
find "$TMP/prev" -name '*.jsonl' -delete
# --overwrite: replaces, and removes the earlier run's later parts of those days
"$BIN/iotflow" extract --hash-seed 1 -f csv --overwrite -o "$TMP/prev" --stats "$TMP/ow.json" "$TMP/3d.pcap" 2>"$TMP/ow.err"; rc=$?
check "--overwrite: exit 0 (got $rc)" [ $rc -eq 0 ]
check "--overwrite: the earlier run's part files of those days are gone" [ -z "$(find "$TMP/prev" -name '*.part*.csv')" ]
check "--overwrite: parquet files of the earlier run (other format) are kept" [ "$(find "$TMP/prev" -name '*.parquet' | wc -l)" -eq 6 ]
check "--overwrite: the summary says replaced" grep -q 'replaced an earlier file' "$TMP/ow.err"
check "--overwrite: the stats say replaced" [ "$(json "$TMP/ow.json" 'all(o["replaced"] for o in d["outputs"])')" = True ]
"$BIN/iotflow" extract -q --overwrite --append -o "$TMP/x" "$TMP/3d.pcap" 2>/dev/null
check "--overwrite with --append: usage error" [ $? -eq 1 ]
# an existing final file stays byte-identical when an overwriting run fails
before=$(md5sum "$TMP/prev/bidirectional/24-06-23.csv")
IOF_TEST_FAIL_WRITE=1 run -f csv --overwrite -o "$TMP/prev" "$TMP/3d.pcap" 2>/dev/null
check "failed --overwrite run: the earlier file is unchanged" [ "$before" = "$(md5sum "$TMP/prev/bidirectional/24-06-23.csv")" ]

# -- statistics that cannot be written
mkdir -p "$TMP/rofile"; : > "$TMP/rofile/f"
"$BIN/iotflow" extract --hash-seed 1 -f csv -o "$TMP/st2" --stats "$TMP/rofile/f/stats.json" "$TMP/3d.pcap" 2>"$TMP/st.err"; rc=$?
check "--stats not writable: exit 3 (got $rc)" [ $rc -eq 3 ]
check "--stats not writable: verdict FAILED, never OK" \
  bash -c "grep -q '^verdict: FAILED: statistics not written' '$TMP/st.err' && ! grep -q '^verdict: OK' '$TMP/st.err'"

# -- | head: quiet, exit 141
"$BIN/pcapgen" --flood 20000 -o "$TMP/flood.pcap" 2>/dev/null
"$BIN/iotflow" extract -f jsonl --variant bi -o - "$TMP/flood.pcap" 2>"$TMP/pipe.err" | head -1 > /dev/null
rcs=("${PIPESTATUS[@]}")
check "stdout closed by head: exit 141 (got ${rcs[0]})" [ "${rcs[0]}" -eq 141 ]
check "stdout closed by head: nothing on stderr" [ ! -s "$TMP/pipe.err" ]

# -- a file-size limit: SIGXFSZ is not fatal, the write fails with EFBIG
( ulimit -f 20; "$BIN/iotflow" extract -f csv -o "$TMP/xfsz" "$TMP/flood.pcap" 2>"$TMP/xfsz.err" ); rc=$?
check "ulimit -f: exit 3 (got $rc), not killed" [ $rc -eq 3 ]
check "ulimit -f: message says the file is too large" grep -q "File too large" "$TMP/xfsz.err"
check "ulimit -f: no temporary file, no final file" \
  bash -c "[ -z \"\$(find '$TMP/xfsz' -type f 2>/dev/null)\" ]"
finish
