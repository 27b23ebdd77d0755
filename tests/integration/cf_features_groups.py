"""cf_features.sh's checks of --features splt,wht,dns,dhcp,payload (see there): argv[1] is its temporary
directory (gn: nested JSON Lines; gd: the same with an inventory of the DHCP clients; gw: wide
CSV; gpq.sum: DuckDB's sums over the Parquet files), argv[2:] the captures. Every record is matched with tshark's frames of its five-tuple
inside its window, and its columns are recomputed from tshark's reading (splt: frame times, UDP
length - 8 / tcp.len; dns: dns.* fields; dhcp: dhcp.* fields; payload: udp.payload / tcp.payload) or, for wht, from the record's own
payload list (--packets 1000 --payload 65535; records of at most 1000 packets)."""
import csv
import glob
import json
import os
import sys

from nested_rows import flat
from tshark_fields import first, record_sides, tshark_frames

T, CAPS = sys.argv[1], sys.argv[2:]
WINDOW_US = 60_000_000
N = 50
FIELDS = ["frame.time_epoch", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "ip.proto", "ipv6.nxt", "udp.srcport",
          "udp.dstport", "udp.length", "tcp.srcport", "tcp.dstport", "tcp.len", "dns.flags.response", "dns.qry.name",
          "dns.qry.type", "dns.flags.rcode", "dns.count.answers", "dns.resp.type", "dns.a", "dns.aaaa", "dhcp.type",
          "dhcp.cookie", "dhcp.option.dhcp", "dhcp.option.hostname", "dhcp.option.vendor_class_id",
          "dhcp.option.request_list_item", "udp.payload", "tcp.payload"]
bad = []
stats = {k: 0 for k in ["records", "matched", "splt", "splt_entries", "wht", "payload", "dns", "dns_q", "dns_addrs", "mdns",
                        "dhcp", "dhcp_host", "dhcp_params"]}


def frames(cap):
    res = []
    for d in tshark_frames(cap, FIELDS, ["-o", "ip.defragment:FALSE"]):
        proto = first(d["ip.proto"]) or first(d["ipv6.nxt"])
        if d["udp.srcport"]:
            sp, dp, plen = int(first(d["udp.srcport"])), int(first(d["udp.dstport"])), int(first(d["udp.length"])) - 8
        elif d["tcp.srcport"]:
            sp, dp, plen = int(first(d["tcp.srcport"])), int(first(d["tcp.dstport"])), int(first(d["tcp.len"]) or 0)
        else:
            sp = dp = plen = None
        pay = first(d["udp.payload"]) or first(d["tcp.payload"])
        res.append(dict(d, proto=int(proto) if proto else None, sp=sp, dp=dp, plen=plen, pay=pay.replace(":", "")))
    return res


def jsonl(root):
    out = {}
    for p in sorted(glob.glob(f"{root}/*/*.jsonl")):
        with open(p) as fh:
            out[os.path.relpath(p, root)] = [flat(json.loads(line)) for line in fh]
    return out


def sides(r, fr):
    """The record's frames, out (device -> remote) and in, as tshark read them."""
    return record_sides(r, fr, WINDOW_US, r["proto"])


