#!/usr/bin/env bash
# extract --features byte_dist,entropy on custom-flow records (docs/OUTPUT.md "Feature columns"):
#   - nested JSON Lines with --packets 1000 --payload 65535: for every record of at most 1000
#     packets the payload list holds all of its payload bytes, so byte_dist, byte_dist_mean,
#     byte_dist_std (n - 1), entropy and total_entropy are recomputed from it in Python and must
#     match (counts exactly, the 6-decimal texts within rounding); bidirectional and
#     unidirectional records alike;
#   - the same run with --packets 2 --payload 0 gives the same feature values for every record
#     (every packet counts, not the slots';  records of more than 1000 packets included);
#   - the wide CSV (byte_dist_000 ... byte_dist_255) has the nested JSON Lines' values, and less
#     its feature columns it is the CSV of a run without --features (column place: after evicted,
#     before nothing else); the Parquet files (pqcheck verify, then DuckDB) hold the CSV's values,
#     carry iotflow.features = byte_dist,entropy, and --threads 1 writes the same bytes;
#   - iotflow label puts its columns after the feature columns, as extract --rules does (the same
#     bytes), and iotflow fuse its sensor context, as extract --sensors does (a synth dataset);
#   - refused (exit 1, nothing written, the message names the reason): byte_dist on the
#     timeline, any feature on telemetry, tls on custom-flow records, -f joy alone, a
#     --payload-total the wide layout has no room for once the 260 feature columns are in; "all"
#     means what the table takes (customflow: every group; telemetry: none, accepted);
#   - --features splt,wht,dns,dhcp,payload on eight captures with DNS, mDNS and DHCP (cf_features_groups.py):
#     every TCP/UDP record is matched with tshark's frames of its five-tuple in its window and
#     splt (data lengths from udp.length - 8 / tcp.len, frame times), dns (ports 53, 5353, 5355; dns.qry.name,
#     dns.qry.type, dns.flags.rcode, dns.count.answers, dns.a / dns.aaaa in answer order) and
#     dhcp (dhcp.option.hostname, vendor_class_id, request_list_item, option 53), payload
#     (udp.payload / tcp.payload of each side's first packet with payload) are recomputed
#     from tshark's reading, wht from the record's own payload list; a second run with an
#     inventory of the DHCP clients gives their 0.0.0.0 broadcasts records; the wide CSV has
#     the nested values (splt_len_NN, dns_addrs / dhcp_params as text) and the Parquet files
#     (pqcheck verify of both layouts' files, iotflow.features, DuckDB sums) the CSV's;
#   - the nested layout's structs with --features all: CSV headers `dns.qname` ..., JSON Lines
#     objects, Parquet REQUIRED groups (pqcheck verify; DuckDB's STRUCT types, members selected
#     by dotted paths), the same values in the three formats; iotflow label on the nested files =
#     extract --rules (the same bytes, labels after the structs).
#
# Env: IOF_BIN, IOF_SHARED (corpus, pqcheck). Exit 0 / 1 / 77.
. "$(dirname "$0")/lib.bash"

CORPUS=${IOF_SHARED:-/nonexistent}/corpus
CAPS=(home__ndpi-android__android.pcap iot__xiaodu-smart-plug-68min__xiaodu_plug.pcap tls__pcpp-tls2__tls2.pcap)
for c in "${CAPS[@]}"; do
    [ -f "$CORPUS/$c" ] || { echo "SKIP: no corpus capture $CORPUS/$c (IOF_SHARED)"; exit 77; }
done
IN=("${CAPS[@]/#/$CORPUS/}")
X=(-q --hash-seed 7)
F=(--features byte_dist,entropy)

"$BIN" extract "${X[@]}" "${F[@]}" --packets 1000 --payload 65535 --layout nested -f jsonl -o "$T/nj" "${IN[@]}" \
    || fail "extract nested jsonl"
"$BIN" extract "${X[@]}" "${F[@]}" --packets 2 --payload 0 --layout nested -f jsonl -o "$T/n2" "${IN[@]}" \
    || fail "extract nested jsonl, 2 slots"
