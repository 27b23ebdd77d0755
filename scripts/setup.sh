#!/usr/bin/env bash
# Installs what iotflow needs to build and test on Debian 12 (idempotent).
#   build: gcc/clang, cmake, pkg-config, libpcap, zlib, libdeflate, libzstd, libsnappy, libndpi (optional at
#          build time: the label rules' `app`; installed here so that it is built and tested)
#   tests: tshark (independent dissector), node/npm (Parquet validators in shared/tools/parquet),
#          time (peak RSS), iproute2 (network namespaces for live capture), nftables (a log rule
#          for the live NFLOG capture), python3 (checkers), ieee-data (IEEE OUI registries: a
#          second vendor database for iotflow devices' tests), parallel (the --shard recipe)
#          librsvg2-bin (rsvg-convert renders correlate's SVG plot in its test), libndpi-bin
#          (ndpiReader: nDPI's own reader, the reference of the `app` labels' test)
set -euo pipefail
need=(build-essential cmake pkg-config libpcap-dev zlib1g-dev libdeflate-dev libzstd-dev libsnappy-dev libndpi-dev)
if [ "${1:-}" = "--test" ]; then
  need+=(tshark nodejs npm time iproute2 nftables python3 ieee-data parallel librsvg2-bin libndpi-bin)
fi
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node/npm may come from outside Debian (the CI image has them): accept any working pair.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
pkgs=$(printf '%s\n' "${missing[@]}" | grep -v '^$' || true)
if [ -n "$pkgs" ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing: $(echo $pkgs)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
fi
