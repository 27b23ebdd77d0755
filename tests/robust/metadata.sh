#!/usr/bin/env bash
# A file says what it is: a Parquet file's key-value metadata names the record kind and the
# variant it holds, so `iotflow stats` counts a unidirectional file moved out of its folder as
# unidirectional; the metadata carries the inputs' base names, never local absolute paths;
# JSON Lines / CSV written to stdout are described (variant, rows) in the stats JSON.
source "$(dirname "$0")/lib.bash"
cat > "$TMP/s.txt" <<'S'
0 192.168.1.10:5000 > 8.8.8.8:53 udp len=30
1 8.8.8.8:53 > 192.168.1.10:5000 udp len=60
2 192.168.1.10:40000 > 52.1.1.1:443 tcp flags=S
S
mkdir -p "$TMP/secret-home-dir"
"$BIN/pcapgen" -o "$TMP/secret-home-dir/cap.pcap" "$TMP/s.txt" 2>/dev/null
printf 'mac,name,type\n02:00:c0:a8:01:0a,hub,hub\n' > "$TMP/secret-home-dir/inv.csv"
"$BIN/iotflow" extract -q -o "$TMP/out" --devices "$TMP/secret-home-dir/inv.csv" "$TMP/secret-home-dir/cap.pcap"
uni="$TMP/out/unidirectional/24-06-23.parquet"
kv() { strings "$1" | grep -A1 -x "$2" | tail -1; } # key-value metadata: key, then value
check "the unidirectional file names its variant" [ "$(kv "$uni" iotflow.variant)" = unidirectional ]
check "the bidirectional file names its variant" [ "$(kv "$TMP/out/bidirectional/24-06-23.parquet" iotflow.variant)" = bidirectional ]
check "the record kind is named" [ "$(kv "$uni" iotflow.record)" = customflow ]
check "no absolute input path in the metadata" bash -c "! grep -q 'secret-home-dir' '$uni'"
check "the inputs' base names are there" grep -q "cap.pcap" <(strings "$uni")
cp "$uni" "$TMP/moved.parquet"
"$BIN/iotflow" stats "$TMP/moved.parquet" > "$TMP/st.txt" 2>/dev/null
# device table columns: device name type bi-records uni-records packets bytes
check "iotflow stats on the moved file: its 2 records are unidirectional" \
  bash -c "awk '\$1 == \"02:00:c0:a8:01:0a\" { print \$4, \$5 }' '$TMP/st.txt' | grep -qx '0 2'"
"$BIN/iotflow" extract -q -f jsonl --variant uni -o - --stats "$TMP/stdout.json" "$TMP/secret-home-dir/cap.pcap" > "$TMP/uni.jsonl"
check "JSON Lines on stdout: the stats say variant and rows" \
  [ "$(json "$TMP/stdout.json" '[(o["variant"], o["rows"], o["format"]) for o in d["outputs"]]')" = "[('unidirectional', 2, 'jsonl')]" ]
finish
