#!/usr/bin/env bash
# iotflow label (issue "Labels", docs/LABELS.md "Relabelling written outputs"): relabelling
# written outputs gives the labels of extract --rules.
#   - synth seeds 3 and 5, extracted without rules (--device-ip --keep-private-ips, so the rules'
#     addresses are in the files) in Parquet, CSV and JSON Lines, wide and nested, then
#     relabelled with synth's labels.rules: CSV and JSON Lines byte for byte the files of
#     extract --rules, Parquet the same rows (DuckDB) and valid for the three readers;
#   - a labelled output relabelled with other rules (two keys) equals extract with those rules;
#     relabelling with its own rules gives it back unchanged; an output with sensor context
#     columns gets its labels where extract puts them (before the sensor columns);
#   - what cannot be relabelled is refused and nothing is written: a rule on device.addr without
#     a device_ip column, ttl.in, a key colliding with a column, an output path taken (without
#     --overwrite), the input itself as output, a capture, a telemetry table, keys whose columns
#     clash (a and a_rule); an anonymised remote address read by a rule stops that file (exit 2); a
#     damaged CSV row or a cut Parquet file is named and the other files are still written;
#   - device names with a tab and a space at their ends, a comma and a quote survive the CSV copy
#     and are matched as at extraction.
#
# Env: IOF_BIN, IOF_SHARED (pqcheck). Exit 0 / 1.
. "$(dirname "$0")/lib.bash"

same_text() { # DIR_A DIR_B: every .csv/.jsonl of A equals B's
    local n=0 f
    for f in $(cd "$1" && find . -name '*.csv' -o -name '*.jsonl' | sort); do
        cmp -s "$1/$f" "$2/$f" || fail "$2/$f differs from $1/$f"
        n=$((n + 1))
    done
    [ $n -gt 0 ] || fail "no text files in $1"
}
pq_ok=1
same_parquet() { # DIR_A DIR_B
    local f
    [ $pq_ok = 1 ] || return 0
    for f in $(cd "$1" && find . -name '*.parquet' | sort); do
        pq_rows "$1/$f" "$T/a.rows" || { pq_ok=0; return 0; }
        pq_rows "$2/$f" "$T/b.rows" || { pq_ok=0; return 0; }
        cmp -s "$T/a.rows" "$T/b.rows" || fail "$2/$f: rows differ from $1/$f"
    done
}
no_files() { # DIR: nothing was written under it
    [ -z "$(find "$1" -type f 2>/dev/null)" ] || fail "files were written under $1: $(find "$1" -type f)"
}

for seed in 3 5; do
    S="$T/s$seed"
    "$BIN" synth -q -o "$S/in" -s $seed -d 10m -a 0.2 || fail "synth seed $seed"
    X=(--devices "$S/in/devices.csv" --device-ip --keep-private-ips -f parquet -f csv -f jsonl)
    for layout in wide nested; do
        "$BIN" extract -q "${X[@]}" --layout $layout -o "$S/plain-$layout" "$S/in/capture.pcap" || fail "extract $layout"
        "$BIN" extract -q "${X[@]}" --layout $layout --rules "$S/in/labels.rules" -o "$S/ref-$layout" \
            "$S/in/capture.pcap" || fail "extract --rules $layout"
        "$BIN" label --rules "$S/in/labels.rules" -o "$S/rel-$layout" "$S/plain-$layout" > "$S/label-$layout.out" \
            || fail "label $layout seed $seed: exit $?"
        grep -q "relabelled 6 of 6 files" "$S/label-$layout.out" || fail "summary: $(cat "$S/label-$layout.out")"
        same_text "$S/ref-$layout" "$S/rel-$layout"
        [ $seed = 5 ] || same_parquet "$S/ref-$layout" "$S/rel-$layout" # (pqcheck takes seconds a file)
    done
    # the attacks were labelled (not all benign): the counts line names them
    grep -Eq "label: .*(mirai|ddos|recon)" "$S/label-wide.out" || fail "no attack label: $(cat "$S/label-wide.out")"
