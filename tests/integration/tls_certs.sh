#!/usr/bin/env bash
# TLS server certificates (src/proto/x509.c through src/features/f_tls.c; docs/JOY.md "tls",
# docs/OUTPUT.md "tls") against tshark, on the corpus captures whose MANIFEST.tsv description
# mentions TLS or x509 and in which tshark finds a Certificate message (TLS <= 1.2: 1.3's are
# encrypted):
#  - Joy (`-f joy -o -`): every flow with s_cert / c_cert: its certificates are those of the first
#    Certificate messages tshark reads from that side of the TCP connection within the flow's
#    times (at most 4, Joy's cap), each with tshark's length, serial number (without DER's
#    leading zero), issuer and subject entries (OpenSSL's names of tshark's OIDs; the values with
#    Joy's '.' for bytes outside 0x20..0x7e and \ / "), validity (ASN1_TIME_print of tshark's
#    time) and public key algorithm (OpenSSL's name of tshark's OID);
#  - custom flows (`-f jsonl --features tls --variant bi`): every record with a tls_* column has
#    tshark's first ClientHello / ServerHello / Certificate of that connection (its ports, within
#    the record's times): tls_sni = tls.handshake.extensions_server_name, tls_c_version =
#    tls.handshake.version, tls_cs = the ciphersuites, tls_ext = the extension types, tls_groups
#    and tls_ec_formats, tls_s_version = the ServerHello's supported_version (else its version),
#    tls_scs, and the first certificate's serial, subject / issuer ("C=US, O=.., CN=..") and
#    not_before / not_after, tls_certs the message's certificate count (at most 4). A Certificate
#    message tshark cannot reassemble (segments not captured: tls2.pcap), which the columns read
#    at the record's end as far as it was captured, is checked against the server's captured
#    bytes read by a small DER walk here (serial, names, validity, key algorithm).
# Requires at least 20 Joy flows with certificates and 20 custom-flow records with a certificate
# (so it can fail); skips (77) without tshark or the corpus.
source "$(dirname "$0")/lib.bash"
need_corpus
need_tshark

cat > "$T/tshark.py" <<'PY'
# tshark's TLS handshakes of a capture (JSON, duplicate keys kept) -> one JSON line per hello or
# Certificate message: time, addresses, ports, kind and fields.
import json, subprocess, sys
cap, out = sys.argv[1], sys.argv[2]
def pairs(p):
    d = {}
    for k, v in p:
        d.setdefault(k, []).append(v)
    return d
raw = subprocess.run(["tshark", "-r", cap, "-T", "json", "-Y",
                      "ip && tcp && (tls.handshake.type == 1 || tls.handshake.type == 2 || tls.handshake.type == 11)"],
                     capture_output=True, text=True).stdout
try:
    pkts = json.loads(raw or "[]", object_pairs_hook=pairs)
except ValueError:   # a capture tshark cannot read to its end (the corpus's cut ones)
    sys.exit(3)
def all_of(o, key):   # every value of key anywhere under o, in order
    r = []
    if isinstance(o, dict):
        for k, vs in o.items():
            for v in vs:
                if k == key:
                    r.append(v)
                r += all_of(v, key)
    elif isinstance(o, list):
        for x in o:
            r += all_of(x, key)
    return r
def one(o, key, default=None):
    v = all_of(o, key)
    return v[0] if v else default
def name(tree):   # [(oid, value)] of an rdnSequence_tree
    r = []
    for item in all_of(tree, "x509if.RelativeDistinguishedName_item_element"):
        oid = one(item, "x509if.oid") or one(item, "x509if.id")
        val = None
        for k in ("x509sat.CountryName", "x509sat.uTF8String", "x509sat.printableString", "x509sat.IA5String",
                  "x509sat.teletexString", "x509sat.bmpString", "x509sat.universalString"):
            val = one(item, k)
            if val is not None:
                break
        r.append((oid, val))
    return r
