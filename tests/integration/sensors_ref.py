"""An independent reading of a sensor readings CSV (docs/SENSORS.md) for the integration tests
(timeline_sensors.sh, fuse_check.py): times, the series per device and column, the as-of and
interval lookups, written from the documentation, not from iotflow's code."""
import bisect, csv, datetime, re

S = 10**9


def ns(text):
    """ISO 8601 with a zone (any fraction) or epoch seconds -> ns"""
    text = text.strip()
    if any(c in text for c in "-:T"):
        base, frac = text.replace("Z", "+00:00"), 0
        m = re.match(r"(.*?)\.(\d+)(.*)$", base)
        if m:
            base, frac = m.group(1) + m.group(3), int((m.group(2) + "000000000")[:9])
        return int(datetime.datetime.fromisoformat(base).timestamp()) * S + frac
    return int(round(float(text) * 1e9))


def iso(t_ns):
    sec, frac = divmod(t_ns, S)
    return datetime.datetime.fromtimestamp(sec, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + f".{frac:09d}Z"


def load(path, alias=None):
    """value columns, flag columns (every value 0 or 1), {(device, column): ([times], [values])};
    in file order, the last duplicate wins (a missing cell too), rows with a field count other
    than the header's are skipped"""
    alias = alias or {}
    rows = list(csv.DictReader(open(path)))
    cols = [c for c in rows[0].keys() if c not in ("timestamp", "device_id")]
    by = {}
    for r in rows:
        if None in r or None in r.values():
            continue
        dev = alias.get(r["device_id"], r["device_id"])
        for c in cols:
            v = (r[c] or "").strip()
            if v == "":
                by.setdefault((dev, c), {}).pop(ns(r["timestamp"]), None)
                continue
            by.setdefault((dev, c), {})[ns(r["timestamp"])] = float(v)
    series = {k: (sorted(d), [d[t] for t in sorted(d)]) for k, d in by.items()}
    flags = [c for c in cols if all(v in (0.0, 1.0) for (_, cc), (_, vs) in series.items() if cc == c for v in vs)]
    return cols, flags, series


def asof_at(series, key, t, tol):
    """the last reading with t - tol <= time <= t, or None"""
    if key not in series:
        return None
    ts, vs = series[key]
    i = bisect.bisect_right(ts, t)
    return vs[i - 1] if i and t - ts[i - 1] <= tol else None


def readings(series, key, t0, t1):
    """the values with t0 <= time <= t1"""
    if key not in series:
        return []
    ts, vs = series[key]
    return vs[bisect.bisect_left(ts, t0):bisect.bisect_right(ts, t1)]