done

S="$T/s3"
X=(--devices "$S/in/devices.csv" --device-ip --keep-private-ips -f parquet -f csv -f jsonl)
# other rules over a labelled output: its labels replaced, two keys, device names, direction
cat > "$T/alt.rules" <<'EOF'
key flow_type default "other"
rule "dns": flow_type = "dns" if proto udp and (sport 53 or dport 53)
rule "web": flow_type = "web" if proto tcp and remote.port {80, 443}
flow_type = "inbound" if first dir inbound
key attack default "no"
rule "cam": attack = "camera" if device.name "camera*" and time >= 2024-06-23T18:04:00Z
attack = "plug" if device.type "smart_plug" and device.addr 192.168.1.0/24
EOF
"$BIN" extract -q "${X[@]}" --layout wide --rules "$T/alt.rules" -o "$S/alt-ref" "$S/in/capture.pcap" || fail "extract alt"
"$BIN" label -r "$T/alt.rules" -o "$S/alt-rel" "$S/ref-wide" > /dev/null || fail "label alt over labelled"
same_text "$S/alt-ref" "$S/alt-rel"
same_parquet "$S/alt-ref" "$S/alt-rel"
grep -q ',attack,attack_rule' "$S/alt-rel/bidirectional/24-06-23.csv" || fail "alt keys not in the header"
grep -q '"camera","cam"\|,camera,cam' "$S/alt-rel/bidirectional/24-06-23.csv" || fail "no camera label"
# its own rules again: unchanged
"$BIN" label -r "$S/in/labels.rules" -o "$S/again" "$S/ref-wide" > /dev/null || fail "relabel with the same rules"
same_text "$S/ref-wide" "$S/again"
# sensor context columns: labels before them, as extract writes them
"$BIN" extract -q "${X[@]}" --sensors "$S/in/sensors.csv" -o "$S/sens-plain" "$S/in/capture.pcap" || fail "extract sensors"
"$BIN" extract -q "${X[@]}" --sensors "$S/in/sensors.csv" --rules "$S/in/labels.rules" -o "$S/sens-ref" \
    "$S/in/capture.pcap" || fail "extract sensors rules"
"$BIN" label -r "$S/in/labels.rules" -o "$S/sens-rel" "$S/sens-plain" > /dev/null || fail "label sensors"
same_text "$S/sens-ref" "$S/sens-rel"
head -1 "$S/sens-rel/bidirectional/24-06-23.csv" | grep -q 'device_ip,label,label_rule,temperature_at_start' \
    || fail "labels not before the sensor columns: $(head -1 "$S/sens-rel/bidirectional/24-06-23.csv" | cut -c1-80)"

# cells a CSV reader would change if the writer did not quote them: a device name with a tab and
# a space at its ends, a comma and a quote; a rule reading that name exactly
python3 - "$S/in/devices.csv" "$T/odd-devices.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
for r in rows[1:]:
    if r[1] == "camera-1":
        r[1] = '\tcam "one", x '
csv.writer(open(sys.argv[2], "w", newline="")).writerows(rows)
PY
printf 'key odd default "no"\nrule "tab": odd = "yes" if device.name "?cam \\"one\\", x "\n' > "$T/odd.rules"
O=(--devices "$T/odd-devices.csv" -f csv -f jsonl -f parquet)
"$BIN" extract -q "${O[@]}" -o "$S/odd-plain" "$S/in/capture.pcap" || fail "extract odd names"
"$BIN" extract -q "${O[@]}" --rules "$T/odd.rules" -o "$S/odd-ref" "$S/in/capture.pcap" || fail "extract odd names --rules"
"$BIN" label -r "$T/odd.rules" -o "$S/odd-rel" "$S/odd-plain" > "$T/odd.out" || fail "label odd names"
grep -q "odd: .*yes" "$T/odd.out" || fail "the odd name never matched: $(cat "$T/odd.out")"
same_text "$S/odd-ref" "$S/odd-rel"
same_parquet "$S/odd-ref" "$S/odd-rel"

