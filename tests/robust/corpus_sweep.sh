#!/usr/bin/env bash
# Corpus sweep (RELIABILITY R1/R5): every file under $IOF_SHARED/corpus, recursively (real
# captures, malformed/, the .gz, the seed001-joy JSON files, README/MANIFEST), through
# `iotflow extract -f csv -f jsonl --stats`, under whatever build IOF_BIN points at (CI: the
# release build and the ASan/UBSan build with ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
# UBSAN_OPTIONS=halt_on_error=1).
#
# Per file, all must hold:
#   - no crash, no sanitizer report, no hang (timeout 60 s);
#   - exit status in {0, 2} and equal to the expectation from MANIFEST.tsv: 0 when capinfos
#     read the file fully (integer `packets`), 2 for "N then error" / "unreadable" rows and
#     for files that are not captures (no row, or `-`); documented exceptions: EXPECT below;
#   - exit 2: stderr names the file; for a damaged capture ("N then error") also the byte
#     offset;
#   - the stats JSON exists and conserves packets: read == decoded + dropped and
#     decoded == attributed + unattributed; exit 0 also needs read == capinfos' count;
#   - no temporary file (.*.tmp.*) left in the output directory; every output file the stats
#     list exists, is non-empty and holds the rows the stats announce; no other file;
#   - a gzip copy of every capture (read fully or damaged) gives the same exit status, the
#     same packets read and byte-identical records.
# Prints one line per failing file (and per file with IOF_SWEEP_VERBOSE=1), then
# "N passed, N failed". docs/VALIDATION.md records the results.
set -uo pipefail
BIN=${IOF_BIN:?set IOF_BIN to the bin directory of a build}
# outputs on tmpfs when there is one: the checks are about content, and thousands of fsync(2)
# calls on a busy disk made this test several times slower
TMP=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0; fail=0
CORPUS=${IOF_SHARED:?set IOF_SHARED to the shared directory}/corpus
[ -d "$CORPUS" ] || { echo "SKIP: no corpus at $CORPUS"; exit 77; }
[ -f "$CORPUS/MANIFEST.tsv" ] || { echo "SKIP: no $CORPUS/MANIFEST.tsv"; exit 77; }
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Documented exceptions to the capinfos-based expectation (file -> expected exit status),
# each explained in docs/VALIDATION.md.
declare -A EXPECT=(
    # pcap version 2.5: Wireshark's reader accepts any 2.x minor version; iotflow, like
    # libpcap (whose test file this is: "pcap-invalid-version-2"), rejects minor > 4.
    ["malformed/hdr__libpcap-odd-minor-version__pcap-invalid-version-2.pcap"]=2
)

cat > "$TMP/check.py" <<'PY'
import json, os, sys
stats, out, rc, want_read = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
errs = []
try:
    d = json.load(open(stats))
except Exception as e:
    print("stats JSON missing or invalid: %s" % e); sys.exit(1)
p = d["packets"]
if p["read"] != p["decoded"] + p["dropped"]:
    errs.append("read %d != decoded %d + dropped %d" % (p["read"], p["decoded"], p["dropped"]))
if p["decoded"] != p["attributed"] + p["unattributed"]:
    errs.append("decoded %d != attributed %d + unattributed %d"
                % (p["decoded"], p["attributed"], p["unattributed"]))
if sum(d["drops"].values()) != p["dropped"]:
    errs.append("per-reason drops sum %d != dropped %d" % (sum(d["drops"].values()), p["dropped"]))
if rc == 0 and want_read.isdigit() and p["read"] != int(want_read):
    errs.append("read %d packets, capinfos %s" % (p["read"], want_read))
listed = set()
for o in d.get("outputs", []):
    path = o["path"]
    listed.add(os.path.realpath(path))
    if not os.path.isfile(path):
        errs.append("listed output missing: %s" % path); continue
    if os.path.getsize(path) == 0:
        errs.append("empty output file: %s" % path); continue
    with open(path, "rb") as fh:
        lines = fh.read().count(b"\n")
    rows = lines - (1 if o["format"] == "csv" else 0)
    if rows != o["rows"]:
        errs.append("%s holds %d rows, stats say %d" % (path, rows, o["rows"]))
for root, _, files in os.walk(out):
    for f in files:
        full = os.path.realpath(os.path.join(root, f))
        if ".tmp." in f:
            errs.append("temporary file left: %s" % full)
        elif full not in listed:
            errs.append("output not listed in the stats: %s" % full)
        elif os.path.getsize(full) == 0:
            errs.append("empty output file: %s" % full)
print("; ".join(errs))
sys.exit(1 if errs else 0)
PY

# MANIFEST: file -> packets column
declare -A MPKTS
while IFS=$'\t' read -r file _ _ _ _ _ _ packets _; do
    [ "$file" = file ] && continue
    MPKTS["$file"]=$packets
