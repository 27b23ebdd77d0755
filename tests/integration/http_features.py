"""http_features.sh's checks (see there): argv[1] is its temporary directory (hn: nested JSON Lines of
--features http; hw: the wide CSV; joy: -f joy, one directory per capture), argv[2:] the captures.

tshark reads every segment on its own (-o tcp.desegment_tcp_streams:FALSE), as iotflow does: the
HTTP head a segment starts with. Its HTTP ports are its own (80, 8080, 3128, ...), iotflow's
columns take any TCP port, so a record is compared where tshark saw HTTP in it. iotflow's rules,
applied to tshark's reading: a head is a segment whose start line is whole (tshark also takes
"POST " alone), a field one whose line is whole (tshark takes a line cut by the segment's end),
a retransmitted segment no new head (tshark does not dissect it), text is cut at 512 bytes
(http_uri) or 256 (the other values)."""
import csv
import glob
import gzip
import json
import os
import sys
from decimal import Decimal

from anon_rule import anon_host, anon_uri
from nested_rows import flat
from tshark_fields import first, record_sides, tshark_frames

T, CAPS = sys.argv[1], sys.argv[2:]
WINDOW_US = 60_000_000
FIELDS = ["frame.time_epoch", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport",
          "http.request.method", "http.request.uri", "http.request.version", "http.host", "http.user_agent",
          "http.response.code", "http.server", "http.content_type", "http.response.phrase", "tcp.payload",
          "tcp.analysis.retransmission"]
COLS = ["http_requests", "http_responses", "http_method", "http_uri", "http_host", "http_user_agent", "http_status",
        "http_server", "http_content_type"]
KEYWORDS = (b"GET ", b"POST ", b"OPTIONS ", b"HEAD ", b"PUT ", b"DELETE ", b"TRACE ", b"CONNECT ", b"HTTP/1.1 ")
bad = []
stats = {k: 0 for k in ["records", "http_records", "requests", "responses", "joy_flows", "joy_msgs", "joy_tshark"]}


def frames(cap):
    res = []
    for d in tshark_frames(cap, FIELDS, ["-o", "tcp.desegment_tcp_streams:FALSE", "-o", "ip.defragment:FALSE", "-Y", "tcp"]):
        if not d["tcp.srcport"]:
            continue
        pay = bytes.fromhex(first(d["tcp.payload"]).replace(":", ""))
        whole = b"\n" in pay and not d["tcp.analysis.retransmission"]
        res.append(dict(d, sp=int(first(d["tcp.srcport"])), dp=int(first(d["tcp.dstport"])),
                        req=whole and bool(d["http.request.method"]), resp=whole and bool(d["http.response.code"]),
                        pay=pay))
    return res


def field(f, name, tshark_field, cap=256):
    """tshark's value of a header whose line ends inside the segment (cut at cap bytes), else None."""
    v = first(f[tshark_field])
    low = f["pay"].lower()
    at = low.find(b"\n" + name + b":")
    if not v or at < 0 or low.find(b"\n", at + 1) < 0:
        return None
    return v[:cap]


def expect(fs):
    """The columns from tshark's frames of a record (both sides, by time; a tie: out first)."""
    fs = sorted(fs, key=lambda f: (f["ts"], f["dir"]))
    q = next((f for f in fs if f["req"]), None)
    a = next((f for f in fs if f["resp"]), None)
    return {
        "http_requests": sum(f["req"] for f in fs) or None,
        "http_responses": sum(f["resp"] for f in fs) or None,
        "http_method": first(q["http.request.method"]) if q else None,
        "http_uri": first(q["http.request.uri"])[:512] if q else None,
        "http_host": field(q, b"host", "http.host") if q else None,
        "http_user_agent": field(q, b"user-agent", "http.user_agent") if q else None,
        "http_status": int(first(a["http.response.code"])) if a else None,
        "http_server": field(a, b"server", "http.server") if a else None,
        "http_content_type": field(a, b"content-type", "http.content_type") if a else None,
    }


fr = [f for c in CAPS for f in frames(c)]
nested = {}
for p in sorted(glob.glob(f"{T}/hn/*/*.jsonl")):
    with open(p) as fh:
        nested[os.path.relpath(p, f"{T}/hn")] = [flat(json.loads(line)) for line in fh]
