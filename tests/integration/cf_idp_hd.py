"""cf_idp_hd.sh's check of --features idp,hd,ppi (see there): argv[1] its temporary directory (n: nested JSON
Lines, w: wide CSV of the same run), argv[2:] the captures. Every TCP/UDP record is matched with tshark's
frames of its five-tuple inside its window (tshark_fields.record_sides); from tshark's raw bytes
(-T json -x: each layer's offset in the frame) the expected columns are made here:
  idp: the direction's first frame with transport data on the wire, its IP packet from the IP header
       (the captured part, at most its IP length), the first 256 bytes, with the IP addresses, the IPv4
       header checksum and the TCP / UDP checksum zeroed;
  hd:  the direction's first 10 TCP segments with at least 16 captured data bytes: i (the first's 16 bytes),
       cm / cv (the bits every described segment agrees on, and their values), sm (Joy's sequence mask).
  ppi: the record's TCP segments (first 50 per direction, merged by time, a tie taking the remote->device one,
       cut at 50): ms since the first, direction, flags, tcp.len, the window field, seq and ack relative to each
       direction's first segment (tcp.seq_raw, tcp.ack_raw; ack 0 without the ACK flag or the other direction).
The wide CSV must hold the same cells."""
import csv
import glob
import json
import os
import subprocess
import sys
from decimal import Decimal

from nested_rows import flat
from tshark_fields import record_sides

T, CAPS = sys.argv[1], sys.argv[2:]
WINDOW_US = 60_000_000
IDP, HD, HD_SEGS = 256, 16, 10
bad = []
stats = {"records": 0, "matched": 0, "idp": 0, "hd": 0, "hd_segments": 0, "ppi": 0, "ppi_entries": 0}
PPI_VALUES = ["t", "dir", "flags", "b", "win", "rseq", "rack"]


def one(v):
    return v[0] if isinstance(v, list) else v


def frames(cap):
    out = subprocess.run(["tshark", "-n", "-r", cap, "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
                          "-T", "json", "-x", "--no-duplicate-keys"], capture_output=True, text=True, check=True).stdout
    res = []
    for pkt in json.loads(out):
        l = pkt["_source"]["layers"]
        raw = bytes.fromhex(one(l["frame_raw"])[0] if isinstance(one(l["frame_raw"]), list) else one(l["frame_raw"]))
        v6 = "ipv6_raw" in l and "ip_raw" not in l
        ipr = l.get("ipv6_raw" if v6 else "ip_raw")
        if ipr is None:
            continue
        ipr = ipr[0] if isinstance(ipr[0], list) else ipr
        ip = one(l["ipv6" if v6 else "ip"])
        off = ipr[1]
        iplen = 40 + int(one(ip["ipv6.plen"])) if v6 else int(one(ip["ip.len"]))
        d = dict(ts=int(Decimal(one(l["frame"]["frame.time_epoch"])) * 1_000_000),
                 src=one(ip["ipv6.src" if v6 else "ip.src"]), dst=one(ip["ipv6.dst" if v6 else "ip.dst"]),
                 ipb=raw[off:off + iplen], v6=v6, sp=None, dp=None, plen=0, data=b"", l4=None, proto=None)
        for t in ("tcp", "udp"):
            if t in l and t + "_raw" in l:
                x, xr = one(l[t]), l[t + "_raw"]
                xr = xr[0] if isinstance(xr[0], list) else xr
                d.update(proto=6 if t == "tcp" else 17, sp=int(one(x[t + ".srcport"])), dp=int(one(x[t + ".dstport"])),
                         l4=xr[1] - off)
                if t == "tcp":
                    hl = int(one(x["tcp.hdr_len"]))
                    d["plen"] = int(one(x.get("tcp.len", "0")))
                    d.update(seq=int(one(x["tcp.seq_raw"])), ack=int(one(x["tcp.ack_raw"])),
                             flags=int(one(x["tcp.flags"]), 16), win=int(one(x["tcp.window_size_value"])))
                else:
                    hl = 8
                    d["plen"] = int(one(x["udp.length"])) - 8
                end = min(len(raw), off + iplen)
                d["data"] = raw[xr[1] + hl:end][:max(d["plen"], 0)]
                d["ipb"] = raw[off:end]
                break
        res.append(d)
    return res


def idp(fr):
    for f in fr:
        if f["plen"] > 0:
            b = bytearray(f["ipb"][:IDP])
            zero = [(8, 32)] if f["v6"] else [(12, 8), (10, 2)]
            fixed = 40 if f["v6"] else 20  # options / extension headers: zeroed too
            zero.append((fixed, f["l4"] - fixed))
            zero.append((f["l4"] + (16 if f["proto"] == 6 else 6), 2))
            for at, n in zero:
                for i in range(at, min(at + n, len(b))):
                    b[i] = 0
            return bytes(b).hex(), len(b)
    return None, None


