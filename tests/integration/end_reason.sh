#!/usr/bin/env bash
# extract --end-reason (docs/OUTPUT.md "Why a record ended"): why each custom-flow record and each
# Joy flow ended, on real corpus captures:
#   - custom-flow records (CSV, JSON Lines, Parquet): end_reason is evicted exactly where evicted is
#     true (their number is the stats' records.evicted, --max-flows small enough to evict); of the
#     others, end_of_input exactly where FirstSeen + the window lies past the capture's last
#     packet (tshark reads the times: the records still open at the end), window elsewhere; all
#     three occur; the three formats carry the same values; the column comes right after evicted,
#     and without --end-reason the CSV is the same less that column; iotflow label puts its
#     columns after it; with --device-ip and --last-seen the order is evicted, end_reason,
#     device_ip, LastSeen;
#   - Joy flows (-f joy, the 15 seed-001 golden captures, and one with --max-flows 6 so that
#     flows are evicted): "end_reason" follows expire_type, idle
#     where it is "i", active where "a"; per capture as many idle / active / evicted flows as the
#     stats' joy.expired_inactive / expired_active / evicted; without --end-reason each object is the same less that
#     member (Joy's own bytes are guarded by joy_extract.sh); idle, active and end_of_input occur;
#   - refused (exit 1, nothing written) with --table telemetry and timeline.
# A run stopped by a signal writes "stopped": tests/robust/signals.sh.
#
# Env: IOF_BIN, IOF_SHARED (corpus, pqcheck). Exit 0 / 1 / 77.
. "$(dirname "$0")/lib.bash"

CORPUS=${IOF_SHARED:-/nonexistent}/corpus
CAPS=(iot__xiaodu-smart-plug-68min__xiaodu_plug.pcap dns__pcpp-dns-packets__DnsPackets.pcap)
for c in "${CAPS[@]}"; do
    [ -f "$CORPUS/$c" ] || { echo "SKIP: no corpus capture $CORPUS/$c (IOF_SHARED)"; exit 77; }
done
command -v tshark > /dev/null || { echo "SKIP: no tshark"; exit 77; }
GOLD=$(find "$CORPUS/seed001-joy" -name '*.pcapng' | sort)
[ -n "$GOLD" ] || { echo "SKIP: no golden Joy captures"; exit 77; }

