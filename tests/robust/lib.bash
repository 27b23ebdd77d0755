# Shared helpers for the robustness scripts (sourced). Prints "N passed, N failed" at the end.
set -uo pipefail
BIN=${IOF_BIN:?set IOF_BIN to the bin directory of a build}
# outputs on tmpfs when there is one: the checks are about content, and thousands of fsync(2)
# calls on a busy disk made this test several times slower
TMP=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
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
# Two private network namespaces $A and $B joined by a veth pair vA$$ (in A, PREFIX.1/24) and
# vB$$ (in B, PREFIX.2/24), links and lo up; removed at exit. Exits 77 (skipped) when the
# namespaces or the veth pair cannot be made. Needs root and iproute2.
netns_pair() { # PREFIX, e.g. 192.168.77
  A=iofA$$; B=iofB$$
  trap 'ip netns del $A 2>/dev/null; ip netns del $B 2>/dev/null; rm -rf "$TMP"' EXIT
  if ! ip netns add $A 2>/dev/null || ! ip netns add $B 2>/dev/null; then echo "SKIPPED: cannot create network namespaces"; exit 77; fi
  ip link add vA$$ type veth peer name vB$$ || { echo "SKIPPED: cannot create veth"; exit 77; }
  ip link set vA$$ netns $A; ip link set vB$$ netns $B
  ip -n $A addr add "$1.1/24" dev vA$$; ip -n $B addr add "$1.2/24" dev vB$$
  ip -n $A link set vA$$ up; ip -n $B link set vB$$ up; ip -n $A link set lo up; ip -n $B link set lo up
}
# COUNT UDP datagrams of 32 bytes from namespace $B to ADDR:PORT (a 1 ms pause every 1,000)
send_udp() { # ADDR PORT COUNT
  ip netns exec $B python3 -c "
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range($3):
    s.sendto(b'x' * 32, ('$1', $2))
    if i % 1000 == 999: time.sleep(0.001)
"
}
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
