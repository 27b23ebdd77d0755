#!/usr/bin/env bash
# The timeline's names (extract --table timeline --features dns,tls; docs/OUTPUT.md "The
# timeline table", src/flow/timeline.c) against tshark on corpus captures with DNS and TLS
# (phones, an IoT plug, a laptop, a TV app; lists of more than 16 names in one second; a phone
# whose ClientHellos name a LAN server by its private address, which the anonymisation rule
# writes as 0.0.0.0):
#   - every row's dns_names, tls_names and names_dropped are what tshark's packets, DNS
#     responses and ClientHellos give (timeline_names.py: its own reading, the label tests'
#     loaders), in CSV and in JSON Lines, and Parquet holds the same lists (DuckDB);
#   - Parquet with --threads 1 is byte for byte the default run's;
#   - --features dns alone: dns_names and names_dropped, no tls_names; repeated, the lists add
#     up ('dns, sni' too); -o - streams the file's bytes; the summary and the stats JSON count
#     the names listed and not listed;
#   - refused, exit 1, nothing written: --features with the custom-flow or the telemetry table,
#     an unknown feature name.
# Skips (77) without tshark or the corpus.
source "$(dirname "$0")/lib.bash"
need_corpus
need_tshark

# capture, the device's MAC (the inventory's one device)
caps=(home__ndpi-android__android.pcap 4c:6a:f6:9f:f6:27
      iot__ndpi-alexa-app__alexa-app.pcapng 78:f8:82:d3:fb:c2
      iot__xiaodu-smart-plug-68min__xiaodu_plug.pcap f4:21:ae:9e:8f:cb
      home__ndpi-iphone__iphone.pcap c4:61:8b:35:82:a9
      tls__pcpp-tls2__tls2.pcap 8c:ec:4b:ca:16:5a
      home__ndpi-netflix__netflix.pcap e4:98:d6:1f:bd:14
      home__ndpi-home-lan-1kxun__1kxun.pcap 60:c5:47:05:bc:8c)   # a server name 192.168.115.75