# one capture per run: the end of the input is its last packet
X=(-q --hash-seed 7 --payload-total 0 --max-flows 40)
for c in "${CAPS[@]}"; do
    n=${c%%__*}
    "$BIN" extract "${X[@]}" --end-reason -f csv -f jsonl -f parquet --stats "$T/$n.stats.json" \
        -o "$T/er/$n" "$CORPUS/$c" || fail "extract --end-reason $c"
    "$BIN" extract "${X[@]}" -f csv -o "$T/plain/$n" "$CORPUS/$c" || fail "extract $c"
    tshark -r "$CORPUS/$c" -T fields -e frame.time_epoch 2>/dev/null | sort -g | tail -1 > "$T/$n.last" \
        || fail "tshark $c"
    PQ=("$T"/er/$n/*/*.parquet)
    if pq_rows "${PQ[0]}" "$T/first.rows"; then
        "$IOF_SHARED/tools/parquet/pqcheck" sql "SELECT end_reason, evicted, count(*) AS n FROM
            read_parquet('$T/er/$n/*/*.parquet') GROUP BY ALL" > "$T/$n.pq" || fail "pqcheck sql $c"
    fi
done

python3 - "$T" "${CAPS[@]}" <<'EOF' || fail "custom-flow end_reason"
import collections, csv, glob, json, os, sys
from decimal import Decimal
T, caps = sys.argv[1], sys.argv[2:]
bad, seen = [], collections.Counter()
for c in caps:
    n = c.split("__")[0]
    last_us = int(Decimal(open(f"{T}/{n}.last").read().strip()) * 1000000)
    st = json.load(open(f"{T}/{n}.stats.json"))
    csv_vals, evicted = collections.Counter(), 0
    for p in sorted(glob.glob(f"{T}/er/{n}/*/*.csv")):
        rows = list(csv.reader(open(p, newline="")))
        head = rows[0]
        if head[-2:] != ["evicted", "end_reason"]:
            bad.append(f"{p}: header ends {head[-2:]}")
            continue
        plain = list(csv.reader(open(p.replace(f"{T}/er/", f"{T}/plain/"), newline="")))
        if plain != [r[:-1] for r in rows]:
            bad.append(f"{p}: without --end-reason the CSV is not the same less end_reason")
        ix = {h: i for i, h in enumerate(head)}
        for r in rows[1:]:
            why, ev = r[ix["end_reason"]], r[ix["evicted"]] == "true"
            first = int(r[ix["FirstSeen"]])
            want = "evicted" if ev else "end_of_input" if first + 60000000 > last_us else "window"
            if why != want:
                bad.append(f"{p}: FirstSeen {first} (last packet {last_us}): end_reason {why}, want {want}")
            csv_vals[(why, ev)] += 1
            evicted += ev
            seen[why] += 1
    want_ev = st["records"]["evicted_bidirectional"] + st["records"]["evicted_unidirectional"]
    if evicted != want_ev:
        bad.append(f"{n}: {evicted} evicted rows, stats say {want_ev}")
    js = collections.Counter()
    for p in sorted(glob.glob(f"{T}/er/{n}/*/*.jsonl")):
        for line in open(p):
            o = json.loads(line)
            keys = list(o)
            if keys[keys.index("evicted") + 1] != "end_reason":
                bad.append(f"{p}: end_reason does not follow evicted")
            js[(o["end_reason"], o["evicted"])] += 1
    if js != csv_vals:
        bad.append(f"{n}: JSON Lines {dict(js)} != CSV {dict(csv_vals)}")
    if os.path.exists(f"{T}/{n}.pq"):
        pq = collections.Counter()
        for line in open(f"{T}/{n}.pq"):
            o = json.loads(line)
            pq[(o["end_reason"], o["evicted"])] += o["n"]
        if pq != csv_vals:
            bad.append(f"{n}: Parquet {dict(pq)} != CSV {dict(csv_vals)}")
for why in ("window", "evicted", "end_of_input"):
    if seen[why] == 0:
        bad.append(f"no record ended by {why}: the test does not reach it")
for b in bad[:10]:
    print(b)
print("custom-flow records:", dict(seen))
sys.exit(1 if bad else 0)
EOF

# Joy flows: the golden captures, with and without --end-reason
i=0
for g in $GOLD; do
    i=$((i + 1))
    "$BIN" extract -q -f joy --end-reason --stats "$T/joy1.$i.json" -o "$T/joy1/$i" "$g" \
        || fail "-f joy --end-reason $g"
    "$BIN" extract -q -f joy -o "$T/joy0/$i" "$g" || fail "-f joy $g"
done
# and one with a small cap, so that flows are evicted (each pair counts two records)
"$BIN" extract -q -f joy --end-reason --max-flows 6 --stats "$T/joy1.cap.json" -o "$T/joy1/cap" \
    "$(echo "$GOLD" | tail -1)" || fail "-f joy --end-reason --max-flows 6"
"$BIN" extract -q -f joy --max-flows 6 -o "$T/joy0/cap" "$(echo "$GOLD" | tail -1)" || fail "-f joy --max-flows 6"
python3 - "$T" <<'EOF' || fail "Joy end_reason"
import collections, glob, gzip, json, sys
T = sys.argv[1]
bad, seen = [], collections.Counter()
files = sorted(glob.glob(f"{T}/joy1/*/joy/*.json.gz"))
if len(files) < 16:
    bad.append(f"{len(files)} Joy files")
for p in files:
    i = p.split("/joy1/")[1].split("/")[0]
    js = json.load(open(f"{T}/joy1.{i}.json"))["joy"]
    mine = collections.Counter(json.loads(l).get("end_reason") for l in gzip.open(p, "rt").read().splitlines()[1:])
    if (mine["idle"], mine["active"], mine["evicted"]) != (js["expired_inactive"], js["expired_active"], js["evicted"]):
        bad.append(f"{p}: idle/active/evicted {mine['idle']}/{mine['active']}/{mine['evicted']}, stats "
                   f"{js['expired_inactive']}/{js['expired_active']}/{js['evicted']}")
    with_ = gzip.open(p, "rt").read().splitlines()
    without = gzip.open(p.replace("/joy1/", "/joy0/"), "rt").read().splitlines()
    if len(with_) != len(without) or with_[0] != without[0]:
        bad.append(f"{p}: line count or config line differ")
        continue
    for a, b in zip(with_[1:], without[1:]):
        o, z = json.loads(a), json.loads(b)
        why = o.pop("end_reason", None)
        if list(o.items()) != list(z.items()):
            bad.append(f"{p}: the flow less end_reason differs from the flow without --end-reason")
        want = {"i": "idle", "a": "active"}.get(z.get("expire_type"))
        if want and why != want:
            bad.append(f"{p}: expire_type {z['expire_type']} but end_reason {why}")
        if why not in ("idle", "active", "evicted", "end_of_input"):
            bad.append(f"{p}: end_reason {why}")
        keys = list(json.loads(a))
        if "expire_type" in keys and keys[keys.index("expire_type") + 1] != "end_reason":
            bad.append(f"{p}: end_reason does not follow expire_type")
        seen[why] += 1
for why in ("idle", "active", "evicted", "end_of_input"):
    if seen[why] == 0:
        bad.append(f"no Joy flow ended by {why}: the test does not reach it")
for b in bad[:10]:
    print(b)
print("Joy flows:", dict(seen))
sys.exit(1 if bad else 0)
EOF

# iotflow label: the label columns follow end_reason
label_after "$T/er/dns" evicted,end_reason

# beside the other opt-in columns: evicted, end_reason, device_ip, LastSeen
"$BIN" extract -q --end-reason --device-ip --last-seen -f csv -o "$T/all" "$CORPUS/${CAPS[1]}" || fail "all opt-ins"
for f in $(cd "$T/all" && find . -name '*.csv'); do
    head -1 "$T/all/$f" | tr -d '\r' | grep -q ',evicted,end_reason,device_ip,LastSeen$' || fail "$f: opt-in column order"
done

for t in telemetry timeline; do
    extract_refuses --end-reason "--table $t" --table $t -f csv "$CORPUS/${CAPS[1]}"
done
echo "ok"
