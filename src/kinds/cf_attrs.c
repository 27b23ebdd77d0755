/* The record attributes the label rules read (labels/rules.h, docs/LABELS.md): the one filler
 * of iof__lbl_attrs for device-view records, and the custom-flow record's source. */
#include <string.h>

#include "kinds/customflow.h"
#include "kinds/labelcols.h"

void iof__lbl_attrs_from(iof__lbl_attrs *a, const iof__lbl_src *s)
{
    memset(a, 0, sizeof(*a));
    a->proto = s->proto;
    a->ipver = s->ipver;
    a->first_dir = s->first_out ? IOF_LBL_OUTBOUND : IOF_LBL_INBOUND;
    memcpy(a->dev_ip, s->dev_ip, 16);
    memcpy(a->rem_ip, s->rem_ip, 16);
    /* only TCP and UDP have ports (the decoder reads no others): ICMP's 0 is "none" */
    if (s->proto == 6 || s->proto == 17) {
        a->has |= IOF_LBL_HAS_PORTS;
        a->dev_port = s->dev_port;
        a->rem_port = s->rem_port;
    }
    if (s->ttl_seen & 1) {
        a->has |= IOF_LBL_HAS_TTL_OUT;
        a->ttl_out = s->ttl_out;
    }
    if (s->ttl_seen & 2) {
        a->has |= IOF_LBL_HAS_TTL_IN;
        a->ttl_in = s->ttl_in;
    }
    a->first_ns = s->first_ns;
    a->last_ns = s->last_ns;
    if (s->dev && s->dev->name[0]) {
        a->has |= IOF_LBL_HAS_DEVICE_NAME;
        a->device_name = s->dev->name;
    }
    if (s->dev && s->dev->type[0]) {
        a->has |= IOF_LBL_HAS_DEVICE_TYPE;
        a->device_type = s->dev->type;
    }
    /* DNS names, the SNI and the nDPI application: iof__lbl_attrs_names */
}

void iof__lbl_attrs_names(iof__lbl_attrs *a, const iof__namemaps *names, uint64_t horizon, unsigned how)
{
    if (!names)
        return;
    /* µs times: the packet was anywhere in its µs */
    int64_t slack = (how & IOF_LBL_NAMES_US) ? 999 : 0;
    int64_t first = a->first_ns <= INT64_MAX - slack ? a->first_ns + slack : INT64_MAX;
    int64_t last = a->last_ns <= INT64_MAX - slack ? a->last_ns + slack : INT64_MAX;
    if (names->dns) {
        a->n_dns = iof__dnsmap_lookup(names->dns, a->ipver, a->dev_ip, a->rem_ip, first, horizon, a->dns_store,
                                      IOF_RULES_MAX_DNS);
        if (!a->n_dns && (how & IOF_LBL_NAMES_EITHER))
            a->n_dns = iof__dnsmap_lookup(names->dns, a->ipver, a->rem_ip, a->dev_ip, first, horizon, a->dns_store,
                                          IOF_RULES_MAX_DNS);
        a->dns = a->dns_store;
        if (a->n_dns)
            a->has |= IOF_LBL_HAS_DNS;
    }
    /* the hello comes after the connection's first packets: any record of it up to its end */
    if (names->sni && a->proto == 6 && (a->has & IOF_LBL_HAS_PORTS) &&
        (a->sni = iof__snimap_lookup(names->sni, a->ipver, a->dev_ip, a->dev_port, a->rem_ip, a->rem_port, last,
                                     horizon)))
        a->has |= IOF_LBL_HAS_SNI;
    /* the connection of the record's key that had begun by its last packet (the map keys ports
     * of TCP and UDP only, as the attributes have them) */
    if (names->app && (a->app = iof__appmap_lookup(names->app, a->ipver, a->proto, a->dev_ip, a->dev_port, a->rem_ip,
                                                   a->rem_port, last, horizon)))
        a->has |= IOF_LBL_HAS_APP;
}

void iof__lbl_attrs_stored(iof__lbl_attrs *a, const iof__lbl_src *s, const iof__namemaps *names, uint64_t horizon,
                           const char *app)
{
    iof__lbl_attrs_from(a, s);
    const iof__namemaps n = { .dns = names ? names->dns : NULL, .sni = names ? names->sni : NULL };
    iof__lbl_attrs_names(a, &n, horizon, 0);
    if (app) {
        a->app = app;
        a->has |= IOF_LBL_HAS_APP;
    }
}

const char *iof__lbl_app_of(const iof__lbl_src *s, const iof__appmap *m, uint64_t horizon)
{
    iof__lbl_attrs a;
    iof__lbl_attrs_from(&a, s);
    const iof__namemaps n = { .app = m };
    iof__lbl_attrs_names(&a, &n, horizon, 0);
    return a.app;
}

/* The record as the rules see it */
static iof__lbl_src cf_src(const iof__cfrec *r, const iof__device *dev)
{
    /* the record's first packet: 1 = device -> remote (outbound) */
    return (iof__lbl_src){ .ipver = r->ipver, .proto = r->proto, .first_out = r->first_dir != 0,
                           .ttl_seen = r->ttl_seen, .ttl_out = r->ttl_out, .ttl_in = r->ttl_in,
                           .dev_port = r->dev_port, .rem_port = r->rem_port, .dev_ip = r->dev_ip,
                           .rem_ip = r->rem_ip, .first_ns = r->first_ns, .last_ns = r->last_ns, .dev = dev };
}

void iof__cf_lbl_attrs(const iof__cfrec *r, const iof__device *dev, const iof__namemaps *names, iof__lbl_attrs *a)
{
    const iof__lbl_src s = cf_src(r, dev);
    iof__lbl_attrs_stored(a, &s, names, r->names_horizon, r->app);
}

const char *iof__cf_app(const iof__cfrec *r, const iof__appmap *app)
{
    const iof__lbl_src s = cf_src(r, NULL);
    return iof__lbl_app_of(&s, app, r->names_horizon);
}
