/* fuzz_flowseq (RELIABILITY.md R1/R3/R4): structured bytes -> a sequence of synthetic packets
 * drawn from a small key pool, with jittered and backwards timestamps, through attribution and
 * the custom-flow table with tiny limits. Invariants checked on every input:
 *   - every device view ends in exactly one emitted record (conservation);
 *   - no negative offset; offsets fit in the window unless the packet was older than first_seen;
 *   - live records never exceed max_flows after a packet; slots <= i; payload <= j per slot. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flow/attrib.h"
#include "flow/cflow.h"
#include "iotflow/iotflow.h"

#define FZ_I 4
#define FZ_J 8
#define FZ_MAX_FLOWS 5

static uint64_t emitted_packets;

static int on_emit(void *ctx, iof__cfrec *r)
{
    (void)ctx;
    emitted_packets += r->packets;
    if (r->nslots > FZ_I || r->nslots > r->packets)
        abort();
    for (uint32_t k = 0; k < r->nslots; k++) {
        if (iof__cfrec_off_us(r)[k] < 0 || iof__cfrec_pay_len(r)[k] > FZ_J)
            abort();
        if (iof__cfrec_dir(r)[k] != 0 && iof__cfrec_dir(r)[k] != 1)
            abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    iof__cf_config cfg = { .window_ns = (int64_t)(1 + data[0] % 4) * 1000000000LL, .packets = FZ_I,
                           .payload = FZ_J, .max_flows = FZ_MAX_FLOWS,
                           .variants = 1u + data[1] % 3u, .hash_seed = 7 };
    iof__cflow *t;
    if (iof__cflow_create(&t, &cfg, on_emit, NULL) != 0)
        return 0;
    emitted_packets = 0;
    uint64_t views = 0, want = 0;
    int64_t ts = 1700000000LL * 1000000000LL;
    static const uint8_t payload[FZ_J * 2] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    for (size_t i = 2; i + 4 <= size; i += 4) {
        const uint8_t *b = data + i;
        iof__pkt p;
        memset(&p, 0, sizeof(p));
        /* time: mostly forward, sometimes backwards, sometimes a big jump */
        int64_t d = (int64_t)(int8_t)b[0];
        ts += (b[0] & 0x80) ? d * 100000000LL : d * 10000000LL;
        if (b[0] == 0x7f)
            ts += 3600LL * 1000000000LL;
        p.ts_ns = ts;
        p.ipver = 4;
        p.proto = (b[1] & 1) ? 6 : 17;
        uint8_t a = b[1] >> 1 & 7, c = b[1] >> 4 & 7;
        /* small address pool: 192.168.0.x (local) and 8.8.8.x (public) */
        p.src_ip[0] = (a & 4) ? 192 : 8; p.src_ip[1] = (a & 4) ? 168 : 8; p.src_ip[3] = a & 3;
        p.dst_ip[0] = (c & 4) ? 192 : 8; p.dst_ip[1] = (c & 4) ? 168 : 8; p.dst_ip[3] = c & 3;
        p.sport = (uint16_t)(1000 + (b[2] & 3));
        p.dport = (uint16_t)(2000 + (b[2] >> 2 & 3));
        p.ip_len = 28u + b[3];
        p.data = payload;
        p.payload_caplen = b[3] % (FZ_J * 2);
        p.flags = IOF_PKT_HAS_PORTS;
        iof__view v[2];
        int n = iof__attribute(&p, NULL, v);
        if (n) {
            if (iof__cflow_packet(t, &p, v, n) != 0)
                abort();
            views += (uint64_t)n;
            for (int k = 0; k < n; k++)
                want += (cfg.variants & 1) ? 1 : 0;
        } else if (iof__cflow_advance(t, p.ts_ns) != 0) {
            abort();
        }
        iof__cf_stats st;
        iof__cflow_get_stats(t, &st);
        if (st.live_records > FZ_MAX_FLOWS)
            abort();
    }
    iof__cflow_flush(t, IOF_CF_END_EOF);
    iof__cf_stats st;
    iof__cflow_get_stats(t, &st);
    if (st.live_records != 0 || st.records_created[0] != st.records_emitted[0] ||
        st.records_created[1] != st.records_emitted[1])
        abort();
    /* bidirectional records hold every view exactly once (uni records hold upstream views) */
    if ((cfg.variants & 1) && cfg.variants == 1 && emitted_packets != want)
        abort();
    (void)views;
    iof__cflow_destroy(t);
    return 0;
}
