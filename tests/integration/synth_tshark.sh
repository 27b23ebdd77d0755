#!/usr/bin/env bash
# tshark dissects every packet of a synth capture with checksum validation on:
# no malformed packet, no checksum error (expert info), every frame dissected.
set -euo pipefail
BIN=${IOF_BIN:?IOF_BIN not set}/iotflow
if ! command -v tshark >/dev/null 2>&1; then
    echo "SKIP: tshark is not installed"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for seed in 1 7; do
    "$BIN" synth -q -o "$tmp/s$seed" --seed "$seed" --duration 5m
    cap="$tmp/s$seed/capture.pcap"
    opts=(-o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE
         )
    total=$(tshark -r "$cap" -T fields -e frame.number 2>/dev/null | wc -l)
    bad=$(tshark "${opts[@]}" -r "$cap" \
        -Y '_ws.malformed || _ws.expert.group == "Checksum" || tcp.checksum.status == "Bad" || udp.checksum.status == "Bad" || ip.checksum.status == "Bad"' \
        -T fields -e frame.number -e _ws.col.Protocol -e _ws.expert.message 2>/dev/null)
    if [ -n "$bad" ]; then
        echo "FAIL: seed $seed: tshark reports malformed or checksum errors:"
        echo "$bad" | head -20
        exit 1
    fi
    # sanity: tshark saw as many frames as the capture holds, and the protocols we expect
    protos=$(tshark -r "$cap" -T fields -e frame.protocols 2>/dev/null | tr ':' '\n' | sort -u | tr '\n' ' ')
    for p in dns tls http coap dtls mqtt ntp ssdp mdns dhcp igmp smb2 nbss arp icmp telnet; do
        case " $protos " in
        *" $p "*) ;;
        *) echo "FAIL: seed $seed: no $p packet dissected (protocols: $protos)"; exit 1 ;;
        esac
    done
    echo "seed $seed: $total frames dissected, no malformed/checksum errors"
done
echo PASS
