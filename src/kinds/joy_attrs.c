/* A Joy flow as the label rules see it (labels/rules.h, docs/LABELS.md "Joy flows"): Joy knows
 * no devices, so the flow is seen from its "out" side, the side Joy writes as sa/sp (its client
 * when it found one): device side = sa, sp; remote side = da, dp; the first packet is
 * "outbound" (src = sa, dst = da), and ttl.out / ttl.in are Joy's ip.out.ttl / ip.in.ttl. A
 * one-way flow has no ip.in: ttl.in is missing, which is what the seed-001 scripts turned into
 * "Flow Error". */
#include <string.h>

#include "kinds/joy_json.h"

void iof__joy_lbl_attrs(const iof__joyrec *primary, iof__lbl_attrs *a)
{
    const iof__joyrec *out, *in;
    int64_t start_us, end_us;
    iof__joyflow_orient(primary, &out, &in, &start_us, &end_us);
    memset(a, 0, sizeof(*a));
    a->proto = out->proto;
    a->ipver = out->ipver;
    a->first_dir = IOF_LBL_OUTBOUND;
    memcpy(a->dev_ip, out->sa, 16);
    memcpy(a->rem_ip, out->da, 16);
    /* Joy writes ports for TCP and UDP only (null otherwise, a later fragment is protocol 0) */
    if (out->proto == 6 || out->proto == 17) {
        a->has |= IOF_LBL_HAS_PORTS;
        a->dev_port = out->sp;
        a->rem_port = out->dp;
    }
    /* every side has at least one packet: Joy's smallest TTL of it */
    a->has |= IOF_LBL_HAS_TTL_OUT;
    a->ttl_out = out->ttl;
    if (in) {
        a->has |= IOF_LBL_HAS_TTL_IN;
        a->ttl_in = in->ttl;
    }
    a->first_ns = start_us * 1000;
    a->last_ns = end_us * 1000;
}
