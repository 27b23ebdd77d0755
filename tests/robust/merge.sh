#!/usr/bin/env bash
# Several inputs are merged by packet time (a k-way merge, as mergecap does): a capture split
# into files whose names are not in time order gives the same records as the whole capture
# (lab directories are named by device or action, not by time: two IKEA captures read in name
# order once gave a record of 156 packets from five minutes apart). --input-order name keeps
# the old order and counts the packets that go back in time across inputs (a WARN).
source "$(dirname "$0")/lib.bash"
split() { # capture outdir: packets of even minutes -> z-even.pcap, odd -> a-odd.pcap
  python3 - "$1" "$2" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
magic = struct.unpack("<I", data[:4])[0]
e = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
nano = magic in (0xA1B23C4D, 0x4D3CB2A1)
hdr, off, outs = data[:24], 24, {0: [], 1: []}
while off + 16 <= len(data):
    sec, frac, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
    rec = data[off:off + 16 + incl]
    outs[(sec // 60) % 2].append(rec)
    off += 16 + incl
for k, name in ((0, "z-even.pcap"), (1, "a-odd.pcap")):
    with open(sys.argv[2] + "/" + name, "wb") as f:
        f.write(hdr + b"".join(outs[k]))
print(len(outs[0]), len(outs[1]))
PY
}
run() { "$BIN/iotflow" extract -q --hash-seed 1 -f jsonl -f csv "$@"; }
caps=("$TMP/synth/capture.pcap")
"$BIN/iotflow" synth -o "$TMP/synth" --seed 5 --duration 10m >/dev/null 2>&1
C=${IOF_SHARED:-}/corpus
for f in iot__xiaodu-smart-plug-68min__xiaodu_plug.pcap iot__blink-camera-1week-asym-vlan-hdrs-only__blink-cam-01.pcap; do
  [ -f "$C/$f" ] && caps+=("$C/$f")
done
i=0
for cap in "${caps[@]}"; do
  i=$((i+1)); name=$(basename "$cap"); w="$TMP/m$i"; mkdir -p "$w/dir"
  read -r ne no < <(split "$cap" "$w/dir")
  run -o "$w/whole" --stats "$w/whole.json" "$cap"
  run -o "$w/merged" --stats "$w/merged.json" "$w/dir"; rc=$?
  check "$name: split in two by alternating minutes ($ne + $no packets), names out of time order: exit $rc" [ $rc -eq 0 ]
  check "$name: merged inputs = the whole capture, record for record" diff -r -q "$w/whole" "$w/merged"
  check "$name: merged: nothing went back in time across inputs" \
    [ "$(json "$w/merged.json" 'd["packets"]["ts_backwards_across_inputs"]')" -eq 0 ]
  if command -v mergecap >/dev/null; then
    mergecap -F pcap -w "$w/mc.pcap" "$w/dir/a-odd.pcap" "$w/dir/z-even.pcap"
    run -o "$w/mc" "$w/mc.pcap"
    check "$name: = mergecap's merge of the two files" diff -r -q "$w/mc" "$w/merged"
  fi
  # stdin among the inputs
  run -o "$w/stdin" "$w/dir/z-even.pcap" - < "$w/dir/a-odd.pcap"
  check "$name: a file and stdin merged = the whole capture" diff -r -q "$w/whole" "$w/stdin"
  # name order: the old behaviour, and its damage is counted
  "$BIN/iotflow" extract --hash-seed 1 -f jsonl -f csv --input-order name -o "$w/name" --stats "$w/name.json" "$w/dir" 2>"$w/name.err"
  back=$(json "$w/name.json" 'd["packets"]["ts_backwards_across_inputs"]')
  check "$name: --input-order name: $back packets back in time across inputs, WARN" \
    bash -c "[ $back -gt 0 ] && grep -q '^verdict: WARN: .*went back in time across inputs' '$w/name.err'"
  check "$name: --input-order name gives other records (the old mix-up)" bash -c "! diff -r -q '$w/whole' '$w/name' >/dev/null"
done

# a late input read while the clock stands still (--input-order name, the older capture named
# last) keeps one-window records by packet time: one conversation, a packet every 10 s for 10
# minutes -> 10 records of 6 packets, not one record per packet (docs/ARCHITECTURE.md, "When a
# record is closed for packets")
mkdir -p "$TMP/late"
echo "7200 192.168.1.9:4000 > 1.1.1.1:443 tcp len=10" > "$TMP/late/a.txt"
for k in $(seq 0 59); do echo "$((k * 10)) 192.168.1.5:5000 > 8.8.8.8:53 udp len=30"; done > "$TMP/late/b.txt"
"$BIN/pcapgen" -o "$TMP/late/a-new.pcap" "$TMP/late/a.txt" 2>/dev/null
"$BIN/pcapgen" -o "$TMP/late/b-old.pcap" "$TMP/late/b.txt" 2>/dev/null
rm "$TMP/late/"*.txt
"$BIN/iotflow" extract -q --hash-seed 1 -f jsonl --variant bi --input-order name -o - "$TMP/late" > "$TMP/late.jsonl" 2>/dev/null
sizes=$(python3 -c "
import json, sys
print(' '.join(str(r['packets']) for r in map(json.loads, open(sys.argv[1])) if r['device_port'] == 5000))" "$TMP/late.jsonl")
check "late input, clock standing still: 10 one-minute records of 6 packets ($sizes)" \
  [ "$sizes" = "6 6 6 6 6 6 6 6 6 6" ]

# more inputs overlapping in time than can be open at once (32): every packet still read,
# the ones that come late are counted as going back in time
mkdir -p "$TMP/many"
for k in $(seq 1 40); do
  printf '%d 192.168.1.%d:5000 > 8.8.8.8:53 udp len=30\n%d 192.168.1.%d:5000 > 8.8.8.8:53 udp len=30\n' \
    "$k" "$k" "$((k + 100))" "$k" > "$TMP/many/$k.txt"
  "$BIN/pcapgen" -o "$TMP/many/$k.pcap" "$TMP/many/$k.txt" 2>/dev/null; rm "$TMP/many/$k.txt"
done
"$BIN/iotflow" extract --hash-seed 1 -f csv -o "$TMP/many-out" --stats "$TMP/many.json" "$TMP/many" 2>"$TMP/many.err"; rc=$?
check "40 overlapping inputs: exit 0, all 80 packets read" \
  bash -c "[ $rc -eq 0 ] && [ \"\$(python3 -c 'import json;print(json.load(open(\"$TMP/many.json\"))[\"packets\"][\"read\"])')\" = 80 ]"
check "40 overlapping inputs: the late ones are counted (WARN)" grep -q "^verdict: WARN: .*back in time across inputs.*more inputs overlap in time" "$TMP/many.err"
# more than 32 inputs whose name order is the reverse of their time order, not overlapping:
# each joins when its time comes, nothing goes back in time, all packets are read
mkdir -p "$TMP/rev"
for k in $(seq 1 40); do
  printf '%d 192.168.1.7:5000 > 8.8.8.8:53 udp len=30\n%d 8.8.8.8:53 > 192.168.1.7:5000 udp len=30\n' \
    "$((k * 10))" "$((k * 10 + 1))" > "$TMP/rev/t.txt"
  "$BIN/pcapgen" -o "$TMP/rev/$(printf '%03d' $((100 - k))).pcap" "$TMP/rev/t.txt" 2>/dev/null
  cat "$TMP/rev/t.txt" >> "$TMP/rev-all.txt"
done
rm "$TMP/rev/t.txt"
"$BIN/pcapgen" -o "$TMP/rev-all.pcap" "$TMP/rev-all.txt" 2>/dev/null
"$BIN/iotflow" extract --hash-seed 1 -f csv -o "$TMP/rev-out" --stats "$TMP/rev.json" "$TMP/rev" 2>"$TMP/rev.err"; rc=$?
"$BIN/iotflow" extract -q --hash-seed 1 -f csv -o "$TMP/rev-ref" "$TMP/rev-all.pcap"
check "40 inputs in reverse name order: exit 0, verdict OK, 80 packets" \
  bash -c "[ $rc -eq 0 ] && grep -q '^verdict: OK' '$TMP/rev.err' && [ \"\$(python3 -c 'import json;print(json.load(open(\"$TMP/rev.json\"))[\"packets\"][\"read\"])')\" = 80 ]"
check "40 inputs in reverse name order = the whole capture" diff -r -q "$TMP/rev-ref" "$TMP/rev-out"
# a damaged input among others: the others are read in full, exit 2, the file is named
head -c 100 "$TMP/many/1.pcap" > "$TMP/many/0-cut.pcap"
"$BIN/iotflow" extract --hash-seed 1 -f csv -o "$TMP/cut-out" --stats "$TMP/cut.json" "$TMP/many" 2>"$TMP/cut.err"; rc=$?
check "a cut input among 41: exit 2, the file named, the 80 other packets read" \
  bash -c "[ $rc -eq 2 ] && grep -q '0-cut.pcap' '$TMP/cut.err' && [ \"\$(python3 -c 'import json;print(json.load(open(\"$TMP/cut.json\"))[\"packets\"][\"read\"])')\" -ge 80 ]"
finish
