#!/usr/bin/env bash
# The label rules' `dns` condition (docs/LABELS.md "DNS names", src/flow/dnsmap.c) against
# tshark on corpus captures with DNS:
#   - extract --rules (dns globs, `has dns`) --device-ip in CSV, JSON Lines and Parquet (wide),
#     both variants: every row's label is the one tshark's DNS responses give its (device,
#     remote) at its first packet (dns_labels.py, its own reading of the responses); the three
#     formats carry the same labels; Parquet with --threads 1 is byte for byte the default run's
#     (rows built on the helper thread see the same names);
#   - -f joy --rules: every Joy flow's label from its (sa, da) at time_start, the same way;
#   - --table telemetry --rules: runs and labels rows by their names (some "baidu" rows);
#   - the summary and the stats JSON count the responses as tshark does;
#   - iotflow label refuses rules on dns (written outputs do not carry the names): exit 1,
#     nothing written.
# Skips (77) without tshark or the corpus.
source "$(dirname "$0")/lib.bash"
need_corpus
need_tshark

cat > "$T/dns.rules" <<'EOF'
key svc default "none" on-missing "unnamed"
svc = "baidu" if dns "*.baidu.com"
svc = "cdn" if dns "*cdn*"
svc = "named" if has dns
EOF
caps=(iot__xiaodu-smart-plug-68min__xiaodu_plug.pcap iot__iotsentinel-HueBridge-setup__Setup-A-2-STA.pcap
      home__ndpi-android__android.pcap iot__ndpi-nest-log-sink__nest_log_sink.pcap mixed__joy-sample__sample.pcap)
ran=0
for cap in "${caps[@]}"; do
    C=$CORPUS/$cap
    [ -f "$C" ] || continue
    ran=$((ran + 1))
    name=${cap%.*}
    tshark -r "$C" -Y "dns.flags.response == 1 && !icmp && (udp.srcport == 53 || tcp.srcport == 53)" -T fields -E occurrence=a -E 'aggregator=|' \
        -e frame.time_epoch -e ip.dst -e ipv6.dst -e dns.flags.response -e dns.flags.opcode -e dns.flags.rcode \
        -e dns.count.answers -e dns.qry.name -e dns.resp.name -e dns.resp.type -e dns.cname -e dns.a -e dns.aaaa \
        > "$T/$name.tsv" 2>/dev/null || fail "tshark $cap"
    out=$T/$name
    "$BIN" extract --rules "$T/dns.rules" --device-ip --keep-private-ips -f csv,jsonl,parquet --layout wide --stats "$out.stats.json" \
        -o "$out" "$C" > "$out.log" 2>&1 || { cat "$out.log"; fail "$cap: extract"; }
    python3 "$HERE/dns_labels.py" "$T/$name.tsv" records $(find "$out" -name '*.csv' -o -name '*.jsonl' | sort) \
        || fail "$cap: custom-flow labels differ from tshark's names"
    # the summary and the stats count tshark's responses (UDP/TCP port 53, one message each)
    want=$(awk -F'\t' '$4 == "1" || $4 == "True"' "$T/$name.tsv" | wc -l)
    got=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['dns_names']['responses'])" "$out.stats.json")
    [ "$got" = "$want" ] || fail "$cap: stats count $got DNS responses, tshark $want"
    grep -q "dns names (rules on dns): $want response(s)" "$out.log" || fail "$cap: no dns names line in the summary"
    # Parquet: the labels of the CSV rows, and one thread gives the same bytes
    for f in $(cd "$out" && find . -name '*.parquet' | sort); do
        if pq_rows "$out/$f" "$T/rows.jsonl"; then
            csv=${f%.parquet}.csv
            python3 - "$T/rows.jsonl" "$out/$csv" <<'EOF' || fail "$cap: $f labels differ from the CSV's"
import csv, json, sys
pq = sorted((str(r["device_ip"]), str(r["RemIP"]), str(r["DevPort"]), str(r["RemPort"]), r["svc"], r["svc_rule"])
            for r in map(json.loads, open(sys.argv[1])))
tx = sorted((r["device_ip"], r["RemIP"], r["DevPort"], r["RemPort"], r["svc"], r["svc_rule"])
            for r in csv.DictReader(open(sys.argv[2], newline="")))
sys.exit(0 if pq == tx else 1)
EOF
        fi
    done
    "$BIN" extract --rules "$T/dns.rules" --device-ip --keep-private-ips -f parquet --threads 1 -o "$out.t1" "$C" > /dev/null 2>&1 \
        || fail "$cap: extract --threads 1"
    same_bytes "$cap: --threads 1" "$out" "$out.t1"
    # Joy flows
    "$BIN" extract -f joy --rules "$T/dns.rules" -o - "$C" 2> "$out.joy.log" > "$out.joy.ndjson" \
        || { cat "$out.joy.log"; fail "$cap: -f joy"; }
    python3 "$HERE/dns_labels.py" "$T/$name.tsv" joy "$out.joy.ndjson" || fail "$cap: Joy labels differ from tshark's names"
done
[ $ran -ge 3 ] || { echo "SKIP: fewer than 3 of the captures are in the corpus"; exit 77; }

# telemetry rows are labelled from the same names
C=$CORPUS/iot__xiaodu-smart-plug-68min__xiaodu_plug.pcap
if [ -f "$C" ]; then
    "$BIN" extract --table telemetry --rules "$T/dns.rules" -f csv -o "$T/tel" "$C" > /dev/null 2>&1 || fail "telemetry"
    n=$(cat "$T"/tel/*/*.csv | grep -c ',baidu,' || true)
    [ "$n" -gt 0 ] || fail "telemetry: no row labelled from its names"
fi

# iotflow label: refused, nothing written
label_refuses "$T/dns.rules" "$(find "$T/${caps[0]%.*}" -name '*.csv' | head -1)" dns
echo "PASS: dns labels on $ran captures equal tshark's names"
