"""Shared by the integration checks that compare records with tshark's reading (cf_features_groups.py,
http_features.py): a capture's frames as tshark's field values, and a custom-flow record's frames."""
import subprocess
from decimal import Decimal


def first(v):
    return v.split("|")[0] if v else ""


def tshark_frames(cap, fields, opts=()):
    """Each frame of cap as {field: text} (several values joined by '|') plus ts (µs, truncated as
    iotflow's), src and dst (IPv4 or IPv6)."""
    cmd = ["tshark", "-n", "-r", cap, *opts, "-T", "fields", "-E", "aggregator=|"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    res = []
    for line in out.splitlines():
        d = dict(zip(fields, line.split("\t")))
        d["ts"] = int(Decimal(d["frame.time_epoch"]) * 1_000_000)
        d["src"] = first(d["ip.src"]) or first(d["ipv6.src"])
        d["dst"] = first(d["ip.dst"]) or first(d["ipv6.dst"])
        res.append(d)
    return res


def record_sides(r, fr, window_us, proto=None):
    """A custom-flow record's frames inside its window, out (device -> remote) and in."""
    out, inn = [], []
    for f in fr:
        if (proto is not None and f["proto"] != proto) or not (r["first_seen"] <= f["ts"] < r["first_seen"] + window_us):
            continue
        if (f["src"], f["sp"], f["dst"], f["dp"]) == (r["device_ip"], r["device_port"], r["remote_ip"], r["remote_port"]):
            out.append(f)
        elif (f["dst"], f["dp"], f["src"], f["sp"]) == (r["device_ip"], r["device_port"], r["remote_ip"], r["remote_port"]):
            inn.append(f)
    return out, inn
