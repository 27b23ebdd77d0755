#!/usr/bin/env bash
# --rules through the CLI (docs/LABELS.md): labels and provenance in every format and both
# layouts alike, file:line provenance as the path was given, several files (one per key set),
# and the errors that stop a run before any input is read (exit 1, nothing written).
source "$(dirname "$0")/lib.bash"
cd "$TMP" || exit 1
cat > cap.txt <<'T'
0    192.168.1.10:5000 > 8.8.8.8:53 udp len=20 ttl=64
0.1  8.8.8.8:53 > 192.168.1.10:5000 udp len=40 ttl=120
1    192.168.1.10:6000 > 1.2.3.4:5684 udp len=10 ttl=64
2    192.168.1.11:6000 > 1.2.3.5:443 tcp flags=S ttl=64
2.1  1.2.3.5:443 > 192.168.1.11:6000 tcp flags=SA ttl=50
3    192.168.1.12 > 8.8.8.8 icmp ttl=64
T
"$BIN/pcapgen" -o cap.pcap cap.txt 2>/dev/null
mkdir -p rules
cat > rules/type.rules <<'T'
key flow_type default "Unknown" on-missing "Flow Error"
rule "dns": flow_type = "DNS" if port 53
flow_type = "TLS" if dport 443 and ttl.in < 64
flow_type = "Ikea" if dport 5684 and ttl.in 255
T
cat > rules/attack.rules <<'T'
key attack default "benign"
attack = "icmp" if proto icmp
T
want="DNS:dns:benign:default Flow Error:rules/type.rules:4:benign:default TLS:rules/type.rules:3:benign:default Unknown:default:icmp:rules/attack.rules:2"
"$BIN/iotflow" extract -q --hash-seed 1 -f parquet -f csv -f jsonl --variant bi --rules rules/type.rules \
  --rules rules/attack.rules --stats stats.json -o out cap.pcap 2>err; rc=$?
