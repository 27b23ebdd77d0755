#!/usr/bin/env bash
# The output helper threads do not change the output: on a record-rate capture big enough for
# many sorted batches (handed to the sink's helper) and several row groups (the Parquet flush
# thread), `-f parquet` by default and with `--threads 1` (everything on one thread) write
# byte-identical files: wide and nested, both variants (the helper alternates between the two
# files), and Parquet next to CSV (CSV rows written on the main thread meanwhile). Row counts
# equal the JSON Lines output's. A write failure in the middle of the run (on a helper thread)
# still ends with exit 3, a message naming the file and errno, and nothing left. zstd levels
# reach the writer.
set -euo pipefail
BIN=${IOF_BIN:?IOF_BIN not set}/iotflow
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$BIN" synth -q -o "$tmp/in" --profile small --seed 5 --scale 100 --duration 4m
cap="$tmp/in/capture.pcap"
run() { # OUT ARGS...
    local out=$1; shift
    "$BIN" extract -q --devices "$tmp/in/devices.csv" -o "$out" "$@" "$cap"
}
run "$tmp/jl" -f jsonl --variant both
for v in bidirectional unidirectional; do
    n=$(cat "$tmp/jl/$v"/*.jsonl | wc -l)
    [ "$n" -gt 40000 ] || fail "$v: only $n records: the capture must fill several batches of 16384"
done

same() { # A B: the same files, byte for byte
    local a=$1 b=$2
    (cd "$a" && find . -type f | sort) > "$tmp/la"
    (cd "$b" && find . -type f | sort) > "$tmp/lb"
    cmp -s "$tmp/la" "$tmp/lb" || fail "$a and $b hold different files"
    [ -s "$tmp/la" ] || fail "$a is empty"
    while read -r f; do
        cmp "$a/$f" "$b/$f" || fail "$f differs between $a and $b"
    done < "$tmp/la"
}
for layout in wide nested; do
    run "$tmp/t0-$layout" -f parquet --layout $layout --variant both
    run "$tmp/t1-$layout" -f parquet --layout $layout --variant both --threads 1
    same "$tmp/t0-$layout" "$tmp/t1-$layout"
    echo "ok $layout: helper threads and --threads 1 write the same files"
done
# sharded flow workers: two sorted batches in flight on the sink's helper (sink.c): same files
run "$tmp/t2-wide" -f parquet --variant both --threads 2 --stats "$tmp/t2.json"
same "$tmp/t2-wide" "$tmp/t1-wide"
# the run was sharded (an unsharded one keeps one batch in flight: the check above would pass
# without the path it is for)
w=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["flow_workers"]["workers"])' "$tmp/t2.json")
[ "$w" = 2 ] || fail "--threads 2: $w flow workers, want 2 (two batches in flight only when sharded)"
echo "ok --threads 2 (two batches in flight) writes the same files"
run "$tmp/m0" -f parquet,csv --variant both
run "$tmp/m1" -f parquet,csv --variant both --threads 1
same "$tmp/m0" "$tmp/m1"
for v in bidirectional unidirectional; do
    cmp "$tmp/m0/$v/"*.parquet "$tmp/t0-wide/$v/"*.parquet || fail "$v: parquet next to csv differs"
    n=$(cat "$tmp/jl/$v"/*.jsonl | wc -l)
    c=$(($(cat "$tmp/m0/$v"/*.csv | wc -l) - 1))
    [ "$c" -eq "$n" ] || fail "$v: csv has $c rows, jsonl $n"
done
echo "ok parquet + csv: same files with and without helper threads"
if [ -x "${IOF_SHARED:-}/tools/parquet/pqcheck" ]; then
    for v in bidirectional unidirectional; do
        n=$(cat "$tmp/jl/$v"/*.jsonl | wc -l)
        got=$("$IOF_SHARED/tools/parquet/pqcheck" count "$tmp/t0-wide/$v/"*.parquet | grep -o '[0-9]*' | head -1)
        [ "$got" = "$n" ] || fail "$v: DuckDB counts $got rows, jsonl has $n"
    done
    echo "ok row counts (pqcheck) equal the jsonl output's"
fi

# A capture across midnight: four Parquet files (2 days x 2 variants) open at close are
# completed one after the other (iof__sink_close: at most two side by side, so the run's budget
# cuts the same row groups whatever the threads' timing); the same bytes as --threads 1, twice
"$BIN" synth -q -o "$tmp/mid" --profile small --seed 6 --scale 60 --duration 4m --start 2024-06-23T23:58:00Z
for k in 0 1; do
    "$BIN" extract -q -o "$tmp/mid0-$k" -f parquet --variant both "$tmp/mid/capture.pcap"
done
"$BIN" extract -q -o "$tmp/mid1" -f parquet --variant both --threads 1 "$tmp/mid/capture.pcap"
[ "$(find "$tmp/mid1" -name '*.parquet' | wc -l)" -eq 4 ] || fail "midnight: $(find "$tmp/mid1" -name '*.parquet')"
same "$tmp/mid0-0" "$tmp/mid1"
same "$tmp/mid0-1" "$tmp/mid1"
echo "ok four files at close (two days, both variants): the same bytes as --threads 1"

# A failure while the two files are completed side by side at close (iof__sink_close): a
# file-size limit just under the smaller file's size fails its last writes (its footer at
# least, written at close; SIGXFSZ is ignored, the write fails with EFBIG): exit 3, a message
# naming a file, nothing left under any name
sb=$(stat -c %s "$tmp/t0-wide/bidirectional/"*.parquet)
su=$(stat -c %s "$tmp/t0-wide/unidirectional/"*.parquet)
lim=$(( (sb < su ? sb : su) / 1024 - 1 )) # ulimit -f counts 1024-byte blocks
# (and sharded: the helper completes the file of the batch handed to it last, which need not
# be the first file, while batches may still be in flight). Both files fail there; the run's
# failure is the first file's in the completion order, whichever thread completed which: the
# same file named as with --threads 1 (the message with the helper's file's failure replaced
# the first one's once)
for th in 1 "" 2; do
    rc=0
    ( ulimit -f "$lim"; run "$tmp/fsz$th" -f parquet --variant both ${th:+--threads $th} ) 2>"$tmp/err" || rc=$?
    [ $rc -eq 3 ] || fail "close ${th:+--threads $th}: exit $rc, want 3 ($(cat "$tmp/err"))"
    grep -q "File too large" "$tmp/err" || fail "close: message lacks errno text: $(cat "$tmp/err")"
    grep -q "parquet" "$tmp/err" || fail "close: message names no file: $(cat "$tmp/err")"
    [ "$(find "$tmp/fsz$th" -type f 2>/dev/null | wc -l)" -eq 0 ] || fail "close: files left: $(find "$tmp/fsz$th" -type f)"
    grep -o '[a-z]*directional/[^:]*' "$tmp/err" > "$tmp/named$th" || fail "close: no file named: $(cat "$tmp/err")"
    cmp -s "$tmp/named$th" "$tmp/named1" || fail "close ${th:+--threads $th}: names $(cat "$tmp/named$th"), --threads 1 $(cat "$tmp/named1")"
done
echo "ok a write failing at close (file-size limit; default and --threads 2 too): exit 3, the file --threads 1 names, nothing left"

# --compression zstd:LEVEL reaches the writer: zstd:3 codes the payload pages' literals
# (Huffman), the default -1 does not, -7 matches less: strictly ordered sizes
run "$tmp/z3" -f parquet --variant bi --compression zstd:3
run "$tmp/z7" -f parquet --variant bi --compression zstd:-7
s3=$(stat -c %s "$tmp/z3/bidirectional/"*.parquet)
s1=$(stat -c %s "$tmp/t0-wide/bidirectional/"*.parquet)
s7=$(stat -c %s "$tmp/z7/bidirectional/"*.parquet)
[ "$s3" -lt "$s1" ] && [ "$s1" -lt "$s7" ] || fail "zstd levels: 3 -> $s3 B, default -> $s1 B, -7 -> $s7 B"
echo "ok zstd levels: 3 -> $s3 B < default (-1) $s1 B < -7 $s7 B"

# failures on the helper threads: the N-th low-level write fails (with --threads 2, while two
# batches are in flight: the one after the failed one is not written)
for n in 3 40 100 t40; do
    out="$tmp/fail-$n"
    rc=0
    th=(); [ "${n#t}" != "$n" ] && th=(--threads 2)
    IOF_TEST_FAIL_WRITE=${n#t} run "$out" -f parquet --variant both "${th[@]}" 2>"$tmp/err" || rc=$?
    [ $rc -eq 3 ] || fail "write $n: exit $rc, want 3 ($(cat "$tmp/err"))"
    [ "$(find "$out" -type f 2>/dev/null | wc -l)" -eq 0 ] || fail "write $n: files left: $(find "$out" -type f)"
    grep -q "No space left" "$tmp/err" || fail "write $n: message lacks errno text: $(cat "$tmp/err")"
    grep -q "\.parquet" "$tmp/err" || fail "write $n: message does not name the file: $(cat "$tmp/err")"
    [ "$(wc -l < "$tmp/err")" -eq 1 ] || fail "write $n: more than one message: $(cat "$tmp/err")"
    echo "ok write $n fails -> exit 3, one message, nothing left"
done
echo PASS
