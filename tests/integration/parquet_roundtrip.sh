#!/usr/bin/env bash
# Round trip on real captures: the rows DuckDB reads from our Parquet (both layouts, every
# codec, zstd levels -7..19) equal the rows of our JSON Lines output of the same run, value for value (compared as
# multisets: Parquet rows are clustered in sorted batches, docs/OUTPUT.md); and
# `pqcheck verify` (DuckDB, hyparquet, arrow-rs agree; stats bound the data) passes on every file.
set -uo pipefail
BIN=${IOF_BIN:?IOF_BIN}; SHARED=${IOF_SHARED:-/work/shared}
PQ="$SHARED/tools/parquet/pqcheck"
if ! command -v node >/dev/null || [ ! -x "$PQ" ]; then echo "SKIPPED: node or pqcheck missing"; exit 77; fi
"$SHARED/tools/parquet/install.sh" >/dev/null 2>&1 || { echo "SKIPPED: pqcheck dependencies cannot be installed"; exit 77; }
C="$SHARED/corpus"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
files=(
  iot__zeek-mqtt__mqtt.pcap iot__ndpi-tplink-shp__tplink_shp.pcap iot__iotsentinel-HueBridge-setup__Setup-A-2-STA.pcap
  iot__ndpi-coap-and-mqtt__coap_mqtt.pcap iot__zeek-mdns__mdns.pcap vlan__pcpp-vlan__VlanPackets.pcap
  linktype-sll2__zeek__linux_dlt_sll2.pcap linktype-raw101__pcpp__raw_ip.pcap pcapng-multi-if__zeek__pcapng-multi-interface.pcapng
  frag__pcpp-ip4-fragments__ip4_fragments.pcap pcapng-ns__ndpi-steam__steam.pcapng linktype-null__pcpp__null_loopback.pcap
  iot__xiaodu-smart-plug-setup__xiaodu_plug_setup.pcap
)
pass=0; fail=0
i=0
for f in "${files[@]}"; do
  [ -f "$C/$f" ] || { echo "skip $f (not in corpus)"; continue; }
  codecs=(zstd snappy none zstd:19 zstd:-7); codec=${codecs[$((i % 5))]}; i=$((i+1))
  for layout in nested wide; do
    out="$TMP/$i-$layout"
    "$BIN/iotflow" extract -q --hash-seed 1 --variant bi --layout $layout --compression $codec -f parquet -f jsonl \
        -o "$out" "$C/$f" 2>/dev/null
    for pq in $(find "$out" -name '*.parquet' | sort); do
      js="${pq%.parquet}.jsonl"
      "$PQ" verify "$pq" > "$TMP/verify.json" 2>"$TMP/verify.err" || { echo "FAIL $f $layout $codec: pqcheck verify: $(tail -3 "$TMP/verify.err")"; fail=$((fail+1)); continue; }
      "$PQ" rows "$pq" --reader duckdb > "$TMP/duck.jsonl" 2>/dev/null
      if python3 - "$TMP/duck.jsonl" "$js" <<'PY'
import json, sys, datetime
duck = [json.loads(l) for l in open(sys.argv[1])]
ours = [json.loads(l) for l in open(sys.argv[2])]
def norm(k, v):
    if k in ("first_seen", "FirstSeen") and isinstance(v, str):  # DuckDB renders TIMESTAMP WITH TIME ZONE
        t = datetime.datetime.strptime(v.replace("+00", ""), "%Y-%m-%d %H:%M:%S.%f" if "." in v else "%Y-%m-%d %H:%M:%S")
        return int(t.replace(tzinfo=datetime.timezone.utc).timestamp()) * 1000000 + t.microsecond
    return v
if len(duck) != len(ours):
    print(f"  rows: duckdb {len(duck)} vs jsonl {len(ours)}"); sys.exit(1)
# Parquet rows are clustered in sorted batches (docs/OUTPUT.md): compare as multisets
duck = sorted(({k: norm(k, v) for k, v in r.items()} for r in duck), key=lambda r: json.dumps(r, sort_keys=True))
ours = sorted(ours, key=lambda r: json.dumps(r, sort_keys=True))
for n, (a, b) in enumerate(zip(duck, ours)):
    if list(a.keys()) != list(b.keys()):
        print(f"  row {n}: columns differ"); sys.exit(1)
    for k in a:
        if norm(k, a[k]) != b[k]:
            print(f"  row {n} column {k}: duckdb {a[k]!r} vs jsonl {b[k]!r}"); sys.exit(1)
sys.exit(0)
PY
      then pass=$((pass+1)); else echo "FAIL $f $layout $codec $(basename "$pq")"; fail=$((fail+1)); fi
    done
  done
  n=$(find "$TMP/$i-nested" "$TMP/$i-wide" -name '*.parquet' 2>/dev/null | wc -l)
  if [ "$n" -eq 0 ]; then echo "FAIL $f: no Parquet written"; fail=$((fail+1)); else echo "ok   $f ($n files)"; fi
done

# bad --compression levels are usage errors with nothing written
f="$C/iot__zeek-mqtt__mqtt.pcap"
if [ -f "$f" ]; then
  for bad in zstd:23 zstd:-8 zstd:x zstd:; do
    "$BIN/iotflow" extract -q --compression $bad -o "$TMP/bad" "$f" 2>/dev/null; rc=$?
    if [ $rc -eq 1 ] && [ ! -e "$TMP/bad" ]; then pass=$((pass+1)); else echo "FAIL --compression $bad: exit $rc"; fail=$((fail+1)); fi
  done
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
