#!/usr/bin/env bash
# gzip inputs (issue "Runs a researcher can trust", points 1 and 2): gzip copies of captures of
# several sizes (below and above the 256 KiB and 1 MiB buffer sizes of the reader), read as a
# file, from a directory, through stdin redirection and through a pipe, must give the same
# packets and the same records as the plain capture; `iotflow stats` reads them too. A damaged
# gzip (bad CRC-32, bad ISIZE, a cut stream) keeps every complete frame inflated before the
# damage, exits 2 and names the file.
# Captures: a generated one (always) and real ones from $IOF_SHARED/corpus (when present).
source "$(dirname "$0")/lib.bash"
caps=()
"$BIN/iotflow" synth -o "$TMP/synth" --seed 3 --duration 5m >/dev/null 2>&1
[ -f "$TMP/synth/capture.pcap" ] && caps+=("$TMP/synth/capture.pcap")
C=${IOF_SHARED:-}/corpus
for f in iot__iotsentinel-DLinkCam-setup__Setup-A-2-STA.pcap \
         iot__iotsentinel-DLinkSensor-setup__Setup-A-1-STA.pcap \
         iot__ndpi-alexa-app__alexa-app.pcapng \
         mixed__pcpp-example__example.pcap; do
  [ -f "$C/$f" ] && caps+=("$C/$f")