"$BIN" extract "${X[@]}" "${F[@]}" --payload-total 0 -f csv -o "$T/wc" "${IN[@]}" || fail "extract wide csv"
"$BIN" extract "${X[@]}" --payload-total 0 -f csv -o "$T/plain" "${IN[@]}" || fail "extract csv without --features"
"$BIN" extract "${X[@]}" "${F[@]}" --payload-total 0 -f parquet -o "$T/pq" "${IN[@]}" || fail "extract parquet"
"$BIN" extract "${X[@]}" "${F[@]}" --payload-total 0 -f parquet --threads 1 -o "$T/pq1" "${IN[@]}" \
    || fail "extract parquet --threads 1"
same_bytes "--threads 1" "$T/pq" "$T/pq1"

PQ=(); for f in $(cd "$T/pq" && find . -name '*.parquet' | sort); do PQ+=("$T/pq/$f"); done
[ ${#PQ[@]} -gt 0 ] || fail "no Parquet file written"
if pq_rows "${PQ[0]}" "$T/first.rows"; then
    "$IOF_SHARED/tools/parquet/pqcheck" verify --quiet "${PQ[@]}" > "$T/verify.log" 2>&1 \
        || { cat "$T/verify.log"; fail "pqcheck verify"; }
    for f in "${PQ[@]}"; do
        "$IOF_SHARED/tools/parquet/pqcheck" meta "$f" | grep -q '"iotflow.features"' || fail "$f: no iotflow.features"
        "$IOF_SHARED/tools/parquet/pqcheck" meta "$f" | grep -q '"byte_dist,entropy"' || fail "$f: iotflow.features value"
    done
    cols="Device, RemIP, Proto, DevPort, RemPort, TotalFlowSize, PacketCount, byte_dist_mean, byte_dist_std, entropy, total_entropy"
    for b in $(seq 0 255); do cols="$cols, byte_dist_$(printf %03d "$b")"; done
    "$IOF_SHARED/tools/parquet/pqcheck" sql "SELECT regexp_extract(filename, '([a-z]+/[^/]+)[.]parquet$', 1) AS f, $cols
        FROM read_parquet('$T/pq/*/*.parquet', filename = true)" > "$T/pq.rows" || fail "pqcheck sql"
fi

python3 "$HERE/cf_features.py" "$T" || fail "feature values"

# splt, wht, dns, dhcp, payload against tshark's reading (cf_features_groups.py)
if command -v tshark > /dev/null; then
    GC=(home__ndpi-android__android.pcap dhcp__joy-dhcp__dhcp.pcap iot__iotsentinel-SmarterCoffee-setup__Setup-A-6-STA.pcap
        iot__iotsentinel-EdimaxCam1-setup__Setup-A-3-STA.pcap iot__xiaodu-smart-plug-68min__xiaodu_plug.pcap
        dns__pcpp-dns-packets__DnsPackets.pcap iot__zeek-mdns__mdns.pcap iot__iotsentinel-DLinkCam-setup__Setup-A-2-STA.pcap)
    for c in "${GC[@]}"; do [ -f "$CORPUS/$c" ] || fail "no corpus capture $c"; done
    GIN=("${GC[@]/#/$CORPUS/}")
    G=(-q --hash-seed 7 --features splt,wht,dns,dhcp,payload --device-ip --keep-private-ips)
    printf 'mac,name\nd8:30:62:56:00:1c,imac\n5c:cf:7f:07:ae:fb,esp\n74:da:38:80:7a:08,edimax\n4c:6a:f6:9f:f6:27,phone\n' \
        > "$T/dhcp-devices.csv"
    "$BIN" extract "${G[@]}" --packets 1000 --payload 65535 --layout nested -f jsonl -o "$T/gn" "${GIN[@]}" \
        || fail "extract groups nested"
    "$BIN" extract "${G[@]}" --devices "$T/dhcp-devices.csv" --packets 1000 --payload 65535 --layout nested -f jsonl \
        -o "$T/gd" "${GIN[@]}" || fail "extract groups nested, DHCP clients inventoried"
    "$BIN" extract "${G[@]}" --payload-total 0 -f csv -o "$T/gw" "${GIN[@]}" || fail "extract groups wide csv"
    "$BIN" extract "${G[@]}" --payload-total 0 -f parquet -o "$T/gpq" "${GIN[@]}" || fail "extract groups parquet"
    "$BIN" extract "${G[@]}" --layout nested -f parquet -o "$T/gnpq" "${GIN[@]}" || fail "extract groups nested parquet"
    GPQ=(); for f in $(cd "$T/gpq" && find . -name '*.parquet' | sort); do GPQ+=("$T/gpq/$f"); done
    for f in $(cd "$T/gnpq" && find . -name '*.parquet' | sort); do GPQ+=("$T/gnpq/$f"); done
    if pq_rows "${GPQ[0]}" "$T/gfirst.rows"; then
        "$IOF_SHARED/tools/parquet/pqcheck" verify --quiet "${GPQ[@]}" > "$T/gverify.log" 2>&1 \
            || { cat "$T/gverify.log"; fail "pqcheck verify (groups)"; }
        "$IOF_SHARED/tools/parquet/pqcheck" meta "${GPQ[0]}" | grep -q '"dns,splt,wht,dhcp,payload"' \
            || fail "iotflow.features value (groups)"
        lsum="0"; for k in $(seq -w 0 49); do lsum="$lsum + coalesce(splt_len_$k, 0)"; done
        "$IOF_SHARED/tools/parquet/pqcheck" sql "SELECT count(*) AS n, sum(splt_count) AS c, sum($lsum) AS l,
            count(dns_qname) AS q, sum(length(coalesce(dhcp_params, ''))) AS p
            FROM read_parquet('$T/gpq/*/*.parquet')" > "$T/gpq.sum" || fail "pqcheck sql (groups)"
    fi
    python3 "$HERE/cf_features_groups.py" "$T" "${GIN[@]}" || fail "splt, wht, dns, dhcp values"
    # dns_addrs follows the anonymisation rule (anon_rule.py: read from docs/OUTPUT.md, not from
    # flow/attrib.c): by default a local answer is 0.0.0.0 / ::, and so is every answer of an
    # mDNS / LLMNR record (the network's own devices); with --keep-private-ips (the groups' run
    # above) all are as sent. So is dns_qname's reverse-lookup name of such an address (the last
    # two captures ask for 192.168.1.x and fe80::… EUI-64 names)
    M=("$CORPUS/iot__zeek-mdns__mdns.pcap" "$CORPUS/iot__iotsentinel-DLinkCam-setup__Setup-A-2-STA.pcap"
       "$CORPUS/dns__pcpp-dns-packets__DnsPackets.pcap" "$CORPUS/pcapng-multi-if__pcpp__many_interfaces-1.pcapng"
       "$CORPUS/iot__iotsentinel-DLinkHomeHub-setup__Setup-C-3-STA.pcap")
    "$BIN" extract -q --features dns -f jsonl -o "$T/mdns-anon" "${M[@]}" || fail "extract mdns anonymised"
    "$BIN" extract -q --features dns --keep-private-ips -f jsonl -o "$T/mdns-keep" "${M[@]}" || fail "extract mdns kept"
    python3 - "$T/mdns-anon" "$T/mdns-keep" "$HERE" <<'PY' || fail "dns_addrs anonymised"
import ipaddress, json, pathlib, sys
sys.path.insert(0, sys.argv[3])
from anon_rule import anon_qname, is_local as local, zero
QNAMES = {}
def rows(d):
    out = []
    for f in sorted(pathlib.Path(d).rglob("*.jsonl")):
        for line in f.open():
            r = json.loads(line)
            key = (f.name, r["device"], r["proto"], r["device_port"], r["remote_port"], r["first_seen"])
            link = bool({r["device_port"], r["remote_port"]} & {5353, 5355})
            out += [(key, link, ipaddress.ip_address(x)) for x in r["dns"]["addrs"] or []]
            QNAMES.setdefault(d, []).append((f.name, f.parent.name, key, link, r["dns"]["qname"]))
    return sorted(out, key=lambda t: (t[0], t[1]))
anon, keep = rows(sys.argv[1]), rows(sys.argv[2])
assert [k for k, _, _ in anon] == [k for k, _, _ in keep] and len(keep) >= 50, (len(anon), len(keep))
nlink = sum(link for _, link, _ in keep)
nglobal = sum(not local(a) and not link for _, link, a in keep)
# (no corpus capture has an mDNS answer outside the local ranges: test_cffeat's test_dns_anon has one)
assert nlink >= 20 and nglobal >= 20, ("too few to prove anything", nlink, nglobal)
for (_, link, a), (_, _, k) in zip(anon, keep):
    want = zero(k.version) if link or local(k) else k
    assert a == want, (str(a), str(k), link)
qa, qk = QNAMES[sys.argv[1]], QNAMES[sys.argv[2]]
assert [x[:3] for x in qa] == [x[:3] for x in qk], "the anonymised run's records differ"
nrev = 0
for (_, _, _, link, a), (_, _, _, _, k) in zip(qa, qk):
    want = anon_qname(k, link)
    nrev += want != k
    assert a == want, (a, k, link)
assert nrev >= 6, ("too few reverse names of local addresses", nrev)
print(f"dns_addrs: {nlink} mDNS/LLMNR answer addresses written 0.0.0.0 / ::, {nglobal} others as sent; "
      f"dns_qname: {nrev} reverse names of local addresses written as the zero address's")
PY
else
    echo "SKIP (splt, wht, dns, dhcp part): no tshark"
fi

# labels go after the feature columns: iotflow label on the file = extract --rules
cat > "$T/one.rules" <<'RULES'
key kind default "other"
kind = "tls" if proto tcp and dport 443
RULES
"$BIN" label --rules "$T/one.rules" -o "$T/rel" "$T/wc" > "$T/label.out" || fail "label: exit $? $(cat "$T/label.out")"
"$BIN" extract "${X[@]}" "${F[@]}" --rules "$T/one.rules" --payload-total 0 -f csv -o "$T/wcr" "${IN[@]}" \
    || fail "extract --features --rules"
for f in $(cd "$T/wcr" && find . -name '*.csv'); do
    head -1 "$T/wcr/$f" | tr -d '\r' | grep -q ',entropy,total_entropy,kind,kind_rule$' || fail "$f: labels not after the features"
    cmp -s "$T/wcr/$f" "$T/rel/$f" || fail "$f: label on the file is not extract --rules"
done

# sensor context goes after them too: fuse on a written file = extract --sensors (a synth dataset)
"$BIN" synth -q -s 3 -d 5m -o "$T/syn" || fail "synth"
S=(-q --hash-seed 3 --devices "$T/syn/devices.csv" --last-seen "${F[@]}" --payload-total 0 -f csv)
"$BIN" extract "${S[@]}" -o "$T/sx" "$T/syn/capture.pcap" || fail "extract synth"
"$BIN" fuse -q --sensors "$T/syn/sensors.csv" --devices "$T/syn/devices.csv" -o "$T/sf" "$T/sx" > "$T/fuse.out" 2>&1 \
    || { cat "$T/fuse.out"; fail "fuse"; }
"$BIN" extract "${S[@]}" --sensors "$T/syn/sensors.csv" -o "$T/ss" "$T/syn/capture.pcap" || fail "extract --sensors"
n=0
for f in $(cd "$T/ss" && find . -name '*.csv'); do
    head -1 "$T/ss/$f" | grep -q ',LastSeen,byte_dist_000,.*,total_entropy,[a-z_]*_at_start,' || fail "$f: sensor columns not after the features"
    cmp -s "$T/ss/$f" "$T/sf/$f" || fail "$f: fuse on the file is not extract --sensors"
    n=$((n + 1))
done
[ $n -gt 0 ] || fail "no sensor CSV"

# refused: exit 1, nothing written, the message says why
refused() { # WHAT ARGS...
    local what=$1 out=$T/refused.$RANDOM rc
    shift
    "$BIN" extract -q "$@" -o "$out" "${IN[2]}" > "$out.log" 2>&1
    rc=$?
    [ $rc = 1 ] || { cat "$out.log"; fail "$*: exit $rc, want 1"; }
    grep -q -- "$what" "$out.log" || { cat "$out.log"; fail "$*: no message saying $what"; }
    [ -z "$(find "$out" -type f 2>/dev/null)" ] || fail "$*: wrote files"
}
refused "timeline takes dns and tls only" --table timeline --features byte_dist -f parquet
refused "timeline takes dns and tls only" --table timeline --features dns,entropy -f csv
refused "telemetry rows have no feature columns" --table telemetry --features entropy -f csv
refused "telemetry rows have no feature columns" --table telemetry --features dns -f csv
refused "Joy flows (-f joy) have their own fixed features" --features byte_dist -f joy
# the wide layout's 8192 columns: the feature columns take 260 of them (5000 fits without)
refused "at most 4921 slots" --features byte_dist,entropy --packets 1000 --payload-total 5000 -f csv

# all: what the table takes (l7_app last in a build with nDPI)
l7=",l7_app"
"$BIN" --version | grep -q "without nDPI" && l7=""
"$BIN" extract -q --features all --payload-total 0 -f csv -o "$T/all" "${IN[2]}" || fail "--features all (customflow)"
for f in $(cd "$T/all" && find . -name '*.csv'); do
    head -1 "$T/all/$f" | tr -d '\r' | grep -q ',evicted,byte_dist_000,.*,byte_dist_255,byte_dist_mean,byte_dist_std,entropy,total_entropy,wht_0,wht_1,wht_2,wht_3,dns_messages,dns_qname,dns_qtype,dns_rcode,dns_answers,dns_addrs,tls_c_version,tls_s_version,tls_sni,tls_cs,tls_scs,tls_ext,tls_groups,tls_ec_formats,tls_ja3,tls_certs,tls_cert_subject,tls_cert_issuer,tls_cert_serial,tls_cert_not_before,tls_cert_not_after,tls_cert_key_algo,tls_cert_key_bits,tls_cert_sig_algo,dhcp_messages,dhcp_msg_type,dhcp_hostname,dhcp_vendor_class,dhcp_params,http_requests,http_responses,http_method,http_uri,http_host,http_user_agent,http_status,http_server,http_content_type,payload_out,payload_in,ppi_count,ppi_t_00,.*,ppi_t_49,ppi_dir_00,.*,ppi_rack_49,hd_n_out,hd_i_out,hd_cm_out,hd_cv_out,hd_sm_out,hd_n_in,hd_i_in,hd_cm_in,hd_cv_in,hd_sm_in,idp_out,idp_len_out,idp_in,idp_len_in,splt_count,splt_len_00,.*,splt_len_49,splt_ipt_00,.*,splt_ipt_49'"$l7"'$' \
        || fail "$f: --features all header: $(head -1 "$T/all/$f" | tail -c 200)"
done
# the nested layout: one struct per group, members named without the group's prefix (CSV:
# "dns.qname" headers; JSON Lines: "dns":{...} objects; Parquet: REQUIRED groups DuckDB reads as
# STRUCTs), the same values in the three formats; iotflow label on the nested Parquet file keeps
# the structs and puts its columns after them, as extract --rules does (the same bytes)
l7n=",l7.app"; l7s=", l7 STRUCT(app VARCHAR)"; l7j=',"l7"'
[ -z "$l7" ] && { l7n=""; l7s=""; l7j=""; }
NA=(-q --hash-seed 7 --features all --packets 2 --payload 4 --layout nested)
"$BIN" extract "${NA[@]}" -f csv,jsonl,parquet -o "$T/alln" "${IN[1]}" || fail "--features all nested"
for f in $(cd "$T/alln" && find . -name '*.csv'); do
    head -1 "$T/alln/$f" | tr -d '\r' | grep -q ',evicted,byte_dist.counts,byte_dist.mean,byte_dist.std,entropy.per_byte,entropy.total,wht.c0,wht.c1,wht.c2,wht.c3,dns.messages,dns.qname,dns.qtype,dns.rcode,dns.answers,dns.addrs,tls.c_version,tls.s_version,tls.sni,tls.cs,tls.scs,tls.ext,tls.groups,tls.ec_formats,tls.ja3,tls.certs,tls.cert_subject,tls.cert_issuer,tls.cert_serial,tls.cert_not_before,tls.cert_not_after,tls.cert_key_algo,tls.cert_key_bits,tls.cert_sig_algo,dhcp.messages,dhcp.msg_type,dhcp.hostname,dhcp.vendor_class,dhcp.params,http.requests,http.responses,http.method,http.uri,http.host,http.user_agent,http.status,http.server,http.content_type,first_payload.out,first_payload.in,ppi.count,ppi.t,ppi.dir,ppi.flags,ppi.b,ppi.win,ppi.rseq,ppi.rack,hd.n_out,hd.i_out,hd.cm_out,hd.cv_out,hd.sm_out,hd.n_in,hd.i_in,hd.cm_in,hd.cv_in,hd.sm_in,idp.out,idp.len_out,idp.in,idp.len_in,splt.count,splt.len,splt.ipt'"$l7n"'$' \
        || fail "$f: nested --features all header: $(head -1 "$T/alln/$f" | tail -c 200)"
    j=${f%.csv}.jsonl
    head -1 "$T/alln/$j" | python3 -c 'import json, sys
r = json.loads(sys.stdin.read())
k = list(r)
want = ["evicted", "byte_dist", "entropy", "wht", "dns", "tls", "dhcp", "http", "first_payload", "ppi", "hd", "idp",
        "splt"] + sys.argv[1:]
assert k[k.index("evicted"):] == want, k
assert list(r["dns"]) == ["messages", "qname", "qtype", "rcode", "answers", "addrs"], r["dns"]
assert len(r["byte_dist"]["counts"]) == 256 and list(r["entropy"]) == ["per_byte", "total"], r["entropy"]
assert list(r["first_payload"]) == ["out", "in"] and isinstance(r["splt"]["len"], list)' ${l7j:+l7} \
        || fail "$j: nested JSON Lines structs"
    p=${f%.csv}.parquet
    "$IOF_SHARED/tools/parquet/pqcheck" verify --quiet "$T/alln/$p" > "$T/nverify.log" 2>&1 \
        || { cat "$T/nverify.log"; fail "$p: pqcheck verify (nested structs)"; }
    "$IOF_SHARED/tools/parquet/pqcheck" schema "$T/alln/$p" | python3 -c 'import json, sys
d = {c["name"]: c["type"] for c in json.load(sys.stdin)["duckdb_columns"]}
assert d["dns"] == "STRUCT(messages BIGINT, qname VARCHAR, qtype INTEGER, rcode INTEGER, answers BIGINT, addrs VARCHAR[])", d["dns"]
assert d["splt"] == "STRUCT(count INTEGER, len INTEGER[], ipt BIGINT[])", d["splt"]
assert d["idp"] == "STRUCT(\"out\" BLOB, len_out INTEGER, \"in\" BLOB, len_in INTEGER)", d["idp"]
assert d["byte_dist"] == "STRUCT(counts BIGINT[], mean DOUBLE, std DOUBLE)", d["byte_dist"]
assert d["first_payload"] == "STRUCT(\"out\" BLOB, \"in\" BLOB)", d["first_payload"]
assert "dns.qname" not in d and "payload" in d' || fail "$p: DuckDB types of the structs"
    # the same values: CSV = JSON Lines = Parquet (DuckDB: struct members by dotted paths)
    "$IOF_SHARED/tools/parquet/pqcheck" sql "SELECT epoch_us(first_seen) AS first_seen, device, remote_ip AS rip,
        proto, device_port AS dp, remote_port AS rp, dns.qname AS q, tls.sni AS sni, tls.cs AS cs,
        http.user_agent AS ua, splt.len AS sl, byte_dist.counts[1] AS b0, entropy.total AS te, wht.c3 AS w3
        FROM read_parquet('$T/alln/$p')" > "$T/nsql.rows" || fail "$p: DuckDB select of struct members"
    python3 - "$T/alln/$f" "$T/alln/$j" "$T/nsql.rows" <<'PY' || fail "$f: nested CSV, JSON Lines and Parquet values differ"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
js = [json.loads(l) for l in open(sys.argv[2])]
pq = {}  # rows in the Parquet file's own order (clustered): by their key
for l in open(sys.argv[3]):
    q = json.loads(l)
    pq.setdefault((int(q["first_seen"]), q["device"], q["rip"], q["proto"], q["dp"], q["rp"]), []).append(q)
assert len(rows) == len(js) == sum(map(len, pq.values())) > 0, (len(rows), len(js), len(pq))
def num(x):
    return None if x in ("", None) else float(x)
seen = 0
for c, j in zip(rows, js):
    assert int(c["first_seen"]) == j["first_seen"], (c["first_seen"], j["first_seen"])
    q = pq[(j["first_seen"], j["device"], j["remote_ip"], j["proto"], j["device_port"], j["remote_port"])].pop(0)
    for col, jv, qv in (("dns.qname", j["dns"]["qname"], q["q"]), ("tls.sni", j["tls"]["sni"], q["sni"]),
                        ("http.user_agent", j["http"]["user_agent"], q["ua"])):
        assert (c[col] or None) == jv == qv, (col, c[col], jv, qv)
    for col, jv, qv in (("tls.cs", j["tls"]["cs"], q["cs"]), ("splt.len", j["splt"]["len"], q["sl"])):
        assert (json.loads(c[col]) if c[col] else None) == jv == qv, (col, c[col], jv, qv)
    assert int(json.loads(c["byte_dist.counts"])[0]) == j["byte_dist"]["counts"][0] == int(q["b0"])
    for col, jv, qv in (("entropy.total", j["entropy"]["total"], q["te"]), ("wht.c3", j["wht"]["c3"], q["w3"])):
        a, b, d = num(c[col]), jv, num(qv)
        assert (a is None) == (b is None) == (d is None) and (a is None or abs(a - b) < 1e-6 and abs(b - d) < 1e-6), (col, a, b, d)
    seen += j["tls"]["sni"] is not None
assert seen > 0, "no record with a tls.sni"
PY
done
"$BIN" label --rules "$T/one.rules" -o "$T/allnr" "$T/alln" > "$T/nlabel.out" || fail "label (nested): exit $? $(cat "$T/nlabel.out")"
"$BIN" extract "${NA[@]}" --rules "$T/one.rules" -f csv,jsonl,parquet -o "$T/allne" "${IN[1]}" || fail "extract nested --rules"
n=0
for f in $(cd "$T/allne" && find . -type f | sort); do
    cmp -s "$T/allne/$f" "$T/allnr/$f" || fail "$f: label on the nested file is not extract --rules"
    n=$((n + 1))
done
[ $n = 6 ] || fail "nested label: $n files, want 6"
for p in $(cd "$T/allnr" && find . -name '*.parquet'); do
    "$IOF_SHARED/tools/parquet/pqcheck" schema "$T/allnr/$p" | python3 -c 'import json, sys
c = [x["name"] for x in json.load(sys.stdin)["duckdb_columns"]]
assert c[-3:] == [sys.argv[1], "kind", "kind_rule"] and "dns" in c, c[-4:]' "$(if [ -n "$l7" ]; then echo l7; else echo splt; fi)" || fail "$p: labels not after the structs"
done
# the stats JSON's dns_names / tls_sni objects describe the name maps: on the custom-flow table
# --features dns,tls read each record's packets and keep no map, so neither object appears; a
# rule on sni (or dns) keeps its map, and so does the timeline's --features (docs/OUTPUT.md)
"$BIN" extract -q --features dns,tls -f csv -o "$T/maps0" --stats "$T/maps0.json" "${IN[2]}" || fail "--features dns,tls --stats"
cat > "$T/sni.rules" <<'RULES'
key site default "other"
site = "named" if sni "*"
RULES
"$BIN" extract -q --rules "$T/sni.rules" -f csv -o "$T/maps1" --stats "$T/maps1.json" "${IN[2]}" || fail "--rules sni --stats"
"$BIN" extract -q --table timeline --features dns,tls -f csv -o "$T/maps2" --stats "$T/maps2.json" "${IN[2]}" \
    || fail "--table timeline --features dns,tls --stats"
python3 - "$T/maps0.json" "$T/maps1.json" "$T/maps2.json" <<'PY' || fail "stats JSON: dns_names / tls_sni not as docs/OUTPUT.md says"
import json, sys
cf, rule, tl = (json.load(open(p)) for p in sys.argv[1:])
assert "dns_names" not in cf and "tls_sni" not in cf, "custom-flow --features dns,tls"
assert "tls_sni" in rule and "dns_names" not in rule, "a rule on sni"
assert "dns_names" in tl and "tls_sni" in tl, "timeline --features dns,tls"
PY
"$BIN" extract -q --features all --table telemetry -f csv -o "$T/allt" "${IN[2]}" || fail "--features all (telemetry)"
"$BIN" extract -q --features all -f joy -o "$T/allj" "${IN[2]}" || fail "--features all (-f joy)"
echo "ok"
