/* fuzz_dhcp: one DHCP/BOOTP message through iof__dhcp_parse. Invariants: every span lies
 * inside the input, option counts stay under the cap, the status is a documented one. The
 * input is an exactly-sized heap copy; span bytes are consumed into a volatile sink. */
#include <stdint.h>
#include <string.h>

#include "proto/dhcp.h"
#include "proto_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *p = proto_fuzz_copy(data, size);
    if (!p)
        return 0;
    iof__dhcp_msg m;
    iof__proto_status st = iof__dhcp_parse(p, size, &m);
    CHECK(st <= IOF_PROTO_OTHER);
    CHECK(m.hlen <= 16 || st == IOF_PROTO_MALFORMED);
    CHECK(m.n_options <= IOF_DHCP_MAX_OPTIONS);
    if (!m.cookie)
        CHECK(m.n_options == 0);
    uint32_t acc = st + m.msg_type + m.overload + m.lease_s + m.xid + m.chaddr[5];
    const iof__span *all[] = { &m.hostname, &m.domain, &m.vendor_class, &m.client_id, &m.param_list };
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        acc += proto_fuzz_span(all[i], p, size);
    sink += acc;
    free(p);
    return 0;
}