for fname, rows in nested.items():
    bi = fname.startswith("bidirectional")
    for i, r in enumerate(rows):
        stats["records"] += 1
        if r["proto"] != 6:
            if any(r[c] is not None for c in COLS):
                bad.append(f"{fname}:{i}: http columns on a proto {r['proto']} record")
            continue
        out, inn = record_sides(r, fr, WINDOW_US)
        if not bi:
            inn = []
        if len(out) + len(inn) != r["packets"]:
            continue   # not this reading's record (fragments, tunnels)
        for f in out:
            f["dir"] = 0
        for f in inn:
            f["dir"] = 1
        want = expect(out + inn)
        got = {c: r[c] for c in COLS}
        if want["http_requests"] is None and want["http_responses"] is None:
            continue   # tshark saw no HTTP here (a port it does not dissect as HTTP, or none)
        stats["http_records"] += 1
        stats["requests"] += want["http_requests"] or 0
        stats["responses"] += want["http_responses"] or 0
        if got != want:
            where = f"{fname}:{i} {r['device_ip']}:{r['device_port']}-{r['remote_ip']}:{r['remote_port']}"
            bad.append(f"{where}: {json.dumps({k: got[k] for k in COLS if got[k] != want[k]})} "
                       f"want {json.dumps({k: want[k] for k in COLS if got[k] != want[k]})}")

# the anonymised run (ha): the same rows; a local address literal in http_host (`host[:port]`,
# `[v6]:port`) or in an absolute http_uri's authority is the zero address there, all else equal
# (anon_rule.py: the rule read from docs/OUTPUT.md, not from the C code)
anon_changed = 0
for p in sorted(glob.glob(f"{T}/ha/*/*.jsonl")):
    rel = os.path.relpath(p, f"{T}/ha")
    with open(p) as fh:
        rows = [flat(json.loads(line)) for line in fh]
    kept = nested.get(rel, [])
    if len(rows) != len(kept):
        bad.append(f"{rel}: {len(rows)} anonymised rows, {len(kept)} kept")
        continue
    for i, (a, k) in enumerate(zip(rows, kept)):
        want = {c: k[c] for c in COLS}
        if want["http_host"] is not None:
            want["http_host"] = anon_host(want["http_host"])
        if want["http_uri"] is not None:
            want["http_uri"] = anon_uri(want["http_uri"])
        got = {c: a[c] for c in COLS}
        anon_changed += want["http_host"] != k["http_host"] or want["http_uri"] != k["http_uri"]
        if got != want or a["device_port"] != k["device_port"] or a["first_seen"] != k["first_seen"]:
            bad.append(f"{rel}:{i}: anonymised {json.dumps({c: got[c] for c in COLS if got[c] != want[c]})} "
                       f"want {json.dumps({c: want[c] for c in COLS if got[c] != want[c]})}")
stats["anon"] = anon_changed

# the wide CSV holds the nested values (the same columns: no list among them)
for p in sorted(glob.glob(f"{T}/hw/*/*.csv")):
    rel = os.path.relpath(p, f"{T}/hw").replace(".csv", ".jsonl")
    with open(p, newline="") as fh:
        rows = list(csv.DictReader(fh))
    if len(rows) != len(nested.get(rel, [])):
        bad.append(f"{rel}: {len(rows)} CSV rows, {len(nested.get(rel, []))} JSON Lines rows")
        continue
    for i, (w, n) in enumerate(zip(rows, nested[rel])):
        for c in COLS:
            v = n[c]
            text = "" if v is None else str(v)
            if w[c] != text:
                bad.append(f"{rel}:{i}: CSV {c} {w[c]!r} vs JSON Lines {text!r}")

