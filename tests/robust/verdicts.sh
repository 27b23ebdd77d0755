#!/usr/bin/env bash
# Verdicts and exit statuses (docs/CLI.md, docs/OUTPUT.md "Run summary"): a run whose result
# is probably not what the user wanted ends with `verdict: WARN: <reasons>` (exit 0, or 4
# with --strict), never OK; configuration errors exit 1 with a message, nothing written.
source "$(dirname "$0")/lib.bash"
run() { "$BIN/iotflow" extract --hash-seed 1 -f csv "$@"; }
verdict() { grep '^verdict:' "$1"; }
cat > "$TMP/ok.txt" <<'S'
0 192.168.1.10:5000 > 8.8.8.8:53 udp len=30
1 8.8.8.8:53 > 192.168.1.10:5000 udp len=60
S
"$BIN/pcapgen" -o "$TMP/ok.pcap" "$TMP/ok.txt" 2>/dev/null
run -o "$TMP/o-ok" --stats "$TMP/ok.json" "$TMP/ok.pcap" 2>"$TMP/ok.err"; rc=$?
check "ordinary run: verdict OK, exit 0" bash -c "[ $rc -eq 0 ] && grep -q '^verdict: OK' '$TMP/ok.err'"
check "stats JSON carries the verdict" [ "$(json "$TMP/ok.json" 'd["verdict"]["status"]')" = OK ]
run --strict -o "$TMP/o-ok2" "$TMP/ok.pcap" 2>/dev/null
check "--strict on an OK run: exit 0" [ $? -eq 0 ]

# every packet on a link type iotflow does not decode (USER0, 147)
python3 - "$TMP/user0.pcap" <<'PY'
import struct, sys
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 147))
    for i in range(5):
        data = bytes(range(40))
        f.write(struct.pack("<IIII", 1719165600 + i, 0, len(data), len(data)) + data)
PY
run -o "$TMP/o-u" --stats "$TMP/u.json" "$TMP/user0.pcap" 2>"$TMP/u.err"; rc=$?
check "unsupported link type: WARN, not OK (exit $rc)" \
  bash -c "[ $rc -eq 0 ] && verdict() { grep '^verdict:' \"\$1\"; }; verdict '$TMP/u.err' | grep -q 'WARN: most packets were dropped: 5 of 5 (mostly link.unsupported=5)'"
check "unsupported link type: the verdict points to the supported link types" grep -q "README lists the supported link types" "$TMP/u.err"
check "unsupported link type: stats verdict WARN" [ "$(json "$TMP/u.json" 'd["verdict"]["status"]')" = WARN ]
run --strict -o "$TMP/o-u2" "$TMP/user0.pcap" 2>/dev/null
check "--strict turns WARN into exit 4" [ $? -eq 4 ]

# packets decoded, but no endpoint is a device
echo "0 8.8.8.8:53 > 1.1.1.1:5000 udp len=30" > "$TMP/pub.txt"
"$BIN/pcapgen" -o "$TMP/pub.pcap" "$TMP/pub.txt" 2>/dev/null
run -o "$TMP/o-p" "$TMP/pub.pcap" 2>"$TMP/p.err"
check "no records: WARN names the cause" grep -q "^verdict: WARN: no records were made: none of the 1 decoded packets" "$TMP/p.err"

# an inventory none of whose devices is in the capture
printf 'mac,name,type\n00:11:22:33:44:55,cam,camera\n' > "$TMP/inv.csv"
run -o "$TMP/o-i" --devices "$TMP/inv.csv" "$TMP/ok.pcap" 2>"$TMP/i.err"
check "inventory never seen: WARN names the file" grep -q "^verdict: WARN: .*none of the 1 inventory device(s) was seen (check the MACs in $TMP/inv.csv)" "$TMP/i.err"

