/* A Joy flow as the label rules see it (labels/rules.h, docs/LABELS.md "Joy flows"): Joy knows
 * no devices, so the flow is seen from its "out" side, the side Joy writes as sa/sp (its client
 * when it found one): device side = sa, sp; remote side = da, dp; the first packet is
 * "outbound" (src = sa, dst = da), and ttl.out / ttl.in are Joy's ip.out.ttl / ip.in.ttl. A
 * one-way flow has no ip.in: ttl.in is missing, which is what the seed-001 scripts turned into
 * "Flow Error". */
#include <string.h>

#include "kinds/joy_json.h"

void iof__joy_lbl_attrs_from(const iof__joy_lbl_src *s, iof__lbl_attrs *a)
{
    memset(a, 0, sizeof(*a));
    a->proto = s->proto;
    a->ipver = s->ipver;
    a->first_dir = IOF_LBL_OUTBOUND;
    memcpy(a->dev_ip, s->sa, 16);
    memcpy(a->rem_ip, s->da, 16);
    /* Joy writes ports for TCP and UDP only (null otherwise, a later fragment is protocol 0) */
    if (s->proto == 6 || s->proto == 17) {
        a->has |= IOF_LBL_HAS_PORTS;
        a->dev_port = s->sp;
        a->rem_port = s->dp;
    }
    /* every side has at least one packet: Joy's smallest TTL of it */
    a->has |= IOF_LBL_HAS_TTL_OUT;
    a->ttl_out = s->ttl_out;
    if (s->has_in) {
        a->has |= IOF_LBL_HAS_TTL_IN;
        a->ttl_in = s->ttl_in;
    }
    a->first_ns = s->start_us * 1000;
    a->last_ns = s->end_us * 1000;
}

void iof__joy_lbl_attrs(const iof__joyrec *primary, iof__lbl_attrs *a)
{
    const iof__joyrec *out, *in;
    iof__joy_lbl_src s;
    iof__joyflow_orient(primary, &out, &in, &s.start_us, &s.end_us);
    s.proto = out->proto;
    s.ipver = out->ipver;
    s.sa = out->sa;
    s.da = out->da;
    s.sp = out->sp;
    s.dp = out->dp;
    s.ttl_out = out->ttl;
    s.has_in = in != NULL;
    s.ttl_in = in ? in->ttl : 0;
    iof__joy_lbl_attrs_from(&s, a);
}