# -f joy: every flow on port 80 (or HTTP keywords) has http[] with its sides' request / response
# heads in order; each kept message is one of tshark's heads of that side (a subsequence), and
# its method, uri, Host, User-Agent, code and Server are tshark's
for cap in CAPS:
    stem = os.path.splitext(os.path.basename(cap))[0]
    path = f"{T}/joy/{stem}/joy/{stem}.json.gz"
    with gzip.open(path, "rt") as fh:
        flows = [json.loads(line) for line in fh][1:]
    cfr = frames(cap)
    short = 0   # flows with a side that kept fewer heads than tshark saw (15 at most)
    # Joy's heads: a head ending inside Joy's window (2,032 bytes), retransmissions included
    # (a copy of an earlier head of the same side, which tshark does not dissect again)
    seen = {}
    for f in cfr:
        k = (f["src"], f["sp"], f["dst"], f["dp"], f["pay"])
        if f["tcp.analysis.retransmission"] and k in seen:
            f.update({x: seen[k][x] for x in FIELDS if x.startswith("http.")}, req=seen[k]["req"],
                     resp=seen[k]["resp"], joyhead=seen[k]["joyhead"])
            continue
        f["joyhead"] = (f["req"] or f["resp"]) and b"\r\n\r\n" in f["pay"][:2032]
        if f["joyhead"]:
            seen[k] = f
    for fl in flows:
        if fl.get("pr") != 6 or "http" not in fl:
            continue
        stats["joy_flows"] += 1
        # the flow's frames: from its start (Joy's times are floats) to the next flow of its key (its
        # time_end is the out side's: the in side's last packet may come after it)
        t0 = int(Decimal(str(fl["time_start"])) * 1_000_000) - 1000
        later = [g["time_start"] for g in flows if g is not fl and g.get("pr") == 6 and g["time_start"] > fl["time_start"]
                 and {(g["sa"], g["sp"]), (g["da"], g["dp"])} == {(fl["sa"], fl["sp"]), (fl["da"], fl["dp"])}]
        t1 = int(Decimal(str(min(later))) * 1_000_000) if later else 1 << 62
        key = (fl["sa"], fl["sp"], fl["da"], fl["dp"])
        lost = False
        for side, k in (("out", key), ("in", (key[2], key[3], key[0], key[1]))):
            heads = [f for f in cfr if (f["src"], f["sp"], f["dst"], f["dp"]) == k and t0 <= f["ts"] < t1
                     and f["joyhead"]]
            msgs = [h[side] for h in fl["http"] if side in h]
            data = [f["pay"] for f in cfr if (f["src"], f["sp"], f["dst"], f["dp"]) == k and t0 <= f["ts"] < t1
                    and f["pay"]][:2]
            if 80 not in (fl["sp"], fl["dp"]) and not any(p.startswith(KEYWORDS) for p in data):
                heads = []   # Joy's filter: port 80, or this side's application identified as HTTP
            stats["joy_tshark"] += min(len(heads), 15)
            lost = lost or len(msgs) < min(len(heads), 15)
            j = 0
            for m in msgs:
                d = {list(x)[0]: list(x.values())[0] for x in m}
                stats["joy_msgs"] += 1
                if "method" in d:
                    pick = lambda f: (f["req"] and first(f["http.request.method"]) == d["method"]
                                      and first(f["http.request.uri"]) == d["uri"])
                elif "code" in d:
                    pick = lambda f: f["resp"] and first(f["http.response.code"]) == d["code"]
                else:
                    continue   # Joy's body-only message (a head without header lines)
                while j < len(heads) and not pick(heads[j]):
                    j += 1
                if j == len(heads):
                    bad.append(f"joy {stem} {key} {side}: message {json.dumps(m)[:200]} is none of tshark's heads")
                    break
                h = heads[j]
                j += 1
                hdr = {k.lower(): v for k, v in d.items()}
                for name, field in (("host", "http.host"), ("user-agent", "http.user_agent"), ("server", "http.server")):
                    if name in hdr and hdr[name] != first(h[field]).replace('"', ".").replace("\\", "."):
                        bad.append(f"joy {stem} {key} {side}: {name} {hdr[name]!r} want {first(h[field])!r}")
        short += lost
    with open(f"{T}/joy/{stem}.stats.json") as fh:
        cut = json.load(fh)["joy"]["features_cut"]["http"]
    if cut != short:
        bad.append(f"joy {stem}: joy.features_cut.http {cut}, flows with fewer messages than tshark's heads {short}")
    stats["joy_cut"] = stats.get("joy_cut", 0) + cut
print(f"http: {stats['records']} records, {stats['http_records']} with HTTP per tshark "
      f"({stats['requests']} request heads, {stats['responses']} response heads) equal; "
      f"-f joy: {stats['joy_flows']} flows with http[], {stats['joy_msgs']} messages of tshark's {stats['joy_tshark']} "
      f"heads (15 per side at most) matched; {stats.get('joy_cut', 0)} flows cut by the arena, counted; "
      f"anonymised: {stats['anon']} records' local host literals rewritten, the rest equal")
if stats["http_records"] < 20 or stats["anon"] < 20 or stats["joy_msgs"] < 50 or stats["joy_msgs"] < 0.9 * stats["joy_tshark"]:
    bad.append(f"too little compared or kept: {stats}")
for b in bad[:40]:
    print("  " + b)
sys.exit(1 if bad else 0)
