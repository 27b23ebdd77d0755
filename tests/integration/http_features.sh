#!/usr/bin/env bash
# The http module (docs/JOY.md "http", docs/OUTPUT.md "Feature columns") on corpus captures with
# HTTP, against tshark's reading of every segment (http_features.py):
#   - --features http, nested JSON Lines: every TCP record in which tshark sees HTTP heads has
#     http_requests / http_responses (heads counted per segment), the first request's method,
#     target, Host and User-Agent, the first response's status, Server and Content-Type, as
#     tshark reads them (both sides, by time); no http_* value on other protocols;
#   - the wide CSV has the nested values; the Parquet files of both layouts pass pqcheck and say
#     iotflow.features = http;
#   - -f joy: the config line says "http":1; every kept message of http[] (out and in) is one of
#     tshark's heads of that side, in order (method and uri, or code), with its Host, User-Agent
#     and Server; at least 90 % of tshark's heads (15 per side at most) are kept, and the flows
#     with fewer (the 8 KB arena of a side was full) are those joy.features_cut.http counts;
#     --features all includes the http columns.
# Env: IOF_BIN, IOF_SHARED (corpus, pqcheck). Exit 0 / 1 / 77.
. "$(dirname "$0")/lib.bash"

CORPUS=${IOF_SHARED:-/nonexistent}/corpus
CAPS=(http__pcpp-three-http-streams__three_http_streams.pcap http__pcpp-4k-http-requests__4KHttpRequests.pcap
      mixed__joy-sample__sample.pcap iot__iotsentinel-HueBridge-setup__Setup-A-2-STA.pcap
      iot__iotsentinel-Withings-setup__Setup-C-2-STA.pcap iot__iotsentinel-DLinkHomeHub-setup__Setup-C-3-STA.pcap
      iot__xiaodu-smart-plug-68min__xiaodu_plug.pcap mixed__pcpp-example__example.pcap)
for c in "${CAPS[@]}"; do
    [ -f "$CORPUS/$c" ] || { echo "SKIP: no corpus capture $CORPUS/$c (IOF_SHARED)"; exit 77; }
done
command -v tshark > /dev/null || { echo "SKIP: no tshark"; exit 77; }
IN=("${CAPS[@]/#/$CORPUS/}")
X=(-q --hash-seed 7 --device-ip --keep-private-ips)   # every record's addresses, to find its frames

"$BIN" extract "${X[@]}" --features http --layout nested -f jsonl -o "$T/hn" "${IN[@]}" || fail "extract nested jsonl"
"$BIN" extract "${X[@]}" --features http --payload-total 0 -f csv -o "$T/hw" "${IN[@]}" || fail "extract wide csv"
# the default, anonymised: http_host and http_uri as the rule rewrites the values above
"$BIN" extract -q --hash-seed 7 --features http --layout nested -f jsonl -o "$T/ha" "${IN[@]}" \
    || fail "extract nested jsonl, anonymised"
"$BIN" extract "${X[@]}" --features http --payload-total 0 -f parquet -o "$T/hpq" "${IN[@]}" || fail "extract parquet"
"$BIN" extract "${X[@]}" --features http --layout nested -f parquet -o "$T/hnpq" "${IN[@]}" \
    || fail "extract nested parquet"
for c in "${CAPS[@]}"; do
    stem=${c%.*}
    "$BIN" extract -q -f joy --stats "$T/joy/$stem.stats.json" -o "$T/joy/$stem" "$CORPUS/$c" || fail "extract -f joy $c"
    python3 -c 'import gzip,json,sys; c=json.loads(gzip.open(sys.argv[1],"rt").readline()); sys.exit(c.get("http")!=1)' \
        "$T/joy/$stem/joy/$stem.json.gz" || fail "$c: Joy's config line does not say \"http\":1"
done

# --features all has the http columns
"$BIN" extract -q --features all --payload-total 0 -f csv -o "$T/all" "$CORPUS/${CAPS[0]}" || fail "extract --features all"
# (grep reads the whole header: with -q it stops at the match, and tr's SIGPIPE fails the pipeline)
head -1 "$(find "$T/all" -name '*.csv' | head -1)" | tr ',' '\n' | grep -x http_content_type > /dev/null \
    || fail "--features all: no http_content_type column"

PQ=(); for f in $(cd "$T" && find hpq hnpq -name '*.parquet' | sort); do PQ+=("$T/$f"); done
[ ${#PQ[@]} -gt 0 ] || fail "no Parquet file written"
if pq_rows "${PQ[0]}" "$T/first.rows"; then
    "$IOF_SHARED/tools/parquet/pqcheck" verify --quiet "${PQ[@]}" > "$T/verify.log" 2>&1 \
        || { cat "$T/verify.log"; fail "pqcheck verify"; }
    for f in "${PQ[@]}"; do
        "$IOF_SHARED/tools/parquet/pqcheck" meta "$f" | grep -A1 '"iotflow.features"' | grep -q '"value": "http"' \
            || fail "$f: iotflow.features does not name http"
    done
fi

python3 "$HERE/http_features.py" "$T" "${IN[@]}" || fail "http columns / Joy http[] differ from tshark's reading"
echo "PASS: http_features"