def cert(t):
    sc = one(t, "x509af.signedCertificate_element")
    if sc is None:
        return None
    times = []
    for k in ("x509af.notBefore_tree", "x509af.notAfter_tree"):
        tt = one(sc, k)
        times.append(one(tt, "x509af.utcTime") or one(tt, "x509af.generalizedTime"))
    spki = one(sc, "x509af.subjectPublicKeyInfo_element")
    return {"serial": (one(sc, "x509af.serialNumber") or "").replace(":", ""),
            "issuer": name(one(sc, "x509af.issuer_tree")), "subject": name(one(sc, "x509af.subject_tree")),
            "nb": times[0], "na": times[1], "key": one(one(spki, "x509af.algorithm_element"), "x509af.algorithm.id")}
with open(out, "w") as f:
    for p in pkts:
        l = p["_source"][0]["layers"][0]
        ip, tcp = l["ip"][0], l["tcp"][0]
        base = {"t": float(l["frame"][0]["frame.time_epoch"][0]), "src": ip["ip.src"][0], "dst": ip["ip.dst"][0],
                "sp": int(tcp["tcp.srcport"][0]), "dp": int(tcp["tcp.dstport"][0])}
        for hs in all_of(l.get("tls", []), "tls.handshake"):
            if not isinstance(hs, dict):
                continue
            kind = one(hs, "tls.handshake.type")
            m = dict(base, kind=kind)
            if kind in ("1", "2"):
                m["version"] = int(one(hs, "tls.handshake.version", "0"), 16)
                sv = all_of(hs, "tls.handshake.extensions.supported_version")
                m["sv"] = int(sv[0], 16) if sv and kind == "2" else None
                m["sni"] = one(hs, "tls.handshake.extensions_server_name")
                m["cs"] = [int(x, 16) for x in all_of(hs, "tls.handshake.ciphersuite")]
                m["ext"] = [int(x) for x in all_of(hs, "tls.handshake.extension.type")]
                m["groups"] = [int(x, 16) for x in all_of(hs, "tls.handshake.extensions_supported_group")]
                m["formats"] = [int(x) for x in all_of(hs, "tls.handshake.extensions_ec_point_format")]
            elif kind == "11":
                m["lens"] = [int(x) for x in all_of(hs, "tls.handshake.certificate_length")]
                m["certs"] = [cert(t) for t in all_of(hs, "tls.handshake.certificate_tree")]
            else:
                continue
            f.write(json.dumps(m) + "\n")
PY

cat > "$T/check.py" <<'PY'
import calendar, datetime, glob, json, os, sys
sys.path.insert(0, os.environ["IOF_TEST_HERE"])
from anon_rule import anon_name   # tls_sni: the anonymisation rule (the run keeps its default)
hs_file, joy_file, cf_dir, cap = sys.argv[1:5]
hs = [json.loads(l) for l in open(hs_file)]
LN = {"2.5.4.3": "commonName", "2.5.4.6": "countryName", "2.5.4.7": "localityName",
      "2.5.4.8": "stateOrProvinceName", "2.5.4.10": "organizationName", "2.5.4.11": "organizationalUnitName",
      "2.5.4.5": "serialNumber", "2.5.4.9": "streetAddress", "2.5.4.17": "postalCode", "2.5.4.15": "businessCategory",
      "1.2.840.113549.1.9.1": "emailAddress", "0.9.2342.19200300.100.1.25": "domainComponent",
      "1.3.6.1.4.1.311.60.2.1.3": "jurisdictionCountryName", "1.3.6.1.4.1.311.60.2.1.2": "jurisdictionStateOrProvinceName",
      "1.3.6.1.4.1.311.60.2.1.1": "jurisdictionLocalityName", "2.5.4.97": "organizationIdentifier",
      "2.5.4.13": "description", "2.5.4.4": "surname", "2.5.4.42": "givenName", "2.5.4.12": "title"}
SN = {"commonName": "CN", "countryName": "C", "localityName": "L", "stateOrProvinceName": "ST",
      "organizationName": "O", "organizationalUnitName": "OU", "domainComponent": "DC", "streetAddress": "street"}
KEY = {"1.2.840.113549.1.1.1": "rsaEncryption", "1.2.840.10045.2.1": "id-ecPublicKey", "1.3.101.112": "ED25519"}
MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
def joy_text(v):
    return "".join(chr(b) if 0x20 <= b <= 0x7e and chr(b) not in '\\/"' else "." for b in v.encode())
