#!/usr/bin/env bash
# Parquet writer conformance: pqgen writes every case (wide 3000 x INT16, nested lists with empty
# and null lists, empty file, single row, split row groups and pages, all-null columns, non-ASCII
# and invalid UTF-8, single-entry dictionaries, integer extremes, doubles with NaN, infinities and
# signed zeros) for every codec; then
#   1. our reader reads every value back and matches the generator (pqgen check);
#   2. pqcheck verify: DuckDB, hyparquet and arrow-rs read every value and agree, footer and
#      statistics are sane;
#   3. DuckDB's rows equal what our reader returns (pqgen dump vs pqgen sql through DuckDB).
# Exits 77 (skip) when node / pqcheck are unavailable.
set -u
: "${IOF_BIN:?}" "${IOF_SHARED:?}"
PQ="$IOF_SHARED/tools/parquet"
pqgen="$IOF_BIN/pqgen"
[ -x "$pqgen" ] || { echo "parquet_pqcheck: $pqgen not built" >&2; exit 1; }

if ! command -v node >/dev/null 2>&1 || [ ! -x "$PQ/pqcheck" ]; then
    echo "parquet_pqcheck: SKIP: node or $PQ/pqcheck not available" >&2
    exit 77
fi
if [ -x "$PQ/install.sh" ] && ! "$PQ/install.sh" >/dev/null 2>&1; then
    echo "parquet_pqcheck: SKIP: pqcheck dependencies could not be installed" >&2
    exit 77
fi
command -v python3 >/dev/null 2>&1 || { echo "parquet_pqcheck: SKIP: python3 not available" >&2; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/iof-pq.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail=0

"$pqgen" write "$work" > "$work/files.txt" || { echo "FAIL: pqgen write" >&2; exit 1; }
n=$(wc -l < "$work/files.txt")
echo "pqgen wrote $n files"

if "$pqgen" check "$work" > "$work/check.txt"; then
    echo "ok: round trip through our reader ($n files)"
else
    grep -v '^ok' "$work/check.txt" >&2
    echo "FAIL: round trip through our reader" >&2
    fail=1
fi

# shellcheck disable=SC2046
if "$PQ/pqcheck" verify $(cat "$work/files.txt") --quiet > "$work/verify.json" 2> "$work/verify.txt"; then
    echo "ok: pqcheck verify ($n files: DuckDB, hyparquet, arrow-rs agree)"
else
    grep -v ': OK ' "$work/verify.txt" >&2
    echo "FAIL: pqcheck verify" >&2
    fail=1
fi
grep -c ': OK ' "$work/verify.txt" | sed 's/^/pqcheck verdicts OK: /'

# Small wide row groups store the payload columns as PLAIN pages compressed through pq_lz (no
# dictionary page; src/output/parquet/pq_lz.h); with zstd the wide file must have such chunks,
# and DuckDB must read them (verify above). Other codecs keep dictionaries.
wz="$work/wide-zstd.parquet"
if [ -f "$wz" ]; then
    lz=$("$PQ/pqcheck" sql "SELECT count(*) AS n FROM parquet_metadata('$wz') WHERE path_in_schema LIKE 'C_%' AND encodings = 'PLAIN' AND dictionary_page_offset IS NULL AND compression = 'ZSTD'" | sed 's/[^0-9]//g')
    if [ "${lz:-0}" -ge 2000 ]; then
        echo "ok: wide zstd file: $lz payload columns as pq_lz PLAIN pages"
    else
        echo "FAIL: wide zstd file: only ${lz:-0} payload columns as pq_lz PLAIN pages (want >= 2000)" >&2
        fail=1
    fi
else
    echo "FAIL: $wz not written" >&2
    fail=1
fi

cat > "$work/cmp.py" <<'PY'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
b = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
def same(x, y):  # a DOUBLE with an integral value may come back as a JSON integer
    if isinstance(x, list) and isinstance(y, list):
        return len(x) == len(y) and all(same(p, q) for p, q in zip(x, y))
    if isinstance(x, (int, float)) and isinstance(y, (int, float)) and not isinstance(x, bool) \
            and not isinstance(y, bool) and (isinstance(x, float) or isinstance(y, float)):
        return float(x) == float(y)
    return x == y
if len(a) != len(b):
    print(f"{sys.argv[3]}: row count differs: ours {len(a)}, duckdb {len(b)}"); sys.exit(1)
for i, (x, y) in enumerate(zip(a, b)):
    if x.keys() != y.keys() or not all(same(x[k], y[k]) for k in x):
        for k in x:
            if not same(x.get(k), y.get(k)):
                print(f"{sys.argv[3]}: row {i} column {k}: ours {repr(x.get(k))[:200]} duckdb {repr(y.get(k))[:200]}")
                break
        else:
            print(f"{sys.argv[3]}: row {i}: column sets differ")
        sys.exit(1)
PY
while read -r f; do
    b=$(basename "$f" .parquet)
    if ! "$pqgen" dump "$f" > "$work/$b.ours"; then echo "FAIL: pqgen dump $f" >&2; fail=1; continue; fi
    if ! "$PQ/pqcheck" sql "$("$pqgen" sql "$f")" > "$work/$b.duck"; then echo "FAIL: duckdb read $f" >&2; fail=1; continue; fi
    python3 "$work/cmp.py" "$work/$b.ours" "$work/$b.duck" "$b" >&2 || fail=1
done < "$work/files.txt"
[ "$fail" = 0 ] && echo "ok: DuckDB values == our reader's values ($n files)"

[ "$fail" = 0 ] && echo "parquet_pqcheck: PASS" || echo "parquet_pqcheck: FAIL" >&2
exit "$fail"
