# Shared helpers for the robustness scripts (sourced). Prints "N passed, N failed" at the end.
set -uo pipefail
BIN=${IOF_BIN:?set IOF_BIN to the bin directory of a build}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0; fail=0
ok() { echo "ok   $*"; pass=$((pass+1)); }
bad() { echo "FAIL $*"; fail=$((fail+1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; }
no_temp_files() {
  local n
  n=$(find "$1" -name '.*.tmp.*' 2>/dev/null | wc -l)
  [ "$n" -eq 0 ]
}
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