# ---- refusals ----------------------------------------------------------------------------------
expect() { # RC DIR PATTERN -- label args...: exit RC, stderr matches PATTERN, nothing under DIR
    local want=$1 dir=$2 pat=$3
    shift 4
    "$BIN" label -o "$dir" "$@" > "$T/out.txt" 2> "$T/err.txt"
    local rc=$?
    [ $rc -eq "$want" ] || fail "label $*: exit $rc, expected $want: $(cat "$T/err.txt")"
    grep -q -- "$pat" "$T/err.txt" || fail "label $*: message '$(cat "$T/err.txt")' lacks '$pat'"
    no_files "$dir"
}
"$BIN" extract -q --devices "$S/in/devices.csv" -f csv -f parquet -o "$S/anon" "$S/in/capture.pcap" || fail "extract anon"
expect 1 "$T/x1" "reads the device address.*--device-ip" -- -r "$S/in/labels.rules" "$S/anon"
printf 'key l default "a"\nrule "t": l = "b" if ttl.in 64\n' > "$T/ttl.rules"
expect 1 "$T/x2" "ttl.rules:2 reads ttl.in" -- -r "$T/ttl.rules" "$S/plain-wide"
printf 'key l default "a"\nl = "b" if time.last > 2024-01-01T00:00:00Z\n' > "$T/last.rules"
expect 1 "$T/x2" "reads time.last" -- -r "$T/last.rules" "$S/plain-wide"
printf 'key a default "x"\n' > "$T/ka.rules"
printf 'key a_rule default "y"\n' > "$T/kb.rules"
expect 1 "$T/x3" 'would both add a column "a_rule"' -- -r "$T/ka.rules" -r "$T/kb.rules" "$S/plain-wide"
# rule names are unique over all files (LABELS.md), not only within one
printf 'key a default "x"\nrule "n": a = "y" if dport 53\n' > "$T/na.rules"
printf 'key b default "x"\nrule "n": b = "z" if dport 80\n' > "$T/nb.rules"
expect 1 "$T/x3" 'nb.rules:2: rule name "n" is already used at .*na.rules:2' -- -r "$T/na.rules" -r "$T/nb.rules" "$S/plain-wide"
printf 'key Proto default "a"\n' > "$T/clash.rules"
expect 1 "$T/x3" 'would add a column "Proto"' -- -r "$T/clash.rules" "$S/plain-wide"
printf 'key PROTO default "a"\n' > "$T/clash2.rules"   # in another case: DuckDB reads them as one
expect 1 "$T/x3" 'would add a column "PROTO", which .* already has as "Proto"' -- -r "$T/clash2.rules" "$S/plain-wide"
printf 'key l default "a"\nrule "r": l = "b" if remote.addr 192.168.1.66\n' > "$T/rem.rules"
expect 2 "$T/x4" "anonymised.*--keep-private-ips" -- -r "$T/rem.rules" "$S/anon"
expect 1 "$T/x5" "is a capture" -- -r "$T/rem.rules" "$S/in/capture.pcap"
expect 1 "$T/x5" "the output would replace its input" -- -r "$T/rem.rules" "$S/plain-wide/bidirectional/24-06-23.csv" \
    -o "$S/plain-wide/bidirectional"
