/* fuzz_appmap: IP packets into the run's application map (flow/appmap.h) and nDPI. The input is
 * a list of packets, each [length: 2 bytes BE][control: 1 byte][length bytes: an IP packet from
 * its header], decoded as a raw-IP frame (every frame an exactly-sized heap copy); control bits
 * 0-1 advance the clock by 0 / 1 ms / 1 s / 130 s (past IOF_APPMAP_IDLE_NS), bit 2 settles the
 * packet's connection as a record written now would, bit 3 looks it up (both sides). Without
 * nDPI in the build the map refuses to be made and the target returns.
 * Invariants: every connection is settled once or still inspected; every answer is detected,
 * guessed or unknown; packets inspected <= packets kept; a name found is the same from either
 * side, non-empty, printable ASCII, shorter than IOF_APPMAP_MAX_NAME; with horizon 0 nothing. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "common/err.h"
#include "decode/decode.h"
#include "flow/appmap.h"
#include "proto_fuzz.h"

static void check_name(const char *n)
{
    if (!n)
        return;
    size_t len = strlen(n);
    CHECK(len > 0 && len < IOF_APPMAP_MAX_NAME);
    for (size_t i = 0; i < len; i++)
        CHECK((uint8_t)n[i] >= 0x20 && (uint8_t)n[i] < 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    iof__appmap *m;
    if (iof__appmap_create(&m, 0) != IOF_OK)
        return 0; /* no nDPI in this build */
    int64_t t = 1000000000LL;
    uint64_t fed = 0;
    size_t off = 0;
    size_t len;
    uint8_t ctl, *p;
    while (fed < 256 && (p = proto_fuzz_next(data, size, &off, &len, &ctl))) {
        static const int64_t step[4] = { 0, 1000000LL, 1000000000LL, 130000000000LL };
        t += step[ctl & 3];
        iof__pkt pk;
        if (iof__decode(&pk, IOF_LINKTYPE_RAW, p, (uint32_t)len, (uint32_t)len, t) == IOF_DROP_OK) {
            CHECK(iof__appmap_packet(m, &pk, ++fed) == IOF_OK);
            if (ctl & 4)
                CHECK(iof__appmap_settle(m, pk.ipver, pk.proto, pk.src_ip, pk.sport, pk.dst_ip, pk.dport, t, fed) ==
                      IOF_OK);
            if (ctl & 8) {
                const char *a = iof__appmap_lookup(m, pk.ipver, pk.proto, pk.src_ip, pk.sport, pk.dst_ip, pk.dport,
                                                   t, fed);
                const char *b = iof__appmap_lookup(m, pk.ipver, pk.proto, pk.dst_ip, pk.dport, pk.src_ip, pk.sport,
                                                   t, fed);
                CHECK(a == b);
                check_name(a);
                CHECK(iof__appmap_lookup(m, pk.ipver, pk.proto, pk.src_ip, pk.sport, pk.dst_ip, pk.dport, t, 0) ==
                      NULL);
            }
        }
        free(p);
    }
    iof__appmap_stats st;
    iof__appmap_get_stats(m, &st);
    uint64_t settled = 0;
    for (int k = 0; k < IOF_APPMAP_BY__COUNT; k++)
        settled += st.settled[k];
    CHECK(settled + st.inspecting == st.conns);
    CHECK(st.named + st.guessed + st.unknown == settled);
    CHECK(st.inspected <= st.packets && st.packets + st.dropped_cap == fed);
    CHECK(st.reused <= st.conns);
    iof__appmap_destroy(m);
    return 0;
}
