#!/usr/bin/env python3
"""The label rules' `app` attribute against nDPI's own reader (tests/integration/app_labels.sh).

  app_labels.py rules NDPIREADER.txt > FILE.rules       the test's rule file
  app_labels.py records NDPIREADER.txt FILE.csv...      custom-flow rows (wide, --device-ip,
                                                        --keep-private-ips, bidirectional)
  app_labels.py joy NDPIREADER.txt FILE.ndjson          Joy flows
  app_labels.py telemetry NDPIREADER.txt FILE.csv...    telemetry rows (--device-ip
                                                        --keep-private-ips): ndpiReader's name or
                                                        missing (a row before nDPI named the
                                                        connection, or one it only guesses)

NDPIREADER.txt is `ndpiReader -i CAPTURE -v 2`: one line per flow, "PROTO A:P <-> B:Q [proto:
ID/NAME]" (IPv6 addresses in brackets). ndpiReader feeds nDPI as iotflow does (every packet
of a connection until nDPI names a protocol and wants no more, at most 80 TCP / 24 UDP packets,
then its guess): a record of a connection must carry the name ndpiReader gives that
connection (docs/LABELS.md "Applications"). A five-tuple ndpiReader splits into flows with
different names is left out (counted: which connection a record belongs to is then a matter
of the two tools' idle rules).

The rules: one per name ndpiReader gives, `app_label = "=NAME" if app "NAME"`, then
`app_label = "?other" if has app`, on-missing "missing" (ndpiReader's Unknown). Prints the
counts; exits 1 listing the differences when a row differs (or no row could be compared).
"""
import csv
import json
import re
import sys

PROTOS = {"TCP": 6, "UDP": 17, "ICMP": 1, "ICMPV6": 58, "IGMP": 2}
TEL_PROTOS = {"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58, "igmp": 2}
LINE = re.compile(r"^\s+\d+\s+(\S+) (\[[^\]]+\]|[^ :]+):(\d+) <?-> (\[[^\]]+\]|[^ :]+):(\d+) \[proto: [0-9.]+/([^\]]+)\]")


def load(path):
    flows = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = LINE.match(line)
            if not m or m.group(1) not in PROTOS:
                continue
            a = (m.group(2).strip("[]"), int(m.group(3)))
            b = (m.group(4).strip("[]"), int(m.group(5)))
            key = (PROTOS[m.group(1)], frozenset([a, b]))
            flows.setdefault(key, set()).add(m.group(6))
    return flows


def label(name):
    return "missing" if name == "Unknown" else "=" + name


def main():
    mode, flows = sys.argv[1], load(sys.argv[2])
    if mode == "rules":
        print('key app_label default "missing" on-missing "missing"')
        for name in sorted({n for names in flows.values() for n in names} - {"Unknown"}):
            print(f'app_label = "={name}" if app "{name}"')
        print('app_label = "?other" if has app')
        return
    rows = []
    for path in sys.argv[3:]:
        if mode == "telemetry":
            with open(path, newline="") as f:
                for r in csv.DictReader(f):
                    if r["protocol"] in TEL_PROTOS:
                        rows.append((TEL_PROTOS[r["protocol"]], (r["src_ip"], int(r["src_port"] or 0)),
                                     (r["dst_ip"], int(r["dst_port"] or 0)), r["app_label"], path))
        elif mode == "joy":
            with open(path) as f:
                for r in [json.loads(l) for l in f][1:]:
                    rows.append((r["pr"], (r["sa"], r["sp"] or 0), (r["da"], r["dp"] or 0), r.get("app_label"), path))
        else:
            with open(path, newline="") as f:
                for r in csv.DictReader(f):
                    rows.append((int(r["Proto"]), (r["device_ip"], int(r["DevPort"] or 0)),
                                 (r["RemIP"], int(r["RemPort"] or 0)), r["app_label"], path))
    agree, ambiguous, absent, bad, named, early = 0, 0, 0, [], 0, 0
    for proto, a, b, got, path in rows:
        names = flows.get((proto, frozenset([a, b])))
        if names is None:
            absent += 1
            continue
        if len(names) > 1:
            ambiguous += 1
            continue
        want = label(next(iter(names)))
        if mode == "telemetry" and got == "missing" and want != "missing":
            early += 1
            continue
        if got == want:
            agree += 1
            named += want.startswith("=")
        else:
            bad.append(f"{path}: {proto} {a} <-> {b}: app_label {got!r}, ndpiReader {want!r}")
    n = agree + len(bad)
    print(f"{len(rows)} rows: {agree} agree with ndpiReader ({named} named), {len(bad)} differ, {ambiguous} on a "
          f"five-tuple ndpiReader names twice, {absent} on a five-tuple ndpiReader does not list"
          + (f", {early} without a name yet" if mode == "telemetry" else ""))
    if bad:
        print("\n".join(bad[:20]))
    if n == 0 or bad:
        sys.exit(1)


if __name__ == "__main__":
    main()
