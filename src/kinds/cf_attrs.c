/* The custom-flow record as the label rules see it (labels/rules.h, docs/LABELS.md). */
#include <string.h>

#include "kinds/customflow.h"

void iof__cf_lbl_attrs(const iof__cfrec *r, const iof__device *dev, iof__lbl_attrs *a)
{
    memset(a, 0, sizeof(*a));
    a->proto = r->proto;
    a->ipver = r->ipver;
    /* the record's first packet: 1 = device -> remote (outbound) */
    a->first_dir = r->first_dir ? IOF_LBL_OUTBOUND : IOF_LBL_INBOUND;
    memcpy(a->dev_ip, r->dev_ip, 16);
    memcpy(a->rem_ip, r->rem_ip, 16);
    /* only TCP and UDP have ports (the decoder reads no others): ICMP's 0 is "none" */
    if (r->proto == 6 || r->proto == 17) {
        a->has |= IOF_LBL_HAS_PORTS;
        a->dev_port = r->dev_port;
        a->rem_port = r->rem_port;
    }
    if (r->ttl_seen & 1) {
        a->has |= IOF_LBL_HAS_TTL_OUT;
        a->ttl_out = r->ttl_out;
    }
    if (r->ttl_seen & 2) {
        a->has |= IOF_LBL_HAS_TTL_IN;
        a->ttl_in = r->ttl_in;
    }
    a->first_ns = r->first_ns;
    a->last_ns = r->last_ns;
    if (dev && dev->name[0]) {
        a->has |= IOF_LBL_HAS_DEVICE_NAME;
        a->device_name = dev->name;
    }
    if (dev && dev->type[0]) {
        a->has |= IOF_LBL_HAS_DEVICE_TYPE;
        a->device_type = dev->type;
    }
    /* DNS names, SNI and the nDPI application are not kept by custom-flow records: rules on
     * them are unknown (docs/LABELS.md) */
}
