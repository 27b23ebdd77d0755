/* fuzz_snimap: TCP segments into the run's SNI map (flow/snimap.h). The input is a list of
 * segments, each [length: 2 bytes BE][control: 1 byte][length bytes of payload]; control bit 0
 * picks one of two connections, bit 1 makes the sequence number go back by the payload length
 * (a retransmission), bit 2 skips 100 bytes (a gap), bit 3 cuts the captured part to half (a
 * snaplen), bits 4-5 advance the clock by 0 / 1 / 11 / 100 s. Every segment is an exactly-sized
 * heap copy.
 * Invariants: every hello start ends in exactly one outcome (named, no name, damaged, too long,
 * cut, no slot, or still gathering / given up): their counts add up to the starts; connections
 * kept <= named; a name found for either connection from either side is the same, lowercase,
 * printable ASCII (control bytes escaped), at most 4 x 255 bytes; nothing before the first
 * segment's time or with horizon 0. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "common/err.h"
#include "flow/snimap.h"
#include "proto_fuzz.h"

static const uint8_t CLI[16] = { 10, 0, 0, 9 }, SRV[16] = { 93, 184, 216, 34 };

static void check_name(const char *n)
{
    if (!n)
        return;
    size_t len = strlen(n);
    CHECK(len > 0 && len <= 4 * IOF_SNIMAP_MAX_NAME);
    for (size_t i = 0; i < len; i++)
        CHECK((uint8_t)n[i] >= 0x20 && n[i] != 0x7f && !(n[i] >= 'A' && n[i] <= 'Z'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    iof__snimap *m;
    CHECK(iof__snimap_create(&m, 0) == IOF_OK);
    uint32_t seq[2] = { 1000, 5000 };
    int64_t t = 1000000000LL;
    uint64_t fed = 0;
    size_t off = 0;
    size_t len;
    uint8_t ctl, *p;
    while (fed < 64 && (p = proto_fuzz_next(data, size, &off, &len, &ctl))) {
        static const int64_t step[4] = { 0, 1000000000LL, 11000000000LL, 100000000000LL };
        t += step[(ctl >> 4) & 3];
        int c = ctl & 1;
        if (ctl & 2)
            seq[c] -= (uint32_t)len;
        if (ctl & 4)
            seq[c] += 100;
        iof__pkt pk;
        memset(&pk, 0, sizeof pk);
        pk.ts_ns = t;
        pk.flags = IOF_PKT_HAS_PORTS;
        pk.ipver = 4;
        pk.proto = 6;
        memcpy(pk.src_ip, CLI, 16);
        memcpy(pk.dst_ip, SRV, 16);
        pk.sport = (uint16_t)(40000 + c);
        pk.dport = 443;
        pk.tcp_seq = seq[c];
        pk.data = p;
        pk.payload_len = (uint32_t)len;
        pk.payload_caplen = (uint32_t)((ctl & 8) ? len / 2 : len);
        CHECK(iof__snimap_packet(m, &pk, ++fed) == IOF_OK);
        seq[c] += (uint32_t)len;
        free(p);
    }
    iof__snimap_stats st;
    iof__snimap_get_stats(m, &st);
    CHECK(st.named + st.no_name + st.damaged + st.too_long + st.cut + st.pending_full + st.pending_dropped ==
          st.hellos);
    CHECK(st.conns + st.known + st.dropped_cap + st.dropped_text == st.named);
    CHECK(st.gathered <= st.named + st.no_name + st.damaged);
    uint32_t acc = 0;
    for (int c = 0; c < 2; c++) {
        const char *a = iof__snimap_lookup(m, 4, CLI, (uint16_t)(40000 + c), SRV, 443, INT64_MAX, fed);
        const char *b = iof__snimap_lookup(m, 4, SRV, 443, CLI, (uint16_t)(40000 + c), INT64_MAX, fed);
        CHECK(a == b);
        check_name(a);
        CHECK(iof__snimap_lookup(m, 4, CLI, (uint16_t)(40000 + c), SRV, 443, 999999999LL, fed) == NULL);
        CHECK(iof__snimap_lookup(m, 4, CLI, (uint16_t)(40000 + c), SRV, 443, INT64_MAX, 0) == NULL);
        for (const char *s = a; s && *s; s++)
            acc += (uint8_t)*s;
    }
    sink += acc;
    iof__snimap_destroy(m);
    return 0;
}
