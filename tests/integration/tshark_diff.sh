#!/usr/bin/env bash
# Differential test: `iotflow extract` against tshark on real captures of the shared corpus.
#
# For each capture below, tests/integration/tshark_diff.py dissects every frame with tshark
# (reassembly and defragmentation off), applies the custom-flow rules of
# shared/spec/customflow.md to tshark's fields itself, and compares the records with iotflow's
# JSON Lines output (huge window, 1000 packet slots, 65535 payload bytes): per record the
# packet and byte counts, first_seen, device MAC, and per packet the offset, IP size,
# direction and payload bytes. docs/VALIDATION.md lists what is compared and every difference
# found (with its resolution).
#
# Mode per file: "ip"  = default attribution (devices = private/link-local addresses);
#                "mac" = --devices inventory of every unicast source MAC in the capture, so
#                        captures with public addresses only (tunnels, QinQ, ...) give records.
#
# Env: IOF_BIN (dir with iotflow), IOF_SHARED (dir with corpus/), IOF_DIFF_VERBOSE=1 prints
# every disagreement, IOF_DIFF_ONLY=substring runs the matching files only.
# Exit: 0 all agree, 1 a disagreement (or the negative control did not fail), 77 skip.
set -uo pipefail
BIN=${IOF_BIN:?set IOF_BIN to the bin directory of a build}/iotflow
CORPUS=${IOF_SHARED:?set IOF_SHARED to the shared directory}/corpus
HERE=$(cd "$(dirname "$0")" && pwd)
if ! command -v tshark >/dev/null 2>&1; then
    echo "SKIP: tshark is not installed (apt-get install tshark)"
    exit 77
fi
if [ ! -d "$CORPUS" ]; then
    echo "SKIP: no corpus at $CORPUS"
    exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP: python3 is not installed"
    exit 77
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# mode  file                                                                  what it covers
FILES=$(cat <<'EOF'
ip   iot__iotsentinel-DLinkCam-setup__Setup-A-2-STA.pcap                      IoT setup: mDNS/SSDP multicast, TLS, IGMP
ip   iot__iotsentinel-EdnetCam1-setup__Setup-C-5-STA.pcap                     IPv6 hop-by-hop, ICMPv6, TFTP
ip   iot__schlage-lock-1week-asym-vlan-hdrs-only__schlage-lock-01.pcap        7 days, one-way VLAN tags, snaplen headers-only
ip   iot__ndpi-tplink-shp__tplink_shp.pcap                                    broadcast 255.255.255.255 from many devices
ip   iot__ndpi-coap-and-mqtt__coap_mqtt.pcap                                  CoAP over IPv6, years of timestamps (window splits)
mac  iot__ndpi-rtsp-camera-sll__rtsp.pcap                                     Linux SLL in pcapng, RTSP
ip   iot__ndpi-knxip__knxip.pcapng                                            pcapng 2 IDBs (ns + us)
mac  home__ndpi-home-lan-1kxun__1kxun.pcap                                    home LAN, one IP behind two MACs
ip   mixed__joy-sample__sample.pcap                                           ICMP echo, DNS, HTTP
ip   mixed__pcpp-example__example.pcap                                        4631 packets, large HTTP payloads
ip   vlan__pcpp-vlan__VlanPackets.pcap                                        802.1Q
mac  qinq__zeek-http-qinq__http-qinq-0.pcap                                   QinQ 802.1Q stack
mac  qinq__pcpp-8021ad__QinQ_802.1_AD.pcapng                                  802.1ad + 802.1Q
ip   linktype-sll2__zeek__linux_dlt_sll2.pcap                                 SLL2, self-addressed ICMPv6
ip   linktype-raw101__pcpp__raw_ip.pcap                                       raw IP (no MAC)
ip   linktype-null__pcpp__null_loopback.pcap                                  BSD null/loopback
ip   pcapng-multi-if__pcpp__many_interfaces-1.pcapng                          pcapng 11 IDBs: Ethernet + null + raw
mac  pcapng-multi-if__pcpp__pcapng-example.pcapng                             pcapng Ethernet + SLL, out-of-range timestamps
ip   pcapng-multi-if__ndpi-sites__sites.pcapng                                pcapng 22 IDBs
mac  pcapng-be__pcapng-test-generator__test101.pcapng                         big-endian pcapng, Simple Packet Blocks (no timestamp)
ip   frag__pcpp-ip4-fragments__ip4_fragments.pcap                             IPv4 fragments (later fragments take the ports)
ip   frag__pcpp-ip6-fragments__ip6_fragments.pcap                             IPv6 fragments
mac  ipv6__pcpp-opt-fragments__ipv6_opt_fragments.pcap                        IPv6 options + fragment header
mac  ipv6__tcpdump-routing-header__ipv6-routing-header.pcap                   IPv6 routing header
mac  ipv6__tcpdump-jumbogram__ipv6_jumbogram_1.pcap                           IPv6 jumbogram (payload length 0)
ip   icmp__tcpdump-icmpv6-nd__icmpv6.pcap                                     ICMPv6 neighbour discovery
ip   icmp__tcpdump-icmp-rfc5837__icmp-rfc5837.pcap                            ICMP error quoting an inner datagram, PPP
ip   igmp__pcpp-igmp__IgmpPackets.pcap                                        IGMP (no ports: whole IP payload)
mac  tunnel__libpcap-vxlan__vxlan.pcap                                        VXLAN (outer UDP only)
mac  tunnel__tcpdump-various-gre__various_gre.pcap                            GRE, several inner protocols
mac  tunnel__libpcap-geneve__geneve.pcap                                      GENEVE
ip   iot__iotsentinel-WeMoSwitch-setup__Setup-C-2-STA.pcap                    IoT setup: TLS, STUN, ICMP echo
mac  format-ns-be__pcpp__nanosecs_big_endian.pcap                             ns-resolution big-endian pcap
mac  tcp__tcpdump-tso__ipv4_tcp_http_xml_tso.pcap                             TSO capture (IP length 0)
ip   compressed__zeek-gzip__tls-fragmented-handshake.pcap.gz                  gzip-compressed pcap
ip   linktype-nflog__tcpdump__nflog.pcap                                      NFLOG (239): TLVs, IP payload, no MACs
mac  linktype-nflog__tcpdump__nflog.pcap                                      NFLOG: sender MAC from NFULA_HWADDR
mac  mpls__zeek-mpls-in-vlan__mpls-in-vlan.pcap                               MPLS label stack inside 802.1Q
EOF
)

