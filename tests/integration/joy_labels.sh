#!/usr/bin/env bash
# Seed-001 labels (issue "Labels"): on every golden pair of corpus/seed001-joy that has the
# published annotation (X.annotated.json), `iotflow extract -f joy --rules
# rules/seed001/<group>.rules` gives each annotated flow the published flow_type (joy_labels.py:
# 100 %). Also: each shipped rule file loads without warnings; the summary and the statistics
# JSON count the Joy flows per label; a key that is a Joy member name is refused (exit 1,
# nothing written); and a negative control (another group's rules) must fail the comparison.
#
# Env: IOF_BIN (dir with iotflow), IOF_SHARED (dir with corpus/). Exit 0 / 1 / 77 skip.
. "$(dirname "$0")/lib.bash"
CORPUS=${IOF_SHARED:?set IOF_SHARED to the shared directory}/corpus/seed001-joy
RULES=$(cd "$HERE/../../rules/seed001" && pwd)
[ -d "$CORPUS" ] || { echo "SKIP: no Joy golden pairs at $CORPUS"; exit 77; }

# every shipped file loads, silently (no shadowed rule, every key has a default)
cap1=$(find "$CORPUS" -name '*.pcapng' | LC_ALL=C sort | head -1)
for f in "$RULES"/*.rules; do
    "$BIN" extract -f joy --rules "$f" -o "$T/load" --overwrite "$cap1" > "$T/load.out" 2>&1 \
        || fail "$f: exit $? ($(cat "$T/load.out"))"
    ! grep -q 'warning' "$T/load.out" || fail "$f: warnings: $(grep warning "$T/load.out")"
done

# label every capture that has an annotation with its group's rules ($1: rules dir to use)
label_all() { # outdir [rules-file-override]
    while IFS= read -r ann; do
        rel=${ann#"$CORPUS"/}
        rel=${rel%.annotated.json}
        group=${rel%%/*}
        cap="$CORPUS/$rel.pcapng"
        [ -f "$cap" ] || fail "$cap: no capture for $ann"
        rules=${2:-$RULES/$group.rules}
        [ -f "$rules" ] || fail "no rule file for group $group ($rules)"
        mkdir -p "$(dirname "$1/stats/$rel")"; "$BIN" extract -q -f joy --rules "$rules" --stats "$1/stats/$rel.json" -o "$1/run/$rel" "$cap" \
            || fail "extract -f joy --rules $rules $rel: exit $?"
        mkdir -p "$(dirname "$1/ours/$rel")"
        mv "$1/run/$rel/joy/$(basename "$rel").json.gz" "$1/ours/$rel.json.gz" || fail "$rel: no Joy file"
    done < <(find "$CORPUS" -name '*.annotated.json' | LC_ALL=C sort)
}
mkdir -p "$T/a/stats"
label_all "$T/a"
python3 "$HERE/joy_labels.py" -v "$T/a/ours" "$CORPUS" || fail "seed-001 flow_type labels differ from the published ones"

# the statistics JSON counts the Joy flows per label: they sum to the flows written
python3 - "$T/a/stats" <<'PY' || fail "stats JSON label counts"
import json, os, sys
n = 0
for root, _, names in os.walk(sys.argv[1]):
    for name in names:
        s = json.load(open(os.path.join(root, name)))
        joy = sum(l["joy"] for l in s["labels"] if l["key"] == "flow_type")
        rows = [o["rows"] for o in s["outputs"] if o["format"] == "joy"]
        if rows != [joy]:
            sys.exit(f"{name}: label counts {joy} != Joy flows {rows}")
        n += 1
if n == 0:
    sys.exit("no stats files")
PY

printf 'key packets default "x"\n' > "$T/bad.rules"
# iotflow label on Joy files: (1) Joy 3.0.3's own recorded outputs of the golden pairs, relabelled
# with each group's rules, carry the published flow_type (the rules checked on Joy's flows, not
# only ours); (2) our -f joy output written without rules and relabelled is, decompressed, the
# file -f joy --rules writes; (3) relabelling a labelled file with its rules changes nothing.
for group in $(cd "$CORPUS" && ls); do
    "$BIN" label -r "$RULES/$group.rules" -o "$T/joyown/$group" "$CORPUS/$group" > "$T/joyown.out" 2>&1 \
        || fail "label Joy's files of $group: exit $? ($(cat "$T/joyown.out"))"
done
python3 "$HERE/joy_labels.py" --suffix .joy.json.gz "$T/joyown" "$CORPUS" \
    || fail "Joy's own files relabelled: flow_type differs from the published one"
n=0
while IFS= read -r ann; do
    rel=${ann#"$CORPUS"/}
    rel=${rel%.annotated.json}
    group=${rel%%/*}
    "$BIN" extract -q -f joy -o "$T/plain/$rel" "$CORPUS/$rel.pcapng" || fail "extract -f joy $rel"
    "$BIN" label -r "$RULES/$group.rules" -o "$T/rel/$rel" "$T/plain/$rel" > /dev/null || fail "label $rel"
    f=$(basename "$rel").json.gz
    cmp -s <(zcat "$T/a/ours/$rel.json.gz") <(zcat "$T/rel/$rel/joy/$f") \
        || fail "$rel: relabelled -f joy output differs from -f joy --rules"
    "$BIN" label -r "$RULES/$group.rules" -o "$T/again/$rel" "$T/rel/$rel" > /dev/null || fail "label again $rel"
    cmp -s <(zcat "$T/rel/$rel/joy/$f") <(zcat "$T/again/$rel/joy/$f") || fail "$rel: relabelling changed a labelled file"
    n=$((n + 1))
done < <(find "$CORPUS" -name '*.annotated.json' | LC_ALL=C sort)
[ $n -gt 0 ] || fail "no capture relabelled"
# a Joy file of several gzip members (ours: one a MiB of JSON, output/gzout.c) is read to its
# end: the last relabelled file re-written one member per line relabels to the same lines
python3 - "$T/plain/$rel/joy/$f" "$T/multi.json.gz" <<'PY' || fail "cannot write the multi-member file"
import gzip, sys
lines = gzip.open(sys.argv[1], "rb").read().splitlines(keepends=True)
assert len(lines) > 2, "too few flows for several members"
with open(sys.argv[2], "wb") as out:
    for line in lines:
        out.write(gzip.compress(line))
PY
"$BIN" label -r "$RULES/$group.rules" -o "$T/multi" "$T/multi.json.gz" > /dev/null || fail "label a multi-member file"
cmp -s <(zcat "$T/rel/$rel/joy/$f") <(zcat "$T/multi/multi.json.gz") \
    || fail "a multi-member Joy file relabelled differs from its single-member copy's relabelling"
# a key that is a Joy member is refused by label too, nothing written
"$BIN" label -r "$T/bad.rules" -o "$T/badrel" "$T/rel" > "$T/bad.out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q '"packets"' "$T/bad.out" || fail "label with a key named packets: exit $rc ($(cat "$T/bad.out"))"
[ -z "$(find "$T/badrel" -type f 2>/dev/null)" ] || fail "a refused label wrote files"

# a key Joy already writes is refused before anything is read
"$BIN" extract -f joy --rules "$T/bad.rules" -o "$T/bad" "$cap1" > "$T/bad.out" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "a label key named packets with -f joy: exit $rc, expected 1"
grep -q 'packets' "$T/bad.out" || fail "the refusal does not name the key: $(cat "$T/bad.out")"
[ -z "$(find "$T/bad" -type f 2>/dev/null)" ] || fail "a refused run wrote files"

# negative control: another group's rules must not reproduce the labels
mkdir -p "$T/neg/stats"
label_all "$T/neg" "$RULES/ipcam.rules"
if python3 "$HERE/joy_labels.py" "$T/neg/ours" "$CORPUS" > "$T/neg.out"; then
    fail "negative control: ipcam rules on ikea captures matched the published labels"
fi
echo "PASS: seed-001 flow_type labels equal the published annotation"
