#!/usr/bin/env bash
# --shard K/N (issue "Speed and scale": scale-out on existing engines): N runs, on N machines or
# one, each read a disjoint share of the inputs, split by size the same way everywhere, and
# write one hive-partitioned dataset that DuckDB reads as a whole (row count = the shards' sum).
# The GNU parallel recipe of docs/SCALE.md is run as written (when parallel is installed).
set -uo pipefail
BIN=${IOF_BIN:?IOF_BIN}
C=${IOF_SHARED:-}/corpus
[ -d "$C" ] || { echo "SKIP: no corpus"; exit 77; }
source "$(dirname "$0")/../robust/lib.bash"
mkdir -p "$TMP/in"
n=0
for f in "$C"/*.pcap "$C"/*.pcapng; do
  case "$(basename "$f")" in format-*) continue ;; esac  # the same packets in several formats
  ln -s "$f" "$TMP/in/"; n=$((n + 1)); [ $n -ge 24 ] && break
done
N=3
for k in 1 2 3; do
  "$BIN/iotflow" extract -q --hash-seed 1 --shard $k/$N --partition hive -f parquet -f csv \
    --stats "$TMP/s$k.json" -o "$TMP/out" "$TMP/in" 2>"$TMP/e$k"; rc=$?
  check "shard $k/$N: exit 0 (got $rc), one directory shared with the other shards" bash -c "[ $rc -eq 0 ] && [ ! -s '$TMP/e$k' ]"
done
python3 - "$TMP" "$n" <<'PY' > "$TMP/split.txt"
import json, os, sys
tmp, n = sys.argv[1], int(sys.argv[2])
shards = [[i["path"] for i in json.load(open(f"{tmp}/s{k}.json"))["inputs"]] for k in (1, 2, 3)]
flat = [p for s in shards for p in s]
sizes = [sum(os.stat(p).st_size for p in s) for s in shards]
biggest = max(os.stat(p).st_size for p in flat)
print("cover", len(flat) == n and len(set(flat)) == n)
print("balance", max(sizes) - min(sizes) <= biggest, sizes)
print("nonempty", all(shards))
PY
check "every input in exactly one shard ($(grep cover "$TMP/split.txt"))" grep -q "cover True" "$TMP/split.txt"
check "shards balanced by bytes: max - min <= the largest file ($(grep balance "$TMP/split.txt"))" grep -q "balance True" "$TMP/split.txt"
check "no shard empty" grep -q "nonempty True" "$TMP/split.txt"
check "file names carry the shard (part-sKofN-P)" \
  bash -c "[ \$(find '$TMP/out' -type f | grep -cv -- '/part-s[123]of3-[0-9]*\.\(parquet\|csv\)$') -eq 0 ]"
listed=$(python3 -c "import json,sys; print(sum(len(json.load(open(f'$TMP/s{k}.json'))['outputs']) for k in (1,2,3)))")
check "every file written is some shard's ($listed listed)" [ "$listed" -eq "$(find "$TMP/out" -type f | wc -l)" ]
# the split depends on the files only: another order of the same inputs gives the same shards
"$BIN/iotflow" extract -q --hash-seed 1 --shard 2/$N -f csv --stats "$TMP/r2.json" -o "$TMP/rev" \
  $(ls -r "$TMP"/in/*) 2>/dev/null
check "the same split whatever the order of the inputs" bash -c "diff <(python3 -c \"import json; print(sorted(i['path'] for i in json.load(open('$TMP/s2.json'))['inputs']))\") \
  <(python3 -c \"import json; print(sorted(i['path'] for i in json.load(open('$TMP/r2.json'))['inputs']))\")"
# files of equal size: the split still does not depend on the order they are given in
mkdir -p "$TMP/eq"
for x in a b c d; do printf '0 192.168.1.10:5000 > 8.8.8.8:53 udp len=20\n' > "$TMP/eq/$x.txt"
  "$BIN/pcapgen" -o "$TMP/eq/$x.pcap" "$TMP/eq/$x.txt" 2>/dev/null; rm "$TMP/eq/$x.txt"; done
picks() { "$BIN/iotflow" extract -q --shard 1/2 -f csv --stats "$TMP/eq.json" -o "$TMP/eqo$1" "${@:2}" 2>/dev/null
  python3 -c "import json,os; print(sorted(os.path.basename(i['path']) for i in json.load(open('$TMP/eq.json'))['inputs']))"; }
p1=$(picks 1 "$TMP"/eq/a.pcap "$TMP"/eq/b.pcap "$TMP"/eq/c.pcap "$TMP"/eq/d.pcap)
p2=$(picks 2 "$TMP"/eq/d.pcap "$TMP"/eq/c.pcap "$TMP"/eq/b.pcap "$TMP"/eq/a.pcap)
check "equal sizes: the same shard 1/2 whatever the order ($p1 / $p2)" [ "$p1" = "$p2" ]
# a file whose size cannot be read stops the run (it would change this machine's split)
ln -s "$TMP/eq/nowhere.pcap" "$TMP/eq/broken.pcap"
"$BIN/iotflow" extract -q --shard 1/2 -o "$TMP/eqb" "$TMP"/eq/a.pcap "$TMP"/eq/broken.pcap 2>"$TMP/eb"; rc=$?
check "--shard with an input whose size cannot be read: exit 2, named" bash -c "[ $rc -eq 2 ] && grep -q 'broken.pcap' '$TMP/eb'"
# DuckDB reads the shards as one hive-partitioned dataset
PQ=${IOF_SHARED:-}/tools/parquet/pqcheck
if command -v node >/dev/null && [ -x "$PQ" ] && "$(dirname "$PQ")/install.sh" >/dev/null 2>&1; then
  want=$(python3 -c "import json; print(sum(json.load(open(f'$TMP/s{k}.json'))['records'][v] for k in (1,2,3) for v in ('bidirectional','unidirectional')))")
  got=$("$PQ" sql "SELECT count(*) AS n FROM read_parquet('$TMP/out/**/*.parquet', hive_partitioning=true)" | python3 -c "import json,sys; print(json.loads(sys.stdin.readline())['n'])")
  check "DuckDB, hive_partitioning: $got rows = the shards' sum ($want)" [ "$got" = "$want" ]
  byvar=$("$PQ" sql "SELECT variant, count(*) AS n FROM read_parquet('$TMP/out/**/*.parquet', hive_partitioning=true) GROUP BY variant ORDER BY variant" | python3 -c "import json,sys; print(' '.join(str(json.loads(l)['n']) for l in sys.stdin))")
  wantvar=$(python3 -c "import json; print(' '.join(str(sum(json.load(open(f'$TMP/s{k}.json'))['records'][v] for k in (1,2,3))) for v in ('bidirectional','unidirectional')))")
  check "DuckDB: rows per variant partition = the shards' sums ($byvar)" [ "$byvar" = "$wantvar" ]
