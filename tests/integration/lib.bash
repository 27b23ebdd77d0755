# Shared preamble of the integration scripts (sourced): the iotflow binary, a temporary
# directory removed at exit (on tmpfs when there is one), fail(), and python3 (skip without).
#   BIN  the iotflow binary        T  the temporary directory        HERE  this folder
set -uo pipefail
BIN=${IOF_BIN:?set IOF_BIN to the bin directory of a build}/iotflow
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 is not installed"; exit 77; }
