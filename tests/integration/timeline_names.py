#!/usr/bin/env python3
"""The timeline's names (extract --table timeline --features dns,tls) against tshark
(tests/integration/timeline_names.sh).

  timeline_names.py PACKETS.tsv RESPONSES.tsv HELLOS.tsv MAC DEVICE FILE.csv|FILE.jsonl...

PACKETS.tsv: tshark's packets (frame.time_epoch, eth.src, eth.dst, ip.src, ipv6.src, ip.dst,
ipv6.dst, ip.proto, ipv6.nxt, tcp.srcport, tcp.dstport, udp.srcport, udp.dstport; first
occurrences). RESPONSES.tsv and HELLOS.tsv: as dns_labels.py and sni_labels.py read them (their
loaders are used). The run's inventory has one device, MAC, named DEVICE: a packet is the
device's when MAC is its source or destination, the device's address is the address on that
side.

What each row of second S must list (docs/OUTPUT.md "The timeline table"), from tshark alone:
  dns_names: for every flow (device address, remote address, protocol, ports) with packets in S,
             the names the device resolved the remote to by the flow's first packet of S;
  tls_names: for every TCP flow with packets in S, the server name of the newest ClientHello of
             its five-tuple (either side the client) by the flow's last packet of S;
distinct, sorted bytewise, at most 16 each; names_dropped = the rest. Rows of seconds without
names list none. Exits 1 listing the first differences; prints what it compared.
"""
import csv
import json
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from anon_rule import anon_name  # noqa: E402
import dns_labels  # noqa: E402
import sni_labels  # noqa: E402

MAX = 16


def packets(path, mac):
    """(second, flow) -> [first_us, last_us] of the device's packets."""
    flows = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            c = line.rstrip("\n").split("\t")
            if len(c) < 13:
                continue
            src, dst = c[3] or c[4], c[5] or c[6]
            if not src or not dst:
                continue
            if c[1].lower() == mac:
                dev, rem, out = src, dst, True
            elif c[2].lower() == mac:
                dev, rem, out = dst, src, False
            else:
                continue
            if c[9]:
                proto, sp, dp = "tcp", int(c[9]), int(c[10])
            elif c[11]:
                proto, sp, dp = "udp", int(c[11]), int(c[12])
            else:
                proto, sp, dp = c[7] or c[8], 0, 0
            dport, rport = (sp, dp) if out else (dp, sp)
            us = int(Decimal(c[0]) * 1000000)
            key = (us // 1000000, (dev, rem, proto, dport, rport))
            span = flows.setdefault(key, [us, us])
            span[0], span[1] = min(span[0], us), max(span[1], us)
    return flows


# the anonymisation rule (anon_rule.py; the runs keep its default): a server name that is a
# private or link-local address literal as a whole is written as the zero address
def expected(flows, assoc, hellos):
    """second -> (dns names, tls names)."""
    want = {}
    for (sec, (dev, rem, proto, dport, rport)), (first, last) in flows.items():
        dns, tls = want.setdefault(sec, (set(), set()))
        dns.update(n for t, n in assoc.get((dev, rem), []) if t <= first)
        if proto == "tcp":
            seen = [n for t, n in hellos.get(frozenset([(dev, dport), (rem, rport)]), []) if t <= last]
            if seen and seen[-1]:
                tls.add(anon_name(seen[-1]))
    return want


def rows_of(path):
    if path.endswith(".jsonl"):
        with open(path) as f:
            return [json.loads(l) for l in f]
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["dns_names"], r["tls_names"] = json.loads(r["dns_names"]), json.loads(r["tls_names"])
        r["names_dropped"] = int(r["names_dropped"])
    return rows


def main():
    pk, resp, hel, mac, device = sys.argv[1:6]
    want = expected(packets(pk, mac.lower()), dns_labels.load(resp), sni_labels.load(hel))
    bad, n, named, listed = [], 0, 0, 0
    import calendar
    import time
    for path in sys.argv[6:]:
        for r in rows_of(path):
            if r["device_id"] != device:
                bad.append(f"{path}: a row of device {r['device_id']!r}")
                continue
            n += 1
            sec = calendar.timegm(time.strptime(r["timestamp"], "%Y-%m-%dT%H:%M:%SZ"))
            dns, tls = want.get(sec, (set(), set()))
            dns, tls = sorted(dns, key=lambda s: s.encode()), sorted(tls, key=lambda s: s.encode())
            exp = (dns[:MAX], tls[:MAX], max(0, len(dns) - MAX) + max(0, len(tls) - MAX))
            got = (r["dns_names"], r["tls_names"], r["names_dropped"])
            named += bool(dns or tls)
            listed += len(exp[0]) + len(exp[1])
            if got != exp:
                bad.append(f"{path}: {r['timestamp']}: got {got}, tshark says {exp}")
    print(f"{n} rows, {named} with names, {listed} names listed")
    if bad:
        print("\n".join(bad[:10]))
        print(f"{len(bad)} row(s) differ")
        sys.exit(1)
    if not named:
        print("no row has names: the capture shows nothing")
        sys.exit(1)


if __name__ == "__main__":
    main()
