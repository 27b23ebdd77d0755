#!/usr/bin/env bash
# extract --last-seen (docs/OUTPUT.md "custom-flow", LastSeen / last_seen): the record's last
# packet time, µs-truncated like FirstSeen, on real corpus captures (both variants):
#   - with --packets 1000 every packet of a record of at most 1000 packets has a slot, so for each
#     such row LastSeen = FirstSeen + the largest P*_TO (the offsets are differences of the
#     µs-truncated timestamps: a rounded or wrong-unit LastSeen breaks it; a nanosecond capture
#     pcapng capture is among the inputs), and LastSeen >= FirstSeen for every row;
#   - CSV (wide), Parquet (wide, read by DuckDB after pqcheck verify; a run without payload
#     columns) and JSON Lines (nested, last_seen = first_seen + max(pkt_offset_us)) carry the
#     same records with the same values;
#   - the column comes right after evicted (after device_ip with --device-ip), and without
#     --last-seen the CSV is the --last-seen CSV without that column (default bytes are guarded
#     by corpus_hashes.sh);
#   - iotflow label puts the label columns after it (wide and nested);
#   - refused (exit 1, nothing written, the message names the table) with --table telemetry and
#     timeline, and with -f joy alone.
#
# Env: IOF_BIN, IOF_SHARED (corpus, pqcheck). Exit 0 / 1 / 77.
. "$(dirname "$0")/lib.bash"

CORPUS=${IOF_SHARED:-/nonexistent}/corpus
CAPS=(iot__xiaodu-smart-plug-68min__xiaodu_plug.pcap pcapng-ns__ndpi-steam__steam.pcapng
      dns__pcpp-dns-packets__DnsPackets.pcap)
for c in "${CAPS[@]}"; do
    [ -f "$CORPUS/$c" ] || { echo "SKIP: no corpus capture $CORPUS/$c (IOF_SHARED)"; exit 77; }
done
IN=("${CAPS[@]/#/$CORPUS/}")
X=(-q --hash-seed 7 --packets 1000)

"$BIN" extract "${X[@]}" --last-seen -f csv -f jsonl -o "$T/ls" "${IN[@]}" || fail "extract --last-seen"
# Parquet: the same records (slots do not change them) without the payload stream, so that
# pqcheck reads tens of columns, not thousands
"$BIN" extract -q --hash-seed 7 --payload-total 0 --last-seen -f parquet -o "$T/pq" "${IN[@]}" \
    || fail "extract --last-seen -f parquet"
"$BIN" extract "${X[@]}" -f csv -o "$T/plain" "${IN[@]}" || fail "extract"
"$BIN" extract "${X[@]}" --last-seen --device-ip -f csv -o "$T/dip" "${IN[@]}" || fail "extract --device-ip --last-seen"

for f in $(cd "$T/dip" && find . -name '*.csv'); do
    head -1 "$T/dip/$f" | tr -d '\r' | grep -q ',evicted,device_ip,LastSeen$' || fail "$f: LastSeen not after device_ip"
done

