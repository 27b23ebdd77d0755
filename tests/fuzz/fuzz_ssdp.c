/* fuzz_ssdp: one SSDP message through iof__ssdp_parse, then the same bytes through the bare
 * header-line reader. Invariants: every span lies inside the input, header count within the
 * cap, each reader call advances. Exactly-sized heap copy; span bytes consumed. */
#include <stdint.h>
#include <string.h>

#include "proto/ssdp.h"
#include "proto_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *p = proto_fuzz_copy(data, size);
    if (!p)
        return 0;
    iof__ssdp_msg m;
    iof__proto_status st = iof__ssdp_parse(p, size, &m);
    CHECK(st <= IOF_PROTO_OTHER);
    CHECK(m.n_headers <= IOF_SSDP_MAX_HEADERS);
    uint32_t acc = st + m.kind + m.status;
    const iof__span *all[] = { &m.server, &m.location, &m.usn, &m.nt, &m.nts, &m.st,
                              &m.user_agent, &m.cache_control, &m.man };
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        acc += proto_fuzz_span(all[i], p, size);
    /* the header-line reader on its own, from the first byte, until it stops */
    iof__rd r = rd_init(p, size);
    for (;;) {
        size_t before = rd_left(&r);
        iof__span name, value;
        bool end;
        if (iof__http_header_next(&r, &name, &value, &end) != IOF_PROTO_OK && rd_left(&r) == before)
            break;
        CHECK(rd_left(&r) < before);
        acc += proto_fuzz_span(&name, p, size) + proto_fuzz_span(&value, p, size);
        if (rd_left(&r) == 0)
            break;
    }
    sink += acc;
    free(p);
    return 0;
}
