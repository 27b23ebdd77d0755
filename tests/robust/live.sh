#!/usr/bin/env bash
# Live capture (R7, R8): two private network namespaces joined by a veth pair; iotflow captures
# on one end while a sender in the other namespace sends UDP datagrams. SIGTERM ends the capture
# cleanly (exit 0, records written, stats interrupted); libpcap's counters are reported; with a
# slowed consumer and a small buffer, kernel drops are reported (never "0 dropped" silently).
# Needs root and `ip netns`; exits 77 (skipped) otherwise.
source "$(dirname "$0")/lib.bash"
if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null; then echo "SKIPPED: needs root and iproute2"; exit 77; fi
netns_pair 192.168.77
send() { send_udp 192.168.77.1 45678 "$1"; }
# 1. SIGTERM ends a live capture cleanly
ip netns exec $A "$BIN/iotflow" extract -i vA$$ --filter "udp port 45678" -f jsonl -f parquet --variant bi \
    -o "$TMP/out" --stats "$TMP/st.json" 2>"$TMP/err" &
pid=$!
sleep 1.5
send 500
sleep 0.5
kill -TERM $pid; wait $pid; rc=$?
check "live SIGTERM -> exit 0 (got $rc)" [ $rc -eq 0 ]
pk=$(cat "$TMP"/out/bidirectional/*.jsonl 2>/dev/null | grep -o '"packets":[0-9]*' | awk -F: '{s+=$2} END {print s+0}')
# both ends are local addresses: mirrored records, each holding all 500 datagrams
check "all 500 datagrams in both mirrored records ($pk views)" [ "$pk" -eq 1000 ]
check "stats: interrupted" [ "$(json "$TMP/st.json" 'd["interrupted"]')" = "True" ]
check "stats: libpcap counters available" [ "$(json "$TMP/st.json" 'd["libpcap"]["available"]')" = "True" ]
check "summary reports libpcap counters" grep -q "libpcap: received" "$TMP/err"
check "parquet complete" bash -c "tail -c 4 '$TMP'/out/bidirectional/*.parquet | grep -q PAR1"
check "no temp file" no_temp_files "$TMP/out"
# 2. --duration stops by itself
ip netns exec $A timeout 10 "$BIN/iotflow" extract -q -i vA$$ --duration 1s -f csv -o "$TMP/out2" 2>/dev/null
check "--duration 1s -> exit 0" [ $? -eq 0 ]
# 3. a slowed consumer with a small buffer: drops are counted and reported
IOF_TEST_SLOW_US=1000 ip netns exec $A "$BIN/iotflow" extract -i vA$$ --buffer-size 64 --snaplen 128 \
    --filter "udp port 45678" -f jsonl -o "$TMP/out3" --stats "$TMP/st3.json" 2>"$TMP/err3" &
pid=$!
sleep 1.5
send 20000
sleep 4   # let the consumer drain what the kernel kept (buffered datagrams are not drops)
kill -TERM $pid; wait $pid
drop=$(json "$TMP/st3.json" 'd["libpcap"]["ps_drop"]')
recv=$(json "$TMP/st3.json" 'd["libpcap"]["ps_recv"]')
read3=$(json "$TMP/st3.json" 'd["packets"]["read"]')
echo "slow consumer: ps_recv=$recv ps_drop=$drop processed=$read3 sent=20000"
check "kernel drops reported (ps_drop > 0)" [ "$drop" -gt 0 ]
check "processed + dropped >= sent" [ $((read3 + drop)) -ge 20000 ]
check "summary names the drops" grep -q "dropped by kernel $drop" "$TMP/err3"
finish