# Parquet rows as DuckDB reads them (the timestamps as µs), or none without pqcheck (pq_rows
# says SKIP): one verify and one query for all files (each start of the validator takes seconds)
PQ=(); for f in $(cd "$T/pq" && find . -name '*.parquet' | sort); do PQ+=("$T/pq/$f"); done
[ ${#PQ[@]} -gt 0 ] || fail "no Parquet file written"
if pq_rows "${PQ[0]}" "$T/first.rows"; then
    "$IOF_SHARED/tools/parquet/pqcheck" verify --quiet "${PQ[@]}" > "$T/verify.log" 2>&1 \
        || { cat "$T/verify.log"; fail "pqcheck verify"; }
    "$IOF_SHARED/tools/parquet/pqcheck" sql "SELECT regexp_extract(filename, '([a-z]+/[^/]+)[.]parquet$', 1) AS f,
        Device, epoch_us(FirstSeen) AS FirstSeen, epoch_us(LastSeen) AS LastSeen, RemIP, Proto, DevPort, RemPort,
        TotalFlowSize, PacketCount FROM read_parquet('$T/pq/*/*.parquet', filename = true)" > "$T/pq.rows" \
        || fail "pqcheck sql"
fi

python3 - "$T" <<'EOF' || fail "LastSeen check"
import csv, glob, json, os, sys
T = sys.argv[1]
def rel(p, root):
    return os.path.splitext(os.path.relpath(p, root))[0]
def key(f, dev, first, last, rem, proto, dport, rport, size, n):
    return (f, dev, int(first), int(last), rem, int(proto), int(dport), int(rport), int(size), int(n))
bad = []
csv_keys, checked, one_pkt = [], 0, 0
files = sorted(glob.glob(f"{T}/ls/*/*.csv"))
assert files, "no CSV written"
for p in files:
    with open(p, newline="") as fh:
        rows = list(csv.reader(fh))
    head = rows[0]
    if head[-2:] != ["evicted", "LastSeen"]:
        bad.append(f"{p}: header ends {head[-3:]}, want evicted, LastSeen")
        continue
    ix = {n: i for i, n in enumerate(head)}
    to = [i for i, n in enumerate(head) if n.startswith("P") and n.endswith("_TO")]
    assert len(to) == 1000, len(to)
    # without --last-seen: the same file but that column
    with open(p.replace(f"{T}/ls/", f"{T}/plain/"), newline="") as fh:
        plain = list(csv.reader(fh))
    if plain != [r[:-1] for r in rows]:
        bad.append(f"{p}: without --last-seen the CSV is not the same less LastSeen")
    for r in rows[1:]:
        first, last, n = int(r[ix["FirstSeen"]]), int(r[ix["LastSeen"]]), int(r[ix["PacketCount"]])
        if last < first:
            bad.append(f"{p}: LastSeen {last} < FirstSeen {first}")
        if n <= 1000:
            offs = [int(r[i]) for i in to if r[i] != ""]
            if len(offs) != n or last != first + max(offs):
                bad.append(f"{p}: LastSeen {last} != FirstSeen {first} + max P*_TO {max(offs)} ({n} packets)")
            checked += 1
            one_pkt += n == 1
        csv_keys.append(key(rel(p, f"{T}/ls"), r[ix["Device"]], first, last, r[ix["RemIP"]], r[ix["Proto"]],
                            r[ix["DevPort"]], r[ix["RemPort"]], r[ix["TotalFlowSize"]], n))
if checked < 100 or not one_pkt or checked == one_pkt:
    bad.append(f"too little checked: {checked} rows, {one_pkt} of one packet")
js_keys = []
for p in sorted(glob.glob(f"{T}/ls/*/*.jsonl")):
    for line in open(p):
        o = json.loads(line)
        if list(o)[-1] != "last_seen":
            bad.append(f"{p}: last member {list(o)[-1]}, want last_seen")
        if o["packets"] <= 1000 and o["last_seen"] != o["first_seen"] + max(o["pkt_offset_us"]):
            bad.append(f"{p}: last_seen {o['last_seen']} != first_seen + max pkt_offset_us")
        js_keys.append(key(rel(p, f"{T}/ls"), o["device"], o["first_seen"], o["last_seen"], o["remote_ip"],
                           o["proto"], o["device_port"], o["remote_port"], o["bytes"], o["packets"]))
if sorted(js_keys) != sorted(csv_keys):
    bad.append(f"JSON Lines records differ from CSV ({len(js_keys)} vs {len(csv_keys)})")
if os.path.exists(f"{T}/pq.rows"):
    pq = []
    for line in open(f"{T}/pq.rows"):
        o = json.loads(line)
        pq.append(key(o["f"], o["Device"], o["FirstSeen"], o["LastSeen"], o["RemIP"], o["Proto"],
                      o["DevPort"], o["RemPort"], o["TotalFlowSize"], o["PacketCount"]))
    if sorted(pq) != sorted(csv_keys):
        bad.append(f"Parquet records differ from CSV ({len(pq)} vs {len(csv_keys)})")
for b in bad[:10]:
    print(b)
print(f"{checked} rows checked against their offsets, {len(csv_keys)} records in each format"
      + ("" if os.path.exists(f"{T}/pq.rows") else " (Parquet skipped)"))
sys.exit(1 if bad else 0)
EOF

# iotflow label: the labels follow LastSeen (the last column extract wrote), wide and nested
label_after "$T/ls" evicted,LastSeen
for f in $(cd "$LABELLED" && find . -name '*.jsonl'); do
    head -1 "$LABELLED/$f" | grep -Eq '"last_seen":[0-9]+,"kind":"[a-z]+","kind_rule":"[^"]+"\}$' \
        || fail "$f: labels not after last_seen: $(head -c 300 "$LABELLED/$f")"
done

# refused where there is no custom-flow record to carry it
extract_refuses --last-seen "--table telemetry" --table telemetry "${IN[0]}"
extract_refuses --last-seen "--table timeline" --table timeline "${IN[0]}"
extract_refuses --last-seen "-f joy" -f joy "${IN[0]}"
echo "ok"