check "two rule files: exit 0, nothing on stderr (got $rc)" bash -c "[ $rc -eq 0 ] && [ ! -s err ]"
got=$(python3 -c "
import json
import glob
rows = [json.loads(l) for f in glob.glob('out/bidirectional/*.jsonl') for l in open(f)]
print(' '.join(sorted(f\"{r['flow_type']}:{r['flow_type_rule']}:{r['attack']}:{r['attack_rule']}\" for r in rows)))")
check "JSON Lines: labels and provenance ($got)" [ "$got" = "$want" ]
csvgot=$(python3 -c "
import csv, glob
rows = [r for f in glob.glob('out/bidirectional/*.csv') for r in csv.DictReader(open(f))]
print(' '.join(sorted(f\"{r['flow_type']}:{r['flow_type_rule']}:{r['attack']}:{r['attack_rule']}\" for r in rows)))")
check "CSV (wide layout): the same labels" [ "$csvgot" = "$want" ]
st=$(json stats.json '" ".join("%s=%s:%d" % (l["key"], l["value"], l["bidirectional"]) for l in d["labels"])')
check "stats JSON: records per label ($st)" \
  [ "$st" = "flow_type=DNS:1 attack=benign:3 flow_type=Flow Error:1 flow_type=TLS:1 flow_type=Unknown:1 attack=icmp:1" ]
"$BIN/iotflow" extract --hash-seed 1 -f jsonl --variant bi --rules rules/type.rules -o - cap.pcap 2>summary >/dev/null
check "summary: records per label value" grep -q "^  flow_type (bidirectional records): DNS 1, Flow Error 1, TLS 1, Unknown 1$" summary
PQ=${IOF_SHARED:-}/tools/parquet/pqcheck
if command -v node >/dev/null && [ -x "$PQ" ] && "$(dirname "$PQ")/install.sh" >/dev/null 2>&1; then
  pqgot=$("$PQ" rows out/bidirectional/*.parquet --columns flow_type,flow_type_rule,attack,attack_rule | python3 -c "
import json, sys
print(' '.join(sorted(f\"{r['flow_type']}:{r['flow_type_rule']}:{r['attack']}:{r['attack_rule']}\" for r in map(json.loads, sys.stdin))))")
  check "Parquet (read by DuckDB): the same labels" [ "$pqgot" = "$want" ]
  check "Parquet with label columns: three readers agree" "$PQ" verify --quiet out/bidirectional/*.parquet
else
  echo "skip Parquet checks: pqcheck unavailable"
fi
# nothing is written and the run stops before reading when the rules are bad
bad_rules() { # name rules-text expected-stderr-regex
  printf '%s\n' "$2" > "rules/$1.rules"
  rm -rf "o-$1"
  "$BIN/iotflow" extract -q --rules "rules/$1.rules" -o "o-$1" cap.pcap 2>"e-$1"; local rc=$?
  check "$1: exit 1, '$(head -c 120 "e-$1")'" bash -c "[ $rc -eq 1 ] && grep -Eq -- '$3' 'e-$1' && [ ! -e 'o-$1' ]"
}
bad_rules syntax 'key k default "x"
k = "y" if dport https' 'rules/syntax\.rules:2:[0-9]+: expected'
# a key's clash names the key's file:line:col and the layout the run writes (Parquet: wide)
bad_rules column '# the protocol, again
  key proto default "x"' 'rules/column\.rules:2:7: key "proto" would add a column "proto", which the customflow\.wide layout already has as "Proto"'
bad_rules rulecol 'key a default "x"
key a_rule default "y"' 'rules/rulecol\.rules:2:5: keys "a" and "a_rule" would both add a column "a_rule" \("a" is at rules/rulecol\.rules:1:5;'
bad_rules rulecolrule 'x = "1" if proto tcp
x_rule = "2" if proto udp' 'rules/rulecolrule\.rules:2:1: keys "x" and "x_rule" would both add a column "x_rule"'
"$BIN/iotflow" extract -q -f jsonl --rules rules/column.rules -o o-nested cap.pcap 2>e-nested; rc=$?
check "column, JSON Lines: the nested layout named" bash -c "[ $rc -eq 1 ] && grep -q 'column\.rules:2:7: key \"proto\" would add a column \"proto\", which the customflow\.nested layout already has' e-nested"
# column names differing in case only: DuckDB matches names without case (it renamed the later
# one label_1 and read the first key's values for "label")
bad_rules casekeys 'key Label default "a"
key label default "b"' 'keys "Label" and "label" would both add a column "label"'
bad_rules casecolumn 'key firstseen default "x"' 'key "firstseen" would add a column "firstseen", which the customflow.wide layout already has as "FirstSeen"'
# a clash in the layout the run does not write says so (a rule file fits both: iotflow label)
"$BIN/iotflow" extract -q -f jsonl --rules rules/casecolumn.rules -o o-nested cap.pcap 2>e-nested; rc=$?
check "casecolumn, JSON Lines: the wide layout's clash, said to be the other layout" bash -c "[ $rc -eq 1 ] && grep -q 'customflow\.wide layout already has as \"FirstSeen\" (column names are matched without case); this run writes the nested layout, but a rule file must fit both layouts' e-nested"
bad_rules caserulecol 'key a_rule default "x"
key A default "y"' 'keys "a_rule" and "A" would both add a column "A_rule"'
# the label columns count against the wide layout's 8192 columns: a clear usage error
printf 'key k default "x"\n' > rules/one.rules
"$BIN/iotflow" extract -q --packets 10 --payload-total 8151 -f csv --rules rules/one.rules -o o-wide cap.pcap 2>e-wide; rc=$?
check "label columns beyond the wide layout's limit: exit 1, the limit named" \
  bash -c "[ $rc -eq 1 ] && grep -q 'payload-total 8149 at most' e-wide && [ ! -e o-wide ]"
# two rules giving the same value are one row of the per-label counts
printf 'key k default "d"\nk = "dns" if sport 53\nk = "dns" if dport 53\n' > rules/same.rules
"$BIN/iotflow" extract -q -f jsonl --variant bi --rules rules/same.rules --stats same.json -o - cap.pcap >/dev/null 2>&1
check "one row per distinct value in the stats" \
  [ "$(json same.json '" ".join("%s:%d" % (l["value"], l["bidirectional"]) for l in d["labels"])')" = "dns:1 d:3" ]
printf 'key attack default "x"\n' > rules/dup.rules
"$BIN/iotflow" extract -q --rules rules/attack.rules --rules rules/dup.rules -o o-dup cap.pcap 2>e-dup; rc=$?
check "one key in two files: exit 1, both named" \
  bash -c "[ $rc -eq 1 ] && grep -q 'rules/dup.rules: key \"attack\" is already set by rules/attack.rules' e-dup && [ ! -e o-dup ]"
"$BIN/iotflow" extract -q --rules rules/missing.rules -o o-miss cap.pcap 2>e-miss; rc=$?
check "a missing rule file: exit 1, named" bash -c "[ $rc -eq 1 ] && grep -q 'rules/missing.rules' e-miss && [ ! -e o-miss ]"
# a shadowed rule is a warning, and the run goes on
printf 'key k default "d"\nk = "a" if port 53\nk = "b" if port 53\n' > rules/shadow.rules
"$BIN/iotflow" extract -q --rules rules/shadow.rules -f jsonl --variant bi -o - cap.pcap 2>e-sh >/dev/null; rc=$?
check "shadowed rule: exit 0 and a warning with both lines" \
  bash -c "[ $rc -eq 0 ] && grep -q 'shadow.rules:3: never matches: shadowed by rule at rules/shadow.rules:2' e-sh"
finish
