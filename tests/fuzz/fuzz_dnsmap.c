/* fuzz_dnsmap: a port-53 payload into the run's DNS map (flow/dnsmap.h), as the decoder hands
 * it over. Byte 0 chooses: bit 0 TCP (length-prefixed), bit 1 an IPv6 client, bit 2 a first
 * fragment, bit 3 a later fragment (must be ignored), bit 4 a snaplen cut of the last 3 bytes;
 * the rest is the payload. The packet is fed twice (the second time learns nothing new).
 * Invariants: the second feed adds no association; a later fragment learns nothing; every A / AAAA address the message holds (read here with proto/dns.h) has at
 * most IOF_DNSMAP_MAX_PER_PAIR names, each lowercase ASCII letters only and shorter than a name
 * text, none twice, all of them learnt from the first packet (horizon 1); a lookup before the
 * packet's time or with horizon 0 finds nothing. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "common/err.h"
#include "flow/dnsmap.h"
#include "proto/dns.h"
#include "proto_fuzz.h"

static const uint8_t CLIENT[16] = { 10, 0, 0, 7, [15] = 0 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    uint8_t *p = proto_fuzz_copy(data + 1, size - 1);
    if (!p)
        return 0;
    size_t n = size - 1;
    iof__dnsmap *m;
    CHECK(iof__dnsmap_create(&m, 1u << 20) == IOF_OK);
    iof__pkt pk;
    memset(&pk, 0, sizeof pk);
    pk.ts_ns = 1000;
    pk.flags = IOF_PKT_HAS_PORTS;
    if (mode & 4)
        pk.flags |= IOF_PKT_FRAGMENT | IOF_PKT_FIRST_FRAG;
    if (mode & 8)
        pk.flags |= IOF_PKT_FRAGMENT;
    pk.ipver = (mode & 2) ? 6 : 4;
    pk.proto = (mode & 1) ? 6 : 17;
    pk.sport = 53;
    memcpy(pk.dst_ip, CLIENT, 16);
    if (pk.ipver == 6)
        pk.dst_ip[0] = 0xfd;
    pk.data = p;
    pk.payload_len = (uint32_t)n;
    pk.payload_caplen = (uint32_t)((mode & 16) && n >= 3 ? n - 3 : n);
    CHECK(iof__dnsmap_packet(m, &pk, 1) == IOF_OK);
    iof__dnsmap_stats st;
    iof__dnsmap_get_stats(m, &st);
    uint64_t a1 = st.assoc;
    CHECK(st.responses <= 1);
    if ((mode & 8) && !(mode & 4))
        CHECK(a1 == 0);
    pk.ts_ns = 2000;
    CHECK(iof__dnsmap_packet(m, &pk, 2) == IOF_OK);
    iof__dnsmap_get_stats(m, &st);
    CHECK(st.assoc == a1 && st.dropped_cap == 0); /* nothing new: the caps are far */
    /* every address of the message, looked up */
    size_t off = (mode & 1) ? 2 : 0;
    iof__dns_msg msg;
    uint32_t acc = 0;
    if (n >= off && iof__dns_open(&msg, p + off, n - off) == IOF_PROTO_OK) {
        iof__dns_rr rr;
        while (iof__dns_next(&msg, &rr)) {
            if (rr.section != IOF_DNS_AN || !((rr.type == IOF_DNS_T_A && rr.rdlen == 4) ||
                                              (rr.type == IOF_DNS_T_AAAA && rr.rdlen == 16)))
                continue;
            uint8_t addr[16] = { 0 };
            memcpy(addr, msg.base + rr.rdata_off, rr.rdlen);
            const char *out[IOF_DNSMAP_MAX_PER_PAIR + 1];
            size_t k = iof__dnsmap_lookup(m, pk.ipver, pk.dst_ip, addr, INT64_MAX, 1, out, IOF_DNSMAP_MAX_PER_PAIR + 1);
            CHECK(k <= IOF_DNSMAP_MAX_PER_PAIR);
            for (size_t i = 0; i < k; i++) {
                size_t len = strlen(out[i]);
                CHECK(len > 0 && len < IOF_DNS_NAME_TEXT);
                for (size_t j = 0; j < len; j++) {
                    CHECK(!(out[i][j] >= 'A' && out[i][j] <= 'Z'));
                    acc += (uint8_t)out[i][j];
                }
                for (size_t j = 0; j < i; j++)
                    CHECK(strcmp(out[i], out[j]) != 0);
            }
            CHECK(iof__dnsmap_lookup(m, pk.ipver, pk.dst_ip, addr, 999, 2, out, 4) == 0);
            CHECK(iof__dnsmap_lookup(m, pk.ipver, pk.dst_ip, addr, INT64_MAX, 0, out, 4) == 0);
        }
    }
    sink += acc;
    iof__dnsmap_destroy(m);
    free(p);
    return 0;
}