def tshark_time(s):   # "2017-08-07 15:04:17 (UTC)" or an absolute time "Jan  1, 2050 00:00:00.000000000 UTC"
    s = s.replace(" (UTC)", "").replace(" UTC", "")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%b %d, %Y %H:%M:%S.%f"):
        try:
            return datetime.datetime.strptime(s[:26] if "." in s else s, fmt)
        except ValueError:
            pass
    return None
def asn1_print(d):
    return f"{MON[d.month - 1]} {d.day:2d} {d.hour:02d}:{d.minute:02d}:{d.second:02d} {d.year} GMT"
def serial(s):
    return s[2:] if s.startswith("00") and len(s) > 2 else s
# A Certificate message tshark cannot reassemble (segments not captured): the certificate's start
# from the server's own TCP payload bytes (tshark's tcp.payload, in sequence order from the
# ServerHello's segment to the first gap), read by the small DER walk below, as far as it goes.
SEGS = None
def server_bytes(sh):
    global SEGS
    if SEGS is None:
        import subprocess
        out = subprocess.run(["tshark", "-r", cap, "-o", "tcp.relative_sequence_numbers:FALSE", "-Y", "tcp.len > 0",
                              "-T", "fields", "-e", "ip.src", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.seq",
                              "-e", "frame.time_epoch", "-e", "tcp.payload"], capture_output=True, text=True).stdout
        SEGS = [l.split("\t") for l in out.splitlines() if l.count("\t") == 5]
    segs = sorted((int(q[3]), bytes.fromhex(q[5].replace(":", ""))) for q in SEGS
                  if q[0] == sh["src"] and int(q[1]) == sh["sp"] and int(q[2]) == sh["dp"] and float(q[4]) >= sh["t"] - 1e-6)
    data, nxt = b"", None
    for seq, b in segs:
        if nxt is not None and seq != nxt:
            if seq < nxt:
                continue   # a retransmission
            break          # a gap: what follows was not captured
        data, nxt = data + b, seq + len(b)
    return data
def der(b, i):   # (tag, value start, value end) of the element at i, None when its header is cut
    if i + 2 > len(b):
        return None
    tag, n, j = b[i], b[i + 1], i + 2
    if n & 0x80:
        k = n & 0x7F
        if j + k > len(b):
            return None
        n, j = int.from_bytes(b[j:j + k], "big"), j + k
    return tag, j, j + n
