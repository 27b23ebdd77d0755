#!/usr/bin/env bash
# An iotflow built without nDPI (cmake -DIOF_NDPI=OFF, or no libndpi-dev) refuses rules on `app`
# (docs/LABELS.md "Applications"): `--version` says so, extract exits 1 naming the rule's file
# and line and writes nothing, and rules without `app` still run. scripts/test.sh runs it on its
# build without nDPI (tests/integration/app_refused.sh BUILD/bin/iotflow); under ctest (IOF_BIN)
# it skips (77) when that build has nDPI.
set -uo pipefail
BIN=${1:-${IOF_BIN:?set IOF_BIN or give the iotflow binary}/iotflow}
if ! "$BIN" --version | grep -q "without nDPI"; then echo "SKIP: $BIN was built with nDPI"; exit 77; fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$BIN" --version | grep -q "without nDPI: rules on app are refused" || fail "--version does not say nDPI is missing"
"$BIN" synth -o "$T/s" -d 90 > /dev/null 2>&1 || fail "synth"
printf 'key l default "x"\nl = "dns" if proto udp\nl = "tls" if app "TLS*"\n' > "$T/app.rules"
"$BIN" extract --rules "$T/app.rules" -f csv -o "$T/out" "$T/s/capture.pcap" > "$T/log" 2>&1
rc=$?
[ $rc = 1 ] || { cat "$T/log"; fail "exit $rc, want 1"; }
grep -q "app.rules:3 reads app, the application nDPI finds, but this iotflow was built without nDPI" "$T/log" \
    || { cat "$T/log"; fail "no message naming the rule"; }
[ -z "$(find "$T/out" -type f 2>/dev/null)" ] || fail "files written"
printf 'key l default "x"\nl = "dns" if proto udp\n' > "$T/ok.rules"
"$BIN" extract --rules "$T/ok.rules" -f csv -o "$T/ok" "$T/s/capture.pcap" > "$T/log" 2>&1 || { cat "$T/log"; fail "rules without app"; }
echo "PASS: without nDPI, rules on app are refused (exit 1, nothing written)"