def hd(fr):
    segs = [f["data"][:HD] for f in fr if f["proto"] == 6 and len(f["data"]) >= HD][:HD_SEGS]
    if not segs:
        return 0, None, None, None, None
    cm, cv, sm = [0xff] * HD, list(segs[0]), [0] * HD
    for p in segs[1:]:
        for i in range(HD):
            cm[i] &= ~(cv[i] ^ p[i]) & 0xff
            cv[i] = cm[i] & p[i]
        i = HD - 1
        while i >= 0:   # from the last byte: a run of bytes with mask 0 and value cv + 1, then one skipped
            while i >= 0 and cm[i] == 0 and cv[i] + 1 == p[i]:
                sm[i] = 0xff
                i -= 1
            i -= 1
    if len(segs) < 2:
        return 1, segs[0].hex(), None, None, None
    return len(segs), segs[0].hex(), bytes(cm).hex(), bytes(cv).hex(), bytes(sm).hex()


def ppi(out, inn):
    a = [f for f in out if f["proto"] == 6][:50]
    b = [f for f in inn if f["proto"] == 6][:50]
    ents, i, j = [], 0, 0
    while (i < len(a) or j < len(b)) and len(ents) < 50:
        take_in = j < len(b) and (i >= len(a) or b[j]["ts"] <= a[i]["ts"])
        ents.append((b[j], 0) if take_in else (a[i], 1))
        j, i = (j + 1, i) if take_in else (j, i + 1)
    if not ents:
        return {v: [] for v in PPI_VALUES}
    t0 = ents[0][0]["ts"]
    res = {v: [] for v in PPI_VALUES}
    for f, d in ents:
        me, peer = (a, b) if d else (b, a)
        res["t"].append((f["ts"] - t0) // 1000)
        res["dir"].append(d)
        res["flags"].append(f["flags"])
        res["b"].append(f["plen"])
        res["win"].append(f["win"])
        res["rseq"].append((f["seq"] - me[0]["seq"]) % 2**32)
        res["rack"].append((f["ack"] - peer[0]["seq"]) % 2**32 if f["flags"] & 0x10 and peer else 0)
    return res


COLS = ["idp_out", "idp_len_out", "idp_in", "idp_len_in"] + [f"hd_{v}_{d}" for d in ("out", "in")
                                                           for v in ("n", "i", "cm", "cv", "sm")]
for cap in CAPS:
    stem = os.path.splitext(os.path.basename(cap))[0]
    fr = frames(cap)
    for p in sorted(glob.glob(f"{T}/n/{stem}/*/*.jsonl")):
        rel = os.path.relpath(p, f"{T}/n/{stem}")
        rows = [flat(json.loads(x)) for x in open(p)]
        with open(os.path.join(f"{T}/w/{stem}", rel[:-len(".jsonl")] + ".csv"), newline="") as fh:
            wide = list(csv.DictReader(fh))
        if len(wide) != len(rows):
            bad.append(f"{stem}/{rel}: {len(rows)} JSON Lines rows, {len(wide)} CSV rows")
            continue
        uni = rel.startswith("unidirectional")
        for r, w in zip(rows, wide):
            for c in COLS:
                j = r[c]
                if (w[c] if w[c] != "" else None) != (None if j is None else str(j)):
                    bad.append(f"{stem}/{rel}: {c}: JSON Lines {j!r}, CSV {w[c]!r}")
            if r["proto"] not in (6, 17):
                continue
            stats["records"] += 1
            out, inn = record_sides(r, fr, WINDOW_US, r["proto"])
            if not out and not inn:
                continue
            stats["matched"] += 1
            exp = {}
            exp["idp_out"], exp["idp_len_out"] = idp(out)
            exp["idp_in"], exp["idp_len_in"] = (None, None) if uni else idp(inn)
            for d, side in (("out", out), ("in", inn)):
                v = (None,) * 5 if uni and d == "in" else hd(side)
                for k, name in enumerate(("n", "i", "cm", "cv", "sm")):
                    exp[f"hd_{name}_{d}"] = v[k]
            stats["idp"] += exp["idp_out"] is not None
            stats["hd"] += bool(exp["hd_n_out"])
            stats["hd_segments"] += exp["hd_n_out"] + (exp["hd_n_in"] or 0)
            pp = ppi(out, [] if uni else inn)
            exp["ppi_count"] = len(pp["t"])
            for v in PPI_VALUES:
                exp["ppi_" + v] = pp[v]
                for k in range(50):   # the wide layout's entries
                    cell = w[f"ppi_{v}_{k:02d}"]
                    if (int(cell) if cell != "" else None) != (pp[v][k] if k < len(pp[v]) else None):
                        bad.append(f"{stem}/{rel}: ppi_{v}_{k:02d} CSV {cell!r}, nested {pp[v][k:k + 1]}")
                        break
            stats["ppi"] += exp["ppi_count"] > 0
            stats["ppi_entries"] += exp["ppi_count"]
            for c in COLS + ["ppi_count"] + ["ppi_" + v for v in PPI_VALUES]:
                if r[c] != exp[c]:
                    bad.append(f"{stem}/{rel} {r['device_ip']}:{r['device_port']} {r['remote_ip']}:{r['remote_port']} "
                               f"{r['proto']} @{r['first_seen']}: {c} {r[c]!r}, tshark's {exp[c]!r}")
print("idp/hd/ppi vs tshark:", stats)
for b in bad[:20]:
    print("  " + b)
sys.exit(1 if bad or not stats["idp"] or not stats["hd"] or not stats["ppi"] else 0)
