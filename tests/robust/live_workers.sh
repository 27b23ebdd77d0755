#!/usr/bin/env bash
# Live capture with flow workers (--threads 2, pipeline/shard.h): the capture is sharded like a
# file (two workers, every datagram in both mirrored records, SIGTERM ends it cleanly), and when
# the workers fall behind (a test knob slows them) the reader never waits: packets are dropped,
# counted in the stats and the summary, and every packet not dropped is in the records. Needs root and `ip netns`; exits 77 (skipped) otherwise.
source "$(dirname "$0")/lib.bash"
if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null; then echo "SKIPPED: needs root and iproute2"; exit 77; fi
netns_pair 192.168.78
pkts() { cat "$1"/bidirectional/*.jsonl 2>/dev/null | grep -o '"packets":[0-9]*' | awk -F: '{s+=$2} END {print s+0}'; }
# capture NAME COUNT [ENV=VALUE]: a sharded capture while COUNT datagrams are sent, then SIGTERM;
# outputs in $TMP/NAME, stats $TMP/NAME.json, stderr $TMP/NAME.err; rc its exit status
capture() {
  env ${3:-} ip netns exec $A "$BIN/iotflow" extract --threads 2 -i vA$$ --filter "udp port 45679" -f jsonl \
      --variant bi -o "$TMP/$1" --stats "$TMP/$1.json" 2>"$TMP/$1.err" &
  local pid=$!
  sleep 1.5
  send_udp 192.168.78.1 45679 "$2"
  sleep 1
  kill -TERM $pid; wait $pid; rc=$?
}
# 1. sharded live capture: every datagram in both mirrored records
capture out 500
check "live SIGTERM -> exit 0 (got $rc)" [ $rc -eq 0 ]
check "two flow workers" [ "$(json "$TMP/out.json" 'd["flow_workers"]["workers"]')" = "2" ]
check "all 500 datagrams in both mirrored records" [ "$(pkts "$TMP/out")" -eq 1000 ]
check "nothing dropped by the workers" [ "$(json "$TMP/out.json" 'd["flow_workers"]["dropped"]')" = "0" ]
# 2. slowed workers: the reader drops and counts instead of waiting
capture out2 20000 IOF_TEST_SLOW_WORKER_US=3000
check "slowed workers: exit 0 (got $rc)" [ $rc -eq 0 ]
dropped=$(json "$TMP/out2.json" 'd["flow_workers"]["dropped"]')
attr=$(json "$TMP/out2.json" 'd["packets"]["attributed"]')
echo "slowed workers: attributed=$attr dropped by the workers=$dropped"
check "workers' drops counted (> 0)" [ "$dropped" -gt 0 ]
check "every packet not dropped is in both mirrored records" [ "$(pkts "$TMP/out2")" -eq $((2 * (attr - dropped))) ]
check "the summary names them" grep -q "packet(s) dropped: the workers fell behind" "$TMP/out2.err"
finish
