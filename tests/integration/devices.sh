#!/usr/bin/env bash
# iotflow devices on real captures ($IOF_SHARED/corpus), checked against tshark:
#  - the listed MACs are exactly the unicast, non-zero source MACs of the IP frames (no group
#    MAC, no all-zero MAC);
#  - DHCP host names and vendor classes are the last ones each client sent (tshark's fields);
#  - the SSDP SERVER is the first one of the MAC's NOTIFYs; one of its own mDNS A-record names
#    is listed;
#  - the routers: MACs that send DHCP offers/acks or carry >= 3 public IPv4 sources (tshark +
#    Python's ipaddress) are typed router with their evidence; in the home captures no other
#    MAC is;
#  - the CSV round-trips: `extract --devices` exits 0 and every listed device gets records;
# plus a damaged capture (exit 2, offset named, what was read listed), no vendor database,
# a bad --oui file, output errors, usage errors, and the same bytes on a second run.
source "$(dirname "$0")/../robust/lib.bash"
CORPUS=${IOF_SHARED:-}/corpus
if [ ! -d "$CORPUS" ]; then echo "SKIPPED: no capture corpus at '$CORPUS' (set IOF_SHARED)"; exit 77; fi
if ! command -v tshark >/dev/null; then echo "SKIPPED: tshark not installed (scripts/setup.sh --test)"; exit 77; fi

caps=(dhcp__joy-dhcp__dhcp.pcap home__ndpi-android__android.pcap home__ndpi-iphone__iphone.pcap
      home__ndpi-netflix__netflix.pcap home__ndpi-home-lan-1kxun__1kxun.pcap iot__zeek-mdns__mdns.pcap)
for f in "$CORPUS"/iot__iotsentinel-*-setup__*.pcap; do caps+=("$(basename "$f")"); done

# checker: our CSV against tshark's view of the capture (arguments: csv, capture, home 0/1)
cat > "$TMP/check.py" <<'PY'
import csv, ipaddress, json, subprocess, sys
ours, cap, home = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
rows = {r["mac"]: r for r in csv.DictReader(open(ours, encoding="utf-8"))}
def tshark(flt, *fields):
    out = subprocess.run(["tshark", "-r", cap, "-Y", flt, "-T", "fields", "-E", "occurrence=f"]
                         + sum((["-e", f] for f in fields), []), capture_output=True, text=True).stdout
    return [l.split("\t") for l in out.splitlines()]
def unicast(m): return m and int(m[:2], 16) & 1 == 0 and m != "00:00:00:00:00:00"
problems = []
for m in rows:
    if not unicast(m): problems.append(f"group or zero MAC listed: {m}")
want = {f[0] for f in tshark("ip || ipv6", "eth.src") if unicast(f[0])}
if set(rows) != want:
    problems.append(f"MACs: missing {sorted(want - set(rows))}, extra {sorted(set(rows) - want)}")
# DHCP client options: the last non-empty value each client sent
host, vc = {}, {}
for mac, h, v in tshark("dhcp.option.dhcp == 1 || dhcp.option.dhcp == 3 || dhcp.option.dhcp == 8 || dhcp.option.dhcp == 4",
                        "dhcp.hw.mac_addr", "dhcp.option.hostname", "dhcp.option.vendor_class_id"):
    if h: host[mac] = h
    if v: vc[mac] = v
for d, col in ((host, "dhcp_hostname"), (vc, "dhcp_vendor_class")):
    for mac, val in d.items():
        if mac in rows and rows[mac][col] != val.strip():
            problems.append(f"{mac} {col}: ours '{rows[mac][col]}', tshark '{val}'")
    for mac, r in rows.items():
        if r[col] and mac not in d:
            problems.append(f"{mac} {col}: ours '{r[col]}', tshark has none")
# SSDP: the first NOTIFY SERVER of each MAC
first_server = {}
for mac, srv in tshark("ssdp && http.request.method == \"NOTIFY\" && http.server", "eth.src", "http.server"):
    first_server.setdefault(mac, srv)
for mac, srv in first_server.items():
    if mac in rows and rows[mac]["ssdp_server"] != srv.strip():
        problems.append(f"{mac} ssdp_server: ours '{rows[mac]['ssdp_server']}', tshark '{srv}'")
