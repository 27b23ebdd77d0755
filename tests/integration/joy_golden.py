#!/usr/bin/env python3
"""Joy golden pairs: our Joy policy's flows against Cisco Joy 3.0.3's own output.

For every X.pcapng under CORPUS with X.joy.json.gz beside it (gzip NDJSON, first line Joy's
config), runs `joyflows X.pcapng` (tests/tools/joyflows.c: flow/joyflow.c + kinds/joy_json.c)
and matches our flows with Joy's one to one by (sa, da, pr, sp, dp, time_start), in output
order among equal keys. Reports flows only in Joy, only in ours, per-field mismatches of the
base fields (BASE below), of the feature modules' fields (FEATURES: compared as text, so the
float formats count) and of their key order, whether the output order is the same, the match
rate per capture and overall (flows matched with every base and feature field equal /
max(Joy's flows, ours)), and per field overall: matched flows where it is equal / matched flows.
joyflows runs with --idp N, N from the golden file's config line (Joy's idp=N); --tool-arg
options come after it (a later --idp wins: the negative controls use that).

usage: joy_golden.py JOYFLOWS CORPUS [--min-rate R] [--tool-arg ARG ...] [-v]
       joy_golden.py --ours DIR CORPUS [--min-rate R] [-v]
With --ours, our flows are read from DIR/<relative path of X>.json.gz (gzip NDJSON written by
`iotflow extract -f joy`, line 1 its config object) instead of running joyflows.
Exit 0 when the overall rate >= R (default 1.0), 1 otherwise, 2 on usage / missing inputs.
"""
import argparse
import decimal
import gzip
import json
import os
import subprocess
import sys

# Joy's base fields: docs/JOY.md
BASE = ["sa", "da", "pr", "sp", "dp", "bytes_out", "num_pkts_out", "bytes_in", "num_pkts_in",
        "time_start", "time_end", "expire_type", "packets", "ip", "tcp", "debug"]
# the feature modules' fields we write (docs/JOY.md "Feature modules")
FEATURES = ["byte_dist", "byte_dist_mean", "byte_dist_std", "entropy", "total_entropy", "wht",
            "dns", "tls", "dhcp", "http", "payload", "ppi", "hd", "idp_out", "idp_len_out", "idp_in", "idp_len_in"]
FIELDS = BASE + FEATURES


def load(lines):
    # exact decimal times: Joy prints %zd.%06zd, so do we
    return [json.loads(l, parse_float=decimal.Decimal) for l in lines if l.strip()]


def key(f):
    return (f.get("sa"), f.get("da"), f.get("pr"), f.get("sp"), f.get("dp"), f.get("time_start"))


def field(f, name):
    if name == "(key order)":   # our fields in Joy's order, none missing, none extra
        return [k for k in f if k in FIELDS]
    v = f.get(name)
    if name in ("time_start", "time_end") and v is not None:
        return str(v)    # the text: "%zd.%06zd", trailing zeros included
    if name in FEATURES and v is not None:
        return json.dumps(v, default=str)   # the text: "%f", "%.5g" as printed
    return v


