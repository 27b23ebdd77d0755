#!/usr/bin/env bash
# The label rules' `sni` condition (docs/LABELS.md "TLS server names", src/flow/snimap.c)
# against tshark on corpus captures with TLS (IoT devices, phones, a ClientHello of 11 KB over
# 9 segments, TLS 1.3, ESNI):
#   - extract --rules (sni globs, `has sni`) --device-ip, CSV, bidirectional: every TCP row's
#     label is the one tshark's ClientHellos give its connection (sni_labels.py); JSON Lines
#     carries the same labels; Parquet with --threads 1 is byte for byte the default run's;
#   - -f joy --rules: every TCP Joy flow's label from the hellos up to its time_end (exact);
#   - the summary and the stats JSON count the segments that start a ClientHello as tshark finds them;
#   - iotflow label refuses rules on sni: exit 1, nothing written.
# Skips (77) without tshark or the corpus.
source "$(dirname "$0")/lib.bash"
need_corpus
need_tshark

cat > "$T/sni.rules" <<'RULES'
key tls_label default "none" on-missing "unnamed"
tls_label = "google" if sni "*.google.com" or sni "*.googleapis.com"
tls_label = "named" if has sni
RULES
caps=(home__ndpi-android__android.pcap iot__xiaodu-smart-plug-68min__xiaodu_plug.pcap
      iot__ndpi-alexa-app__alexa-app.pcapng tls__joy-firefox58__firefox58.pcap
      tls__ndpi-huge-clienthello__tls_with_huge_ch.pcapng tls__pcpp-tls13__tls1_3.pcap
      tls__ndpi-esni-and-sni__tls_esni_sni_both.pcap iot__ndpi-sonos__sonos.pcapng)
ran=0
for cap in "${caps[@]}"; do
    C=$CORPUS/$cap
    [ -f "$C" ] || continue
    ran=$((ran + 1))
    name=${cap%.*}
    # TLS on the ports IoT devices use besides 443 (MQTT 8883, Google's 5228, ...)
    tshark -r "$C" -d tcp.port==8883,tls -d tcp.port==5228,tls -d tcp.port==8443,tls \
        -Y "tls.handshake.type == 1" -T fields -e frame.time_epoch -e ip.src -e ipv6.src -e tcp.srcport \
        -e ip.dst -e ipv6.dst -e tcp.dstport -e tls.handshake.extensions_server_name \
        > "$T/$name.tsv" 2>/dev/null || fail "tshark $cap"
    out=$T/$name
    "$BIN" extract --rules "$T/sni.rules" --device-ip --keep-private-ips -f csv,jsonl --layout wide --variant bi \
        --stats "$out.stats.json" -o "$out" "$C" > "$out.log" 2>&1 || { cat "$out.log"; fail "$cap: extract"; }
    python3 "$HERE/sni_labels.py" "$T/$name.tsv" records 60 $(find "$out" -name '*.csv' | sort) \
        || fail "$cap: custom-flow labels differ from tshark's hellos"
    for f in $(cd "$out" && find . -name '*.csv' | sort); do
        python3 - "$out/$f" "$out/${f%.csv}.jsonl" <<'PY' || fail "$cap: $f: JSON Lines labels differ from the CSV's"
import csv, json, sys
a = [(r["tls_label"], r["tls_label_rule"]) for r in csv.DictReader(open(sys.argv[1], newline=""))]
b = [(r["tls_label"], r["tls_label_rule"]) for r in map(json.loads, open(sys.argv[2]))]
sys.exit(0 if a == b else 1)
PY
    done
    # hello starts, retransmissions included (tshark dissects only the first of them)
    want=$(tshark -r "$C" -Y "tcp.len > 5 && tcp.payload[0] == 0x16 && tcp.payload[1] == 0x03 && tcp.payload[5] == 0x01" \
        2>/dev/null | wc -l)
    got=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['tls_sni']['hellos'])" "$out.stats.json")
    [ "$got" = "$want" ] || fail "$cap: stats count $got ClientHellos, tshark $want"
    grep -q "tls server names (rules on sni): $want ClientHello(s)" "$out.log" || fail "$cap: no tls server names line"
    "$BIN" extract --rules "$T/sni.rules" -f parquet -o "$out.p" "$C" > /dev/null 2>&1 || fail "$cap: parquet"
    "$BIN" extract --rules "$T/sni.rules" -f parquet --threads 1 -o "$out.t1" "$C" > /dev/null 2>&1 \
        || fail "$cap: parquet --threads 1"
    same_bytes "$cap: --threads 1" "$out.p" "$out.t1"
    "$BIN" extract -f joy --rules "$T/sni.rules" -o - "$C" 2> "$out.joy.log" > "$out.joy.ndjson" \
        || { cat "$out.joy.log"; fail "$cap: -f joy"; }
    python3 "$HERE/sni_labels.py" "$T/$name.tsv" joy "$out.joy.ndjson" || fail "$cap: Joy labels differ from tshark's hellos"
done
[ $ran -ge 4 ] || { echo "SKIP: fewer than 4 of the captures are in the corpus"; exit 77; }

# iotflow label: refused, nothing written
label_refuses "$T/sni.rules" "$(find "$T/${caps[0]%.*}" -name '*.csv' | head -1)" sni
echo "PASS: sni labels on $ran captures equal tshark's ClientHellos"
