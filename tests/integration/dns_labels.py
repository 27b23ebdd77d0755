#!/usr/bin/env python3
"""The label rules' `dns` attribute against tshark (tests/integration/dns_labels.sh).

  dns_labels.py RESPONSES.tsv records FILE.csv|FILE.jsonl...   custom-flow rows (wide layout,
                                                                --device-ip)
  dns_labels.py RESPONSES.tsv joy FILE.ndjson                   Joy flows (what sa resolved da
                                                                to, else da sa)

RESPONSES.tsv is tshark's view of the DNS responses (fields: frame.time_epoch, ip.dst,
ipv6.dst, dns.flags.response, dns.flags.opcode, dns.flags.rcode, dns.count.answers,
dns.qry.name, dns.resp.name, dns.resp.type, dns.cname, dns.a, dns.aaaa; `-E occurrence=a
-E aggregator=|`). What iotflow must have learnt, independently of its parser: each NOERROR
response to client C associates every A (C is IPv4) or AAAA (C is IPv6) answer address X with
the first question's name, the answers' owner names and CNAME targets, lowercase, from the
response's time on (docs/LABELS.md "DNS names").

The rules of the test (dns_labels.sh writes them):
  key svc default "none" on-missing "unnamed"
  svc = "baidu" if dns "*.baidu.com"
  svc = "cdn" if dns "*cdn*"
  svc = "named" if has dns
so a row's expected svc follows from the names of (device, remote) at its first packet: none ->
"unnamed", a *.baidu.com name -> "baidu", else a name with "cdn" -> "cdn", else "named".
Prints the counts per label; exits 1 listing the first differences.
"""
import csv
import fnmatch
import json
import sys
from decimal import Decimal


def us_of(text):
    return int(Decimal(text) * 1000000)


def load(path):
    """(client, address) -> [(time_us, name)], first time per name."""
    assoc = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            c = line.rstrip("\n").split("\t")
            if len(c) < 13 or c[3] not in ("1", "True", "true"):
                continue
            t, v4, v6 = us_of(c[0]), c[1], c[2]
            if c[4] != "0" or c[5] != "0":
                continue
            an = int(c[6] or 0)
            split = lambda s: [x for x in s.split("|")] if s else []
            rnames, rtypes = split(c[8])[:an], split(c[9])[:an]
            cnames, a4, a6 = split(c[10]), split(c[11]), split(c[12])
            n_cname = sum(1 for x in rtypes if x == "5")
            n_a = sum(1 for x in rtypes if x == "1")
            n_aaaa = sum(1 for x in rtypes if x == "28")
            names = []
            def add(n):
                n = n.lower()
                if n and n != "<root>" and n not in names:
                    names.append(n)
            qn = split(c[7])
            if qn:
                add(qn[0])
            for ty, rn in zip(rtypes, rnames):
                if ty in ("5", "1", "28"):
                    add(rn)
            for cn in cnames[:n_cname]:
                add(cn)
            client = v4 or v6
            addrs = a4[:n_a] if v4 else a6[:n_aaaa]
            for x in addrs:
                lst = assoc.setdefault((client, x), [])
                for n in names:
                    if all(n != m for _, m in lst):
                        lst.append((t, n))
    return assoc


def expect(assoc, dev, rem, at_us):
    names = [n for t, n in assoc.get((dev, rem), []) if t <= at_us]
    if not names:
        return "unnamed"
    if any(fnmatch.fnmatchcase(n, "*.baidu.com") for n in names):
        return "baidu"
    if any("cdn" in n for n in names):
        return "cdn"
    return "named"


def main():
    assoc = load(sys.argv[1])
    mode = sys.argv[2]
    bad, counts, n = [], {}, 0
    for path in sys.argv[3:]:
        if mode == "joy":
            with open(path) as f:
                rows = [json.loads(l) for l in f][1:]
            rows = [(r["sa"], r["da"], us_of(repr(r["time_start"])), r.get("svc"), r) for r in rows]
        elif path.endswith(".jsonl"):
            with open(path) as f:
                rows = [json.loads(l) for l in f]
            rows = [(r["device_ip"], r["RemIP"], int(r["FirstSeen"]), r.get("svc"), r) for r in rows]
        else:
            with open(path, newline="") as f:
                rows = [(r["device_ip"], r["RemIP"], int(r["FirstSeen"]), r["svc"], r) for r in csv.DictReader(f)]
        for dev, rem, at, got, r in rows:
            n += 1
            want = expect(assoc, dev, rem, at)
            if mode == "joy" and want == "unnamed":
                want = expect(assoc, rem, dev, at)  # no device side: what either side resolved
            counts[want] = counts.get(want, 0) + 1
            if got != want:
                bad.append(f"{path}: {dev} -> {rem} at {at}: svc {got!r}, tshark says {want!r} "
                           f"(names {assoc.get((dev, rem), [])[:4]})")
    print(f"{n} rows: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if bad:
        print("\n".join(bad[:10]))
        print(f"{len(bad)} row(s) differ")
        sys.exit(1)
    if n == 0:
        print("no rows")
        sys.exit(1)


if __name__ == "__main__":
    main()
