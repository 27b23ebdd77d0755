#!/usr/bin/env bash
# Behaviour unchanged (issue "One core, many record kinds"): the outputs of every capture of
# $IOF_SHARED/corpus are byte-identical to those recorded in corpus_hashes.sha256, which an
# earlier build wrote. One line per capture and configuration: a digest over the output files'
# relative paths and contents, and the stats' packet counters.
#
#   bash tests/integration/corpus_hashes.sh           check (ctest: integration.corpus_hashes)
#   bash tests/integration/corpus_hashes.sh --update  rewrite the recorded digests (only when an
#                                                     output change is intended: say so in the commit)
#
# Configurations: A = Parquet (wide) + CSV (wide) + JSON Lines (nested), both variants;
# B = Parquet nested with --packets 3 --payload 64 --window 30 --variant uni. Both with
# --max-memory none: the default bound depends on the machine's memory.
set -uo pipefail
BIN=${IOF_BIN:?set IOF_BIN to the bin directory of a build}
HERE=$(cd "$(dirname "$0")" && pwd)
REF="$HERE/corpus_hashes.sha256"
CORPUS=${IOF_SHARED:-}/corpus
[ -d "$CORPUS" ] || { echo "SKIP: no corpus at $CORPUS"; exit 77; }
TMP=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d) # tmpfs: no fsync cost for ~2,000 small files
trap 'rm -rf "$TMP"' EXIT
digest() { # outdir stats.json -> one digest
  { (cd "$1" 2>/dev/null && find . -type f | LC_ALL=C sort | while read -r f; do echo "$f $(sha256sum < "$f" | cut -c1-64)"; done)
    python3 -c "import json,sys; p=json.load(open(sys.argv[1]))['packets']; print(p['read'], p['decoded'], p['attributed'], p['unattributed'])" "$2" 2>/dev/null
  } | sha256sum | cut -c1-16
}
out="$TMP/now.sha256"
while IFS= read -r -d '' path; do
  rel=${path#"$CORPUS"/}
  case "$rel" in *.pcap|*.pcapng|*.cap|*.pcap.gz|*.pcapng.gz) ;; *) continue ;; esac
  for cfg in A B; do
    rm -rf "$TMP/o" "$TMP/s.json"
    if [ $cfg = A ]; then
      "$BIN/iotflow" extract -q --hash-seed 1 --max-memory none -f parquet -f csv -f jsonl --stats "$TMP/s.json" -o "$TMP/o" "$path" 2>/dev/null
    else
      "$BIN/iotflow" extract -q --hash-seed 1 --max-memory none -f parquet --layout nested --packets 3 --payload 64 \
        --window 30 --variant uni --stats "$TMP/s.json" -o "$TMP/o" "$path" 2>/dev/null
    fi
    echo "$(digest "$TMP/o" "$TMP/s.json")  $cfg  $rel"
  done
done < <(find "$CORPUS" -type f -print0 | LC_ALL=C sort -z) > "$out"
if [ "${1:-}" = --update ]; then
  cp "$out" "$REF"
  echo "corpus hashes: $(wc -l < "$REF") digests written to $REF"
  exit 0
fi
[ -f "$REF" ] || { echo "FAIL: no $REF (run with --update on the reference build)"; exit 1; }
if diff -q "$REF" "$out" >/dev/null; then
  echo "corpus hashes: $(wc -l < "$out") digests equal to the recorded ones"
  echo "1 passed, 0 failed"
  exit 0
fi
echo "FAIL: outputs differ from the recorded ones for:"
diff "$REF" "$out" | grep '^[<>]' | sed 's/^/  /' | head -40
echo "0 passed, 1 failed"
exit 1