done < "$CORPUS/MANIFEST.tsv"

start=$(date +%s)
n_ok0=0; n_ok2=0; n_gz=0
while IFS= read -r -d '' path; do
    rel=${path#"$CORPUS"/}
    mp=${MPKTS[$rel]:-}
    if [[ "$mp" =~ ^[0-9]+$ ]]; then want=0; kind="capture ($mp packets)"
    elif [[ "$mp" == *"then error"* ]]; then want=2; kind="damaged ($mp)"
    elif [ "$mp" = unreadable ]; then want=2; kind="unreadable"
    else want=2; kind="not a capture"
    fi
    [ -n "${EXPECT[$rel]:-}" ] && { want=${EXPECT[$rel]}; kind="$kind, documented exception"; }
    out="$TMP/out"; st="$TMP/stats.json"; rm -rf "$out" "$st"
    timeout 60 "$BIN/iotflow" extract -q -f csv -f jsonl --hash-seed 1 --stats "$st" -o "$out" \
        "$path" >"$TMP/stdout" 2>"$TMP/stderr"
    rc=$?
    why=()
    [ "$rc" -eq 124 ] && why+=("hang (timeout 60 s)")
    [ "$rc" -ge 128 ] && [ "$rc" -ne 124 ] && why+=("killed by signal $((rc - 128))")
    if grep -qE 'runtime error:|AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|MemorySanitizer' "$TMP/stderr"; then
        why+=("sanitizer report: $(grep -m1 -E 'runtime error:|Sanitizer' "$TMP/stderr")")
    fi
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ]; then
        why+=("exit $rc not in {0, 2}: $(tail -1 "$TMP/stderr")")
    elif [ "$rc" -ne "$want" ]; then
        why+=("exit $rc, expected $want for $kind: $(grep -m1 -v '^  ' "$TMP/stderr")")
    fi
    if [ "$rc" -eq 2 ]; then
        grep -qF "$path" "$TMP/stderr" || why+=("exit 2 but stderr does not name the file")
        if [[ "$kind" == damaged* ]] && ! grep -q 'offset [0-9]' "$TMP/stderr"; then
            why+=("damaged file but stderr gives no byte offset")
        fi
    fi
    if [ "$rc" -eq 0 ] || [ "$rc" -eq 2 ]; then
        res=$(python3 "$TMP/check.py" "$st" "$out" "$rc" "$mp") || why+=("$res")
    fi
    # the gzip copy of every capture gives the same exit status, packets and records
    if { [[ "$mp" =~ ^[0-9]+$ ]] || [[ "$mp" == *"then error"* ]]; } && [[ "$rel" != *.gz ]] &&
       { [ "$rc" -eq 0 ] || [ "$rc" -eq 2 ]; }; then
        gzip -c "$path" > "$TMP/copy.gz"
        gout="$TMP/gzout"; gst="$TMP/gzstats.json"; rm -rf "$gout" "$gst"
        timeout 60 "$BIN/iotflow" extract -q -f csv -f jsonl --hash-seed 1 --stats "$gst" -o "$gout" \
            "$TMP/copy.gz" >/dev/null 2>"$TMP/gzstderr"
        grc=$?
        if [ "$grc" -ne "$rc" ]; then
            why+=("gzip copy: exit $grc, plain $rc: $(grep -m1 -v '^  ' "$TMP/gzstderr")")
        elif ! diff -r -q "$out" "$gout" >/dev/null 2>&1 && { [ -d "$out" ] || [ -d "$gout" ]; }; then
            why+=("gzip copy: records differ from the plain capture's")
        elif [ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["packets"]["read"])' "$st" 2>/dev/null)" != \
               "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["packets"]["read"])' "$gst" 2>/dev/null)" ]; then
            why+=("gzip copy: packets read differ from the plain capture's")
        else
            n_gz=$((n_gz+1))
        fi
    fi
    if [ ${#why[@]} -eq 0 ]; then
        pass=$((pass+1)); [ "$rc" -eq 0 ] && n_ok0=$((n_ok0+1)) || n_ok2=$((n_ok2+1))
        [ "${IOF_SWEEP_VERBOSE:-0}" = 1 ] && echo "ok   exit $rc  $rel"
    else
        fail=$((fail+1))
        echo "FAIL $rel: $(IFS='|'; echo "${why[*]}" | sed 's/|/; /g')"
        sed -n '1,8p' "$TMP/stderr" | grep -E 'runtime error|Sanitizer|#[0-3] ' | sed 's/^/       /'
    fi
done < <(find "$CORPUS" -type f -print0 | sort -z)
echo "corpus sweep: $n_ok0 files read fully (exit 0), $n_ok2 rejected or damaged as expected (exit 2), $n_gz gzip copies equal to their capture, $(( $(date +%s) - start )) s with $BIN/iotflow"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
