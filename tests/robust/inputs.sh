#!/usr/bin/env bash
# Inputs: stdin, gzip, directories, several files sharing one flow table, detection by magic
# number, cut files (R5: everything before the damage is written, exit 2, message names
# file and offset), not-a-capture, usage errors (exit 1, nothing written).
source "$(dirname "$0")/lib.bash"
cat > "$TMP/s.txt" <<'S'
0 192.168.1.10:5000 > 8.8.8.8:53 udp len=30
1 8.8.8.8:53 > 192.168.1.10:5000 udp len=60
2 192.168.1.10:40000 > 52.1.1.1:443 tcp flags=S
3 52.1.1.1:443 > 192.168.1.10:40000 tcp flags=SA
4 192.168.1.10:40000 > 52.1.1.1:443 tcp flags=A len=100
5 192.168.1.12:1 > 8.8.4.4:53 udp len=5
S
"$BIN/pcapgen" -o "$TMP/a.pcap" "$TMP/s.txt" 2>/dev/null
run() { "$BIN/iotflow" extract -q --hash-seed 1 -f jsonl --variant bi "$@"; }
run -o "$TMP/ref" "$TMP/a.pcap"; ref="$TMP/ref/bidirectional/24-06-23.jsonl"
check "reference run has 3 records" [ "$(wc -l < "$ref")" -eq 3 ]
run -o "$TMP/stdin" - < "$TMP/a.pcap"
check "stdin gives the same records" cmp -s "$ref" "$TMP/stdin/bidirectional/24-06-23.jsonl"
gzip -c "$TMP/a.pcap" > "$TMP/a.cap.gz"; cp "$TMP/a.cap.gz" "$TMP/renamed.txt"
run -o "$TMP/gz" "$TMP/renamed.txt"
check "gzip detected by magic (not name)" cmp -s "$ref" "$TMP/gz/bidirectional/24-06-23.jsonl"
gzip -c "$TMP/a.pcap" | run -o "$TMP/gzstdin" -
check "gzip on stdin" cmp -s "$ref" "$TMP/gzstdin/bidirectional/24-06-23.jsonl"
# a directory: the capture split in two files (name order) shares one flow table
head -3 "$TMP/s.txt" > "$TMP/s1.txt"; tail -3 "$TMP/s.txt" > "$TMP/s2.txt"
mkdir -p "$TMP/dir/sub"; "$BIN/pcapgen" -o "$TMP/dir/1.pcap" "$TMP/s1.txt" 2>/dev/null
"$BIN/pcapgen" --pcapng -o "$TMP/dir/sub/2.bin" "$TMP/s2.txt" 2>/dev/null
echo "not a capture" > "$TMP/dir/README.txt"
run -o "$TMP/dirout" "$TMP/dir" 2>"$TMP/err"
check "directory of pcap + pcapng = one capture" cmp -s "$ref" "$TMP/dirout/bidirectional/24-06-23.jsonl"
check "non-capture file in a directory is skipped with a message" grep -q "README.txt" "$TMP/err"
# an explicit non-capture file is an input error
run -o "$TMP/nc" "$TMP/dir/README.txt" 2>"$TMP/err"; rc=$?
check "explicit non-capture -> exit 2" [ $rc -eq 2 ]
check "message names the file" grep -q "README.txt" "$TMP/err"
run -o "$TMP/missing" "$TMP/nope.pcap" 2>/dev/null
check "missing input -> exit 2" [ $? -eq 2 ]
# cut file: every prefix of the capture
size=$(stat -c %s "$TMP/a.pcap")
bad_prefix=0
for k in $(seq 0 7 "$size"); do
  head -c "$k" "$TMP/a.pcap" > "$TMP/cut.pcap"
  rm -rf "$TMP/cut"
  run -o "$TMP/cut" --stats "$TMP/cut.json" "$TMP/cut.pcap" 2>"$TMP/err"; rc=$?
  if [ "$k" -lt 24 ]; then [ $rc -eq 2 ] || { bad "prefix $k: exit $rc, want 2 (not a capture)"; bad_prefix=1; }; continue; fi
  if [ $rc -ne 0 ] && [ $rc -ne 2 ]; then bad "prefix $k: exit $rc"; bad_prefix=1; continue; fi
  if [ $rc -eq 2 ] && ! grep -q "offset" "$TMP/err"; then bad "prefix $k: message lacks an offset: $(cat "$TMP/err")"; bad_prefix=1; fi
  # the records written are a consistent prefix: their packets = packets read
  got=$(cat "$TMP"/cut/bidirectional/*.jsonl 2>/dev/null | grep -o '"packets":[0-9]*' | awk -F: '{s+=$2} END {print s+0}')
  want=$(grep -o '"attributed":[0-9]*' "$TMP/cut.json" | cut -d: -f2)
  [ "$got" = "$want" ] || { bad "prefix $k: records hold $got packets, stats say $want attributed"; bad_prefix=1; }
done
check "cut-file sweep: exit 0/2, offsets named, records = packets read" [ $bad_prefix -eq 0 ]
# usage errors: exit 1, nothing written
"$BIN/iotflow" extract -q --window 0 -o "$TMP/u1" "$TMP/a.pcap" 2>/dev/null; rc=$?
check "--window 0 -> exit 1" [ $rc -eq 1 ]
check "usage error writes nothing" [ ! -e "$TMP/u1" ]
"$BIN/iotflow" extract -q --bogus "$TMP/a.pcap" 2>/dev/null
check "unknown option -> exit 1" [ $? -eq 1 ]
"$BIN/iotflow" extract -q --devices "$TMP/s.txt" -o "$TMP/u2" "$TMP/a.pcap" 2>"$TMP/err"
check "bad inventory -> exit 1 with file:line" bash -c "[ $? -eq 1 ] && grep -q 's.txt:1' '$TMP/err'"
"$BIN/iotflow" extract -q --filter "udp port" -o "$TMP/u3" "$TMP/a.pcap" 2>"$TMP/err"
check "bad BPF filter -> exit 1" [ $? -eq 1 ]
run --filter "udp" -o "$TMP/f" --stats "$TMP/f.json" "$TMP/a.pcap"
check "--filter udp keeps the 2 UDP records" [ "$(wc -l < "$TMP/f/bidirectional/24-06-23.jsonl")" -eq 2 ]
check "--filter counts filtered packets" [ "$(json "$TMP/f.json" 'd["packets"]["filtered"]')" -eq 3 ]
# iotflow stats: the same tables from the capture as from our outputs (CSV, JSON Lines, Parquet)
"$BIN/iotflow" extract -q -f csv -f jsonl -f parquet -o "$TMP/st" "$TMP/a.pcap"
"$BIN/iotflow" stats "$TMP/a.pcap" | sed 1d > "$TMP/t-cap"
for fmt in csv jsonl parquet; do
  "$BIN/iotflow" stats --json "$TMP/t.json" "$TMP"/st/*/*.$fmt | sed 1d > "$TMP/t-$fmt"
  check "stats over $fmt outputs == stats over the capture" cmp -s "$TMP/t-cap" "$TMP/t-$fmt"
done
check "stats --json written" [ "$(json "$TMP/t.json" 'len(d["devices"])')" -eq 2 ]
# the three formats given file by file, and a file given twice: each record counted once (the
# Parquet file read), the files left out named
"$BIN/iotflow" stats "$TMP"/st/*/* "$TMP/st/bidirectional/./24-06-23.jsonl" "$TMP/st" 2> "$TMP/err" | sed 1d > "$TMP/t-all"
check "stats over every format given as files == stats over the capture" cmp -s "$TMP/t-cap" "$TMP/t-all"
check "the JSON Lines and CSV files left out are named" \
  grep -q "unidirectional/24-06-23.csv left out: the same records as .*unidirectional/24-06-23.parquet in another format" "$TMP/err"
check "a file given twice is named" grep -q "bidirectional/./24-06-23.jsonl left out: the same file as" "$TMP/err"
# a CSV / JSON Lines file's variant comes from its resolved path's nearest variant folder, however
# the path is typed (from inside the folder, through a link) and whatever the folders above say
"$BIN/iotflow" stats "$TMP/st/unidirectional/24-06-23.csv" | sed 1d > "$TMP/t-uni"
check "a unidirectional CSV file: unidirectional records" bash -c "grep -q 'verdict: OK' '$TMP/t-uni' && awk '\$4 ~ /^[0-9]+\$/ && \$4 > 0 { bad = 1 } END { exit bad }' '$TMP/t-uni'"
(cd "$TMP/st/unidirectional" && "$BIN/iotflow" stats 24-06-23.csv) | sed 1d > "$TMP/t-uni-cd"
check "the same file named from inside its folder: the same tables" cmp -s "$TMP/t-uni" "$TMP/t-uni-cd"
ln -s "$TMP/st/unidirectional/24-06-23.jsonl" "$TMP/uni-link.jsonl"
"$BIN/iotflow" stats "$TMP/uni-link.jsonl" | sed 1d > "$TMP/t-uni-link"
check "the same records through a link outside the folder: the same tables" cmp -s "$TMP/t-uni" "$TMP/t-uni-link"
mkdir -p "$TMP/unidirectional-runs/bidirectional"
cp "$TMP/st/bidirectional/24-06-23.csv" "$TMP/unidirectional-runs/bidirectional/"
"$BIN/iotflow" stats "$TMP/st/bidirectional/24-06-23.csv" | sed 1d > "$TMP/t-bi"
"$BIN/iotflow" stats "$TMP/unidirectional-runs/bidirectional/24-06-23.csv" | sed 1d > "$TMP/t-bi-runs"
check "bidirectional/ below a folder whose name holds 'unidirectional': bidirectional" cmp -s "$TMP/t-bi" "$TMP/t-bi-runs"
# with an inventory, a device's DHCP from 0.0.0.0 (it has no address yet) is its own, by MAC;
# a broadcast reply's group MAC never makes a device
cat > "$TMP/dhcp.txt" <<'S'
0 74:da:38:00:00:01/0.0.0.0:68 > ff:ff:ff:ff:ff:ff/255.255.255.255:67 udp len=300
1 c0:56:27:00:00:fe/192.168.1.1:67 > ff:ff:ff:ff:ff:ff/192.168.1.255:68 udp len=300
S
"$BIN/pcapgen" -o "$TMP/dhcp.pcap" "$TMP/dhcp.txt" 2>/dev/null
printf 'mac,name,type\n74:da:38:00:00:01,cam,camera\n' > "$TMP/dhcp-inv.csv"
run --devices "$TMP/dhcp-inv.csv" -o "$TMP/dhcp-out" "$TMP/dhcp.pcap"
check "DHCP from 0.0.0.0 is attributed to the inventory device by MAC" \
  grep -q '"device":"74:da:38:00:00:01".*"remote_ip":"255.255.255.255".*"device_port":68,"remote_port":67' "$TMP/dhcp-out/bidirectional/24-06-23.jsonl"
run -o "$TMP/dhcp-noinv" "$TMP/dhcp.pcap"
check "without an inventory: the router is the only device, never ff:ff:ff:ff:ff:ff" \
  bash -c "[ \$(cat '$TMP'/dhcp-noinv/bidirectional/*.jsonl | wc -l) -eq 1 ] && grep -q '\"device\":\"c0:56:27:00:00:fe\"' '$TMP'/dhcp-noinv/bidirectional/*.jsonl"
# device_ip: opt-in (an identifier of the local network, not in the dataset-compatible layout)
check "no device_ip column by default (JSON Lines)" bash -c "! grep -q device_ip '$TMP'/dhcp-noinv/bidirectional/*.jsonl"
"$BIN/iotflow" extract -q -f csv -f jsonl --variant bi -o "$TMP/dip0" "$TMP/dhcp.pcap"
check "no device_ip column by default (CSV header)" bash -c "! head -1 '$TMP'/dip0/bidirectional/*.csv | grep -q device_ip"
"$BIN/iotflow" extract -q -f csv -f jsonl --variant bi --device-ip --devices "$TMP/dhcp-inv.csv" -o "$TMP/dip" "$TMP/dhcp.pcap"
check "--device-ip: the key's device-side address (0.0.0.0 for a DHCP discover)" \
  grep -q '"evicted":false,"device_ip":"0.0.0.0"}' "$TMP/dip/bidirectional/24-06-23.jsonl"
check "--device-ip: last CSV column" bash -c "head -1 '$TMP/dip/bidirectional/24-06-23.csv' | grep -q ',evicted,device_ip'"
# one file given twice (the same path, a file and its directory, a link to it): refused, exit 1,
# nothing written, both spellings named; each command that reads captures, and every --shard
# (each shard read it: the union was doubled)
ln -s "$TMP/a.pcap" "$TMP/a-link.pcap"
same_refused() { # WHAT OUTDIR SPELLING1 SPELLING2 -- COMMAND...
  local what=$1 out=$2 s1=$3 s2=$4; shift 5
  "$@" >/dev/null 2>"$TMP/err"; local rc=$?
  check "$what: exit 1" [ $rc -eq 1 ]
  check "$what: names both spellings" grep -qF -e "$s1 and $s2 are the same file" "$TMP/err"
  [ -z "$out" ] || check "$what: nothing written" [ ! -e "$out" ]
}
same_refused "a file given twice" "$TMP/dup1" "$TMP/a.pcap" "$TMP/a.pcap" -- run -o "$TMP/dup1" "$TMP/a.pcap" "$TMP/a.pcap"
same_refused "a file and its directory" "$TMP/dup2" "$TMP/dir/1.pcap" "$TMP/dir/1.pcap (in directory $TMP/dir)" -- \
  run -o "$TMP/dup2" "$TMP/dir/1.pcap" "$TMP/dir"
same_refused "a symbolic link and its file" "$TMP/dup3" "$TMP/a-link.pcap" "$TMP/a.pcap" -- run -o "$TMP/dup3" "$TMP/a-link.pcap" "$TMP/a.pcap"
for k in 1 2; do
  same_refused "--shard $k/2 with a file and its directory" "$TMP/dup-s$k" "$TMP/dir/1.pcap" \
    "$TMP/dir/1.pcap (in directory $TMP/dir)" -- run --shard $k/2 -o "$TMP/dup-s$k" "$TMP/dir/1.pcap" "$TMP/dir"
done
same_refused "--table timeline" "$TMP/dup4" "$TMP/a.pcap" "$TMP/a-link.pcap" -- \
  "$BIN/iotflow" extract -q --table timeline -f csv -o "$TMP/dup4" "$TMP/a.pcap" "$TMP/a-link.pcap"
# (stats: refused before reading, so no tables, no verdict and no --json, as for extract)
same_refused "stats on captures" "$TMP/dup5.json" "$TMP/a.pcap" "$TMP/a-link.pcap" -- \
  "$BIN/iotflow" stats --json "$TMP/dup5.json" "$TMP/a.pcap" "$TMP/a-link.pcap"
"$BIN/iotflow" stats "$TMP/a.pcap" "$TMP/a-link.pcap" > "$TMP/dup5.out" 2>/dev/null
check "stats on captures given twice: no tables or verdict printed" bash -c "! grep -q 'verdict' '$TMP/dup5.out'"
same_refused "devices" "$TMP/dup6.csv" "$TMP/a.pcap" "$TMP/a.pcap" -- "$BIN/iotflow" devices -q -o "$TMP/dup6.csv" "$TMP/a.pcap" "$TMP/a.pcap"
printf 'timestamp,device_id,t\n2024-06-23T00:00:00Z,aa:bb:cc:dd:ee:ff,1\n' > "$TMP/sensors.csv"
same_refused "fuse on captures" "$TMP/dup7" "$TMP/a.pcap" "$TMP/a.pcap" -- \
  "$BIN/iotflow" fuse -q --sensors "$TMP/sensors.csv" -o "$TMP/dup7" "$TMP/a.pcap" "$TMP/a.pcap"
same_refused "standard input twice" "$TMP/dup8" "-" "-" -- run -o "$TMP/dup8" - - < "$TMP/a.pcap"
# a copy is another file (another inode): read
cp "$TMP/a.pcap" "$TMP/a-copy.pcap"
run -o "$TMP/copy" "$TMP/a.pcap" "$TMP/a-copy.pcap" 2>/dev/null
check "a copy of a file is read beside it" [ $? -eq 0 ]
"$BIN/iotflow" --version | grep -q "^iotflow [0-9]"; check "--version" [ $? -eq 0 ]
for c in extract fuse stats synth demo; do "$BIN/iotflow" $c --help >/dev/null; check "$c --help" [ $? -eq 0 ]; done
finish