# inputs whose times go back: name order over overlapping captures
cat > "$TMP/a.txt" <<'S'
0 192.168.1.10:5000 > 8.8.8.8:53 udp len=30
120 192.168.1.10:5000 > 8.8.8.8:53 udp len=30
S
cat > "$TMP/b.txt" <<'S'
60 192.168.1.10:5000 > 8.8.8.8:53 udp len=30
S
mkdir -p "$TMP/ov"; "$BIN/pcapgen" -o "$TMP/ov/a.pcap" "$TMP/a.txt" 2>/dev/null; "$BIN/pcapgen" -o "$TMP/ov/b.pcap" "$TMP/b.txt" 2>/dev/null
run --input-order name -o "$TMP/o-n" --stats "$TMP/n.json" "$TMP/ov" 2>"$TMP/n.err"
check "name order over overlapping inputs: WARN, backwards counted" \
  bash -c "grep -q '^verdict: WARN: 1 packet(s) went back in time across inputs' '$TMP/n.err' && [ \"\$(python3 -c 'import json;print(json.load(open(\"$TMP/n.json\"))[\"packets\"][\"ts_backwards_across_inputs\"])')\" = 1 ]"
run -o "$TMP/o-t" --stats "$TMP/t.json" "$TMP/ov" 2>"$TMP/t.err"
check "time order (default): the same inputs merged, verdict OK" grep -q "^verdict: OK" "$TMP/t.err"
check "time order: nothing went backwards" [ "$(json "$TMP/t.json" 'd["packets"]["ts_backwards_across_inputs"]')" = 0 ]

# impossible timestamps (a microsecond fraction of 1 s or more): kept, counted, and the verdict WARN
python3 - "$TMP/badts.pcap" <<'PY'
import socket, struct, sys
def pkt(src, dst, sport, dport):
    udp = struct.pack(">HHHH", sport, dport, 8 + 4, 0) + b"ping"
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, socket.inet_aton(src), socket.inet_aton(dst))
    return b"\x02\x00\x00\x00\x00\x01" + b"\x02\x00\x00\x00\x00\x02" + b"\x08\x00" + ip + udp
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i, frac in enumerate((0, 2500000, 10)):   # the second: 2.5 s of "microseconds"
        d = pkt("192.168.1.10", "8.8.8.8", 5000, 53)
        f.write(struct.pack("<IIII", 1719165600 + i, frac, len(d), len(d)) + d)
PY
run -o "$TMP/o-bt" --stats "$TMP/bt.json" "$TMP/badts.pcap" 2>"$TMP/bt.err"; rc=$?
check "impossible timestamp: WARN names the count and the file (exit $rc)" \
  bash -c "[ $rc -eq 0 ] && grep -q '^verdict: WARN: 1 packet(s) had an impossible timestamp.*(first in $TMP/badts.pcap)' '$TMP/bt.err'"
check "impossible timestamp: a note in the summary" grep -q "notes:.* ts.invalid=1" "$TMP/bt.err"
check "impossible timestamp: counted in the stats, run and input" \
  [ "$(json "$TMP/bt.json" 'd["packets"]["ts_invalid"], d["inputs"][0]["ts_invalid"]')" = "(1, 1)" ]
check "impossible timestamp: the packet is kept" [ "$(json "$TMP/bt.json" 'd["packets"]["read"]')" = 3 ]

