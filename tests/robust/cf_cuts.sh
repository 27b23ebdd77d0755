#!/usr/bin/env bash
# --features on custom-flow records: a group's cap that cuts a record's columns is counted, never
# silent (docs/RELIABILITY.md; docs/OUTPUT.md "All groups"): one DNS response with 9 A answers
# (dns_addrs keeps 8) makes records.features_cut.dns 1 in the stats JSON (the bidirectional record;
# the unidirectional one holds the device's query only) and a summary line; the
# same exchange with 8 answers counts 0 and prints none. Also: --features idp,hd are taken and
# give their columns; --idp stays -f joy's.
. "$(dirname "$0")/lib.bash"
command -v python3 >/dev/null || { echo "SKIPPED: python3"; exit 77; }
# a query for www.example.com and a response with N A answers (10.0.0.k), each as pcapgen hex
dns() { # FLAGS ANSWERS
  python3 - "$1" "$2" <<'PY'
import struct, sys
flags, n = int(sys.argv[1], 16), int(sys.argv[2])
m = struct.pack(">HHHHHH", 0x1234, flags, 1, n, 0, 0) + b"\x03www\x07example\x03com\x00" + b"\x00\x01\x00\x01"
for k in range(n):
    m += b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04" + bytes([10, 0, 0, k])
print(m.hex())
PY
}
for n in 8 9; do
  { echo "0 192.168.1.20:40000 > 8.8.8.8:53 udp hex=$(dns 0100 0)"
    echo "0.01 8.8.8.8:53 > 192.168.1.20:40000 udp hex=$(dns 8180 "$n")"; } > "$TMP/dns$n.txt"
  "$BIN/pcapgen" -o "$TMP/dns$n.pcap" "$TMP/dns$n.txt" 2>/dev/null || bad "pcapgen $n"
  "$BIN/iotflow" extract --features dns,idp,hd -f jsonl --stats "$TMP/dns$n.json" -o "$TMP/o$n" "$TMP/dns$n.pcap" \
      > "$TMP/o$n.out" 2>&1 || bad "extract $n"
done
check "8 answers: records.features_cut = {dns 0}" \
    test "$(json "$TMP/dns8.json" 'd["records"]["features_cut"]')" = "{'dns': 0}"
check "... and no summary line" bash -c "! grep -q 'feature columns cut' '$TMP/o8.out'"
check "9 answers: records.features_cut.dns = 1 (the bidirectional record)" \
    test "$(json "$TMP/dns9.json" 'd["records"]["features_cut"]["dns"]')" = 1
check "... named in the summary" grep -q 'feature columns cut (records; .*): dns 1$' "$TMP/o9.out"
check "... the record's dns.addrs holds the first 8" \
    test "$(python3 -c 'import json,sys; print(len(json.loads(open(sys.argv[1]).readline())["dns"]["addrs"]))' \
       "$(find "$TMP/o9/bidirectional" -name '*.jsonl')")" = 8
check "--idp without -f joy: still refused" bash -c \
    "! '$BIN/iotflow' extract --features idp --idp 10 -f jsonl -o '$TMP/idp' '$TMP/dns9.pcap' >/dev/null 2>&1"
check "idp: the response's IP packet (20 + 8 + 177 bytes), addresses zeroed" \
    python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).readline()); i=bytes.fromhex(r["idp"]["in"]);
sys.exit(not (r["idp"]["len_in"] == len(i) == 205 and i[12:20] == bytes(8) and r["hd"]["n_out"] == 0))' \
    "$(find "$TMP/o9/bidirectional" -name '*.jsonl')"
check "no --features: no features_cut object" bash -c \
    "'$BIN/iotflow' extract -f jsonl --stats '$TMP/none.json' -o '$TMP/none' '$TMP/dns9.pcap' >/dev/null 2>&1 &&
     python3 -c 'import json,sys; sys.exit(\"features_cut\" in json.load(open(sys.argv[1]))[\"records\"])' '$TMP/none.json'"
finish
