#!/usr/bin/env bash
# The Joy tls module (src/features/f_tls.c, docs/JOY.md "tls") against tshark on the corpus
# captures whose MANIFEST.tsv description mentions TLS: `iotflow extract -f joy -o -` on each,
# then every flow whose "tls" object has a hello's suites ("cs" or "scs") is checked against
# tshark's hellos of the same TCP connection (either direction, the flow's addresses and ports)
# sent between the flow's time_start and time_end:
#  - "cs" = the first ClientHello's tls.handshake.ciphersuite list (its first 256: Joy's MAX_CS),
#    and "sni" = [its server_name] when tshark reads one, absent when it reads none;
#  - "scs" = the first ServerHello's selected suite;
#  - c_version / s_version (both are the out side's version in Joy 3.0.3) = Joy's number (2
#    SSLv3 .. 5 TLS 1.2) of the out side's first hello's legacy version.
# Requires at least 30 flows checked with a ClientHello and 20 with a ServerHello (so it can
# fail); skips (77) without tshark or the corpus.
source "$(dirname "$0")/lib.bash"
need_corpus
need_tshark

cat > "$T/check.py" <<'PY'
import decimal, json, subprocess, sys
ndjson, cap = sys.argv[1], sys.argv[2]
flows = [json.loads(l, parse_float=decimal.Decimal) for l in open(ndjson) if l.strip()]
flows = [f for f in flows if "sa" in f and f.get("pr") == 6 and "tls" in f]
F = ["frame.time_epoch", "ip.src", "tcp.srcport", "ip.dst", "tcp.dstport", "tls.handshake.type",
     "tls.handshake.version", "tls.handshake.extensions_server_name", "tls.handshake.ciphersuite"]
args = ["tshark", "-r", cap, "-Y", "ip && tcp && (tls.handshake.type == 1 || tls.handshake.type == 2)",
        "-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,"]
for x in F:
    args += ["-e", x]
out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
hellos = []   # (time, src, sport, dst, dport, kind, version, sni, suites)
for line in out.splitlines():
    t, s, sp, d, dp, types, ver, sni, cs = (line.split("|") + [""] * 9)[:9]
    types = types.split(",")
    suites = [x[2:] if x.startswith("0x") else x for x in cs.split(",") if x]
    for kind in ("1", "2"):
        if kind in types:
            hellos.append((decimal.Decimal(t), s, int(sp), d, int(dp), kind, ver.split(",")[0], sni, suites))
JOYV = {"0x0300": 2, "0x0301": 3, "0x0302": 4, "0x0303": 5, "0x0304": 6}
problems, nc, ns = [], 0, 0
for f in flows:
    tls = f["tls"]
    if "cs" not in tls and "scs" not in tls:
        continue
    ends = {(f["sa"], f["sp"]), (f["da"], f["dp"])}
    t0, t1 = decimal.Decimal(f["time_start"]), decimal.Decimal(f["time_end"])
    mine = [h for h in hellos if {(h[1], h[2]), (h[3], h[4])} == ends and t0 <= h[0] <= t1]
    ch = next((h for h in mine if h[5] == "1"), None)
    sh = next((h for h in mine if h[5] == "2"), None)
    where = f"{cap.rsplit('/', 1)[-1]} flow {f['sa']}:{f['sp']}>{f['da']}:{f['dp']} {f['time_start']}"
    if "cs" in tls:
        nc += 1
        if not ch:
            problems.append(f"{where}: cs written, tshark has no ClientHello in the flow")
        else:
            if tls["cs"] != ch[8][:256]:
                problems.append(f"{where}: cs {tls['cs'][:4]}... != tshark {ch[8][:4]}...")
            want = [ch[7]] if ch[7] else None
            if tls.get("sni") != want:
                problems.append(f"{where}: sni {tls.get('sni')} != tshark {want}")
    if "scs" in tls:
        ns += 1
        if not sh:
            problems.append(f"{where}: scs written, tshark has no ServerHello in the flow")
        elif tls["scs"] != (sh[8] or [None])[0]:
            problems.append(f"{where}: scs {tls['scs']} != tshark {sh[8]}")
    first = next((h for h in mine if (h[1], h[2]) == (f["sa"], f["sp"])), None)
    key = "c_version" if first and first[5] == "1" else "s_version"
    if first and tls.get(key) != JOYV.get(first[6]):
        problems.append(f"{where}: {key} {tls.get(key)} != Joy's number of tshark's {first[6]}")
for p in problems[:20]:
    print("  " + p)
print(f"{cap.rsplit('/', 1)[-1]}: {len(flows)} tls flows, {nc} with a ClientHello, {ns} with a ServerHello checked, {len(problems)} problems")
sys.exit(1 if problems else 0)
PY

ran=0 bad=0 nc=0 ns=0
while IFS= read -r c; do
    f=$CORPUS/$c
    [ -f "$f" ] || continue
    "$BIN" extract -f joy -o - "$f" > "$T/out.ndjson" 2>"$T/err" \
        || fail "$c: extract exited $? ($(tail -1 "$T/err"))"
    python3 "$T/check.py" "$T/out.ndjson" "$f" > "$T/res" || bad=1
    grep -q " 0 tls flows" "$T/res" || cat "$T/res"
    read -r a b < <(sed -n 's/.* \([0-9]*\) with a ClientHello, \([0-9]*\) with a ServerHello.*/\1 \2/p' "$T/res")
    nc=$((nc + ${a:-0})) ns=$((ns + ${b:-0})) ran=$((ran + 1))
done < <(awk -F'\t' 'NR > 1 && $10 ~ /TLS/ { print $1 }' "$CORPUS/MANIFEST.tsv")
[ "$ran" -ge 5 ] || { echo "SKIP: fewer than 5 TLS captures in the corpus"; exit 77; }
[ "$bad" = 0 ] || fail "tls differs from tshark (above)"
[ "$nc" -ge 30 ] && [ "$ns" -ge 20 ] || fail "only $nc ClientHello / $ns ServerHello flows checked: too few for the test to mean anything"
echo "ok: $ran captures, $nc flows' ClientHello and $ns flows' ServerHello as tshark reads them"