def compare(joy, ours, verbose, out, per_field):
    pool = {}
    for i, f in enumerate(ours):
        pool.setdefault(key(f), []).append(i)
    pairs, only_joy = [], []
    for i, f in enumerate(joy):
        lst = pool.get(key(f))
        if lst:
            pairs.append((i, lst.pop(0)))
        else:
            only_joy.append(i)
    only_ours = sorted(j for lst in pool.values() for j in lst)
    mism = {}
    equal = 0
    for i, j in pairs:
        bad = [n for n in FIELDS + ["(key order)"] if field(joy[i], n) != field(ours[j], n)]
        for n in bad:
            mism.setdefault(n, []).append((i, j))
        for n in FIELDS:
            # flows where Joy or we wrote the field: how many agree
            if n in joy[i] or n in ours[j]:
                tot = per_field.setdefault(n, [0, 0])
                tot[0] += n not in bad
                tot[1] += 1
        equal += not bad
    order_same = [j for _, j in pairs] == sorted(j for _, j in pairs) and not only_joy and not only_ours
    for i in only_joy:
        out.append("  only in Joy:  %s" % (key(joy[i]),))
    for j in only_ours:
        out.append("  only in ours: %s" % (key(ours[j]),))
    for n, lst in sorted(mism.items()):
        out.append("  field %-12s differs in %d flow(s)" % (n, len(lst)))
        for i, j in lst[: (len(lst) if verbose else 2)]:
            out.append("    %s\n      joy:  %s\n      ours: %s" % (key(joy[i]), json.dumps(field(joy[i], n), default=str),
                                                             json.dumps(field(ours[j], n), default=str)))
    return equal, len(only_joy), len(only_ours), mism, order_same


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("joyflows", nargs="?")
    ap.add_argument("--ours", help="dir of our gzip NDJSON files (iotflow extract -f joy)")
    ap.add_argument("corpus")
    ap.add_argument("--min-rate", type=float, default=1.0)
    ap.add_argument("--tool-arg", action="append", default=[])
    ap.add_argument("-v", action="store_true")
    a = ap.parse_args()
    if bool(a.joyflows) == bool(a.ours):
        ap.error("give JOYFLOWS or --ours DIR")
    pairs = []
    for root, _, files in os.walk(a.corpus):
        for name in files:
            if name.endswith(".joy.json.gz"):
                cap = os.path.join(root, name[: -len(".joy.json.gz")] + ".pcapng")
                if os.path.exists(cap):
                    pairs.append((cap, os.path.join(root, name)))
    if not pairs:
        print("no golden pairs under %s" % a.corpus)
        return 2
    tot_joy = tot_ours = tot_equal = tot_denom = 0
    per_field = {}
    for cap, gold in sorted(pairs):
        with gzip.open(gold, "rt") as fh:
            lines = fh.read().splitlines()
        joy = load(lines[1:])   # line 1: Joy's config
        idp = json.loads(lines[0]).get("idp", 0)
        if a.ours:
            mine = os.path.join(a.ours, os.path.relpath(cap, a.corpus)[: -len(".pcapng")] + ".json.gz")
            try:
                with gzip.open(mine, "rt") as fh:
                    olines = fh.read().splitlines()
            except OSError as e:
                print("FAIL %s: %s" % (cap, e))
                return 1
            cfg = json.loads(olines[0]) if olines else {}
            if cfg.get("end-config") != 1:
                print("FAIL %s: line 1 is not a config object with \"end-config\":1" % mine)
                return 1
            ours = load(olines[1:])
        else:
            r = subprocess.run([a.joyflows, "--idp", str(idp)] + a.tool_arg + [cap],
                               capture_output=True, text=True)
            if r.returncode != 0:
                print("FAIL %s: joyflows exit %d: %s" % (cap, r.returncode, r.stderr.strip()))
                return 1
            ours = load(r.stdout.splitlines())
        out = []
        equal, oj, oo, mism, order_same = compare(joy, ours, a.v, out, per_field)
        denom = max(len(joy), len(ours))
        rate = equal / denom if denom else 1.0
        print("%-60s joy %3d ours %3d equal %3d only-joy %d only-ours %d order %s rate %.4f" % (
            os.path.relpath(cap, a.corpus), len(joy), len(ours), equal, oj, oo,
            "same" if order_same else "DIFFERS", rate))
        for l in out:
            print(l)
        tot_joy += len(joy)
        tot_ours += len(ours)
        tot_equal += equal
        tot_denom += denom
    print("per field (matched flows where Joy or we wrote it: equal / compared):")
    for n in FIELDS:
        if n in per_field:
            e, t = per_field[n]
            print("  %-16s %4d / %4d  %.4f" % (n, e, t, e / t))
        else:
            print("  %-16s    - (in no flow)" % n)
    rate = tot_equal / tot_denom if tot_denom else 1.0
    print("overall: %d captures, joy %d flows, ours %d, equal %d, rate %.4f (required %.4f)" % (
        len(pairs), tot_joy, tot_ours, tot_equal, rate, a.min_rate))
    return 0 if rate >= a.min_rate else 1


if __name__ == "__main__":
    sys.exit(main())
