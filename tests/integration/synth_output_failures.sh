#!/usr/bin/env bash
# iotflow synth under write failures (IOF_TEST_FAIL_WRITE=N fails the N-th write(2) of the
# process with ENOSPC): for every N up to the run's last write, exit status 3, a message naming
# the file, and no file left in the output directory or beside --stats (neither under a final
# name nor a temporary one). Then N past the last write: every file published.
set -euo pipefail
BIN=${IOF_BIN:?IOF_BIN not set}/iotflow
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() { IOF_TEST_FAIL_WRITE=$1 "$BIN" synth -q -o "$tmp/o$1" --stats "$tmp/s$1/stats.json" \
            --duration 1m 2>"$tmp/err$1"; }
n=1
while :; do
    set +e; run "$n"; rc=$?; set -e
    if [ "$rc" = 0 ]; then break; fi
    [ "$rc" = 3 ] || { echo "FAIL: N=$n: exit $rc"; cat "$tmp/err$n"; exit 1; }
    grep -q "write failed: No space left on device" "$tmp/err$n" \
        || { echo "FAIL: N=$n: message: $(cat "$tmp/err$n")"; exit 1; }
    left=$(ls -A "$tmp/o$n" "$tmp/s$n" 2>/dev/null | grep -v ':$' | grep -v '^$' || true)
    [ -z "$left" ] || { echo "FAIL: N=$n: files left: $left"; exit 1; }
    n=$((n + 1))
    [ "$n" -lt 1000 ] || { echo "FAIL: the run never succeeded"; exit 1; }
done
for f in capture.pcap devices.csv sensors.csv events.csv truth.csv labels.rules; do
    [ -s "$tmp/o$n/$f" ] || { echo "FAIL: N=$n (past the last write): $f missing"; exit 1; }
done
[ -s "$tmp/s$n/stats.json" ] || { echo "FAIL: stats.json missing"; exit 1; }
echo "PASS ($((n - 1)) failing writes, each leaving nothing)"
