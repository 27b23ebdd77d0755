#!/usr/bin/env python3
"""Seed-001 flow_type labels: iotflow's Joy flows labelled by rules/seed001/<group>.rules against
the published annotated files.

For every X.annotated.json under CORPUS (seed001-joy/<group>/.../X.annotated.json, NDJSON, one
annotated Joy flow per line), reads our labelled Joy file OURS/<relative path of X>.json.gz
(written by `iotflow extract -f joy --rules rules/seed001/<group>.rules`), matches the flows by
(sa, da, pr, sp, dp, time_start) and compares `flow_type`. Every annotated flow must be found
among ours (the annotated files hold a subset of Joy's flows); ours must carry flow_type and
flow_type_rule. Reports per capture and overall: annotated flows, matched, equal labels; lists
every difference. Exit 0 when equal/annotated >= --min-rate (default 1.0), 1 otherwise, 2 on
usage or missing files.

usage: joy_labels.py OURS CORPUS [--min-rate R] [--suffix S] [-v]
(--suffix: our file is OURS/<relative path of X>S, default ".json.gz"; ".joy.json.gz" for Joy's
own files relabelled by `iotflow label`, which keeps their names)
"""
import argparse
import decimal
import gzip
import json
import os
import sys


def key(f):
    ts = f.get("time_start")
    us = int((decimal.Decimal(str(ts)) * 1000000).to_integral_value()) if ts is not None else None
    return (f.get("sa"), f.get("da"), f.get("pr"), f.get("sp"), f.get("dp"), us)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ours")
    ap.add_argument("corpus")
    ap.add_argument("--min-rate", type=float, default=1.0)
    ap.add_argument("--suffix", default=".json.gz")
    ap.add_argument("-v", action="store_true")
    a = ap.parse_args()
    total = matched = equal = 0
    files = []
    for root, _, names in os.walk(a.corpus):
        files += [os.path.join(root, n) for n in names if n.endswith(".annotated.json")]
    if not files:
        print("no annotated files under", a.corpus)
        return 2
    for ann in sorted(files):
        rel = os.path.relpath(ann, a.corpus)[: -len(".annotated.json")]
        ours_path = os.path.join(a.ours, rel + a.suffix)
        if not os.path.exists(ours_path):
            print("missing", ours_path)
            return 2
        with gzip.open(ours_path, "rt") as fp:
            lines = fp.read().splitlines()
        ours = {}
        for l in lines[1:]:   # line 1: Joy's config object
            f = json.loads(l, parse_float=decimal.Decimal)
            ours.setdefault(key(f), []).append(f)
        with open(ann) as fp:
            annotated = [json.loads(l, parse_float=decimal.Decimal) for l in fp if l.strip()]
        n_m = n_e = 0
        for f in annotated:
            cands = ours.get(key(f))
            if not cands:
                print(f"{rel}: annotated flow not among ours: {key(f)} ({f.get('flow_type')})")
                continue
            o = cands.pop(0)
            n_m += 1
            if "flow_type" not in o or "flow_type_rule" not in o:
                print(f"{rel}: our flow {key(f)} has no flow_type / flow_type_rule")
                continue
            if o["flow_type"] == f.get("flow_type"):
                n_e += 1
            else:
                print(f"{rel}: {key(f)}: published {f.get('flow_type')!r}, ours {o['flow_type']!r} "
                      f"(rule {o['flow_type_rule']})")
        if a.v:
            print(f"{rel}: {len(annotated)} annotated, {n_m} matched, {n_e} equal")
        total += len(annotated)
        matched += n_m
        equal += n_e
    rate = equal / total if total else 0.0
    print(f"{len(files)} annotated files, {total} annotated flows, {matched} matched, "
          f"{equal} equal flow_type: {100 * rate:.2f} %")
    return 0 if rate >= a.min_rate else 1


if __name__ == "__main__":
    sys.exit(main())