def splt(out, inn):
    """Joy's packets[] convention, independently: data packets per side, merged by time (in first on a tie)."""
    a = [(f["ts"], f["plen"]) for f in out if f["plen"]][:N]
    b = [(f["ts"], -f["plen"]) for f in inn if f["plen"]][:N]
    start = min(x[0]["ts"] for x in (out, inn) if x)
    lens, ipts, i, j, prev = [], [], 0, 0, start
    while (i < len(a) or j < len(b)) and len(lens) < N:
        take_b = j < len(b) and (i >= len(a) or b[j][0] <= a[i][0])
        t, n = b[j] if take_b else a[i]
        i, j = (i, j + 1) if take_b else (i + 1, j)
        lens.append(n)
        ipts.append((t - prev) // 1000)
        prev = t
    return lens, ipts


def wht(r):
    s, n = [0, 0, 0, 0], 0
    for h in r["payload"]:
        d = bytes.fromhex(h)
        n += len(d)
        d += bytes(-len(d) % 4)
        for k in range(0, len(d), 4):
            x0, x1, x2, x3 = d[k:k + 4]
            s[0] += x0 + x1 + x2 + x3
            s[1] += x0 - x1 + x2 - x3
            s[2] += x0 + x1 - x2 - x3
            s[3] += x0 - x1 - x2 + x3
    return [None] * 4 if n == 0 else [round(v / n, 6) for v in s]


def is_dns(f):
    return f["plen"] is not None and f["plen"] >= 12 and f["dns.flags.response"] != ""


def dns_side(fs):
    q = next((f for f in fs if f["dns.qry.name"]), None)
    rs = [f for f in fs if first(f["dns.flags.response"]) in ("1", "True")]
    addrs = []
    for f in rs:
        types = f["dns.resp.type"].split("|") if f["dns.resp.type"] else []
        a4 = f["dns.a"].split("|") if f["dns.a"] else []
        a6 = f["dns.aaaa"].split("|") if f["dns.aaaa"] else []
        for t in types[: int(first(f["dns.count.answers"]) or 0)]:
            if t == "1" and a4:
                addrs.append(a4.pop(0))
            elif t == "28" and a6:
                addrs.append(a6.pop(0))
    return dict(q=q, r=rs[0] if rs else None, answers=sum(int(first(f["dns.count.answers"]) or 0) for f in rs),
                addrs=addrs[:8], n=len(fs))


def dns_expect(out, inn, bi):
    so = dns_side([f for f in out if is_dns(f)])
    si = dns_side([f for f in inn if is_dns(f)]) if bi else dict(q=None, r=None, answers=0, addrs=[], n=0)
    qs = min((x for x in (so, si) if x["q"]), key=lambda x: (x["q"]["ts"], x is si), default=None)
    rs = min((x for x in (so, si) if x["r"]), key=lambda x: (x["r"]["ts"], x is so), default=None)
    return {
        "dns_messages": so["n"] + si["n"] or None,
        "dns_qname": first(qs["q"]["dns.qry.name"]) if qs else None,
        "dns_qtype": int(first(qs["q"]["dns.qry.type"])) if qs else None,
        "dns_rcode": int(first(rs["r"]["dns.flags.rcode"])) if rs else None,
        "dns_answers": so["answers"] + si["answers"] if rs else None,
        "dns_addrs": rs["addrs"] if rs else None,
    }


def dhcp_side(fs):
    fs = [f for f in fs if f["dhcp.cookie"]]
    reqs = [f for f in fs if first(f["dhcp.type"]) == "1"]

    def opt(name):
        return next((f[name] for f in reqs if f[name]), None)
    params = opt("dhcp.option.request_list_item")
    return dict(n=len(fs), ts=fs[0]["ts"] if fs else None, type=first(fs[0]["dhcp.option.dhcp"]) if fs else "",
                host=opt("dhcp.option.hostname"), vendor=opt("dhcp.option.vendor_class_id"),
                params=[int(x) for x in params.split("|")][:64] if params else None)


def dhcp_expect(out, inn, bi):
    so, si = dhcp_side(out), dhcp_side(inn if bi else [])
    ft = so if so["n"] and (not si["n"] or so["ts"] <= si["ts"]) else si
    e = {"dhcp_messages": so["n"] + si["n"] or None,
         "dhcp_msg_type": int(ft["type"]) if ft["n"] and ft["type"] else None}
    for col, k in (("dhcp_hostname", "host"), ("dhcp_vendor_class", "vendor"), ("dhcp_params", "params")):
        e[col] = so[k] if so[k] is not None else si[k]
    return e


nj = jsonl(f"{T}/gn")
fr = [f for c in CAPS for f in frames(c)]
# gd: the same captures with an inventory of the DHCP clients, so that their broadcasts from
# 0.0.0.0 (no local address: unattributed without one) are theirs
for fname, rows in [(k, v) for root in ("gn", "gd") for k, v in jsonl(f"{T}/{root}").items()]:
    bi = fname.startswith("bidirectional")
    for i, r in enumerate(rows):
        stats["records"] += 1
        if r["proto"] not in (6, 17):
            continue
        out, inn = sides(r, fr)
        if not bi:
            inn = []
        if len(out) + len(inn) != r["packets"]:
            continue   # fragments, tunnels, another capture's frames: not this reading's record
        stats["matched"] += 1
        where = f"{fname}:{i} {r['device_ip']}:{r['device_port']}-{r['remote_ip']}:{r['remote_port']}"
        lens, ipts = splt(out, inn)
        got = (r["splt_count"], r["splt_len"], r["splt_ipt"])
        if got != (len(lens), lens, ipts):
            bad.append(f"{where}: splt {got} want {(len(lens), lens, ipts)}")
        stats["splt"] += bool(lens)
        stats["splt_entries"] += len(lens)
        if r["packets"] <= 1000:
            w = wht(r)
            if [r[f"wht_{k}"] for k in range(4)] != w and any(
                    x is None or abs(x - y) > 1.01e-6 for x, y in zip(w, [r[f"wht_{k}"] for k in range(4)])):
                bad.append(f"{where}: wht {[r[f'wht_{k}'] for k in range(4)]} want {w}")
            stats["wht"] += w[0] is not None
        # payload: each direction's first packet with payload, its first 32 bytes (tshark's udp/tcp.payload)
        for col, fs in (("payload_out", out), ("payload_in", inn)):
            want = next((f["pay"][:64] for f in fs if f["pay"]), None)
            if r[col] != want:
                bad.append(f"{where}: {col} {r[col]!r} want {want!r}")
            stats["payload"] += want is not None
        # port 53, and mDNS / LLMNR (5353, 5355: tshark reads them into the same dns.* fields)
        ports = {r["device_port"], r["remote_port"]}
        dns = r["proto"] == 17 and bool(ports & {53, 5353, 5355})
        stats["mdns"] += dns and not ports & {53} and r["dns_messages"] is not None
        dhcp = r["proto"] == 17 and {r["device_port"], r["remote_port"]} == {67, 68}
        # each group against its expectation (not its ports: null)
        for on, expect, counted in ((dns, dns_expect, (("dns", None), ("dns_q", "dns_qname"), ("dns_addrs", "dns_addrs"))),
                                    (dhcp, dhcp_expect, (("dhcp", None), ("dhcp_host", "dhcp_hostname"),
                                                         ("dhcp_params", "dhcp_params")))):
            e = expect(out, inn, bi)
            if not on:
                e = {k: None for k in e}
            for k, v in e.items():
                if r[k] != v:
                    bad.append(f"{where}: {k} {r[k]!r} want {v!r}")
            for stat, col in counted if on else ():
                stats[stat] += col is None or bool(e[col])
print("groups: " + ", ".join(f"{k} {v}" for k, v in stats.items()))
if (stats["matched"] < 0.9 * stats["records"] or stats["splt"] < 100 or stats["wht"] < 100 or stats["payload"] < 100 or stats["dns_q"] < 20
        or stats["dns_addrs"] < 10 or stats["mdns"] < 10 or stats["dhcp_host"] < 2 or stats["dhcp_params"] < 2):
    bad.append("too few records of a kind to prove anything")

# wide CSV (splt_len_NN ..., dns_addrs / dhcp_params as text) = nested JSON Lines
ncsv = 0
for p in sorted(glob.glob(f"{T}/gw/*/*.csv")):
    f = os.path.relpath(p, f"{T}/gw").replace(".csv", ".jsonl")
    with open(p, newline="") as fh:
        rows = list(csv.DictReader(fh))
    if f not in nj or len(nj[f]) != len(rows):
        bad.append(f"{p}: not the nested run's records")
        continue
    for i, (w, j) in enumerate(zip(rows, nj[f])):
        n = int(w["splt_count"])
        if n != j["splt_count"] or [int(w[f"splt_len_{k:02d}"]) for k in range(n)] != j["splt_len"] or \
                [int(w[f"splt_ipt_{k:02d}"]) for k in range(n)] != j["splt_ipt"] or \
                any(w[f"splt_len_{k:02d}"] != "" for k in range(n, N)):
            bad.append(f"{p}:{i}: splt columns differ from the nested lists")
        if (w["payload_out"] or None) != j["payload_out"]:
            bad.append(f"{p}:{i} payload_out: csv {w['payload_out']!r}, jsonl {j['payload_out']!r}")
        addrs = None if j["dns_addrs"] is None else " ".join(j["dns_addrs"])
        params = None if j["dhcp_params"] is None else ",".join(map(str, j["dhcp_params"]))
        for k, v in (("dns_addrs", addrs), ("dhcp_params", params), ("dns_qname", j["dns_qname"]),
                     ("dhcp_hostname", j["dhcp_hostname"])):
            if (w[k] or None) != (v or None):
                bad.append(f"{p}:{i} {k}: csv {w[k]!r}, jsonl {v!r}")
        ncsv += 1
print(f"wide csv: {ncsv} rows compared with the nested JSON Lines")
if ncsv != sum(len(v) for v in nj.values()):
    bad.append("the wide CSV has other rows")

# Parquet (DuckDB's reading through pqcheck) = CSV, on sums over the columns
if os.path.exists(f"{T}/gpq.sum"):
    want = [0, 0, 0, 0, 0]
    for p in glob.glob(f"{T}/gw/*/*.csv"):
        with open(p, newline="") as fh:
            for w in csv.DictReader(fh):
                want[0] += 1
                want[1] += int(w["splt_count"])
                want[2] += sum(int(w[f"splt_len_{k:02d}"] or 0) for k in range(N))
                want[3] += w["dns_qname"] != ""
                want[4] += len(w["dhcp_params"])
    with open(f"{T}/gpq.sum") as fh:
        got = json.loads(fh.readline())
    got = [int(got[k] or 0) for k in ("n", "c", "l", "q", "p")]
    if got != want:
        bad.append(f"Parquet sums {got}, CSV {want}")
    print(f"parquet: sums {got} as the CSV's")

for b in bad[:20]:
    print(b)
sys.exit(1 if bad else 0)
