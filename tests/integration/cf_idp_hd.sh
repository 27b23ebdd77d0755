#!/usr/bin/env bash
# --features idp,hd,ppi on custom-flow records against tshark (docs/OUTPUT.md "Feature columns": idp, hd,
# ppi):
# every TCP/UDP record of five corpus captures (IPv4 and IPv6, TLS, HTTP, MQTT/CoAP, DNS; one cut to
# the headers by its snaplen, VLAN-tagged one way) is matched
# with tshark's frames, and its idp_* / hd_* / ppi_* columns are made again from tshark's raw bytes
# and TCP fields
# (cf_idp_hd.py); the wide CSV of the same run must hold the same cells.
. "$(dirname "$0")/lib.bash"
need_corpus
need_tshark
CAPS=(iot__xiaodu-smart-plug-68min__xiaodu_plug.pcap linktype-raw12__pcpp__four_ipv6_http_streams.pcap
      iot__ndpi-coap-and-mqtt__coap_mqtt.pcap home__ndpi-android__android.pcap
      iot__schlage-lock-1week-asym-vlan-hdrs-only__schlage-lock-01.pcap)
IN=()
for c in "${CAPS[@]}"; do
    IN+=("$CORPUS/$c")
    s=${c%.*}
    X=(-q --hash-seed 5 --features idp,hd,ppi --device-ip --keep-private-ips)
    "$BIN" extract "${X[@]}" -f jsonl -o "$T/n/$s" "$CORPUS/$c" || fail "$c: extract jsonl"
    "$BIN" extract "${X[@]}" --layout wide --payload-total 0 -f csv -o "$T/w/$s" "$CORPUS/$c" || fail "$c: extract csv"
done
python3 "$HERE/cf_idp_hd.py" "$T" "${IN[@]}" || fail "idp / hd values"
echo "ok"
