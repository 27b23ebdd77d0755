#!/usr/bin/env bash
# Joy golden pairs: the Joy flow policy (src/flow/joyflow.c) and its JSON (src/kinds/joy_json.c)
# against Cisco Joy 3.0.3's own output on the shared corpus (corpus/seed001-joy: X.pcapng with
# X.joy.json.gz). tests/integration/joy_golden.py matches the flows one to one by (sa, da, pr,
# sp, dp, time_start) and compares every base field and every feature module's field
# (docs/JOY.md), joyflows running with Joy's idp=N of each file; required: 100 % equal.
# Negative controls: 5 packets[] entries instead of 50 (base fields), idp=100 instead of N
# (idp), hd=2 instead of 1 (hd), each other module off: each must drop the rate below 100 %.
#
# Env: IOF_BIN (dir with joyflows), IOF_SHARED (dir with corpus/). Exit 0 / 1 / 77 skip.
set -uo pipefail
BIN=${IOF_BIN:?set IOF_BIN to the bin directory of a build}/joyflows
CORPUS=${IOF_SHARED:?set IOF_SHARED to the shared directory}/corpus/seed001-joy
HERE=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$CORPUS" ]; then
    echo "SKIP: no Joy golden pairs at $CORPUS"
    exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP: python3 is not installed"
    exit 77
fi
if [ ! -x "$BIN" ]; then
    echo "FAIL: $BIN not built"
    exit 1
fi
python3 "$HERE/joy_golden.py" "$BIN" "$CORPUS" --min-rate 1.0 || exit 1
for ctl in "--packets 5" "--idp 100" "--hd 2" "--off dist" "--off entropy" "--off wht" "--off payload" "--off ppi" "--off dhcp" "--off tls"; do
    echo "negative control ($ctl must not match):"
    set -- $ctl
    if python3 "$HERE/joy_golden.py" "$BIN" "$CORPUS" --min-rate 1.0 --tool-arg="$1" --tool-arg="$2" >/dev/null; then
        echo "FAIL: the negative control $ctl matched: the comparison cannot fail"
        exit 1
    fi
done
echo "ok: negative controls failed as they must"
