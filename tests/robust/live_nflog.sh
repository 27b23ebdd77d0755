#!/usr/bin/env bash
# Live NFLOG capture (link type 239) of what the kernel itself writes: two private network
# namespaces joined by a veth pair; in A an nftables rule logs the UDP datagrams that arrive from
# B to NFLOG group 7, and iotflow captures `-i nflog:7` (libpcap's netfilter back end). The
# records must hold every datagram sent (IPv4 and IPv6), with its IP size and payload, and the
# upstream records the sender's MAC from NFULA_HWADDR as device MAC (attributed by that MAC
# with an inventory). Needs root, iproute2, nft and the kernel's nfnetlink_log; exits 77
# (skipped) otherwise.
source "$(dirname "$0")/lib.bash"
if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null || ! command -v nft >/dev/null; then
  echo "SKIPPED: needs root, iproute2 and nft (apt-get install nftables)"; exit 77
fi
GROUP=7
netns_pair 192.168.78
ip -n $A -6 addr add fd00:78::1/64 dev vA$$ nodad; ip -n $B -6 addr add fd00:78::2/64 dev vB$$ nodad
if ! ip netns exec $A nft -f - <<EOF
table inet iof {
  chain in { type filter hook input priority 0; udp dport 45679 log group $GROUP; }
}
EOF
then echo "SKIPPED: nft cannot add a log rule here (no nf_tables / nfnetlink_log?)"; exit 77; fi
MAC_B=$(ip -n $B -o link show vB$$ | grep -o 'link/ether [0-9a-f:]*' | awk '{print $2}')
echo "$MAC_B,sender,test" > "$TMP/devices.csv"

# run: args... -> captures while B sends 4 IPv4 and 4 IPv6 datagrams of 10 + i bytes
run() {
  local out=$1; shift
  ip netns exec $A "$BIN/iotflow" extract -i nflog:$GROUP -f jsonl --variant bi --keep-private-ips \
      -o "$TMP/$out" --stats "$TMP/$out.json" "$@" 2>"$TMP/$out.err" &
  local pid=$!
  # wait until libpcap has bound the group (listed by the kernel), at most 10 s
  for _ in $(seq 100); do
    ip netns exec $A awk -v g=$GROUP '$1 == g' /proc/net/netfilter/nfnetlink_log 2>/dev/null | grep -q . && break
    sleep 0.1
  done
  ip netns exec $B python3 -c "
import socket
for fam, dst in ((socket.AF_INET, '192.168.78.1'), (socket.AF_INET6, 'fd00:78::1')):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind(('', 40000))
    for i in range(4):
        s.sendto(bytes(range(65, 75 + i)), (dst, 45679))
"
  sleep 2.5 # the kernel batches log messages for up to its flush timeout (1 s by default)
  kill -TERM $pid; wait $pid
}

# 1. default attribution: both ends are private, so each datagram gives two mirrored views
run out1
check "live nflog: exit 0" [ $? -eq 0 ]
check "live nflog: 8 datagrams read and decoded" \
    [ "$(json "$TMP/out1.json" 'd["packets"]["read"], d["packets"]["decoded"]')" = "(8, 8)" ]
python3 - "$TMP/out1" "$MAC_B" > "$TMP/check1" <<'PY'
import glob, json, sys
rows = [json.loads(l) for f in glob.glob(sys.argv[1] + "/**/*.jsonl", recursive=True) for l in open(f)]
bad = len(rows) != 4
for a, b, hdr in (("192.168.78.1", "192.168.78.2", 28), ("fd00:78::1", "fd00:78::2", 48)):
    sizes = [hdr + 10 + i for i in range(4)]
    payload = [bytes(range(65, 75 + i)).hex() for i in range(4)]
    # B -> A: B's view (upstream, device MAC = the sender's from NFULA_HWADDR) and A's view
    # (downstream; NFLOG has no destination MAC)
    up = [r for r in rows if r["remote_ip"] == a and r["device_port"] == 40000]
    down = [r for r in rows if r["remote_ip"] == b and r["device_port"] == 45679]
    ok = (len(up) == 1 and len(down) == 1
          and (up[0]["device"], up[0]["pkt_dir"], up[0]["pkt_size"], up[0]["payload"]) ==
              (sys.argv[2], [1] * 4, sizes, payload)
          and (down[0]["device"], down[0]["pkt_dir"], down[0]["pkt_size"], down[0]["payload"]) ==
              ("", [0] * 4, sizes, payload))
    print(("ok " if ok else "BAD ") + b, up, down)
    bad |= not ok
sys.exit(1 if bad else 0)
PY
rc=$?
check "live nflog: 4 records, sizes and payload per datagram, sender MAC $MAC_B upstream" [ $rc -eq 0 ]
[ $rc -eq 0 ] || cat "$TMP/check1" "$TMP/out1.err"

# 2. with an inventory of B's MAC only: the upstream records are B's (by MAC); A has no MAC
#    in NFLOG and no inventory IP, so the downstream views are unattributed
run out2 --devices "$TMP/devices.csv"
check "inventory: exit 0" [ $? -eq 0 ]
check "inventory: 8 attributed to the sender by MAC, 0 unattributed" \
    [ "$(json "$TMP/out2.json" 'd["packets"]["attributed"], d["packets"]["unattributed"], d["packets"]["device_views"]')" = "(8, 0, 8)" ]
check "inventory: records name the device" \
    [ "$(cat "$TMP"/out2/bidirectional/*.jsonl | grep -c '"device_name":"sender"')" -eq 2 ]
finish
