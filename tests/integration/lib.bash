# Shared preamble of the integration scripts (sourced): the iotflow binary, a temporary
# directory removed at exit (on tmpfs when there is one), fail(), and python3 (skip without).
#   BIN  the iotflow binary        T  the temporary directory        HERE  this folder
set -uo pipefail
BIN=${IOF_BIN:?set IOF_BIN to the bin directory of a build}/iotflow
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 is not installed"; exit 77; }

# need_corpus: CORPUS = IOF_SHARED's capture corpus, or skip (77) without it.
# need_tshark: skip (77) without tshark, the independent reference.
need_corpus() {
  CORPUS=${IOF_SHARED:-}/corpus
  if [ ! -f "$CORPUS/MANIFEST.tsv" ]; then echo "SKIP: no capture corpus at '$CORPUS' (set IOF_SHARED)"; exit 77; fi
}
need_tshark() {
  if ! command -v tshark >/dev/null; then echo "SKIP: tshark is not installed"; exit 77; fi
}

# pq_rows FILE OUT: FILE's rows as JSON Lines in OUT, as DuckDB reads them, after the shared
# validator (IOF_SHARED/tools/parquet/pqcheck) verified the file. Returns 1 after printing a
# "SKIP (Parquet part)" line when the validator, node or its dependencies are missing; fails the
# test when the validator finds a problem.
pq_rows() {
    local file=$1 out=$2 pqcheck=${IOF_SHARED:-/nonexistent}/tools/parquet/pqcheck
    if [ ! -x "$pqcheck" ] || ! command -v node > /dev/null; then
        echo "SKIP (Parquet part): no pqcheck (IOF_SHARED) or no node"
        return 1
    fi
    if "$pqcheck" verify --quiet "$file" > "$out.verify" 2>&1; then
        "$pqcheck" rows "$file" --reader duckdb > "$out" || fail "pqcheck rows $file"
        return 0
    fi
    if grep -q "dependencies missing" "$out.verify"; then
        echo "SKIP (Parquet part): $(cat "$out.verify")"
        return 1
    fi
    cat "$out.verify"
    fail "pqcheck verify $file"
}

# same_bytes WHAT DIR_A DIR_B: every .parquet under A equals B's byte for byte (at least one)
same_bytes() {
    local what=$1 n=0 f
    for f in $(cd "$2" && find . -name '*.parquet' | sort); do
        cmp -s "$2/$f" "$3/$f" || fail "$what: $f differs"
        n=$((n + 1))
    done
    [ $n -gt 0 ] || fail "$what: no Parquet file in $2"
}

# extract_refuses OPT WHAT ARGS...: `iotflow extract -q OPT ARGS...` (ARGS end with the inputs)
# exits 1, its message names OPT and then WHAT, and nothing is written
extract_refuses() {
    local opt=$1 what=$2 out=$T/refused.$RANDOM rc
    shift 2
    "$BIN" extract -q "$opt" -o "$out" "$@" > "$out.log" 2>&1
    rc=$?
    [ $rc = 1 ] || { cat "$out.log"; fail "$opt $*: exit $rc, want 1"; }
    grep -q -- "$opt.*$what" "$out.log" || { cat "$out.log"; fail "$opt $*: no message naming $what"; }
    [ -z "$(find "$out" -type f 2>/dev/null)" ] || fail "$opt $*: wrote files"
}

# label_after DIR TAIL: `iotflow label` with a one-key rule file (kind) on the outputs in DIR; every
# CSV header it writes ends with TAIL,kind,kind_rule (the label columns follow TAIL). LABELLED: its
# output directory
label_after() {
    LABELLED=$T/rel.$RANDOM
    printf 'key kind default "other"\nkind = "dns" if proto udp and sport 53\n' > "$T/one.rules"
    "$BIN" label --rules "$T/one.rules" -o "$LABELLED" "$1" > "$LABELLED.log" \
        || fail "label: exit $? $(cat "$LABELLED.log")"
    local f
    for f in $(cd "$LABELLED" && find . -name '*.csv'); do
        head -1 "$LABELLED/$f" | tr -d '\r' | grep -q ",$2,kind,kind_rule\$" || fail "$f: labels not after $2"
    done
}

# label_refuses RULES FILE WORD: `iotflow label` with RULES on FILE exits 1, its message says
# "reads WORD", and nothing is written
label_refuses() {
    local out=$T/refused.$RANDOM rc
    "$BIN" label --rules "$1" -o "$out" "$2" > "$out.log" 2>&1
    rc=$?
    [ $rc = 1 ] || { cat "$out.log"; fail "label with $3 rules: exit $rc, want 1"; }
    grep -q "reads $3" "$out.log" || { cat "$out.log"; fail "label: no message about $3"; }
    [ -z "$(find "$out" -type f 2>/dev/null)" ] || fail "label with $3 rules: wrote files"
}
