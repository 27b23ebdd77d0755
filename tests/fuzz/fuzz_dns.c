/* fuzz_dns: one DNS/mDNS message through the iterator, every owner and RDATA name decoded.
 * Invariants: entries and RDATA lie inside the input, names fit their text buffer, the walk
 * ends (entries <= input bytes / 5), the final status is one of the documented ones. The input
 * is copied into an exactly-sized heap block (replay_main.c does that too) and every byte the
 * parser points at is consumed into a volatile sink. */
#include <stdint.h>
#include <string.h>

#include "proto/dns.h"
#include "proto_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *p = proto_fuzz_copy(data, size);
    if (!p)
        return 0;
    uint32_t acc = 0;
    iof__dns_msg m;
    if (iof__dns_open(&m, p, size) == IOF_PROTO_OK) {
        iof__dns_rr rr;
        size_t entries = 0;
        char text[IOF_DNS_NAME_TEXT];
        while (iof__dns_next(&m, &rr)) {
            entries++;
            CHECK(entries * 5 <= size);
            CHECK(rr.section <= IOF_DNS_AR);
            CHECK(rr.name_off >= IOF_DNS_HDR_LEN && rr.name_off < size);
            CHECK(rr.rdata_off + rr.rdlen <= size);
            size_t wire = 0;
            CHECK(iof__dns_name(&m, rr.name_off, text, sizeof text, &wire) == IOF_PROTO_OK);
            CHECK(wire >= 1 && rr.name_off + wire <= size);
            CHECK(strlen(text) < sizeof text);
            /* Joy's text (the Joy dns module's): same walk, same wire length, printable only */
            size_t jwire = 0;
            CHECK(iof__dns_name_text(&m, rr.name_off, IOF_DNS_TEXT_JOY, text, sizeof text,
                                     &jwire) == IOF_PROTO_OK);
            CHECK(jwire == wire && strlen(text) < IOF_DNS_MAX_NAME);
            for (size_t i = 0; text[i]; i++)
                CHECK(text[i] >= 0x20 && text[i] <= 0x7e);
            iof__proto_status ts = iof__dns_rr_target(&m, &rr, text, sizeof text);
            CHECK(ts <= IOF_PROTO_OTHER && strlen(text) < sizeof text);
            for (size_t i = 0; text[i]; i++)
                acc += (uint8_t)text[i];
            for (size_t i = 0; i < rr.rdlen; i++)
                acc += p[rr.rdata_off + i];
            acc += rr.type + rr.rclass + rr.ttl;
        }
        CHECK(m.status == IOF_PROTO_OK || m.status == IOF_PROTO_TRUNCATED ||
              m.status == IOF_PROTO_MALFORMED);
        /* any offset at all must be safe to decode from */
        acc += iof__dns_name(&m, size ? (size_t)p[0] * 256 % size : 0, text, sizeof text, NULL);
        acc += iof__dns_name_text(&m, size > 1 ? (size_t)p[1] * 256 % size : 0, IOF_DNS_TEXT_JOY,
                                  text, sizeof text, NULL);
    }
    sink += acc;
    free(p);
    return 0;
}
