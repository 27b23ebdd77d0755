#!/usr/bin/env bash
# R7: SIGINT/SIGTERM end a run cleanly: every record of the packets read is written (files
# complete, renamed), stats say interrupted, exit 130 for file input; a second signal exits at once.
source "$(dirname "$0")/lib.bash"
cat > "$TMP/s.txt" <<'S'
0 192.168.1.10:5000 > 8.8.8.8:53 udp len=30
1 8.8.8.8:53 > 192.168.1.10:5000 udp len=60
2 192.168.1.11:40000 > 52.1.1.1:443 tcp flags=S
S
"$BIN/pcapgen" -o "$TMP/a.pcap" "$TMP/s.txt" 2>/dev/null
for sig in INT TERM; do
  rm -rf "$TMP/out" "$TMP/fifo"; mkfifo "$TMP/fifo"
  # the writer sends the whole capture, then keeps the FIFO open (no EOF) for 20 s
  ( cat "$TMP/a.pcap"; sleep 20 ) > "$TMP/fifo" &
  wpid=$!
  "$BIN/iotflow" extract -q -f jsonl -f parquet --variant bi -o "$TMP/out" --stats "$TMP/st.json" "$TMP/fifo" 2>"$TMP/err" &
  pid=$!
  sleep 1
  t0=$(date +%s%N)
  kill -$sig $pid
  wait $pid; rc=$?
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  kill $wpid 2>/dev/null; wait $wpid 2>/dev/null
  check "SIG$sig: exit 130 (got $rc)" [ $rc -eq 130 ]
  check "SIG$sig: stopped within 2 s (${ms} ms)" [ $ms -lt 2000 ]
  check "SIG$sig: both records of the packets read are written" [ "$(cat "$TMP"/out/bidirectional/*.jsonl 2>/dev/null | wc -l)" -eq 2 ]
  check "SIG$sig: parquet file complete (PAR1 footer)" bash -c "tail -c 4 '$TMP'/out/bidirectional/*.parquet | grep -q PAR1"
  check "SIG$sig: stats say interrupted" [ "$(json "$TMP/st.json" 'd["interrupted"]')" = "True" ]
  check "SIG$sig: no temp file left" no_temp_files "$TMP/out"
done
# --end-reason: the records (2) and Joy flows (2: a DNS pair, a SYN) still open when the signal
# came say "stopped"
rm -rf "$TMP/fifo"; mkfifo "$TMP/fifo"
( cat "$TMP/a.pcap"; sleep 20 ) > "$TMP/fifo" &
wpid=$!
"$BIN/iotflow" extract -q --end-reason -f jsonl -f joy --variant bi -o "$TMP/out3" --stats "$TMP/s3.json" "$TMP/fifo" 2>"$TMP/err" &
pid=$!
sleep 1; kill -INT $pid; wait $pid; rc=$?
kill $wpid 2>/dev/null; wait $wpid 2>/dev/null
check "--end-reason SIGINT: exit 130 (got $rc)" [ $rc -eq 130 ]
check "--end-reason SIGINT: every record says stopped" \
    [ "$(cat "$TMP"/out3/bidirectional/*.jsonl 2>/dev/null | grep -c '"end_reason":"stopped"')" -eq 2 ]
check "--end-reason SIGINT: every Joy flow says stopped" \
    [ "$(zcat "$TMP"/out3/joy/*.json.gz 2>/dev/null | grep -c '"end_reason":"stopped"')" -eq 2 ]
check "--end-reason SIGINT: the verdict's rows count the Joy flows too (2 records + 2 flows)" \
    grep -q '"text":"outputs complete for the [0-9]* packets read (2 file(s), 4 rows)"' "$TMP/s3.json"
# a second signal while the first is being handled: immediate exit 130
rm -rf "$TMP/fifo"; mkfifo "$TMP/fifo"
( cat "$TMP/a.pcap"; sleep 20 ) > "$TMP/fifo" &
wpid=$!
"$BIN/iotflow" extract -q -f csv -o "$TMP/out2" "$TMP/fifo" 2>/dev/null &
pid=$!
sleep 1; kill -INT $pid; kill -INT $pid; wait $pid; rc=$?
kill $wpid 2>/dev/null; wait $wpid 2>/dev/null
check "second SIGINT: exit 130 (got $rc)" [ $rc -eq 130 ]
# the first signal may already have completed the files; a temp file must never remain
check "second SIGINT: no temp file left" no_temp_files "$TMP/out2"
finish