"$BIN" extract -q --table telemetry --devices "$S/in/devices.csv" -f csv -o "$S/tel" "$S/in/capture.pcap" || fail "telemetry"
expect 1 "$T/x6" "only custom-flow outputs" -- -r "$T/rem.rules" "$S/tel"
# --packets 0: no first-packet direction; rules that do not read it still label the file
"$BIN" extract -q --devices "$S/in/devices.csv" --packets 0 -f csv -o "$S/pk0" "$S/in/capture.pcap" || fail "extract --packets 0"
printf 'key l default "a"\nl = "b" if first dir inbound\n' > "$T/dir.rules"
expect 1 "$T/x9" "dir.rules:2 reads the first packet's direction.*--packets 0" -- -r "$T/dir.rules" "$S/pk0"
printf 'key l default "a"\nl = "tcp" if proto tcp\n' > "$T/proto.rules"
"$BIN" label -r "$T/proto.rules" -o "$T/pk0-rel" "$S/pk0" > "$T/out.txt" || fail "label --packets 0 output: exit $?"
grep -q "l: .*tcp" "$T/out.txt" || fail "--packets 0 output: $(cat "$T/out.txt")"
# -o inside an input directory, a missing PATH, a file that is not an output
expect 1 "$S/plain-wide/sub" "inside the input directory" -- -r "$T/proto.rules" "$S/plain-wide"
expect 1 "$T/x10" "No such file" -- -r "$T/proto.rules" "$S/plain-wide" "$T/nonexistent"
echo hi > "$T/notes.txt"
expect 1 "$T/x10" "not an iotflow output" -- -r "$T/proto.rules" "$T/notes.txt"
# an output path taken: refused, then replaced with --overwrite
expect 1 "$T/x7" "exists (--overwrite" -- -r "$S/in/labels.rules" -o "$S/rel-wide" "$S/plain-wide"
"$BIN" label -r "$T/alt.rules" --overwrite -o "$S/rel-wide" "$S/plain-wide" > /dev/null || fail "--overwrite"
same_text "$S/alt-ref" "$S/rel-wide"
# a damaged row: file and line named, the other files written, nothing at the damaged one's path
mkdir -p "$T/dmg"
cp "$S/plain-wide/bidirectional/24-06-23.csv" "$T/dmg/a.csv"
cp "$S/plain-wide/unidirectional/24-06-23.csv" "$T/dmg/b.csv"
sed -i '5s/^\([^,]*\),\([^,]*\),/\1,notatime,/' "$T/dmg/a.csv"
"$BIN" label -r "$S/in/labels.rules" -o "$T/dmg-out" "$T/dmg" > "$T/out.txt" 2> "$T/err.txt"
rc=$?
[ $rc -eq 2 ] || fail "damaged row: exit $rc, expected 2"
grep -q "a.csv:5: first_seen: not a µs timestamp" "$T/err.txt" || fail "damaged row message: $(cat "$T/err.txt")"
[ ! -e "$T/dmg-out/a.csv" ] && [ -s "$T/dmg-out/b.csv" ] || fail "damaged file written or the good one not"
grep -q "relabelled 1 of 2 files" "$T/out.txt" || fail "summary: $(cat "$T/out.txt")"
# a damaged Parquet file found by the check: named, skipped (exit 2), the good file written
mkdir -p "$T/dmg2"
cp "$S/plain-wide/bidirectional/24-06-23.csv" "$T/dmg2/good.csv"
head -c 5000 "$S/plain-wide/bidirectional/24-06-23.parquet" > "$T/dmg2/cut.parquet"
"$BIN" label -r "$S/in/labels.rules" -o "$T/dmg2-out" "$T/dmg2" > "$T/out.txt" 2> "$T/err.txt"
rc=$?
[ $rc -eq 2 ] || fail "cut Parquet: exit $rc, expected 2 ($(cat "$T/err.txt"))"
grep -q "cut.parquet" "$T/err.txt" && [ -s "$T/dmg2-out/good.csv" ] && [ ! -e "$T/dmg2-out/cut.parquet" ] \
    || fail "cut Parquet: $(cat "$T/err.txt"); written: $(ls "$T/dmg2-out" 2>&1)"
# usage
"$BIN" label -o "$T/x8" "$S/plain-wide" > /dev/null 2>&1
[ $? -eq 1 ] || fail "no --rules: not exit 1"
echo "label: OK (parquet compared: $pq_ok)"
