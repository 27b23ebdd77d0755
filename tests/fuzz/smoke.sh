#!/usr/bin/env bash
# libFuzzer smoke run (RELIABILITY.md R1): builds every tests/fuzz/fuzz_*.c with clang
# -fsanitize=fuzzer,address,undefined and runs each for SECONDS (default 30), two at a time.
# Fails on any crash, leak, timeout or OOM; new crashers land in build-fuzz/crash-*.
# Skips (exit 0 with a message) when no clang with libFuzzer is available.
set -uo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER=${1:-30}
CC_FUZZ=""
for c in clang-14 clang; do
  if command -v $c >/dev/null && echo 'int LLVMFuzzerTestOneInput(const char*d,long n){return 0;}' \
      | $c -x c -fsanitize=fuzzer - -o /dev/null 2>/dev/null; then CC_FUZZ=$c; break; fi
done
if [ -z "$CC_FUZZ" ]; then echo "fuzz smoke: SKIPPED (no clang with libFuzzer)"; exit 0; fi
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=$CC_FUZZ -DIOF_FUZZ=ON -DIOF_SANITIZE=address,undefined \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 1
targets=$(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//')
cmake --build build-fuzz -j2 --target $targets >/dev/null || exit 1
status=0
run() {
  local t=$1 work=build-fuzz/fuzz-$1
  mkdir -p "$work"
  if build-fuzz/bin/$t -max_total_time=$SECONDS_PER -timeout=5 -rss_limit_mb=1024 -print_final_stats=1 \
       -artifact_prefix=build-fuzz/ "$work" tests/fuzz/corpus/$t > "$work.log" 2>&1; then
    echo "fuzz smoke: $t ok ($(grep -o 'stat::number_of_executed_units: [0-9]*' "$work.log" | awk '{print $2}') runs)"
  else
    echo "fuzz smoke: $t FAILED"; tail -30 "$work.log"; return 1
  fi
}
set -- $targets
while [ $# -gt 0 ]; do
  run $1 & p1=$!; shift
  p2=""; if [ $# -gt 0 ]; then run $1 & p2=$!; shift; fi
  wait $p1 || status=1
  [ -n "$p2" ] && { wait $p2 || status=1; }
done
exit $status
