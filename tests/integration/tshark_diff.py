#!/usr/bin/env python3
"""Differential test: `iotflow extract` against tshark (an independent dissector).

For one capture: tshark dissects every frame (reassembly and defragmentation off, so each
frame is seen on its own); this script applies the custom-flow rules of
shared/spec/customflow.md to tshark's fields (device attribution, mirrored records, fixed
window, sizes = IP lengths, payload rules) and compares the resulting records with iotflow's
JSON Lines output, record by record: packet count, byte count, first_seen, and for the first
N packets the offsets, sizes, directions, payload bytes, plus the device MAC.

Only the outermost IP header and the transport header right after it count (the spec's
five-tuple is the outer one): tunnelled traffic (GRE, VXLAN, GENEVE, IP-in-IP), ICMP errors
quoting an inner datagram, and so on are compared on their outer headers, which is what both
tools see the same way. See docs/VALIDATION.md for every difference found and how it is
resolved.

Usage: tshark_diff.py --iotflow BIN --capture FILE [--tmp DIR] [--window S] [--packets N]
                      [--payload N] [-v]
Prints one verdict line "VERDICT <status> <details>"; exit 0 = agree, 1 = disagree,
2 = could not run.
"""
import argparse
import collections
import glob
import ipaddress
import json
import os
import subprocess
import sys

from anon_rule import is_local  # the local ranges (attribution and the anonymisation rule)

TSHARK_PREFS = [
    "-o", "tcp.desegment_tcp_streams:FALSE",
    "-o", "ip.defragment:FALSE",
    "-o", "ipv6.defragment:FALSE",
    "-o", "tcp.analyze_sequence_numbers:FALSE",
]

FIELDS = [
    "frame.number", "frame.time_epoch", "frame.protocols", "frame.len", "frame.cap_len",
    "eth.src", "eth.dst", "sll.src.eth", "sll.pkttype", "sll.halen",
    "ip.src", "ip.dst", "ip.proto", "ip.len", "ip.hdr_len", "ip.flags.mf", "ip.frag_offset",
    "ip.id",
    "ipv6.src", "ipv6.dst", "ipv6.plen", "ipv6.nxt",
    "ipv6.hopopts.nxt", "ipv6.routing.nxt", "ipv6.dstopts.nxt", "ipv6.fraghdr.nxt",
    "ipv6.fraghdr.offset", "ipv6.fraghdr.more", "ipv6.fraghdr.ident", "ah.next_header",
    "tcp.srcport", "tcp.dstport", "tcp.len", "tcp.hdr_len", "tcp.payload",
    "udp.srcport", "udp.dstport", "udp.length", "udp.payload",
    "data.data", "ipv6.opt.jumbo", "nflog.tlv_type", "nflog.tlv",
]
FI = {f: i for i, f in enumerate(FIELDS)}

# IPv6 extension headers iotflow follows (and tshark shows as their own layer), with the field
# that holds their next-header value.
EXT_TOKENS = {
    "ipv6.hopopts": "ipv6.hopopts.nxt",
    "ipv6.routing": "ipv6.routing.nxt",
    "ipv6.dstopts": "ipv6.dstopts.nxt",
    "ipv6.fraghdr": "ipv6.fraghdr.nxt",
    "ah": "ah.next_header",
}

# First layer of frames whose link type iotflow has no decoder for (spec §6 lists Ethernet,
# VLAN, SLL/SLL2, raw IP, null/loop, PPP; iotflow adds NFLOG; tshark decodes far more).
UNSUPPORTED_LINK = {"radiotap", "wlan_radio", "wlan", "wpan", "netlink", "mtp2"}
# Layers in front of the outer IP header that iotflow decodes. Anything else there (Cisco
# VN-Tag, MPLS pseudowires, ...) is an encapsulation iotflow counts as not-IP (l2.not_ip,
# mpls.not_ip).
SUPPORTED_L2 = {"", "eth", "ethertype", "vlan", "ieee8021ad", "null", "ppp", "raw", "sll",
                "pppoes", "mpls", "nflog"}
