#!/usr/bin/env bash
# Joy golden pairs: the Joy flow policy (src/flow/joyflow.c) and its JSON (src/kinds/joy_json.c)
# against Cisco Joy 3.0.3's own output on the shared corpus (corpus/seed001-joy: X.pcapng with
# X.joy.json.gz). tests/integration/joy_golden.py matches the flows one to one by (sa, da, pr,
# sp, dp, time_start) and compares every base field (docs/JOY.md); required: 100 % equal.
# Negative control: with 5 packets[] entries instead of 50 the rate must drop below 100 %.
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
echo "negative control (--packets 5 must not match):"
if python3 "$HERE/joy_golden.py" "$BIN" "$CORPUS" --min-rate 1.0 --tool-arg=--packets --tool-arg=5 >/dev/null; then
    echo "FAIL: the negative control matched: the comparison cannot fail"
    exit 1
fi
echo "ok: negative control failed as it must"