# mDNS: a name whose A record is the sender's address is listed
own = {}
pkts = json.loads(subprocess.run(["tshark", "-r", cap, "-Y", "mdns && dns.flags.response == 1 && ip", "-T", "json",
                                  "-J", "eth ip mdns"], capture_output=True, text=True).stdout or "[]")
for p in pkts:
    layers = p["_source"]["layers"]
    mac, src = layers["eth"]["eth.src"], layers["ip"]["ip.src"]
    for section in ("Answers", "Additional records"):
        for rr in layers.get("mdns", {}).get(section, {}).values():
            if isinstance(rr, dict) and rr.get("dns.resp.type") == "1" and rr.get("dns.a") == src and rr["dns.resp.name"].endswith(".local"):
                own.setdefault(mac, set()).add(rr["dns.resp.name"].lower())
for mac, names in own.items():
    listed = {n.lower() for n in rows.get(mac, {}).get("mdns_names", "").split(";") if n}
    if mac in rows and not names & listed:
        problems.append(f"{mac} mdns_names '{rows[mac]['mdns_names']}' has none of {sorted(names)}")
# routers: DHCP servers, and MACs with >= 3 public IPv4 sources
routers = {f[0] for f in tshark("(dhcp.option.dhcp == 2 || dhcp.option.dhcp == 5) && !icmp", "eth.src")}
pub = {}
for mac, src in tshark("ip", "eth.src", "ip.src"):
    try:
        if ipaddress.ip_address(src).is_global: pub.setdefault(mac, set()).add(src)
    except ValueError: pass
routers |= {m for m, s in pub.items() if len(s) >= 3}
for m in sorted(routers):
    r = rows.get(m)
    if not r or r["type"] != "router" or not ("DHCP server" in r["evidence"] or "L2 next hop" in r["evidence"]):
        problems.append(f"router {m}: {r and (r['type'], r['evidence'])}")
ours_routers = {m for m, r in rows.items() if r["type"] == "router"}
if home and ours_routers != routers:
    problems.append(f"routers: ours {sorted(ours_routers)}, expected {sorted(routers)}")
for p in problems: print("   ", p)
print(f"{len(rows)} devices, {len(routers)} router(s) expected, {len(host)} DHCP host names, "
      f"{len(first_server)} SSDP servers, {len(own)} mDNS hosts checked")
sys.exit(1 if problems else 0)
PY