NFULA_HWADDR = 8
MAX_IP6_EXT = 16  # iotflow follows at most 16 IPv6 extension headers (IOF_MAX_IP6_EXT)
TS_MAX_S = (2**63 - 1) // 1000000000 - 1  # iotflow clamps later timestamps to INT64_MAX ns

MCAST_NETS = [ipaddress.ip_network(n) for n in ("224.0.0.0/4", "ff00::/8")]
BCAST = ipaddress.ip_address("255.255.255.255")
FRAG_TIMEOUT_US = 30 * 1000000  # iotflow's fragment table timeout (src/pipeline/run_int.h)


def nflog_src_mac(types, tlvs):
    """Source MAC of an NFLOG frame: the NFULA_HWADDR TLV (tshark splits the TLVs and finds
    their byte order) when its address length (network order) is 6. tlvs are whole TLVs in
    hex: 4-byte header, then {address length(2), pad(2), address(8)}."""
    for t, v in zip(types.split(",") if types else [], tlvs.split(",") if tlvs else []):
        if int(t) == NFULA_HWADDR and len(v) >= 2 * 14 and int(v[8:12], 16) == 6:
            return ":".join(v[i:i + 2] for i in range(16, 28, 2))
    return ""


def is_device_ip(a):
    if a == BCAST or any(a in n for n in MCAST_NETS):
        return False
    return is_local(a)


def ts_to_us(s):
    """frame.time_epoch 'SSSS.fffffffff' -> integer µs (floor), exactly, without floats.
    Seconds beyond what int64 nanoseconds can hold are clamped to INT64_MAX ns as iotflow
    does (src/capture/src_file.c ts_combine)."""
    neg = s.startswith("-")
    if neg:
        s = s[1:]
    sec, _, frac = s.partition(".")
    if int(sec) > TS_MAX_S:
        return (2**63 - 1) // 1000 * (-1 if neg else 1)
    ns = int(sec) * 1000000000 + int((frac + "000000000")[:9])
    if neg:
        ns = -ns
    return ns // 1000


def first(v):
    return v.split(",")[0] if v else ""


def occ(v, i):
    parts = v.split(",") if v else []
    return parts[i] if i < len(parts) else ""