else
  echo "skip DuckDB checks: pqcheck unavailable"
fi
# the GNU parallel recipe (docs/SCALE.md), here with local jobs: the same files, byte for byte
if command -v parallel >/dev/null; then
  parallel --will-cite -j 2 "$BIN/iotflow" extract -q --hash-seed 1 --shard {}/$N --partition hive -f parquet -f csv \
    -o "$TMP/par" "$TMP/in" ::: $(seq 1 $N); rc=$?
  check "parallel recipe: exit 0 (got $rc)" [ $rc -eq 0 ]
  check "parallel recipe: the same files as the shards run one by one" \
    bash -c "diff <(cd '$TMP/out' && find . -type f | sort | xargs sha256sum) <(cd '$TMP/par' && find . -type f | sort | xargs sha256sum)"
else
  echo "skip the parallel recipe: GNU parallel not installed"
fi
# usage errors
for bad in 0/3 4/3 3 a/b 1/0 "1/3x"; do
  "$BIN/iotflow" extract -q --shard "$bad" -o "$TMP/x" "$TMP/in" 2>"$TMP/eb"; rc=$?
  check "--shard '$bad': exit 1 with a message" bash -c "[ $rc -eq 1 ] && grep -q -- '--shard' '$TMP/eb'"
done
"$BIN/iotflow" extract -q --shard 1/2 -o "$TMP/x" - < /dev/null 2>"$TMP/eb"; rc=$?
check "--shard with standard input: exit 1, says why" bash -c "[ $rc -eq 1 ] && grep -q 'standard input' '$TMP/eb'"
# more shards than files: the extra shards have nothing to do and say so
"$BIN/iotflow" extract --shard 40/40 -f csv -o "$TMP/few" "$TMP/in" 2>"$TMP/ef" >/dev/null; rc=$?
check "shard 40/40 of $n files: exit 0, '0 of $n input file(s)'" bash -c "[ $rc -eq 0 ] && grep -q 'shard 40/40: 0 of $n input file(s)' '$TMP/ef'"
finish