done
[ ${#caps[@]} -ge 1 ] || { echo "SKIP: no capture"; exit 77; }
[ ${#caps[@]} -ge 5 ] || echo "note: corpus not found, generated capture only"

run() { "$BIN/iotflow" extract -q --hash-seed 1 -f jsonl --variant bi "$@"; }
read_count() { json "$1" 'd["packets"]["read"]'; }
same_records() { diff -r -q "$1" "$2" >/dev/null; }

i=0
for cap in "${caps[@]}"; do
  i=$((i+1)); name=$(basename "$cap"); w="$TMP/c$i"; mkdir -p "$w/dir/sub"
  gzip -c "$cap" > "$w/cap.gz"
  csize=$(stat -c %s "$w/cap.gz")
  run -o "$w/ref" --stats "$w/ref.json" "$cap"; want=$(read_count "$w/ref.json")
  check "$name: plain capture read ($want packets, gzip $csize bytes)" [ "$want" -gt 0 ]
  run -o "$w/file" --stats "$w/file.json" "$w/cap.gz"
  check "$name: gzip file = plain" bash -c "[ $(read_count "$w/file.json") -eq $want ] && diff -r -q '$w/ref' '$w/file' >/dev/null"
  cp "$w/cap.gz" "$w/dir/sub/x.gz"
  run -o "$w/dirout" --stats "$w/dir.json" "$w/dir"
  check "$name: gzip inside a directory = plain" bash -c "[ $(read_count "$w/dir.json") -eq $want ] && diff -r -q '$w/ref' '$w/dirout' >/dev/null"
  run -o "$w/redir" --stats "$w/redir.json" - < "$w/cap.gz"
  check "$name: gzip through stdin redirection = plain" bash -c "[ $(read_count "$w/redir.json") -eq $want ] && diff -r -q '$w/ref' '$w/redir' >/dev/null"
  cat "$w/cap.gz" | run -o "$w/pipe" --stats "$w/pipe.json" -
  check "$name: gzip through a pipe = plain" bash -c "[ $(read_count "$w/pipe.json") -eq $want ] && diff -r -q '$w/ref' '$w/pipe' >/dev/null"
  "$BIN/iotflow" stats "$cap" > "$w/st-plain" 2>/dev/null
  "$BIN/iotflow" stats "$w/cap.gz" > "$w/st-gz" 2>/dev/null; rc=$?
  check "$name: iotflow stats on the gzip = on the plain capture" bash -c "[ $rc -eq 0 ] && cmp -s <(sed 1d '$w/st-plain') <(sed 1d '$w/st-gz')"
  # bad CRC-32 (the 8-byte trailer's first word): every frame is kept, exit 2, file named
  python3 - "$w/cap.gz" "$w/crc.gz" "$w/isize.gz" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
c = bytearray(d); c[-8] ^= 0xff; open(sys.argv[2], 'wb').write(c)
s = bytearray(d); s[-1] ^= 0x01; open(sys.argv[3], 'wb').write(s)
PY
  for kind in crc isize; do
    run -o "$w/$kind" --stats "$w/$kind.json" "$w/$kind.gz" 2>"$w/$kind.err"; rc=$?
    check "$name: bad $kind: exit 2, all $want packets kept, same records, message names the file" \
      bash -c "[ $rc -eq 2 ] && [ $(read_count "$w/$kind.json") -eq $want ] && diff -r -q '$w/ref' '$w/$kind' >/dev/null && grep -q 'gzip' '$w/$kind.err' && grep -qF '$w/$kind.gz' '$w/$kind.err'"
    # the check is at the member's end: the damage is not located, and nothing says it was
    check "$name: bad $kind: the message gives the member's range, the verdict says the damage is not located" \
      bash -c "grep -q 'member that begins at compressed offset 0 fails its integrity check (incorrect $([ $kind = crc ] && echo data || echo length) check) at its end.*uncompressed offsets 0-' '$w/$kind.err' && grep -q 'INPUT ERROR: .*the damage could not be located' '$w/$kind.err' && ! grep -q 'everything before the damage' '$w/$kind.err'"
    check "$name: bad $kind: --stats marks the input damage_unlocated" [ "$(json "$w/$kind.json" 'd["inputs"][0]["damage_unlocated"]')" = True ]
  done
  # two members, the second's check failing: the message gives the second member's start
  plain_size=$(gzip -dc "$w/cap.gz" | wc -c); half=$((plain_size / 2))
  gzip -dc "$w/cap.gz" | head -c $half | gzip -c > "$w/two.gz"; m1=$(stat -c %s "$w/two.gz")
  gzip -dc "$w/cap.gz" | tail -c +$((half + 1)) | gzip -c | python3 -c "import sys; d=bytearray(sys.stdin.buffer.read()); d[-8]^=0xff; sys.stdout.buffer.write(d)" >> "$w/two.gz"
  run -o "$w/two" --stats "$w/two.json" "$w/two.gz" 2>"$w/two.err"; rc=$?
  check "$name: two members, the second's check fails: exit 2, its range from compressed $m1, uncompressed $half to $((plain_size - 1))" \
    bash -c "[ $rc -eq 2 ] && grep -q 'member that begins at compressed offset $m1 fails its integrity check (incorrect data check).*uncompressed offsets $half-$((plain_size - 1)),' '$w/two.err'"
  # a cut gzip stream: a consistent prefix (records hold exactly the packets read), exit 2
  head -c $((csize / 2)) "$w/cap.gz" > "$w/cut.gz"
  run -o "$w/cut" --stats "$w/cut.json" "$w/cut.gz" 2>"$w/cut.err"; rc=$?
  got=$(cat "$w"/cut/bidirectional/*.jsonl 2>/dev/null | grep -o '"packets":[0-9]*' | awk -F: '{s+=$2} END {print s+0}')
  att=$(json "$w/cut.json" 'd["packets"]["device_views"]')
  n=$(read_count "$w/cut.json")
  check "$name: gzip cut in half: exit 2, $n of $want packets kept, records hold them" \
    bash -c "[ $rc -eq 2 ] && [ $n -gt 0 ] && [ $n -lt $want ] && [ '$got' = '$att' ] && grep -qF '$w/cut.gz' '$w/cut.err'"
  check "$name: gzip cut in half: the damage is located (a prefix), not flagged" \
    bash -c "[ \"\$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[\"inputs\"][0][\"damage_unlocated\"])' '$w/cut.json')\" = False ] && grep -q 'INPUT ERROR: .*everything before the damage' '$w/cut.err'"
  rm -rf "$w"
done
finish