def run_tshark(args, capture):
    p = subprocess.run(["tshark", "-n", "-r", capture] + TSHARK_PREFS + args,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"), p.returncode


class Pkt:
    __slots__ = ("num", "ts", "ver", "src", "dst", "proto", "sport", "dport", "iplen",
                 "payload", "smac", "dmac", "needs_raw", "l4tok", "l4occ", "iptok", "ipocc",
                 "frag_first", "frag_later", "frag_more", "frag_id", "caplen", "note")


def parse_fields(text):
    pkts = []
    skipped = collections.Counter()
    last_ts = 0
    for line in text.splitlines():
        f = line.split("\t")
        if len(f) < len(FIELDS):
            f += [""] * (len(FIELDS) - len(f))
        g = lambda name: f[FI[name]]
        # A pcapng Simple Packet Block has no timestamp (tshark shows none): iotflow gives it
        # the previous packet's timestamp (0 before the first one).
        ts = ts_to_us(g("frame.time_epoch")) if g("frame.time_epoch") else last_ts
        last_ts = ts
        toks = g("frame.protocols").split(":")
        if toks[0] in UNSUPPORTED_LINK:
            skipped["link type iotflow does not decode (%s)" % toks[0]] += 1
            continue
        ipk = next((k for k, t in enumerate(toks) if t in ("ip", "ipv6")), None)
        if ipk is None:
            skipped["not IP (tshark)"] += 1
            continue
        bad = [t for t in toks[:ipk] if t not in SUPPORTED_L2]
        if bad:
            skipped["encapsulation iotflow does not decode (%s)" % bad[0]] += 1
            continue
        v4 = toks[ipk] == "ip"
        if not (first(g("ip.src" if v4 else "ipv6.src")) and first(g("ip.dst" if v4 else "ipv6.dst"))
                and first(g("ip.len" if v4 else "ipv6.plen"))):
            skipped["IP header not dissected by tshark"] += 1
            continue
        p = Pkt()
        p.num = int(g("frame.number"))
        p.ts = ts
        p.caplen = int(g("frame.cap_len"))
        p.note = ""
        p.iptok = toks[ipk]
        p.ipocc = toks[:ipk].count(toks[ipk])
        if p.ipocc != 0:
            # an IPv4 header under an outer IPv6 one, or the reverse: take the outer family
            pass
        # MACs: outer Ethernet, the SLL sender address, or the NFLOG hardware address (the
        # sender's; NFLOG has no destination MAC)
        p.smac = first(g("eth.src")) or first(g("sll.src.eth"))
        if toks[0] == "nflog":
            p.smac = nflog_src_mac(g("nflog.tlv_type"), g("nflog.tlv"))
        p.dmac = first(g("eth.dst"))
        if not p.dmac and g("sll.pkttype") and first(g("sll.pkttype")) == "1":
            p.dmac = "ff:ff:ff:ff:ff:ff"
        # walk the IPv6 extension-header chain that follows the outer IP layer
        k = ipk + 1
        ext_seen = collections.Counter()
        ext_last = None
        while k < len(toks) and toks[k] in EXT_TOKENS:
            ext_last = (toks[k], ext_seen[toks[k]])
            ext_seen[toks[k]] += 1
            k += 1
        if sum(ext_seen.values()) > MAX_IP6_EXT:
            skipped["more than %d IPv6 extension headers (iotflow: ipv6.ext_too_many)"
                    % MAX_IP6_EXT] += 1
            continue
        p.l4tok = toks[k] if k < len(toks) else ""
        p.l4occ = toks[:k].count(p.l4tok) if p.l4tok else 0
        p.frag_first = p.frag_later = p.frag_more = False
        p.frag_id = None
        if p.iptok == "ip":
            # first occurrence = outermost IPv4 header (inner ones come later in the tree),
            # unless an IPv6 header is outside it (then ip fields belong to the inner one)
            p.ver = 4
            p.src = ipaddress.ip_address(first(g("ip.src")))
            p.dst = ipaddress.ip_address(first(g("ip.dst")))
            p.proto = int(first(g("ip.proto")), 0)
            p.iplen = int(first(g("ip.len")))
            mf = first(g("ip.flags.mf")) in ("1", "True")
            off = int(first(g("ip.frag_offset")) or 0)
            if mf or off:
                p.frag_first = off == 0
                p.frag_later = off != 0
                p.frag_more = mf
                p.frag_id = int(first(g("ip.id")), 0)
        else:
            p.ver = 6
            p.src = ipaddress.ip_address(first(g("ipv6.src")))
            p.dst = ipaddress.ip_address(first(g("ipv6.dst")))
            p.iplen = 40 + int(first(g("ipv6.plen")))
            jumbo = first(g("ipv6.opt.jumbo"))
            if p.iplen == 40 and jumbo:
                # RFC 2675 jumbogram: payload length 0, the real one is in hop-by-hop
                p.iplen = 40 + int(jumbo)
            nxt = int(first(g("ipv6.nxt")))
            if ext_last is not None:
                tok, i = ext_last
                v = occ(g(EXT_TOKENS[tok]), i)
                nxt = int(v) if v else nxt
            p.proto = nxt
            if ext_seen["ipv6.fraghdr"]:
                off = int(first(g("ipv6.fraghdr.offset")) or 0)
                mf = first(g("ipv6.fraghdr.more")) in ("1", "True")
                if off or mf:  # an atomic fragment (offset 0, M=0) is a whole datagram
                    p.frag_first = off == 0
                    p.frag_later = off != 0
                    p.frag_more = mf
                    p.frag_id = int(first(g("ipv6.fraghdr.ident")), 0)
        if p.frag_later:
            # data after the fragment header: tshark shows it as "data" (no defragmentation)
            p.sport = p.dport = 0
            p.payload = first(g("data.data"))
            p.needs_raw = p.l4tok != "data"
        elif p.l4tok == "tcp":
            p.sport, p.dport = int(first(g("tcp.srcport"))), int(first(g("tcp.dstport")))
            p.payload = first(g("tcp.payload"))
            p.needs_raw = False
            tlen = int(first(g("tcp.len")) or 0)
            if not p.payload and tlen > 0:
                # payload not (fully) captured: tshark omits tcp.payload; were any of its
                # bytes captured? (payload starts tcp.len bytes before the end of the frame)
                if p.caplen > int(g("frame.len")) - tlen:
                    p.needs_raw = True
        elif p.l4tok == "udp":
            p.sport, p.dport = int(first(g("udp.srcport"))), int(first(g("udp.dstport")))
            p.payload = first(g("udp.payload"))
            p.needs_raw = False
            ulen = int(first(g("udp.length")) or 0)
            if not p.payload and ulen > 8:
                if p.caplen > int(g("frame.len")) - (ulen - 8):
                    p.needs_raw = True
        else:
            # ICMP/ICMPv6 (payload after the first 8 bytes), and every other protocol (whole IP
            # payload): taken from the raw bytes
            p.sport = p.dport = 0
            p.payload = None
            p.needs_raw = True
        pkts.append(p)
    return pkts, skipped


def raw_of(layers, tok, i):
    v = layers.get(tok + "_raw")
    if v is None:
        return None
    if isinstance(v[0], list):
        return v[i] if i < len(v) else None
    return v if i == 0 else None


def fill_raw(pkts, capture, errors):
    need = [p for p in pkts if p.needs_raw]
    by_num = {p.num: p for p in need}
    for s in range(0, len(need), 500):
        chunk = need[s:s + 500]
        flt = "frame.number in {%s}" % ",".join(str(p.num) for p in chunk)
        out, err, rc = run_tshark(["-Y", flt, "-T", "json", "-x", "--no-duplicate-keys",
                                   "-j", "frame ip ipv6 tcp udp icmp icmpv6 data"], capture)
        if rc != 0:
            errors.append("tshark -T json exit %d: %s" % (rc, err.strip()[-200:]))
            return
        try:
            frames = json.loads(out) if out.strip() else []
        except ValueError as e:
            errors.append("tshark json: %s" % e)
            return
        for fr in frames:
            layers = fr["_source"]["layers"]
            num = int(layers["frame"]["frame.number"])
            p = by_num.get(num)
            if p is None:
                continue
            raw = bytes.fromhex(layers["frame_raw"][0])
            ipr = raw_of(layers, p.iptok, p.ipocc)
            if ipr is None:
                errors.append("frame %d: no raw bytes for %s" % (num, p.iptok))
                continue
            ip_end = min(ipr[1] + p.iplen, len(raw))
            if p.frag_later:
                l4r = raw_of(layers, p.l4tok, p.l4occ) if p.l4tok else None
                start = l4r[1] if l4r else ip_end
            elif p.l4tok in ("tcp", "udp"):
                l4r = raw_of(layers, p.l4tok, p.l4occ)
                hl = int(layers[p.l4tok].get("tcp.hdr_len", 20)) if p.l4tok == "tcp" else 8
                if isinstance(layers[p.l4tok], list):
                    hl = int(layers[p.l4tok][0].get("tcp.hdr_len", 20)) if p.l4tok == "tcp" else 8
                start = l4r[1] + hl
            elif p.l4tok in ("icmp", "icmpv6") and p.proto in (1, 58):
                l4r = raw_of(layers, p.l4tok, p.l4occ)
                start = l4r[1] + 8
            else:
                # other protocol: the whole IP payload, after the IP header and its extension
                # headers. The layer after the outer IP layer starts there.
                l4r = raw_of(layers, p.l4tok, p.l4occ) if p.l4tok else None
                if l4r is not None:
                    start = l4r[1]
                else:
                    start = ip_end  # nothing dissected after the IP header(s)
                    p.note = "no layer after IP"
            p.payload = raw[start:ip_end].hex() if start < ip_end else ""
            p.needs_raw = False
    for p in need:
        if p.needs_raw:
            errors.append("frame %d: tshark gave no raw bytes" % p.num)
            p.payload = ""


def resolve_fragments(pkts):
    """Later TCP/UDP fragments get the ports of their datagram's first fragment seen BEFORE
    them (iotflow cannot hold packets back: a later fragment that arrives first is an orphan
    and is dropped), within the fragment timeout."""
    table = {}
    clock = None
    out = []
    orphans = 0
    for p in pkts:
        clock = p.ts if clock is None else max(clock, p.ts)
        if p.frag_id is None or p.proto not in (6, 17):
            out.append(p)
            continue
        key = (p.ver, p.src, p.dst, p.proto, p.frag_id)
        if p.frag_first:
            table[key] = [p.sport, p.dport, clock]
            out.append(p)
            continue
        e = table.get(key)
        if e is None or clock - e[2] > FRAG_TIMEOUT_US:
            orphans += 1
            continue
        e[2] = clock
        p.sport, p.dport = e[0], e[1]
        out.append(p)
    return out, orphans


def is_group_mac(m):
    return int(m.split(":")[0], 16) & 1 == 1


def expected_records(pkts, window_us, inventory=None):
    """inventory None: devices are private/link-local IPs (spec §1, no --devices) sent from /
    to a unicast MAC;
    else a set of MACs: a sender is a device when its source MAC is listed, a receiver when
    its destination MAC is listed (a group MAC or a broadcast/multicast destination IP never
    is)."""
    live = {}
    recs = []
    unattributed = 0
    for p in pkts:
        views = []
        if inventory is None:
            # group MACs are never devices, whatever the IP says (docs/OUTPUT.md): a subnet
            # broadcast to 192.168.1.255 goes to ff:ff:ff:ff:ff:ff
            src_dev = is_device_ip(p.src) and not (p.smac and is_group_mac(p.smac))
            dst_dev = is_device_ip(p.dst) and not (p.dmac and is_group_mac(p.dmac))
            same = src_dev and p.src == p.dst
        else:
            src_dev = bool(p.smac) and p.smac in inventory
            dst_dev = p.dst != BCAST and not any(p.dst in n for n in MCAST_NETS) and \
                bool(p.dmac) and not is_group_mac(p.dmac) and p.dmac in inventory
            same = src_dev and p.src == p.dst and p.smac == p.dmac
        if src_dev:
            views.append((p.src, p.dst, p.sport, p.dport, 1))
        # a packet from an endpoint to itself (same address and port: loopback pings) is one
        # view, not two mirrored views of the same key (iotflow src/flow/attrib.c; the spec is
        # silent, see docs/VALIDATION.md)
        if dst_dev and not (same and p.sport == p.dport):
            views.append((p.dst, p.src, p.dport, p.sport, 0))
        if not views:
            unattributed += 1
        for dev, rem, dport_, rport, d in views:
            key = (dev, rem, p.proto, dport_, rport)
            if inventory is not None:
                # iotflow keys inventory records by (device, five-tuple): see VALIDATION.md
                key += ((p.smac if d == 1 else p.dmac),)
            r = live.get(key)
            if r is None or p.ts >= r["first_seen"] + window_us:
                r = {"key": key, "first_seen": p.ts, "pkts": [], "mac": None, "up_mac": None,
                     "down_mac": None}
                live[key] = r
                recs.append(r)
            r["pkts"].append((max(0, p.ts - r["first_seen"]), p.iplen, d, p.payload or "", p.num))
            if d == 1 and r["up_mac"] is None and p.smac:
                r["up_mac"] = p.smac
            if d == 0 and r["down_mac"] is None and p.dmac:
                r["down_mac"] = p.dmac
    return recs, unattributed


def load_iotflow(outdir):
    rows = []
    for fn in sorted(glob.glob(os.path.join(outdir, "**", "*.jsonl"), recursive=True)):
        with open(fn) as fh:
            for line in fh:
                rows.append(json.loads(line))
    return rows


def norm_ip(s):
    return ipaddress.ip_address(s)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iotflow", required=True)
    ap.add_argument("--capture", required=True)
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--window", type=int, default=31536000)
    ap.add_argument("--packets", type=int, default=1000)
    ap.add_argument("--payload", type=int, default=65535)
    ap.add_argument("--mac-inventory", action="store_true",
                    help="attribute by MAC: every unicast source MAC tshark sees is written to "
                         "a --devices inventory (so captures with only public addresses, "
                         "tunnels, etc. give records too)")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--mutate", action="store_true",
                    help="negative control: corrupt the tshark side (one payload byte and one "
                         "size of a record, and drop one packet) so the comparison must fail")
    a = ap.parse_args()

    text, err, rc = run_tshark(["-T", "fields", "-E", "separator=/t", "-E", "occurrence=a",
                                "-E", "aggregator=,"] + sum((["-e", f] for f in FIELDS), []),
                               a.capture)
    if rc != 0:
        print("VERDICT ERROR tshark exit %d: %s" % (rc, err[-300:]))
        return 2
    errors = []
    pkts, skipped = parse_fields(text)
    inventory = None
    names = {}
    outdir = os.path.join(a.tmp, "out")
    stats = os.path.join(a.tmp, "stats.json")
    cmd = [a.iotflow, "extract", "-q", "-f", "jsonl", "--variant", "bi", "--keep-private-ips",
           "--hash-seed", "1", "--window", str(a.window), "--packets", str(a.packets),
           "--payload", str(a.payload), "-o", outdir, "--stats", stats]
    if a.mac_inventory:
        inventory = sorted({p.smac for p in pkts if p.smac and not is_group_mac(p.smac)})
        inv_path = os.path.join(a.tmp, "devices.csv")
        with open(inv_path, "w") as fh:
            for i, m in enumerate(inventory):
                fh.write("%s,dev%d,type%d\n" % (m, i, i % 3))
        names = {m: "dev%d" % i for i, m in enumerate(inventory)}
        inventory = set(inventory)
        cmd += ["--devices", inv_path]
    p = subprocess.run(cmd + [a.capture], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        lines = p.stderr.decode("utf-8", "replace").splitlines()
        key = [l for l in lines if "runtime error" in l or "Sanitizer" in l] or lines[-3:]
        print("VERDICT ERROR iotflow exit %d: %s" % (p.returncode, " | ".join(key)[:400]))
        return 2
    got = load_iotflow(outdir)
    with open(stats) as fh:
        st = json.load(fh)
    fill_raw(pkts, a.capture, errors)
    pkts, orphans = resolve_fragments(pkts)
    window_us = a.window * 1000000
    exp, unattr = expected_records(pkts, window_us, inventory)
    if a.mutate and exp:
        r = max(exp, key=lambda r: len(r["pkts"]))
        off, size, d, pl, num = r["pkts"][0]
        pl = ("%02x" % (int(pl[:2], 16) ^ 1) + pl[2:]) if pl else "00"
        r["pkts"][0] = (off, size + 1, d, pl, num)
        if len(r["pkts"]) > 1:
            r["pkts"].pop()

    # iotflow rows are keyed by what they show: device MAC, remote IP, proto, ports, and
    # first_seen; pair the rest up in a stable order.
    def mac_of(r):
        return r["up_mac"] or r["down_mac"] or ""

    def ekey(r):
        dev, rem, proto, dp, rp = r["key"][:5]
        return (mac_of(r), rem, proto, dp, rp, r["first_seen"])

    def gkey(g):
        return (g["device"], norm_ip(g["remote_ip"]), g["proto"], g["device_port"],
                g["remote_port"], g["first_seen"])

    E = collections.defaultdict(list)
    for r in exp:
        E[ekey(r)].append(r)
    G = collections.defaultdict(list)
    for g in got:
        G[gkey(g)].append(g)

    problems = []
    for k in sorted(set(E) | set(G), key=lambda k: (str(k[1]), k[2], k[3], k[4], k[5], k[0])):
        es = sorted(E.get(k, []), key=lambda r: (len(r["pkts"]), sum(x[1] for x in r["pkts"])))
        gs = sorted(G.get(k, []), key=lambda g: (g["packets"], g["bytes"]))
        kt = "dev=%s rem=%s proto=%d ports=%d/%d first_seen=%d" % (k[0] or "-", k[1], k[2], k[3],
                                                                   k[4], k[5])
        if len(es) != len(gs):
            frames = [x[4] for r in es for x in r["pkts"]][:8]
            problems.append("%s: tshark gives %d record(s), iotflow %d (frames %s)"
                            % (kt, len(es), len(gs), frames))
            continue
        for r, g in zip(es, gs):
            pk = r["pkts"]
            n = len(pk)
            diffs = []
            if g["packets"] != n:
                diffs.append("packets %d != %d" % (g["packets"], n))
            b = sum(x[1] for x in pk)
            if g["bytes"] != b:
                diffs.append("bytes %d != %d" % (g["bytes"], b))
            m = min(n, a.packets)
            for name, idx in (("pkt_offset_us", 0), ("pkt_size", 1), ("pkt_dir", 2)):
                want = [x[idx] for x in pk[:m]]
                if g[name] != want:
                    j = next((i for i in range(min(len(want), len(g[name])))
                              if want[i] != g[name][i]), min(len(want), len(g[name])))
                    diffs.append("%s[%d] got %s want %s (frame %s)" % (
                        name, j, g[name][j] if j < len(g[name]) else "none",
                        want[j] if j < len(want) else "none", pk[j][4] if j < n else "?"))
            wantp = [x[3][:2 * a.payload] for x in pk[:m]]
            if g["payload"] != wantp:
                j = next((i for i in range(min(len(wantp), len(g["payload"])))
                          if wantp[i] != g["payload"][i]), 0)
                gp = g["payload"][j] if j < len(g["payload"]) else "none"
                diffs.append("payload[%d] (frame %s) got %d bytes %s.. want %d bytes %s.." % (
                    j, pk[j][4] if j < n else "?", len(gp) // 2, gp[:24],
                    len(wantp[j]) // 2 if j < len(wantp) else -1,
                    wantp[j][:24] if j < len(wantp) else ""))
            if inventory is not None and g["device_name"] != names.get(k[0]):
                diffs.append("device_name %s != %s" % (g["device_name"], names.get(k[0])))
            if diffs:
                problems.append("%s: %s" % (kt, "; ".join(diffs)))

    nexp = sum(len(r["pkts"]) for r in exp)
    ngot = sum(g["packets"] for g in got)
    info = "records=%d/%d views=%d/%d ip_frames=%d skipped=%d unattr=%d/%d orphans=%d/%d" % (
        len(got), len(exp), ngot, nexp, len(pkts), sum(skipped.values()), st["packets"]["unattributed"], unattr,
        st["fragments"]["orphans"], orphans)
    if st["packets"]["unattributed"] != unattr:
        problems.append("stats unattributed %d != %d" % (st["packets"]["unattributed"], unattr))
    if st["packets"]["device_views"] != nexp:
        problems.append("stats device_views %d != %d" % (st["packets"]["device_views"], nexp))
    for e in errors:
        problems.append("comparison: " + e)
    if a.verbose:
        for k, v in sorted(skipped.items()):
            print("  skipped %d frame(s): %s" % (v, k))
    if problems:
        print("VERDICT FAIL %s" % info)
        for pr in problems[: (10000 if a.verbose else 12)]:
            print("  - " + pr)
        if len(problems) > 12 and not a.verbose:
            print("  ... %d more" % (len(problems) - 12))
        return 1
    print("VERDICT PASS %s" % info)
    return 0


if __name__ == "__main__":
    sys.exit(main())