# configuration errors: exit 1, a message, nothing written
cfg_err() { # what expected-message args...
  local what=$1 msg=$2; shift 2
  rm -rf "$TMP/cfg"
  "$BIN/iotflow" extract -q -o "$TMP/cfg" "$@" "$TMP/ok.pcap" 2>"$TMP/cfg.err"; local rc=$?
  check "$what: exit 1 (got $rc), message, nothing written" \
    bash -c "[ $rc -eq 1 ] && grep -q -- '$msg' '$TMP/cfg.err' && [ ! -e '$TMP/cfg' ]"
}
cfg_err "missing --devices file" "cannot open device inventory" --devices "$TMP/nope.csv"
printf 'mac,name,type\nnot-a-mac,x,y\n' > "$TMP/bad.csv"
cfg_err "malformed --devices file" "bad.csv:2" --devices "$TMP/bad.csv"
cfg_err "--payload-total above the wide layout's limit" "at most 8151 slots" --payload-total 9000
cfg_err "--max-flows 0" "expected an integer 1\.\.4294967296, got .0." --max-flows 0
cfg_err "--max-flows -1: the range it says starts at 1" "expected an integer 1\.\.4294967296, got .-1." --max-flows -1
cfg_err "--threads 65: refused, not 64 silently" "expected an integer 0\.\.64, got .65." --threads 65
cfg_err "--threads ' 2': no blanks" "expected an integer 0\.\.64" --threads ' 2'
cfg_err "--shard ' 1/2': no blanks" "1 <= K <= N <= 65536" --shard ' 1/2'
cfg_err "--shard +1/2: no signs" "1 <= K <= N <= 65536" --shard +1/2
cfg_err "--shard 4294967297/2: no silent overflow" "1 <= K <= N <= 65536" --shard 4294967297/2
cfg_err "--max-memory +1M: no signs" "at least 1M" --max-memory +1M
run -o "$TMP/o-none" --max-memory NONE --stats "$TMP/none.json" "$TMP/ok.pcap" 2>/dev/null
check "--max-memory NONE: any case, as the units (no bound: max_memory 0)" [ "$(json "$TMP/none.json" 'd["records"]["max_memory"]')" = 0 ]
cfg_err "--window 1e-300" "between 1 µs and one year" --window 1e-300
cfg_err "--input-order bogus" "--input-order time|name" --input-order bogus
# --features: the summary says which columns it added; "all" that adds none says so
run -o "$TMP/o-f" --features all "$TMP/ok.pcap" 2>"$TMP/f.err"
check "--features all: the summary lists the columns" grep -q '^  features: dns,tls,byte_dist,entropy,.*,payload.* (custom-flow' "$TMP/f.err"
run -o "$TMP/o-ft" --table telemetry --features all "$TMP/ok.pcap" 2>"$TMP/ft.err"
check "--features all on telemetry: a note that it adds nothing" grep -q 'note: --features all adds no column here: telemetry' "$TMP/ft.err"
"$BIN/iotflow" extract -f joy -o "$TMP/o-fj" --features all "$TMP/ok.pcap" 2>"$TMP/fj.err"
check "--features all with -f joy alone: a note that it adds nothing" grep -q 'note: --features all adds no column here: Joy' "$TMP/fj.err"
# -f joy alone: Joy does not know devices (no custom-flow verdict), and says what it left out
"$BIN/iotflow" extract --strict -f joy -o "$TMP/o-jp" "$TMP/pub.pcap" 2>"$TMP/jp.err"; rc=$?
check "-f joy alone without devices: verdict OK, --strict exit 0 (exit $rc)" \
  bash -c "[ $rc -eq 0 ] && grep -q '^verdict: OK: 1 packets -> 1 Joy flows in 1 file; 0 dropped and 0 left out by Joy' '$TMP/jp.err'"
echo "0 [2001:db8::1]:5000 > [2001:db8::2]:53 udp len=30" > "$TMP/v6.txt"
"$BIN/pcapgen" -o "$TMP/v6.pcap" "$TMP/v6.txt" 2>/dev/null
"$BIN/iotflow" extract -f joy -o "$TMP/o-j6" "$TMP/v6.pcap" 2>"$TMP/j6.err"
check "-f joy alone on IPv6 only: WARN says Joy reads IPv4 only" \
  grep -q '^verdict: WARN: no Joy flows were made: none of the 1 decoded packets is IPv4 .*1 left out' "$TMP/j6.err"
check "-f joy alone on IPv6 only: no custom-flow reason" bash -c "! grep -q 'no records were made' '$TMP/j6.err'"
check "-f joy: the summary counts the packets Joy left out" grep -q '^  Joy packets: 0 taken, 1 left out' "$TMP/j6.err"
"$BIN/iotflow" extract --help > "$TMP/help.txt"
check "--help gives the --payload-total limit" grep -q "8181 - 3 x --packets" "$TMP/help.txt"
"$BIN/iotflow" help > "$TMP/help.txt"
check "iotflow help lists exit status 130" grep -q "130 interrupted" "$TMP/help.txt"
finish
