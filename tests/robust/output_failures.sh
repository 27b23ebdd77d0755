#!/usr/bin/env bash
# R6: output integrity. Every write failure ends with exit 3, one message naming the path,
# nothing under a final name (an existing final file stays byte-identical), no temp file left.
source "$(dirname "$0")/lib.bash"
cat > "$TMP/s.txt" <<'S'
0 192.168.1.10:5000 > 8.8.8.8:53 udp len=300
1 8.8.8.8:53 > 192.168.1.10:5000 udp len=300
2 192.168.1.11:5000 > 8.8.8.8:53 udp len=300
S
"$BIN/pcapgen" -o "$TMP/in.pcap" "$TMP/s.txt" 2>/dev/null
# count low-level writes of a successful run, then fail each one in turn
for fmt in csv jsonl parquet; do
  n_ok=0
  for n in $(seq 1 12); do
    out="$TMP/out-$fmt-$n"
    IOF_TEST_FAIL_WRITE=$n "$BIN/iotflow" extract -q -f $fmt -o "$out" "$TMP/in.pcap" 2>"$TMP/err"
    rc=$?
    if [ $rc -eq 0 ]; then n_ok=$((n_ok+1)); continue; fi   # N beyond the number of writes
    if [ $rc -ne 3 ]; then bad "$fmt write $n: exit $rc, want 3"; continue; fi
    finals=$(find "$out" -type f ! -name '.*' 2>/dev/null | wc -l)
    if [ "$finals" -ne 0 ]; then bad "$fmt write $n: $finals final file(s) left"; continue; fi
    if ! no_temp_files "$out"; then bad "$fmt write $n: temp file left"; continue; fi
    if ! grep -q "No space left" "$TMP/err"; then bad "$fmt write $n: message lacks errno text: $(cat "$TMP/err")"; continue; fi
    ok "$fmt: write $n fails -> exit 3, nothing left"
  done
  [ $n_ok -gt 0 ] || bad "$fmt: no N beyond the write count (test must reach a successful run)"
done
# an output error mid-run is reported as an output error: one message naming the path once,
# no empty "iotflow: " line, and the input is not marked damaged in the stats
"$BIN/pcapgen" --flood 20000 -o "$TMP/flood.pcap" 2>/dev/null
for fmt in csv jsonl parquet; do
  IOF_TEST_FAIL_WRITE=2 "$BIN/iotflow" extract -f $fmt -o "$TMP/mid-$fmt" --stats "$TMP/mid.json" "$TMP/flood.pcap" 2>"$TMP/err"
  rc=$?
  v=$(grep '^verdict:' "$TMP/err")
  check "$fmt: mid-run write failure -> exit 3, FAILED verdict naming the file once" \
    bash -c "[ $rc -eq 3 ] && [ \$(grep -o '24-06-23.$fmt' <<< '$v' | wc -l) -eq 1 ] && grep -q 'No space left' <<< '$v'"
  check "$fmt: no empty 'iotflow:' line" bash -c "! grep -qE '^iotflow:[[:space:]]*$' '$TMP/err'"
  check "$fmt: the input is not marked damaged" [ "$(json "$TMP/mid.json" 'd["input_truncated"] or any(i["error"] for i in d["inputs"])')" = False ]
done
# an existing output stays untouched when a new run that would replace it fails
"$BIN/iotflow" extract -q -f csv -o "$TMP/keep" "$TMP/in.pcap"
before=$(md5sum "$TMP/keep/bidirectional/24-06-23.csv" | cut -d' ' -f1)
IOF_TEST_FAIL_WRITE=1 "$BIN/iotflow" extract -q -f csv --overwrite -o "$TMP/keep" "$TMP/in.pcap" 2>/dev/null
after=$(md5sum "$TMP/keep/bidirectional/24-06-23.csv" | cut -d' ' -f1)
check "existing final file unchanged after a failed run" [ "$before" = "$after" ]
# /dev/full as stdout: ENOSPC must be an error (exit 3), not a silent success
"$BIN/iotflow" extract -q -f csv --variant bi -o - "$TMP/in.pcap" > /dev/full 2>"$TMP/err"
check "-o - to /dev/full -> exit 3" [ $? -eq 3 ]
# closed pipe (| head): never killed by SIGPIPE; it stops quietly with 141 (128 + SIGPIPE,
# what the shell reports for other tools), or 0 when everything was written before the close
"$BIN/iotflow" extract -q -f jsonl --variant bi -o - "$TMP/in.pcap" 2>"$TMP/err" | true
rcs=("${PIPESTATUS[@]}")
check "-o - into a closed pipe -> exit 141 or 0 (never killed by SIGPIPE)" [ "${rcs[0]}" -eq 141 -o "${rcs[0]}" -eq 0 ]
check "-o - into a closed pipe -> nothing on stderr" [ ! -s "$TMP/err" ]
# file size limit: EFBIG
( ulimit -f 1; trap '' XFSZ; "$BIN/iotflow" extract -q -f csv --payload-total 3000 -o "$TMP/big" "$TMP/in.pcap" 2>"$TMP/err" ); rc=$?
check "ulimit -f -> exit 3 (got $rc)" [ $rc -eq 3 ]
check "ulimit -f -> no final file" [ -z "$(find "$TMP/big" -type f ! -name '.*' 2>/dev/null)" ]
# unwritable output directory
mkdir -p "$TMP/ro"; chmod 500 "$TMP/ro"
if [ "$(id -u)" -ne 0 ]; then
  "$BIN/iotflow" extract -q -f csv -o "$TMP/ro/x" "$TMP/in.pcap" 2>/dev/null
  check "unwritable directory -> exit 3" [ $? -eq 3 ]
else
  echo "skip unwritable-directory case (root can write anywhere)"
fi
finish