start=$(date +%s)
pass=0; fail=0
printf '%-4s %-72s %-5s %6s  %s\n' mode file verdict secs "records iotflow/tshark, views, frames"
while read -r mode file _what; do
    [ -n "$mode" ] || continue
    case "$file" in *"${IOF_DIFF_ONLY:-}"*) ;; *) continue ;; esac
    if [ ! -f "$CORPUS/$file" ]; then
        printf '%-4s %-72s %-5s\n' "$mode" "$file" MISSING
        fail=$((fail+1)); continue
    fi
    work="$TMP/$(echo "$file" | tr -c 'A-Za-z0-9._\n-' _)"
    mkdir -p "$work"
    args=(--iotflow "$BIN" --capture "$CORPUS/$file" --tmp "$work")
    [ "$mode" = mac ] && args+=(--mac-inventory)
    [ "${IOF_DIFF_VERBOSE:-0}" = 1 ] && args+=(-v)
    t0=$(date +%s.%N)
    out=$(timeout 120 python3 "$HERE/tshark_diff.py" "${args[@]}" 2>&1); rc=$?
    t1=$(date +%s.%N)
    secs=$(python3 -c "print('%.1f' % ($t1 - $t0))")
    verdict=$(printf '%s\n' "$out" | sed -n 's/^VERDICT \([A-Z]*\) \(.*\)$/\1/p' | head -1)
    detail=$(printf '%s\n' "$out" | sed -n 's/^VERDICT [A-Z]* \(.*\)$/\1/p' | head -1)
    [ "$rc" -eq 124 ] && verdict=TIMEOUT
    [ -n "$verdict" ] || verdict=ERROR
    printf '%-4s %-72s %-5s %6s  %s\n' "$mode" "$file" "$verdict" "$secs" "$detail"
    if [ "$rc" -eq 0 ] && [ "$verdict" = PASS ]; then
        pass=$((pass+1))
    else
        fail=$((fail+1))
        printf '%s\n' "$out" | grep -v '^VERDICT' | sed 's/^/        /'
    fi
    rm -rf "$work"
done <<< "$FILES"

# Negative control: the comparison must be able to fail. Corrupt the tshark side of one
# capture (one size, one payload byte, one packet less) and expect a FAIL verdict.
mkdir -p "$TMP/neg"
neg=$(python3 "$HERE/tshark_diff.py" --mutate --iotflow "$BIN" --tmp "$TMP/neg" \
      --capture "$CORPUS/mixed__joy-sample__sample.pcap" 2>&1); nrc=$?
if [ "$nrc" -eq 1 ] && printf '%s\n' "$neg" | grep -q '^VERDICT FAIL' &&
   printf '%s\n' "$neg" | grep -q 'pkt_size' && printf '%s\n' "$neg" | grep -q 'payload\[0\]' &&
   printf '%s\n' "$neg" | grep -q 'packets '; then
    echo "negative control: a corrupted expectation is detected (sizes, payload, counts)"
else
    echo "FAIL negative control: a corrupted expectation was NOT detected (exit $nrc):"
    printf '%s\n' "$neg" | sed 's/^/        /'
    fail=$((fail+1))
fi

echo "$pass passed, $fail failed ($(( $(date +%s) - start )) s, $(tshark --version 2>/dev/null | head -1))"
[ "$fail" -eq 0 ]