ran=0 dropped=0
for ((i = 0; i < ${#caps[@]}; i += 2)); do
    cap=${caps[i]} mac=${caps[i + 1]}
    C=$CORPUS/$cap
    [ -f "$C" ] || continue
    ran=$((ran + 1))
    name=${cap%.*}
    out=$T/$name
    printf 'mac,name\n%s,dev\n' "$mac" > "$T/$name.inv"
    tshark -r "$C" -T fields -E occurrence=f -e frame.time_epoch -e eth.src -e eth.dst -e ip.src -e ipv6.src \
        -e ip.dst -e ipv6.dst -e ip.proto -e ipv6.nxt -e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport \
        > "$T/$name.pkts" 2>/dev/null || fail "tshark $cap (packets)"
    tshark -r "$C" -Y "dns.flags.response == 1 && !icmp && (udp.srcport == 53 || tcp.srcport == 53)" -T fields \
        -E occurrence=a -E 'aggregator=|' -e frame.time_epoch -e ip.dst -e ipv6.dst -e dns.flags.response \
        -e dns.flags.opcode -e dns.flags.rcode -e dns.count.answers -e dns.qry.name -e dns.resp.name \
        -e dns.resp.type -e dns.cname -e dns.a -e dns.aaaa > "$T/$name.dns" 2>/dev/null || fail "tshark $cap (dns)"
    tshark -r "$C" -d tcp.port==8883,tls -d tcp.port==5228,tls -d tcp.port==8443,tls \
        -Y "tls.handshake.type == 1" -T fields -e frame.time_epoch -e ip.src -e ipv6.src -e tcp.srcport \
        -e ip.dst -e ipv6.dst -e tcp.dstport -e tls.handshake.extensions_server_name \
        > "$T/$name.tls" 2>/dev/null || fail "tshark $cap (hellos)"
    "$BIN" extract --table timeline --features dns,tls --devices "$T/$name.inv" -f csv,jsonl,parquet \
        --stats "$out.stats.json" -o "$out" "$C" > "$out.log" 2>&1 || { cat "$out.log"; fail "$cap: extract"; }
    echo "$cap:"
    python3 "$HERE/timeline_names.py" "$T/$name.pkts" "$T/$name.dns" "$T/$name.tls" "$mac" dev \
        $(find "$out" -name '*.csv' -o -name '*.jsonl' | sort) || fail "$cap: the timeline's names differ from tshark's"
    # the summary and the stats count what the rows list
    python3 - "$out.stats.json" "$out" "$out.log" <<'PYEOF' || fail "$cap: names counted wrong"
import csv, glob, json, re, sys
st = json.load(open(sys.argv[1]))["timeline"]
listed = dropped = 0
for f in glob.glob(sys.argv[2] + "/**/*.csv", recursive=True):
    for r in csv.DictReader(open(f, newline="")):
        listed += len(json.loads(r["dns_names"])) + len(json.loads(r["tls_names"]))
        dropped += int(r["names_dropped"])
assert (st["names_listed"], st["names_dropped"]) == (listed, dropped), (st, listed, dropped)
assert f"names: {listed} listed, {dropped} not listed" in open(sys.argv[3]).read()
PYEOF
    dropped=$((dropped + $(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['timeline']['names_dropped'])" "$out.stats.json")))
    # Parquet: the CSV's lists; one thread writes the same bytes (every day's file)
    "$BIN" extract -q --table timeline --features dns,tls --devices "$T/$name.inv" -f parquet --threads 1 \
        -o "$out.t1" "$C" || fail "$cap: --threads 1"
    for f in $(cd "$out" && find . -name '*.parquet' | sort); do
        if pq_rows "$out/$f" "$T/rows.jsonl"; then
            python3 - "$T/rows.jsonl" "$out/${f%.parquet}.csv" <<'PYEOF' || fail "$cap: $f lists differ from the CSV's"
import csv, json, sys
pq = [(r["dns_names"], r["tls_names"], int(r["names_dropped"])) for r in map(json.loads, open(sys.argv[1]))]
tx = [(json.loads(r["dns_names"]), json.loads(r["tls_names"]), int(r["names_dropped"]))
      for r in csv.DictReader(open(sys.argv[2], newline=""))]
sys.exit(0 if pq == tx else 1)
PYEOF
        fi
        cmp -s "$out/$f" "$out.t1/$f" || fail "$cap: $f differs with --threads 1"
    done
done
[ "$ran" -gt 0 ] || { echo "SKIP: none of the captures is in the corpus"; exit 77; }
[ "$dropped" -gt 0 ] || fail "no capture filled a list: the cap of 16 is not tested"

# --features dns alone: its columns only
C=$CORPUS/home__ndpi-android__android.pcap
if [ -f "$C" ]; then
    "$BIN" extract -q --table timeline --features dns -f csv -o "$T/dnsonly" "$C" || fail "--features dns"
    hdr=$(head -1 "$T"/dnsonly/timeline/*.csv | tr -d '\r')
    [[ $hdr == *,remotes_in,dns_names,names_dropped ]] || fail "--features dns: header $hdr"
fi

# the option repeated adds up; spaces after commas and `sni` are taken; -o - needs no --variant
# (the timeline has none) and streams what the file holds
if [ -f "$C" ]; then
    "$BIN" extract -q --table timeline --features dns --features tls -f csv -o "$T/twice" "$C" || fail "--features twice"
    "$BIN" extract -q --table timeline --features 'dns, sni' -f csv -o "$T/spaced" "$C" || fail "--features 'dns, sni'"
    cmp -s "$T"/twice/timeline/*.csv "$T"/spaced/timeline/*.csv || fail "--features twice / 'dns, sni' differ"
    hdr=$(head -1 "$T"/twice/timeline/*.csv | tr -d '\r')
    [[ $hdr == *,remotes_in,dns_names,tls_names,names_dropped ]] || fail "--features twice: header $hdr"
    "$BIN" extract -q --table timeline --features all -f csv -o - "$C" > "$T/stdout.csv" || fail "-o - (timeline)"
    cmp -s "$T/stdout.csv" "$T"/twice/timeline/*.csv || fail "-o - differs from the file"
fi

# refused: exit 1, nothing written
C=$CORPUS/mixed__joy-sample__sample.pcap
[ -f "$C" ] || C=$(find "$CORPUS" -name '*.pcap' | head -1)
# (--features dns and tls on custom-flow records are the dns_* and tls_* groups now)
for args in "--table telemetry --features tls" "--table timeline --features dns,nope"; do
    # shellcheck disable=SC2086
    "$BIN" extract -f csv $args -o "$T/refused" "$C" > "$T/refused.log" 2>&1
    rc=$?
    [ "$rc" = 1 ] || { cat "$T/refused.log"; fail "'$args': exit $rc, not 1"; }
    [ ! -e "$T/refused" ] || fail "'$args': wrote $T/refused"
    grep -q "features" "$T/refused.log" || { cat "$T/refused.log"; fail "'$args': the message does not say why"; }
done
echo "timeline names: $ran captures as tshark sees them, $dropped names beyond the lists counted"