for c in "${caps[@]}"; do
  cap="$CORPUS/$c"; name=${c%.*}
  [ -f "$cap" ] || { bad "$c: missing from the corpus"; continue; }
  "$BIN/iotflow" devices -q -o "$TMP/$name.csv" "$cap" 2>"$TMP/err"; rc=$?
  if [ $rc -ne 0 ]; then bad "$c: exit $rc: $(cat "$TMP/err")"; continue; fi
  home=0; case $c in home__*) home=1;; esac
  if out=$(python3 "$TMP/check.py" "$TMP/$name.csv" "$cap" $home); then
    ok "$c: $(echo "$out" | tail -1)"
  else
    bad "$c: $out"
  fi
  # round trip: the inventory as it is; every listed device gets records
  "$BIN/iotflow" extract -q --devices "$TMP/$name.csv" -f jsonl --variant bi -o "$TMP/x-$name" "$cap" 2>"$TMP/err"; rc=$?
  listed=$(python3 -c 'import csv,sys; print(" ".join(sorted(r["mac"] for r in csv.DictReader(open(sys.argv[1])))))' "$TMP/$name.csv")
  got=$(cat "$TMP/x-$name"/bidirectional/*.jsonl 2>/dev/null | python3 -c 'import json,sys; print(" ".join(sorted({json.loads(l)["device"] for l in sys.stdin})))')
  if [ $rc -eq 0 ] && [ "$listed" = "$got" ]; then ok "$c: extract --devices exit 0, records for all $(echo $listed | wc -w) devices"
  else bad "$c: extract --devices exit $rc ($(head -c 300 "$TMP/err")); listed [$listed] vs with records [$got]"; fi
  # each name is one device's (any case): the timeline names devices by it, and takes the inventory
  dup=$(python3 -c 'import csv,sys,collections; c=collections.Counter(r["name"].lower() for r in csv.DictReader(open(sys.argv[1]))); print(" ".join(n for n,k in c.items() if k > 1))' "$TMP/$name.csv")
  "$BIN/iotflow" extract -q --devices "$TMP/$name.csv" --table timeline -f csv -o "$TMP/t-$name" "$cap" 2>"$TMP/err"; rc=$?
  if [ -z "$dup" ] && [ $rc -eq 0 ]; then ok "$c: every name is one device's, --table timeline takes the inventory"
  else bad "$c: names shared [$dup], --table timeline exit $rc ($(head -c 300 "$TMP/err"))"; fi
done
# two MACs announce one DHCP host name in the iPhone capture: the second gets -2
check "iphone: two Macs named Lucas-iMac: the later in MAC order is Lucas-iMac-2" \
  bash -c "grep -q '^c6:2c:03:60:6a:64,Lucas-iMac,' '$TMP/home__ndpi-iphone__iphone.csv' && grep -q '^d8:30:62:56:00:1c,Lucas-iMac-2,' '$TMP/home__ndpi-iphone__iphone.csv'"
# an inventory that gives two devices one name: the tables that name devices by it refuse it
sed 's/,Lucas-iMac-2,/,Lucas-iMac,/' "$TMP/home__ndpi-iphone__iphone.csv" > "$TMP/dupname.csv"
for t in timeline telemetry; do
  "$BIN/iotflow" extract -q --devices "$TMP/dupname.csv" --table $t -f csv -o "$TMP/dn-$t" "$CORPUS/home__ndpi-iphone__iphone.pcap" 2>"$TMP/err"; rc=$?
  check "two devices of one name: --table $t exits 1, names it, writes nothing" \
    bash -c "[ $rc -eq 1 ] && grep -q 'gives two devices the name' '$TMP/err' && [ ! -e '$TMP/dn-$t' ]"
done
"$BIN/iotflow" extract -q --devices "$TMP/dupname.csv" -f csv -o "$TMP/dn-cf" "$CORPUS/home__ndpi-iphone__iphone.pcap" 2>/dev/null
check "two devices of one name: custom-flow records (keyed by MAC) take it" [ $? -eq 0 ]

# the same bytes on a second run (the table's hash seed is random)
hue="$CORPUS/iot__iotsentinel-HueBridge-setup__Setup-A-2-STA.pcap"
"$BIN/iotflow" devices -q "$hue" > "$TMP/r1.csv"; "$BIN/iotflow" devices -q "$hue" > "$TMP/r2.csv"
check "second run writes the same bytes" cmp -s "$TMP/r1.csv" "$TMP/r2.csv"
check "-o FILE and stdout agree" cmp -s "$TMP/r1.csv" "$TMP/iot__iotsentinel-HueBridge-setup__Setup-A-2-STA.csv"

# a damaged capture: what was read is listed, exit 2, the message names file and offset
cut="$CORPUS/malformed/derived-cut-mid-record__HueBridge-Setup-A-2-STA.pcap"
if [ -f "$cut" ]; then
  "$BIN/iotflow" devices -o "$TMP/cut.csv" "$cut" 2>"$TMP/err"; rc=$?
  check "cut capture: exit 2" [ $rc -eq 2 ]
  check "cut capture: message names the file and offset" grep -q "derived-cut-mid-record.*offset" "$TMP/err"
  check "cut capture: devices read before the damage are listed" [ "$(tail -n +2 "$TMP/cut.csv" | wc -l)" -ge 2 ]
fi
"$BIN/iotflow" devices -o "$TMP/none.csv" "$TMP/nope.pcap" 2>"$TMP/err"; rc=$?
check "missing capture: exit 2, nothing written" [ $rc -eq 2 -a ! -e "$TMP/none.csv" ]

# SIGINT while the input blocks (a FIFO whose writer pauses): exit 130 at once, what was read listed
mkfifo "$TMP/fifo"
( head -c 150000 "$hue"; exec sleep 20 ) > "$TMP/fifo" & writer=$!
"$BIN/iotflow" devices -q -o "$TMP/int.csv" "$TMP/fifo" 2>"$TMP/err" & pid=$!
sleep 2; t0=$(date +%s); kill -INT $pid; wait $pid; rc=$?; t1=$(date +%s)
kill $writer 2>/dev/null; wait $writer 2>/dev/null
check "SIGINT: exit 130 within 2 s" [ $rc -eq 130 -a $((t1 - t0)) -le 2 ]
check "SIGINT: the devices read so far are listed" [ "$(tail -n +2 "$TMP/int.csv" 2>/dev/null | wc -l)" -ge 2 ]
check "SIGINT: no temporary file left" no_temp_files "$TMP"

# no vendor database: empty vendor column, said once
IOF_TEST_OUI_PATHS= "$BIN/iotflow" devices -o "$TMP/nov.csv" "$hue" 2>"$TMP/err"; rc=$?
check "no vendor database: exit 0" [ $rc -eq 0 ]
check "no vendor database: said once on stderr" [ "$(grep -c 'no vendor database' "$TMP/err")" -eq 1 ]
check "no vendor database: vendor column empty" python3 -c '
import csv,sys; rows=list(csv.DictReader(open(sys.argv[1]))); sys.exit(not rows or any(r["vendor"] for r in rows))' "$TMP/nov.csv"
vendors=$(python3 -c 'import csv,sys; print(sum(1 for r in csv.DictReader(open(sys.argv[1])) if r["vendor"]))' "$TMP/r1.csv")
if [ -r /usr/share/wireshark/manuf ] || [ -r /usr/share/ieee-data/oui.txt ]; then
  check "with the system's vendor database: vendors filled ($vendors)" [ "$vendors" -ge 2 ]
fi
if [ -r /usr/share/ieee-data/oui.txt ]; then
  "$BIN/iotflow" devices -q --oui /usr/share/ieee-data/oui.txt "$hue" > "$TMP/ieee.csv"
  check "--oui ieee-data oui.txt: Philips vendor" grep -q "^00:17:88:24:76:ff,.*Philips" "$TMP/ieee.csv"
fi
printf '00:17:88\tPhilips\n00:17:8Z\tBad\n' > "$TMP/bad.manuf"
"$BIN/iotflow" devices -o "$TMP/bo.csv" --oui "$TMP/bad.manuf" "$hue" 2>"$TMP/err"; rc=$?
check "bad --oui file: exit 1 with file:line, nothing written" bash -c "[ $rc -eq 1 ] && grep -q 'bad.manuf:2:' '$TMP/err' && [ ! -e '$TMP/bo.csv' ]"
"$BIN/iotflow" devices -q --oui "$TMP/missing.manuf" "$hue" >/dev/null 2>"$TMP/err"
check "missing --oui file: exit 1" [ $? -eq 1 ]

# output and usage errors
"$BIN/iotflow" devices -q "$hue" > /dev/full 2>/dev/null
check "stdout on /dev/full: exit 3" [ $? -eq 3 ]
mkdir -p "$TMP/ro"; chmod 500 "$TMP/ro"
if [ "$(id -u)" -ne 0 ]; then
  "$BIN/iotflow" devices -q -o "$TMP/ro/x.csv" "$hue" 2>/dev/null
  check "unwritable output directory: exit 3" [ $? -eq 3 ]
fi
"$BIN/iotflow" devices 2>/dev/null; check "no capture: exit 1" [ $? -eq 1 ]
"$BIN/iotflow" devices --bogus "$hue" 2>/dev/null; check "unknown option: exit 1" [ $? -eq 1 ]
"$BIN/iotflow" devices -q --filter "udp port" "$hue" >/dev/null 2>&1; check "bad filter: exit 1" [ $? -eq 1 ]
"$BIN/iotflow" devices -q --filter "udp port 67 or udp port 68" "$hue" > "$TMP/f.csv"
check "--filter: only the DHCP speakers" [ "$(tail -n +2 "$TMP/f.csv" | wc -l)" -eq 2 ]
"$BIN/iotflow" devices --help | grep -q "ssdp_location"; check "--help lists the columns" [ $? -eq 0 ]
finish
