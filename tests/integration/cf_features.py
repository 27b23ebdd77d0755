"""cf_features.sh's checks (see there): argv[1] is its temporary directory."""
import csv
import glob
import json
import math
import os
import sys

from nested_rows import flat
from collections import Counter

T = sys.argv[1]
STATS = ["byte_dist_mean", "byte_dist_std", "entropy", "total_entropy"]
bad = []


def expect(pay):
    """The exact features of a record's payload bytes."""
    n = len(pay)
    c = Counter(pay)
    counts = [c.get(b, 0) for b in range(256)]
    if n == 0:
        return counts, [None] * 4
    mean = sum(pay) / n
    std = math.sqrt(sum((x - mean) ** 2 for x in pay) / (n - 1)) if n > 1 else None
    h = -sum(v / n * math.log2(v / n) for v in c.values())
    return counts, [mean, std, h, h * n]


def close(a, b, what):
    if a is None or b is None:
        if a is not b:
            bad.append(f"{what}: {a} vs {b}")
        return
    if abs(a - b) > 5.1e-7 + 1e-12 * abs(b):
        bad.append(f"{what}: {a!r} vs {b!r}")


def rel(p, root):
    return os.path.splitext(os.path.relpath(p, root))[0]


def jsonl(root):
    out = {}
    for p in sorted(glob.glob(f"{root}/*/*.jsonl")):
        with open(p) as fh:
            out[rel(p, root)] = [flat(json.loads(line)) for line in fh]
    return out


nj, n2 = jsonl(f"{T}/nj"), jsonl(f"{T}/n2")
assert nj and nj.keys() == n2.keys(), (sorted(nj), sorted(n2))
checked = skipped = with_pay = bi_two_way = 0
for f, rows in nj.items():
    for i, r in enumerate(rows):
        keys = list(r)
        if keys[-5:] != ["byte_dist"] + STATS or keys[-6] != "evicted":
            bad.append(f"{f}:{i}: feature keys not last after evicted: {keys[-7:]}")
        if len(r["byte_dist"]) != 256:
            bad.append(f"{f}:{i}: byte_dist has {len(r['byte_dist'])} counts")
        if r["packets"] <= 1000:
            assert len(r["payload"]) == r["packets"], (f, i)
            pay = b"".join(bytes.fromhex(x) for x in r["payload"])
            counts, stats = expect(pay)
            if counts != r["byte_dist"]:
                bad.append(f"{f}:{i}: byte_dist differs")
            for k, e in zip(STATS, stats):
                close(r[k], e, f"{f}:{i} {k}")
            checked += 1
            with_pay += len(pay) > 1
            bi_two_way += f.startswith("bidirectional") and len(set(r["pkt_dir"])) == 2 and len(pay) > 0
        else:
            skipped += 1
        # every packet counts: 2 slots, no payload kept, the same values
        o = n2[f][i]
        if (o["first_seen"], o["packets"]) != (r["first_seen"], r["packets"]):
            bad.append(f"{f}:{i}: the 2-slot run has another record")
        elif [o[k] for k in ["byte_dist"] + STATS] != [r[k] for k in ["byte_dist"] + STATS]:
            bad.append(f"{f}:{i}: features depend on --packets / --payload")
print(f"nested: {checked} records recomputed ({with_pay} with 2+ payload bytes, {bi_two_way} two-way), "
      f"{skipped} of more than 1000 packets compared between runs only")
if checked < 50 or with_pay < 20 or bi_two_way < 10:
    bad.append("too few records with payload to prove anything")

# wide CSV = nested JSON Lines; less the feature columns = the CSV without --features
wide_rows = []
for p in sorted(glob.glob(f"{T}/wc/*/*.csv")):
    f = rel(p, f"{T}/wc")
    with open(p, newline="") as fh:
        rows = list(csv.reader(fh))
    head = rows[0]
    ix = {n: i for i, n in enumerate(head)}
    feat = [f"byte_dist_{b:03d}" for b in range(256)] + STATS
    if head[-len(feat):] != feat or head[-len(feat) - 1] != "evicted":
        bad.append(f"{p}: feature columns not last after evicted")
        continue
    with open(p.replace(f"{T}/wc/", f"{T}/plain/"), newline="") as fh:
        plain = list(csv.reader(fh))
    if plain != [r[: -len(feat)] for r in rows]:
        bad.append(f"{p}: less its feature columns, not the CSV without --features")
    if f not in nj or len(nj[f]) != len(rows) - 1:
        bad.append(f"{p}: not the nested run's records")
        continue
    for i, r in enumerate(rows[1:]):
        j = nj[f][i]
        if int(r[ix["PacketCount"]]) != j["packets"] or int(r[ix["FirstSeen"]]) != j["first_seen"]:
            bad.append(f"{p}:{i}: another record than the nested run's")
            continue
        if [int(r[ix[f"byte_dist_{b:03d}"]]) for b in range(256)] != j["byte_dist"]:
            bad.append(f"{p}:{i}: byte_dist_* differ from the nested list")
        for k in STATS:
            v = None if r[ix[k]] == "" else float(r[ix[k]])
            if v != j[k]:
                bad.append(f"{p}:{i} {k}: csv {r[ix[k]]!r}, jsonl {j[k]!r}")
        wide_rows.append((f, r[ix["Device"]], r[ix["RemIP"]], int(r[ix["Proto"]]), int(r[ix["DevPort"]]),
                          int(r[ix["RemPort"]]), int(r[ix["TotalFlowSize"]]), int(r[ix["PacketCount"]]),
                          tuple(j["byte_dist"]), tuple(j[k] for k in STATS)))

# Parquet (DuckDB's reading) = CSV: as multisets (Parquet files are clustered)
if os.path.exists(f"{T}/pq.rows"):
    pq_rows = []
    with open(f"{T}/pq.rows") as fh:
        for line in fh:
            r = json.loads(line)
            pq_rows.append((r["f"], r["Device"], r["RemIP"], int(r["Proto"]), int(r["DevPort"]), int(r["RemPort"]),
                            int(r["TotalFlowSize"]), int(r["PacketCount"]),
                            tuple(int(r[f"byte_dist_{b:03d}"]) for b in range(256)), tuple(r[k] for k in STATS)))
    if len(pq_rows) != len(wide_rows):
        bad.append(f"Parquet has {len(pq_rows)} rows, CSV {len(wide_rows)}")
    else:
        for a, b in zip(sorted(pq_rows, key=lambda x: x[:9]), sorted(wide_rows, key=lambda x: x[:9])):
            if a[:9] != b[:9]:
                bad.append(f"Parquet row {a[:8]} vs CSV {b[:8]}")
                break
            for k, x, y in zip(STATS, a[9], b[9]):
                close(x, y, f"Parquet vs CSV {a[:8]} {k}")
    print(f"parquet: {len(pq_rows)} rows compared with the CSV")

for b in bad[:20]:
    print(b)
sys.exit(1 if bad else 0)
