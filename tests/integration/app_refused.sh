#!/usr/bin/env bash
# An iotflow built without nDPI (cmake -DIOF_NDPI=OFF, or no libndpi-dev) refuses rules on `app`
# (docs/LABELS.md "Applications"): `--version` says so, extract exits 1 naming the rule's file
# and line and writes nothing, and rules without `app` still run; `--features l7` is refused too
# and `--features all` leaves it out. scripts/test.sh runs it on its
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
# --features l7 is nDPI's too: refused, and "all" leaves it out
"$BIN" extract --features l7 -f csv -o "$T/l7" "$T/s/capture.pcap" > "$T/log" 2>&1
rc=$?
[ $rc = 1 ] || { cat "$T/log"; fail "--features l7: exit $rc, want 1"; }
grep -q -- "--features l7 is nDPI's application of each record: this iotflow was built without nDPI" "$T/log" \
    || { cat "$T/log"; fail "--features l7: no message"; }
[ -z "$(find "$T/l7" -type f 2>/dev/null)" ] || fail "--features l7: files written"
"$BIN" extract --features all -f csv -o "$T/all" "$T/s/capture.pcap" > "$T/log" 2>&1 || { cat "$T/log"; fail "--features all"; }
head -1 "$(find "$T/all" -name '*.csv' | head -1)" | grep -q "l7_app" && fail "--features all has l7_app without nDPI"
grep -q "^  features: .*payload.* (custom" "$T/log" || { cat "$T/log"; fail "--features all: no features line"; }
echo "PASS: without nDPI, rules on app and --features l7 are refused (exit 1, nothing written)"
