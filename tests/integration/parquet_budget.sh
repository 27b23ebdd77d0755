#!/usr/bin/env bash
# Where the Parquet writers cut row groups does not depend on the threads' timing, also where
# the run's budget (pq_regions.c, iof__pqw_budget_cut) is reached and while the sink's close
# completes two files side by side on two threads. IOF_TEST_PQ_CAP (output/sink.c) scales the
# row-group cap, the budget (2 x the cap) and the sort batches down, so that a capture of 2 MB
# across midnight cuts row groups by the cap and by the budget during the run (four files open
# at once: two days x two variants) and by the cap while the second day's two files are
# completed side by side at close (a temporary trace counted 193 cuts, 42 by the budget, 19 side
# by side). Default threads must write the --threads 1 bytes, run after
# run. Without the fix of 2026-12-07 (the budget counted while the two files are completed side
# by side: a writer over its cap adds its bytes before it hands its row group over, and the
# other writer, fed at that moment, cut a row early) this test failed 10 runs out of 10 (5 in
# release, 5 in the ASan build; bench/README.md 2026-12-07 "A test for the budget's race").
source "$(dirname "$0")/lib.bash"
PQGEN=${IOF_BIN}/pqgen
[ -x "$PQGEN" ] || fail "$PQGEN not built"
CAP=131072 # ~30 rows of --features all a row group

"$BIN" synth -q -o "$T/in" --profile small --seed 5 --scale 2 --duration 4m \
    --start 2024-06-23T23:58:30Z || fail "synth"
run() { # OUT CAP[,BUDGET] ARGS...: a default run of the capture, Parquet only
    local out=$1 cap=$2; shift 2
    rm -rf "$out"
    IOF_TEST_PQ_CAP=$cap "$BIN" extract -q -f parquet --variant both --window 30 --features all \
        --devices "$T/in/devices.csv" -o "$out" "$@" "$T/in/capture.pcap" || fail "extract $cap $* -> $out"
}
same() { # A B: the same files, byte for byte
    (cd "$1" && find . -type f | LC_ALL=C sort) > "$T/la"
    (cd "$2" && find . -type f | LC_ALL=C sort) > "$T/lb"
    cmp -s "$T/la" "$T/lb" || fail "$1 and $2 hold different files"
    while read -r f; do cmp -s "$1/$f" "$2/$f" || fail "$f differs between $1 and $2"; done < "$T/la"
}
run "$T/t1" $CAP --threads 1
files=$(cd "$T/t1" && find . -name '*.parquet' | LC_ALL=C sort | tr '\n' ' ')
[ "$files" = "./bidirectional/24-06-23.parquet ./bidirectional/24-06-24.parquet ./unidirectional/24-06-23.parquet ./unidirectional/24-06-24.parquet " ] ||
    fail "expected two days x two variants, got: $files"
# the cap cuts: many row groups in every file (the second day's at close too)
for f in "$T/t1"/*/*.parquet; do
    rg=$("$PQGEN" rowgroups "$f" | sed -n 's/^row_groups=\([0-9]*\) .*/\1/p')
    [ "${rg:-0}" -ge 20 ] || fail "$f: ${rg:-no} row groups, want >= 20 (IOF_TEST_PQ_CAP=$CAP)"
done
# the budget cuts: without it (BUDGET 0) the files of the four writers' time differ
run "$T/nob" $CAP,0 --threads 1
cmp -s "$T/t1/bidirectional/24-06-23.parquet" "$T/nob/bidirectional/24-06-23.parquet" &&
    cmp -s "$T/t1/unidirectional/24-06-23.parquet" "$T/nob/unidirectional/24-06-23.parquet" &&
    fail "the budget cut no row group of the first day"
echo "ok the cap and the run's budget cut row groups (IOF_TEST_PQ_CAP=$CAP)"
for k in 1 2 3; do
    run "$T/t0" $CAP
    same "$T/t0" "$T/t1"
done
echo "ok 3 runs with default threads write the --threads 1 bytes"
