#!/usr/bin/env bash
# `iotflow extract -f joy` on every Joy golden pair (corpus/seed001-joy: X.pcapng with Joy's
# X.joy.json.gz): our gzip NDJSON file must match Joy's flows 100 % (tests/integration/
# joy_golden.py --ours: the same comparison as the policy's golden test). Also: line 1 is a
# config object with "end-config":1; gzip -t; -f joy,parquet writes the same Joy file as
# -f joy alone; -o - streams plain NDJSON; an existing file is refused (exit 1) unless
# --overwrite; an unwritable output directory exits 3 and leaves no temp file (docs/CLI.md);
# the statistics list the file; negative controls (one flow removed; idp=100 instead of Joy's N)
# must fail the match.
#
# Env: IOF_BIN (dir with iotflow), IOF_SHARED (dir with corpus/). Exit 0 / 1 / 77 skip.
set -uo pipefail
BIN=${IOF_BIN:?set IOF_BIN to the bin directory of a build}/iotflow
CORPUS=${IOF_SHARED:?set IOF_SHARED to the shared directory}/corpus/seed001-joy
HERE=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$CORPUS" ]; then
    echo "SKIP: no Joy golden pairs at $CORPUS"
    exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP: python3 is not installed"
    exit 77
fi
T=$(mktemp -d)
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# one run per capture, as Joy writes one file per capture: OURS/<rel dir>/<name>.json.gz
n=0
while IFS= read -r cap; do
    rel=${cap#"$CORPUS"/}
    reldir=$(dirname "$rel")
    name=$(basename "$cap" .pcapng)
    out="$T/runs/$rel"
    # Joy's idp=N of this capture's golden file (config line)
    idp=$(python3 -c 'import gzip,json,sys; print(json.loads(gzip.open(sys.argv[1],"rt").readline()).get("idp",0))' "${cap%.pcapng}.joy.json.gz")
    "$BIN" extract -q -f joy --idp "$idp" -o "$out" "$cap" || fail "extract -f joy $rel: exit $?"
    f="$out/joy/$name.json.gz"
    [ -f "$f" ] || fail "$f not written"
    gzip -t "$f" || fail "$f: gzip -t"
    python3 -c 'import gzip,json,sys; c=json.loads(gzip.open(sys.argv[1],"rt").readline()); sys.exit(not (c.get("end-config")==1 and c.get("version")=="3.0.3" and list(c)[-1]=="end-config"))' "$f" \
        || fail "$f: line 1 is not Joy's config object"
    # the modules we write are on in it, with Joy's golden options
    python3 -c 'import gzip,json,sys; c=json.loads(gzip.open(sys.argv[1],"rt").readline()); want=dict(dist=1,entropy=1,wht=1,payload=1,ppi=1,hd=1,dns=1,tls=1,dhcp=1,http=1,idp=int(sys.argv[2])); sys.exit(any(c.get(k)!=v for k,v in want.items()))' "$f" "$idp" \
        || fail "$f: config line: the modules' options are not dist/entropy/wht/payload/ppi/hd/dns/tls/dhcp/http=1, idp=$idp"
    mkdir -p "$T/ours/$reldir"
    cp "$f" "$T/ours/$reldir/$name.json.gz"
    n=$((n + 1))
done < <(find "$CORPUS" -name '*.pcapng' | sort | while read -r c; do [ -f "${c%.pcapng}.joy.json.gz" ] && echo "$c"; done)
[ "$n" -gt 0 ] || fail "no golden pairs under $CORPUS"
python3 "$HERE/joy_golden.py" --ours "$T/ours" "$CORPUS" --min-rate 1.0 || fail "our files do not match Joy's"
# negative control: a wrong --idp must not match (the first capture, run again)
first=$(find "$CORPUS" -name '*.pcapng' | sort | head -1)
rel=${first#"$CORPUS"/}
cp -r "$T/ours" "$T/ours-idp"
"$BIN" extract -q -f joy --idp 100 -o "$T/idp100" "$first" || fail "extract --idp 100: exit $?"
cp "$T/idp100/joy/$(basename "$first" .pcapng).json.gz" "$T/ours-idp/${rel%.pcapng}.json.gz"
if python3 "$HERE/joy_golden.py" --ours "$T/ours-idp" "$CORPUS" --min-rate 1.0 >/dev/null; then
    fail "the --idp negative control matched: the idp comparison cannot fail"
fi
# negative control: one flow fewer in one file must not match
victim=$(find "$T/ours" -name '*.json.gz' | sort | head -1)
zcat "$victim" | sed '$d' | gzip > "$T/cut.gz" && mv "$T/cut.gz" "$victim"
if python3 "$HERE/joy_golden.py" --ours "$T/ours" "$CORPUS" --min-rate 1.0 >/dev/null; then
    fail "the negative control matched: the comparison cannot fail"
fi

cap=$(find "$CORPUS" -name '*.pcapng' | sort | head -1)
name=$(basename "$cap" .pcapng)
ref="$T/alone/joy/$name.json.gz"
"$BIN" extract -q -f joy -o "$T/alone" "$cap" || fail "-f joy: exit $?"

# one pass, both representations: the same flows (the config line names the same file)
"$BIN" extract -q -f joy -f parquet -o "$T/both" "$cap" || fail "-f joy -f parquet: exit $?"
cmp <(zcat "$ref") <(zcat "$T/both/joy/$name.json.gz") || fail "-f joy,parquet wrote another Joy file"
[ -n "$(find "$T/both" -name '*.parquet')" ] || fail "-f joy -f parquet: no parquet file"

# more than 1 MiB of JSON: several gzip members (output/gzout.c), the same bytes with
# --threads 1 (compressed inline) as with the default (on helper threads); zcat reads them all
"$BIN" synth --profile dense --seed 13 --scale 1 --duration 2m -o "$T/syn" > /dev/null || fail "synth: exit $?"
"$BIN" extract -q -f joy -o "$T/syn1" --threads 1 "$T/syn/capture.pcap" || fail "--threads 1: exit $?"
"$BIN" extract -q -f joy -o "$T/syn0" "$T/syn/capture.pcap" || fail "-f joy on synth: exit $?"
cmp "$T/syn1/joy/capture.json.gz" "$T/syn0/joy/capture.json.gz" || fail "--threads 1 wrote another Joy file"
python3 - "$T/syn0/joy/capture.json.gz" <<'PY' || fail "the Joy file's members"
import gzip, sys, zlib
raw = open(sys.argv[1], "rb").read()
members, out = 0, 0
while raw:
    d = zlib.decompressobj(16 + 15)
    out += len(d.decompress(raw))
    assert d.eof, "a member is cut"
    raw, members = d.unused_data, members + 1
whole = gzip.open(sys.argv[1]).read()
assert members >= 2 and out == len(whole) and whole.count(b"\n") > 100, (members, out, len(whole))
PY

# the statistics list the Joy file among the outputs
"$BIN" extract -q -f joy -f csv --stats "$T/stats.json" -o "$T/st" "$cap" || fail "--stats: exit $?"
python3 -c 'import json,sys; o=[x for x in json.load(open(sys.argv[1]))["outputs"] if x["format"]=="joy"]; sys.exit(not (len(o)==1 and o[0]["path"].endswith("/joy/"+sys.argv[2]+".json.gz") and o[0]["rows"]>0))' "$T/stats.json" "$name" \
    || fail "stats outputs[] has no joy file"

# -o -: plain NDJSON on stdout, the same lines but the config's output name
"$BIN" extract -q -f joy -o - "$cap" > "$T/stdout.ndjson" || fail "-f joy -o -: exit $?"
cmp <(tail -n +2 "$T/stdout.ndjson") <(zcat "$ref" | tail -n +2) || fail "-o - differs from the file"
[[ "$(head -1 "$T/stdout.ndjson")" == *'"end-config":1}' ]] || fail "-o -: no config line"

# an earlier run's file: refused (exit 1, file kept), replaced with --overwrite
before=$(cksum < "$ref")
"$BIN" extract -q -f joy -o "$T/alone" "$cap" 2>"$T/err"
rc=$?
[ "$rc" = 1 ] || fail "existing file: exit $rc, expected 1"
[ "$(cksum < "$ref")" = "$before" ] || fail "existing file changed"
"$BIN" extract -q -f joy --overwrite -o "$T/alone" "$cap" || fail "--overwrite: exit $?"
cmp <(zcat "$ref") <(zcat "$T/both/joy/$name.json.gz") || fail "--overwrite wrote another file"

# output directory not writable: exit 3 (output), no file, no temp file
if [ "$(id -u)" != 0 ]; then
    mkdir -p "$T/ro/joy"
    chmod a-w "$T/ro/joy"
    "$BIN" extract -q -f joy -o "$T/ro" "$cap" 2>"$T/err"
    rc=$?
    [ "$rc" = 3 ] || fail "unwritable dir: exit $rc, expected 3 ($(cat "$T/err"))"
    [ -z "$(ls -A "$T/ro/joy")" ] || fail "unwritable dir: left $(ls -A "$T/ro/joy")"
fi
# a write failing mid-file (ENOSPC injected): exit 3, neither the file nor its temp file left
IOF_TEST_FAIL_WRITE=1 "$BIN" extract -q -f joy -o "$T/enospc" "$cap" 2>"$T/err"
rc=$?
[ "$rc" = 3 ] || fail "ENOSPC: exit $rc, expected 3 ($(cat "$T/err"))"
[ -z "$(ls -A "$T/enospc/joy" 2>/dev/null)" ] || fail "ENOSPC: left $(ls -A "$T/enospc/joy")"
# a cut is counted in the JSON's orientation: in this capture one DNS flow's Joy "out" side is
# the table's twin, and the list the arena cut is that side's, which Joy does not print (a pair
# prints its in side's list), so nothing the output shows was lost: joy.features_cut.dns = 0
# (counted in the table's primary/twin order it was 1)
wemo=$IOF_SHARED/corpus/iot__iotsentinel-WeMoInsightSwitch-setup__Setup-A-9-STA.pcap
if [ -f "$wemo" ]; then
    "$BIN" extract -q -f joy --stats "$T/wemo.json" -o "$T/wemo" "$wemo" 2>"$T/err" || fail "wemo: $(cat "$T/err")"
    c=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["joy"]["features_cut"]["dns"])' "$T/wemo.json")
    [ "$c" = 0 ] || fail "wemo: joy.features_cut.dns = $c, want 0 (the printed side lost nothing)"
fi
echo "ok: $n captures, -f joy matches Joy 100 %; combined, stdout, existing, write failures"
