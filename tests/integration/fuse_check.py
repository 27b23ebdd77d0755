#!/usr/bin/env python3
"""Independent checks of the sensor context columns (fuse.sh; docs/OUTPUT.md "Sensor context").

The expected values come from sensors.csv and the capture read here, not from iotflow:
  C_at_start  the last reading of C with first - tolerance <= time <= first (first packet)
  C_mean/min/max  over the readings with first <= time <= last (the record's first and last packet)
  NAME_any    (flag columns: every value 0 or 1) any of those readings non-zero
all null (empty in CSV) where there is no such reading or the device has no sensors.

  fuse_check.py flows T D DAY [PQROWS]   the custom-flow run of fuse.sh
  fuse_check.py telemetry T D DAY        the telemetry run
  fuse_check.py pick T DAY               hand-made sensor files around one nas-1 record
  fuse_check.py edges T DAY              their runs
"""
import bisect, csv, ipaddress, json, os, re, struct, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sensors_ref import S, asof_at, iso, load, ns, readings  # noqa: E402

STATS = ("at_start", "mean", "min", "max")


def names(cols, flags):
    """[(output column, sensor column, stat)] in the order iotflow declares them"""
    out = []
    for c in cols:
        out += [(f"{c}_{st}", c, st) for st in STATS]
        if c in flags:
            out.append((f"{c[:-5] if c.endswith('_flag') and len(c) > 5 else c}_any", c, "any"))
    return out


def expect(series, dev, col, stat, start, t0, t1, tol):
    if stat == "at_start":
        return asof_at(series, (dev, col), start, tol)
    vals = readings(series, (dev, col), t0, t1)
    if not vals:
        return None
    return {"mean": sum(vals) / len(vals), "min": min(vals), "max": max(vals), "any": any(vals)}[stat]


def same(got, want):
    """a CSV cell (text) or JSON / Parquet value against the expected value (None: null)"""
    if got in ("", None) or want is None:
        return got in ("", None) and want is None
    if isinstance(want, bool) or isinstance(got, bool) or got in ("true", "false"):
        return str(got).lower() == str(bool(want)).lower()
    digits = len(got.split(".")[1]) if isinstance(got, str) and "." in got else (0 if isinstance(got, str) else 9)
    return abs(float(got) - want) <= 0.5 * 10**-digits + 1e-9 * max(1, abs(want))


def read_pcap(path):
    """{(proto, frozenset of the two (ip, port) ends): sorted packet times (ns)}"""
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    assert magic in (0xA1B2C3D4, 0xA1B23C4D), "little-endian pcap expected"
    scale = 1000 if magic == 0xA1B2C3D4 else 1
    link = struct.unpack("<I", data[20:24])[0]
    assert link == 1, "Ethernet expected"
    off, idx = 24, {}
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack("<IIII", data[off:off + 16])
        p = data[off + 16:off + 16 + incl]
        off += 16 + incl
        t = sec * S + frac * scale
        et, l3 = struct.unpack(">H", p[12:14])[0], 14
        while et in (0x8100, 0x88A8):
            et, l3 = struct.unpack(">H", p[l3 + 2:l3 + 4])[0], l3 + 4
        if et == 0x0800:
            ihl = (p[l3] & 15) * 4
            proto, src, dst, l4 = p[l3 + 9], p[l3 + 12:l3 + 16], p[l3 + 16:l3 + 20], l3 + ihl
            frag = struct.unpack(">H", p[l3 + 6:l3 + 8])[0] & 0x1FFF
        elif et == 0x86DD:
            proto, src, dst, l4, frag = p[l3 + 6], p[l3 + 8:l3 + 24], p[l3 + 24:l3 + 40], l3 + 40, 0
        else:
            continue
        sp = dp = 0
        if proto in (6, 17) and not frag:
            sp, dp = struct.unpack(">HH", p[l4:l4 + 4])
        a = (str(ipaddress.ip_address(bytes(src))), sp)
        b = (str(ipaddress.ip_address(bytes(dst))), dp)
        idx.setdefault((proto, frozenset((a, b))), []).append(t)
    return {k: sorted(v) for k, v in idx.items()}