def oid(v):
    first, parts, x = v[0], [], 0
    for c in v[1:]:
        x = x << 7 | c & 0x7F
        if not c & 0x80:
            parts.append(x)
            x = 0
    return ".".join(map(str, [first // 40, first % 40] + parts))
def der_name(b, s, e):
    r = []
    while (rdn := der(b, s)) and rdn[2] <= e:
        atv = der(b, rdn[1])
        o = der(b, atv[1])
        v = der(b, o[2])
        r.append((oid(b[o[1]:o[2]]), b[v[1]:v[2]].decode("utf-8", "replace")))
        s = rdn[2]
    return r
def der_time(v):
    t = v.decode()
    return datetime.datetime.strptime(("19" if int(t[:2]) >= 50 else "20") + t if len(t) == 13 else t, "%Y%m%d%H%M%SZ")
def partial_cert(data):   # the first certificate's fields whole in data (the TLS records walked first)
    hsb, i = b"", 0
    while i + 5 <= len(data):
        ln = data[i + 3] << 8 | data[i + 4]
        if data[i] == 22:
            hsb += data[i + 5:i + 5 + ln]
        i += 5 + ln
    j = 0
    while j + 4 <= len(hsb) and hsb[j] != 11:
        j += 4 + int.from_bytes(hsb[j + 1:j + 4], "big")
    b = hsb[j + 10:]   # the Certificate message's header, total and first length
    c, tbs = {}, der(b, der(b, 0)[1]) if der(b, 0) else None
    if not tbs or j + 10 > len(hsb):
        return None
    at, fields = tbs[1], []
    while (el := der(b, at)) and el[2] <= len(b):
        fields.append(el)
        at = el[2]
    if fields and fields[0][0] == 0xA0:
        fields = fields[1:]
    if len(fields) >= 1:
        c["serial"] = b[fields[0][1]:fields[0][2]].hex()
    if len(fields) >= 3:
        c["issuer"] = der_name(b, fields[2][1], fields[2][2])
    if len(fields) >= 4:
        nb, na = der(b, fields[3][1]), der(b, der(b, fields[3][1])[2])
        c["nb"], c["na"] = der_time(b[nb[1]:nb[2]]), der_time(b[na[1]:na[2]])
    if len(fields) >= 5:
        c["subject"] = der_name(b, fields[4][1], fields[4][2])
    if len(fields) >= 6:
        alg = der(b, fields[5][1])
        c["key"] = oid(b[der(b, alg[1])[1]:der(b, alg[1])[2]])
    return c
problems, njoy, ncert, ncf, ncfcert, nch, npartial = [], 0, 0, 0, 0, 0, 0
name = cap.rsplit("/", 1)[-1]

def conn(a, ap, b, bp):
    return [h for h in hs if {(h["src"], h["sp"]), (h["dst"], h["dp"])} == {(a, ap), (b, bp)}]

# Joy flows
for line in open(joy_file):
    f = json.loads(line)
    if "sa" not in f or f.get("pr") != 6 or "tls" not in f:
        continue
    tls = f["tls"]
    t0, t1 = float(f["time_start"]) - 1e-6, float(f["time_end"]) + 1e-6
    mine = [h for h in conn(f["sa"], f["sp"], f["da"], f["dp"]) if t0 <= h["t"] <= t1]
    for key in ("s_cert", "c_cert"):
        if key not in tls:
            continue
        njoy += 1
        where = f"{name} flow {f['sa']}:{f['sp']}>{f['da']}:{f['dp']} {f['time_start']} {key}"
        # the side that sent it: the out side for the out role's key
        out_role = "c" if "c_version" in tls and list(tls).index("c_version") == 0 else "s"
        src = (f["sa"], f["sp"]) if key[0] == out_role else (f["da"], f["dp"])
        msgs = [h for h in mine if h["kind"] == "11" and (h["src"], h["sp"]) == src]
        want = [(l, c) for m in msgs for l, c in zip(m["lens"], m["certs"])][:4]
        got = tls[key]
        if len(got) != len(want):
            problems.append(f"{where}: {len(got)} certificates, tshark {len(want)}")
            continue
        for g, (l, c) in zip(got, want):
            ncert += 1
            if g["length"] != l:
                problems.append(f"{where}: length {g['length']} != {l}")
            if c is None or "serial_number" not in g and len(serial(c["serial"])) <= 48:
                problems.append(f"{where}: certificate not read ({g}) / tshark {c is not None}")
                continue
            if "serial_number" in g and g["serial_number"] != serial(c["serial"]):
                problems.append(f"{where}: serial {g['serial_number']} != {serial(c['serial'])}")
            for part in ("issuer", "subject"):
                w = [{LN.get(o, o)[:31]: joy_text(v or "")} for o, v in c[part]][:12]
                if g.get(part, []) != w:
                    problems.append(f"{where}: {part} {g.get(part)} != {w}")
            for k, t in (("validity_not_before", c["nb"]), ("validity_not_after", c["na"])):
                d = tshark_time(t or "")
                if d is None or g.get(k) != asn1_print(d):
                    problems.append(f"{where}: {k} {g.get(k)} != tshark {t}")
            if c["key"] in KEY and g.get("subject_public_key_algo") != KEY[c["key"]]:
                problems.append(f"{where}: key {g.get('subject_public_key_algo')} != {c['key']}")

# custom-flow records (bidirectional, nested JSON Lines)
def text_name(lst):
    return ", ".join(f"{SN.get(LN.get(o, o), LN.get(o, o))}={v}" for o, v in lst)
for path in glob.glob(f"{cf_dir}/bidirectional/*.jsonl"):
    for line in open(path):
        r = json.loads(line)
        r.update({f"tls_{k}": v for k, v in r.pop("tls").items()})  # the nested layout's struct tls
        if r.get("proto") != 6:
            continue
        if all(r.get(k) is None for k in ("tls_c_version", "tls_s_version", "tls_certs")):
            # and the converse: a record holding a connection's ClientHello has its columns, even
            # when no ChangeCipherSpec came in it (read at the record's end)
            t0, t1 = r["first_seen"] / 1e6 - 1e-6, r["last_seen"] / 1e6 + 1e-6
            ports = {r["device_port"], r["remote_port"]}
            if any(h["kind"] == "1" and {h["sp"], h["dp"]} == ports and t0 <= h["t"] <= t1 for h in hs):
                problems.append(f"{name} record {r['device_port']}<>{r['remote_port']} {r['first_seen']}: "
                                f"tshark reads a ClientHello in it, no tls columns")
            continue
        ncf += 1
        t0, t1 = r["first_seen"] / 1e6 - 1e-6, r["last_seen"] / 1e6 + 1e-6
        ports = {r["device_port"], r["remote_port"]}
        mine = [h for h in hs if {h["sp"], h["dp"]} == ports and t0 <= h["t"] <= t1]
        where = f"{name} record {r['device_port']}<>{r['remote_port']} {r['first_seen']}"
        ch = next((h for h in mine if h["kind"] == "1"), None)
        sh = next((h for h in mine if h["kind"] == "2"), None)
        cm = next((h for h in mine if h["kind"] == "11" and sh and h["src"] == sh["src"]), None)
        if r.get("tls_c_version") is None and ch:
            problems.append(f"{where}: tshark reads a ClientHello in it, no ClientHello columns")
        if r.get("tls_c_version") is not None:
            nch += 1
            if not ch:
                problems.append(f"{where}: ClientHello columns, tshark has none")
            else:
                for col, w in (("tls_c_version", ch["version"]), ("tls_sni", anon_name(ch["sni"]) if ch["sni"] is not None else None), ("tls_cs", ch["cs"][:128]),
                               ("tls_ext", ch["ext"][:64]), ("tls_groups", ch["groups"][:32]),
                               ("tls_ec_formats", ch["formats"][:8])):
                    if r.get(col) != w:
                        problems.append(f"{where}: {col} {str(r.get(col))[:60]} != tshark {str(w)[:60]}")
        if r.get("tls_s_version") is not None:
            if not sh:
                problems.append(f"{where}: ServerHello columns, tshark has none")
            else:
                if r["tls_s_version"] != (sh["sv"] or sh["version"]):
                    problems.append(f"{where}: tls_s_version {r['tls_s_version']} != {sh['sv'] or sh['version']}")
                if r.get("tls_scs") != (sh["cs"] or [None])[0]:
                    problems.append(f"{where}: tls_scs {r.get('tls_scs')} != {sh['cs']}")
        if r.get("tls_cert_subject") is not None:
            ncfcert += 1
            c = cm["certs"][0] if cm and cm["certs"] else None
            if not c:
                # tshark could not reassemble this connection's Certificate message (segments
                # not captured); the columns read its start at the record's end: compare them
                # with the certificate's start in the server's captured bytes
                pc = partial_cert(server_bytes(sh)) if sh else None
                if not pc or "subject" not in pc:
                    problems.append(f"{where}: certificate columns, tshark has no Certificate")
                    continue
                npartial += 1
                if not 1 <= (r.get("tls_certs") or 0) <= 4:
                    problems.append(f"{where}: tls_certs {r.get('tls_certs')} of a cut message")
                for col, w in (("tls_cert_serial", serial(pc["serial"])), ("tls_cert_subject", text_name(pc["subject"])),
                               ("tls_cert_issuer", text_name(pc["issuer"])),
                               ("tls_cert_not_before", pc["nb"].strftime("%Y-%m-%dT%H:%M:%SZ")),
                               ("tls_cert_not_after", pc["na"].strftime("%Y-%m-%dT%H:%M:%SZ")),
                               ("tls_cert_key_algo", KEY.get(pc.get("key"), r.get("tls_cert_key_algo")))):
                    if r.get(col) != w:
                        problems.append(f"{where}: {col} {r.get(col)} != {w} (the message's captured start)")
                continue
            else:
                # the certificates whose start the columns' 4 KB buffer holds (with the ServerHello's
                # record before them), at most 4
                fit = min(4, len(cm["certs"]))
                if sum(cm["lens"][:fit]) + 3 * fit + 200 > 4096:
                    fit = None
                if not 1 <= (r.get("tls_certs") or 0) <= min(4, len(cm["certs"])) or fit and r["tls_certs"] != fit:
                    problems.append(f"{where}: tls_certs {r.get('tls_certs')} != {len(cm['certs'])} ({cm['lens']})")
            if r.get("tls_cert_serial") != serial(c["serial"]):
                problems.append(f"{where}: tls_cert_serial {r.get('tls_cert_serial')} != {serial(c['serial'])}")
            for col, part in (("tls_cert_subject", "subject"), ("tls_cert_issuer", "issuer")):
                w = text_name(c[part])
                plain = all(v is not None and v.isprintable() and "\\" not in v for _, v in c[part])
                if plain and r.get(col) != w:
                    problems.append(f"{where}: {col} {r.get(col)} != {w}")
            for col, t in (("tls_cert_not_before", c["nb"]), ("tls_cert_not_after", c["na"])):
                d = tshark_time(t or "")
                if d is None or r.get(col) != d.strftime("%Y-%m-%dT%H:%M:%SZ"):
                    problems.append(f"{where}: {col} {r.get(col)} != tshark {t}")
            if c["key"] in KEY and r.get("tls_cert_key_algo") != KEY[c["key"]]:
                problems.append(f"{where}: tls_cert_key_algo {r.get('tls_cert_key_algo')} != {c['key']}")
for p in problems[:20]:
    print("  " + p)
print(f"{name}: {njoy} Joy certificate lists ({ncert} certificates), {ncf} custom-flow tls records "
      f"({nch} with a ClientHello, {ncfcert} with a certificate, {npartial} of them from a Certificate "
      f"message tshark could not reassemble, checked against its captured start), "
      f"{len(problems)} problems")
sys.exit(1 if problems else 0)
PY

ran=0 bad=0 nj=0 nc=0
while IFS= read -r c; do
    f=$CORPUS/$c
    [ -f "$f" ] || continue
    [ "$(tshark -r "$f" -Y tls.handshake.certificate 2>/dev/null | head -1 | wc -l)" = 1 ] || continue
    python3 "$T/tshark.py" "$f" "$T/hs.jsonl"
    case $? in 0) ;; 3) echo "$c: tshark cannot read it to its end: left out"; continue ;; *) fail "$c: tshark" ;; esac
    "$BIN" extract -f joy -o - "$f" > "$T/joy.ndjson" 2>"$T/err" || fail "$c: extract -f joy exited $? ($(tail -1 "$T/err"))"
    rm -rf "$T/cf"
    "$BIN" extract -q -f jsonl --features tls --variant bi --last-seen -o "$T/cf" "$f" 2>"$T/err" \
        || fail "$c: extract --features tls exited $? ($(tail -1 "$T/err"))"
    IOF_TEST_HERE=$HERE python3 "$T/check.py" "$T/hs.jsonl" "$T/joy.ndjson" "$T/cf" "$f" > "$T/res" || bad=1
    cat "$T/res"
    read -r a b < <(sed -n 's/.*: \([0-9]*\) Joy certificate lists.*, \([0-9]*\) with a certificate.*/\1 \2/p' "$T/res")
    nj=$((nj + ${a:-0})) nc=$((nc + ${b:-0})) ran=$((ran + 1))
done < <(awk -F'\t' 'NR > 1 && $1 !~ /^malformed\// && $10 ~ /TLS|x509/ { print $1 }' "$CORPUS/MANIFEST.tsv")
[ "$ran" -ge 3 ] || { echo "SKIP: fewer than 3 corpus captures with TLS certificates"; exit 77; }
[ "$bad" = 0 ] || fail "certificates or tls columns differ from tshark (above)"
[ "$nj" -ge 20 ] && [ "$nc" -ge 20 ] || fail "only $nj Joy certificate lists / $nc custom-flow certificates checked: too few"
echo "ok: $ran captures, $nj Joy certificate lists and $nc custom-flow records' certificates as tshark reads them"
