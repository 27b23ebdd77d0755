#!/usr/bin/env python3
"""The label rules' `sni` attribute against tshark (tests/integration/sni_labels.sh).

  sni_labels.py HELLOS.tsv records WINDOW_S FILE.csv...   custom-flow rows (wide, --device-ip,
                                                           bidirectional)
  sni_labels.py HELLOS.tsv joy FILE.ndjson                 Joy flows

HELLOS.tsv is tshark's view of the TLS ClientHellos (fields: frame.time_epoch, ip.src, ipv6.src,
tcp.srcport, ip.dst, ipv6.dst, tcp.dstport, tls.handshake.extensions_server_name; a hello spread
over segments is reported on the segment that completes it, as iotflow learns it).

A record of the TCP connection (either side the client) has the server name of the newest
hello of its five-tuple that came at or before its last packet (docs/LABELS.md "TLS server
names"). Joy flows carry their last packet (time_end): exact. Custom-flow CSV rows carry only
their first packet: a bidirectional record of the connection holds its hello when the hello
came inside its window, so the test takes hellos at or before FirstSeen + WINDOW_S (exact for
captures whose hellos follow their connection's first packet by less than the window).

The rules of the test (sni_labels.sh writes them):
  key tls_label default "none" on-missing "unnamed"
  tls_label = "google" if sni "*.google.com" or sni "*.googleapis.com"
  tls_label = "named" if has sni
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
    """frozenset of the two endpoints -> [(time_us, name or None)] in capture order."""
    hellos = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            c = line.rstrip("\n").split("\t")
            if len(c) < 8:
                continue
            src, dst = (c[1] or c[2]), (c[4] or c[5])
            for sp, dp, name in zip(c[3].split(","), c[6].split(","), [c[7]]):
                key = frozenset([(src, int(sp)), (dst, int(dp))])
                hellos.setdefault(key, []).append((us_of(c[0]), name.lower() or None))
    return hellos


def expect(hellos, a, b, at_us):
    # the newest hello of the five-tuple by then, with a name or not (a reused port's new
    # connection does not keep the older name)
    seen = [n for t, n in hellos.get(frozenset([a, b]), []) if t <= at_us]
    name = seen[-1] if seen else None
    if name is None:
        return "unnamed"
    if fnmatch.fnmatchcase(name, "*.google.com") or fnmatch.fnmatchcase(name, "*.googleapis.com"):
        return "google"
    return "named"


def main():
    hellos = load(sys.argv[1])
    mode = sys.argv[2]
    bad, counts, n = [], {}, 0
    files = sys.argv[4:] if mode == "records" else sys.argv[3:]
    for path in files:
        if mode == "joy":
            with open(path) as f:
                rows = [json.loads(l) for l in f][1:]
            rows = [((r["sa"], r["sp"]), (r["da"], r["dp"]), us_of(repr(r["time_end"])), r.get("tls_label"), r)
                    for r in rows if r.get("pr") == 6]
        else:
            window = int(sys.argv[3]) * 1000000
            with open(path, newline="") as f:
                rows = [((r["device_ip"], int(r["DevPort"])), (r["RemIP"], int(r["RemPort"])),
                         int(r["FirstSeen"]) + window, r["tls_label"], r)
                        for r in csv.DictReader(f) if r["Proto"] == "6"]
        for a, b, at, got, r in rows:
            n += 1
            want = expect(hellos, a, b, at)
            counts[want] = counts.get(want, 0) + 1
            if got != want:
                bad.append(f"{path}: {a} <-> {b} by {at}: tls_label {got!r}, tshark says {want!r} "
                           f"(hellos {hellos.get(frozenset([a, b]), [])[:4]})")
    print(f"{n} TCP rows: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if bad:
        print("\n".join(bad[:10]))
        print(f"{len(bad)} row(s) differ")
        sys.exit(1)
    if n == 0:
        print("no TCP rows")
        sys.exit(1)


if __name__ == "__main__":
    main()
