#!/usr/bin/env bash
# tshark dissects every packet of a synth capture with checksum validation on:
# no malformed packet, no checksum error (expert info), every frame dissected; both profiles.
set -euo pipefail
BIN=${IOF_BIN:?IOF_BIN not set}/iotflow
if ! command -v tshark >/dev/null 2>&1; then
    echo "SKIP: tshark is not installed"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# check SEED PROFILE EXTRA-SYNTH-ARGS PROTOCOLS...
check() {
    local seed=$1 profile=$2 args=$3; shift 3
    local dir="$tmp/$profile$seed"
    # shellcheck disable=SC2086 # args holds several options
    "$BIN" synth -q -o "$dir" --seed "$seed" --duration 5m --profile "$profile" $args
    local cap="$dir/capture.pcap"
    local opts=(-o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE)
    local total bad protos
    total=$(tshark -r "$cap" -T fields -e frame.number 2>/dev/null | wc -l)
    bad=$(tshark "${opts[@]}" -r "$cap" \
        -Y '_ws.malformed || _ws.expert.group == "Checksum" || tcp.checksum.status == "Bad" || udp.checksum.status == "Bad" || ip.checksum.status == "Bad"' \
        -T fields -e frame.number -e _ws.col.Protocol -e _ws.expert.message 2>/dev/null)
    if [ -n "$bad" ]; then
        echo "FAIL: $profile seed $seed: tshark reports malformed or checksum errors:"
        echo "$bad" | head -20
        exit 1
    fi
    # sanity: tshark saw as many frames as the capture holds, and the protocols we expect
    protos=$(tshark -r "$cap" -T fields -e frame.protocols 2>/dev/null | tr ':' '\n' | sort -u | tr '\n' ' ')
    for p in "$@"; do
        case " $protos " in
        *" $p "*) ;;
        *) echo "FAIL: $profile seed $seed: no $p packet dissected (protocols: $protos)"; exit 1 ;;
        esac
    done
    echo "$profile seed $seed: $total frames dissected, no malformed/checksum errors"
}
common="dns tls http coap dtls mqtt ntp ssdp mdns dhcp igmp arp icmp telnet"
# shellcheck disable=SC2086 # the protocol lists are words
for seed in 1 7; do check "$seed" home "" $common smb2 nbss; done
# the small profile: no NAS video (so no smb2/nbss), CoAP telemetry to the cloud
# shellcheck disable=SC2086
check 3 small "--devices 20 --scale 2" $common
echo PASS