def devices(D):
    return {r["mac"].lower(): r["name"] for r in csv.DictReader(open(f"{D}/devices.csv"))}


def rows_of(path):
    return list(csv.DictReader(open(path)))


KEY_WIDE = ("Device", "FirstSeen", "RemIP", "Proto", "DevPort", "RemPort", "TotalFlowSize", "PacketCount")
KEY_NESTED = ("device", "first_seen", "remote_ip", "proto", "device_port", "remote_port", "bytes", "packets")


def flows(T, D, day, pq):
    cols, flags, series = load(f"{D}/sensors.csv")
    want_cols = names(cols, flags)
    fused = [n for n, _, _ in want_cols]
    mac2name = devices(D)
    sensed = {d for d, _ in series}
    pcap = read_pcap(f"{D}/capture.pcap")
    tol = 2 * S
    summary = []
    for var in ("bidirectional", "unidirectional"):
        out, plain = rows_of(f"{T}/out/{var}/{day}.csv"), rows_of(f"{T}/plain/{var}/{day}.csv")
        exact = rows_of(f"{T}/exact/{var}/{day}.csv")
        base = list(plain[0].keys())
        if list(out[0].keys()) != base + fused:
            sys.exit(f"{var}: columns {list(out[0].keys())[len(base):]}, expected {fused}")
        if len(out) != len(plain) or any([r[c] for c in base] != [p[c] for c in base] for r, p in zip(out, plain)):
            sys.exit(f"{var}: rows or other columns differ from the run without --sensors")
        # the exact run (all packet offsets, private remotes kept, device_ip): its sensor columns
        # must be the main run's, record for record
        main_ctx = sorted(tuple(r[c] for c in KEY_WIDE[:1] + KEY_WIDE[1:2] + KEY_WIDE[3:] + tuple(fused)) for r in out)
        ex_ctx = sorted(tuple(r[c] for c in KEY_WIDE[:1] + KEY_WIDE[1:2] + KEY_WIDE[3:] + tuple(fused)) for r in exact)
        if main_ctx != ex_ctx:
            sys.exit(f"{var}: the run with --packets 1000 has other sensor columns")
        nslots = max(int(k[1:4]) for k in exact[0] if re.fullmatch(r"P\d+_TO", k)) + 1
        checked = by_pcap = by_offsets = at_start = anys = 0
        for r in exact:
            dev = mac2name.get(r["Device"], r["Device"])
            first = int(r["FirstSeen"]) * 1000
            n = int(r["PacketCount"])
            offs = [int(r[f"P{k:03d}_TO"]) for k in range(min(n, nslots))]
            last = first + max(offs) * 1000 if n <= nslots else None
            if var == "bidirectional":
                ends = frozenset(((r["device_ip"], int(r["DevPort"])), (r["RemIP"], int(r["RemPort"]))))
                ts = pcap.get((int(r["Proto"]), ends), [])
                inwin = ts[bisect.bisect_left(ts, first):bisect.bisect_left(ts, first + 60 * S)]
                if len(inwin) != n:
                    sys.exit(f"{dev} {r['FirstSeen']}: {len(inwin)} packets in the capture's window, record has {n}")
                if last is not None and inwin[-1] != last:
                    sys.exit(f"{dev} {r['FirstSeen']}: last packet {inwin[-1]} in the capture, {last} by offsets")
                last, by_pcap = inwin[-1], by_pcap + 1
            elif last is None:
                continue  # uni records beyond the slots: their context equals the main run's (above)
            else:
                by_offsets += 1
            for name, col, stat in want_cols:
                w = expect(series, dev, col, stat, first, first, last, tol)
                if dev not in sensed and r[name] != "":
                    sys.exit(f"{var}: {dev} has no sensors but {name} = {r[name]!r}")
                if not same(r[name], w):
                    sys.exit(f"{var}: {dev} first {iso(first)} last {iso(last)} {name}: got {r[name]!r}, expected {w}")
                at_start += stat == "at_start" and w is not None
                anys += stat == "any" and w is True
            checked += 1
        # each sensor device's records all have their context (synth reports every second)
        for r in out:
            dev = mac2name.get(r["Device"], r["Device"])
            if dev in sensed and all(r[f"{c}_at_start"] == "" for c in cols):
                sys.exit(f"{var}: {dev} record at {r['FirstSeen']} without any sensor context")
        summary.append(f"{var}: {len(out)} records, {checked} checked ({by_pcap} by the capture, {by_offsets} by"
                       f" offsets), {at_start} at_start values, {anys} true _any")
        # JSON Lines (nested layout) holds the CSV's values
        nested = [json.loads(l) for l in open(f"{T}/out/{var}/{day}.jsonl")]
        if len(nested) != len(out):
            sys.exit(f"{var}: JSON Lines {len(nested)} rows, CSV {len(out)}")
        jmap = {tuple(str(j[k]) for k in KEY_NESTED): j for j in nested}
        for r in out:
            j = jmap.get(tuple(r[k] for k in KEY_WIDE))
            if j is None:
                sys.exit(f"{var}: no JSON Lines row for {[r[k] for k in KEY_WIDE]}")
            for name in fused:
                if (j[name] is None) != (r[name] == "") or (j[name] is not None and not same(r[name], j[name])):
                    sys.exit(f"{var}: JSON Lines {name} {j[name]!r} != CSV {r[name]!r}")
        if pq and var == "bidirectional":
            p = [json.loads(l) for l in open(pq)]
            if len(p) != len(out):
                sys.exit(f"Parquet {len(p)} rows, CSV {len(out)}")
            # DuckDB writes the timestamp as text: "2024-06-23 18:01:00.508+00"
            def first_us(x):
                return str(ns(re.sub(r"\+00$", "+00:00", x["FirstSeen"])) // 1000)
            pmap = {(first_us(x),) + tuple(str(x[k]) for k in KEY_WIDE[2:]) + (x["Device"],): x for x in p}
            for r in out:
                x = pmap.get((r["FirstSeen"],) + tuple(r[k] for k in KEY_WIDE[2:]) + (r["Device"],))
                if x is None:
                    sys.exit(f"no Parquet row for {[r[k] for k in KEY_WIDE]}")
                for name in fused:
                    if (x[name] is None) != (r[name] == "") or (x[name] is not None and not same(r[name], x[name])):
                        sys.exit(f"Parquet {name} {x[name]!r} != CSV {r[name]!r}")
    st = {c["name"]: c["flag"] for c in json.load(open(f"{T}/st.json"))["sensors"]["columns"]}
    if st != {c: c in flags for c in cols}:
        sys.exit(f"stats: sensor columns' flags {st}, expected {flags}")
    print("; ".join(summary) + f"; JSON Lines equal; Parquet {'equal' if pq else 'not checked'}; flags {flags}")


def telemetry(T, D, day):
    cols, flags, series = load(f"{D}/sensors.csv")
    want_cols = names(cols, flags)
    fused = [n for n, _, _ in want_cols]
    out, plain = rows_of(f"{T}/tel/telemetry/{day}.csv"), rows_of(f"{T}/telplain/telemetry/{day}.csv")
    base = list(plain[0].keys())
    if list(out[0].keys()) != base + fused:
        sys.exit(f"telemetry: columns {list(out[0].keys())[len(base):]}, expected {fused}")
    if len(out) != len(plain) or any([r[c] for c in base] != [p[c] for c in base] for r, p in zip(out, plain)):
        sys.exit("telemetry: rows or other columns differ from the run without --sensors")
    sensed = {d for d, _ in series}
    values = ambiguous = 0
    for r in out:
        dev, sec = r["device_id"], ns(r["timestamp"])
        dur = round(float(r["flow_duration"]) * 1e6) * 1000
        for name, col, stat in want_cols:
            if dev not in sensed and r[name] != "":
                sys.exit(f"telemetry: {dev} has no sensors but {name} = {r[name]!r}")
            if stat == "at_start":
                # the flow's first packet = this second's last packet - flow_duration, and that last
                # packet is in [sec, sec + 1 s): the reading as of either end
                w = [expect(series, dev, col, stat, t, 0, 0, 2 * S) for t in (sec - dur, sec + S - 1 - dur)]
                ambiguous += w[0] != w[1]
                if not (same(r[name], w[0]) or same(r[name], w[1])):
                    sys.exit(f"telemetry: {dev} {r['timestamp']} {name}: got {r[name]!r}, expected one of {w}")
            else:
                w = expect(series, dev, col, stat, 0, sec, sec + S - 1, 0)
                if not same(r[name], w):
                    sys.exit(f"telemetry: {dev} {r['timestamp']} {name}: got {r[name]!r}, expected {w}")
            values += r[name] != ""
    if not values:
        sys.exit("telemetry: no sensor values")
    print(f"telemetry: {len(out)} rows, {values} sensor values ({ambiguous} at_start checked against two readings)")


def pick(T, day):
    """the first nas-1 record with 2..10 packets: its first and last packet (from the offsets),
    and hand-made sensor files for its MAC around them"""
    rows = rows_of(f"{T}/out/bidirectional/{day}.csv")
    r = min((r for r in rows if r["device_name"] == "nas-1" and 2 <= int(r["PacketCount"]) <= 10),
            key=lambda r: int(r["FirstSeen"]))
    first = int(r["FirstSeen"]) * 1000
    last = first + max(int(r[f"P{k:02d}_TO"]) for k in range(int(r["PacketCount"]))) * 1000
    if last == first:
        sys.exit("the picked record has one instant")
    mac = r["Device"]
    # A: a reading exactly --tolerance (2 s) before the first packet, one at the last packet and
    # one 1 µs after it (outside the lifetime); door_flag is a flag: door_any
    with open(f"{T}/A.csv", "w") as f:
        f.write("timestamp,device_id,level,door_flag\n")
        f.write(f"{iso(first - 2 * S)},{mac},7,0\n{iso(last)},{mac},5,1\n{iso(last + 1000)},{mac},100,0\n")
    # B: 1 µs beyond the tolerance
    with open(f"{T}/B.csv", "w") as f:
        f.write(f"timestamp,device_id,level\n{iso(first - 2 * S - 1000)},{mac.upper()},8\n")
    json.dump({"key": [r[k] for k in KEY_WIDE]}, open(f"{T}/picked.json", "w"))
    print(f"picked nas-1 {mac} first {iso(first)} last {iso(last)} ({r['PacketCount']} packets)")


def edges(T, day):
    key = json.load(open(f"{T}/picked.json"))["key"]
    def row(d):
        for r in rows_of(f"{T}/{d}/bidirectional/{day}.csv"):
            if [r[k] for k in KEY_WIDE] == key:
                return r
        sys.exit(f"{d}: the picked record is missing")
    want = {
        "edgeA": {"level_at_start": "7", "level_mean": "5.000", "level_min": "5", "level_max": "5",
                  "door_flag_at_start": "0", "door_flag_mean": "1.000", "door_flag_min": "1", "door_flag_max": "1",
                  "door_any": "true"},
        "edgeA_inv": None,  # the same, the MAC resolved through --devices
        "edgeB": {"level_at_start": "", "level_mean": "", "level_min": "", "level_max": ""},
        "edgeB3": {"level_at_start": "8", "level_mean": "", "level_min": "", "level_max": ""},
    }
    want["edgeA_inv"] = want["edgeA"]
    for d, w in want.items():
        r = row(d)
        got = {k: r.get(k) for k in w}
        if got != w:
            sys.exit(f"{d}: {got}, expected {w}")
        extra = [k for k in r if k.startswith(("level", "door")) and k not in w]
        if extra:
            sys.exit(f"{d}: unexpected columns {extra}")
    # every other record: null (no other device has readings)
    for r in rows_of(f"{T}/edgeA/bidirectional/{day}.csv"):
        if r["Device"] != key[0] and any(r[k] for k in want["edgeA"]):
            sys.exit(f"edgeA: {r['Device']} has sensor context")
    print("hand-made: tolerance end included, 1 µs beyond null, last packet included, 1 µs after excluded,"
          " door_flag -> door_any, a device by MAC")


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"flows": lambda: flows(args[0], args[1], args[2], args[3] if len(args) > 3 else ""),
     "telemetry": lambda: telemetry(*args), "pick": lambda: pick(*args), "edges": lambda: edges(*args)}[cmd]()
