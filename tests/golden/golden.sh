#!/usr/bin/env bash
# Golden tests (tcpdump TESTLIST / nDPI result-file style). Each tests/golden/cases/NAME/ holds:
#   packets.txt   a pcapgen script (the capture is generated at test time by our own code)
#   pcapgen.args  optional pcapgen options (link type, pcapng, ns, be ...)
#   args          iotflow extract options (one line; @CASE@ = the case directory)
#   expected/     the expected output tree (every file compared byte for byte) and stats.txt
#                 (selected counters from the stats JSON)
# Any stderr output from `iotflow extract -q` fails the case. UPDATE_GOLDEN=1 rewrites expected/
# (review the diff before committing it). Cases run with two flow workers (--threads 2, the
# same on every machine: stats.txt's peak_live is a sum over the workers' tables); a case whose
# args say --threads 1 checks the single table (eviction: which records go depends on N).
set -uo pipefail
BIN=${IOF_BIN:?IOF_BIN}
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0; fail=0
for dir in "$HERE"/cases/*/; do
  name=$(basename "$dir")
  work="$TMP/$name"; mkdir -p "$work"
  gargs=$(cat "$dir/pcapgen.args" 2>/dev/null || true)
  if ! "$BIN/pcapgen" $gargs -o "$work/in.pcap" "$dir/packets.txt" 2>"$work/gen.err"; then
    echo "FAIL $name: pcapgen: $(cat "$work/gen.err")"; fail=$((fail+1)); continue
  fi
  args=$(sed "s|@CASE@|$dir|g" "$dir/args")
  # shellcheck disable=SC2086
  "$BIN/iotflow" extract -q --hash-seed 1 --threads 2 -o "$work/out" --stats "$work/stats.json" $args "$work/in.pcap" \
      >"$work/stdout" 2>"$work/stderr"
  rc=$?
  echo "$rc" > "$work/out/exit_code"
  python3 - "$work/stats.json" > "$work/out/stats.txt" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
p = s["packets"]
print("packets", p["read"], "decoded", p["decoded"], "dropped", p["dropped"],
      "unattributed", p["unattributed"], "ts_out_of_order", p["ts_out_of_order"],
      "ts_before_first_seen", p["ts_before_first_seen"])
print("drops", " ".join(f"{k}={v}" for k, v in s["drops"].items() if v))
r = s["records"]
print("records", " ".join(f"{k}={v}" for k, v in r.items() if k not in ("payload_bytes_kept", "max_memory", "peak_live_bytes")  # bytes: machine-dependent
                          and not k.startswith("reached_output_")))  # checked below
for v in ("bidirectional", "unidirectional"):  # the cases' outputs do not fail: every record reached them
    assert r["reached_output_" + v] == r[v], "records made != records that reached the output"
print("fragments", " ".join(f"{k}={v}" for k, v in s["fragments"].items()))
assert p["read"] == p["decoded"] + p["dropped"], "conservation: read != decoded + dropped"
assert p["decoded"] == p["attributed"] + p["unattributed"], "conservation: decoded != attributed + unattributed"
PY
  if [ $? -ne 0 ]; then echo "FAIL $name: stats conservation"; fail=$((fail+1)); continue; fi
  if [ -s "$work/stderr" ] && [ ! -f "$dir/stderr-ok" ]; then
    echo "FAIL $name: unexpected stderr:"; sed 's/^/    /' "$work/stderr"; fail=$((fail+1)); continue
  fi
  if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
    rm -rf "$dir/expected"; cp -r "$work/out" "$dir/expected"
    echo "updated $name"; pass=$((pass+1)); continue
  fi
  if diff -r "$dir/expected" "$work/out" > "$work/diff"; then
    echo "ok   $name"; pass=$((pass+1))
  else
    echo "FAIL $name:"; head -40 "$work/diff" | sed 's/^/    /'; fail=$((fail+1))
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
