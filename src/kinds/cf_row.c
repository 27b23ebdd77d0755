#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "features/cffeat.h"
#include "flow/attrib.h"
#include "kinds/addrtext.h"
#include "kinds/customflow.h"
#include "kinds/devcols.h"
#include "output/textbuf.h"

enum cf_field {
    F_DEVICE = 1, F_FIRST_SEEN, F_REMIP, F_PROTO, F_DEVPORT, F_REMPORT, F_BYTES, F_PACKETS,
    F_SLOT_TO, F_SLOT_PS, F_SLOT_D, F_STREAM,                 /* wide: one column per slot */
    F_LIST_TO, F_LIST_PS, F_LIST_D, F_LIST_PAYLOAD,           /* nested: lists */
    F_EVICTED, F_END_REASON, F_DEVIP, F_LASTSEEN,
    F_FEATURE,                                                /* --features (features/cffeat.h) */
    F_L7,                                                     /* --features l7 */
};

uint32_t iof__cf_format_remip(const iof__cfrec *r, bool anonymise, char out[48])
{
    return iof__fmt_ip_anon(r->ipver, r->rem_ip, anonymise, out);
}

uint32_t iof__cf_payload_stream(const iof__cfrec *r, int16_t *out, uint32_t B)
{
    uint32_t dirty = B;
    return iof__cf_payload_stream_reuse(r, out, B, &dirty);
}

/* Slot k's payload bytes; never NULL (a record without payload has no buffer, and NULL + 0
 * is undefined behaviour, which UBSan reports) */
static inline const uint8_t *slot_payload(const iof__cfrec *r, uint32_t k)
{
    static const uint8_t none[1];
    return iof__cfrec_pay_len(r)[k] ? r->pay + iof__cfrec_pay_off(r)[k] : none;
}

uint32_t iof__cf_payload_stream_reuse(const iof__cfrec *r, int16_t *out, uint32_t B, uint32_t *dirty)
{
    uint32_t n = 0;
    for (uint32_t k = 0; k < r->nslots && n < B; k++) {
        out[n++] = -4;
        const uint8_t *p = slot_payload(r, k);
        uint32_t len = iof__cfrec_pay_len(r)[k] < B - n ? iof__cfrec_pay_len(r)[k] : B - n;
        int16_t *q = out + n;
        for (uint32_t b = 0; b < len; b++) /* one bound: the compiler vectorises the widening */
            q[b] = p[b];
        n += len;
        if (n < B)
            out[n++] = -8;
    }
    uint32_t used = n;
    for (uint32_t end = *dirty < B ? *dirty : B; n < end; n++) /* the rest is still -1 */
        out[n] = -1;
    *dirty = used;
    return used;
}

long iof__cf_sens_fill(iof__sens_fuse_row *row, const iof__cf_rowcfg *cfg, const iof__cfrec *r)
{
    const iof__device *dev = (r->device >= 0 && cfg->inv) ? iof__inventory_get(cfg->inv, (size_t)r->device) : NULL;
    const uint8_t *mac = dev ? dev->mac : r->mac_state ? r->mac : NULL;
    long d = iof__sens_device(cfg->sensors, dev ? r->device : -1, mac);
    iof__sens_fuse_fill(row, d, r->first_ns, r->first_ns, r->last_ns, cfg->sensor_tol_ns);
    return d;
}

void iof__cf_row_init(iof__cf_row *row, const iof__cf_rowcfg *cfg, const iof__cfrec *r,
                      int16_t *stream, uint32_t *stream_dirty)
{
    row->rec = r;
    row->cfg = cfg;
    row->dev = (r->device >= 0 && cfg->inv) ? iof__inventory_get(cfg->inv, (size_t)r->device) : NULL;
    const uint8_t *mac = NULL;
    if (row->dev)
        mac = row->dev->mac;
    else if (r->mac_state)
        mac = r->mac;
    if (mac) {
        iof__format_mac(mac, row->device);
        row->device_len = 17;
    } else {
        row->device[0] = '\0';
        row->device_len = 0;
    }
    row->remip_len = iof__cf_format_remip(r, cfg->anonymise, row->remip);
    row->devip_len = cfg->device_ip ? iof__fmt_ip(r->ipver, r->dev_ip, row->devip) : 0;
    row->lbl.lb = cfg->labels;
    row->app = NULL;
    if (cfg->labels || cfg->l7) { /* one lookup for the labels and l7_app: the same attributes */
        iof__lbl_attrs a;
        iof__cf_lbl_attrs(r, row->dev, cfg->names, &a);
        if (cfg->labels)
            iof__lbl_row_fill(&row->lbl, &a);
        if (a.has & IOF_LBL_HAS_APP)
            row->app = a.app;
    }
    row->sens.s = cfg->sensors;
    if (cfg->sensors)
        iof__cf_sens_fill(&row->sens, cfg, r);
    row->stream = stream;
    row->stream_used = 0;
    if (cfg->wide && stream)
        row->stream_used = stream_dirty ? iof__cf_payload_stream_reuse(r, stream, cfg->payload_total, stream_dirty)
                                        : iof__cf_payload_stream(r, stream, cfg->payload_total);
}

static void set_int(iof__value *v, int64_t x)
{
    v->null = false;
    v->i = x;
}

static void set_str(iof__value *v, const void *p, uint32_t len)
{
    v->null = false;
    v->p = p;
    v->len = len;
}

/* The custom-flow row's column groups. Each reads an iof__cf_row (the device group reads the
 * row's inventory entry, at its offset), and `field` names what a column holds. */

static void meta_get(const void *rowp, const iof__column *c, uint32_t k, iof__value *v)
{
    (void)k;
    const iof__cf_row *row = rowp;
    const iof__cfrec *r = row->rec;
    v->null = true;
    switch ((enum cf_field)c->field) {
    case F_DEVICE: set_str(v, row->device, row->device_len); break;
    case F_FIRST_SEEN: set_int(v, r->first_ns / 1000); break;
    case F_REMIP: set_str(v, row->remip, row->remip_len); break;
    case F_PROTO: set_int(v, r->proto); break;
    case F_DEVPORT: set_int(v, r->dev_port); break;
    case F_REMPORT: set_int(v, r->rem_port); break;
    case F_BYTES: set_int(v, (int64_t)r->bytes); break;
    case F_PACKETS: set_int(v, (int64_t)r->packets); break;
    default: break;
    }
}

static void slots_get(const void *rowp, const iof__column *c, uint32_t k, iof__value *v)
{
    const iof__cfrec *r = ((const iof__cf_row *)rowp)->rec;
    v->null = true;
    switch ((enum cf_field)c->field) {
    case F_SLOT_TO: if (c->index < r->nslots) set_int(v, iof__cfrec_off_us(r)[c->index]); break;
    case F_SLOT_PS: if (c->index < r->nslots) set_int(v, iof__cfrec_size(r)[c->index]); break;
    case F_SLOT_D: if (c->index < r->nslots) set_int(v, iof__cfrec_dir(r)[c->index]); break;
    case F_LIST_TO: set_int(v, iof__cfrec_off_us(r)[k]); break;
    case F_LIST_PS: set_int(v, iof__cfrec_size(r)[k]); break;
    case F_LIST_D: set_int(v, iof__cfrec_dir(r)[k]); break;
    default: break;
    }
}

/* Lists of the slots and payload groups: one element per packet slot. */
static uint32_t slots_count(const void *rowp, const iof__column *c)
{
    (void)c;
    return ((const iof__cf_row *)rowp)->rec->nslots;
}

static void payload_get(const void *rowp, const iof__column *c, uint32_t k, iof__value *v)
{
    const iof__cf_row *row = rowp;
    const iof__cfrec *r = row->rec;
    if (c->field == F_STREAM)
        set_int(v, row->stream[c->index]);
    else
        set_str(v, slot_payload(r, k), iof__cfrec_pay_len(r)[k]);
}

static const int16_t *payload_i16_span(const void *rowp, const iof__column *c, uint32_t *n, uint32_t *tail,
                                       int16_t *tail_val)
{
    const iof__cf_row *row = rowp;
    if (c->field != F_STREAM || !row->stream || c->index >= row->cfg->payload_total)
        return NULL;
    *n = row->cfg->payload_total - c->index; /* C_k ... C_{B-1} follow each other */
    *tail = row->stream_used > c->index ? row->cfg->payload_total - row->stream_used : *n;
    *tail_val = -1;
    return row->stream + c->index;
}

static void end_get(const void *rowp, const iof__column *c, uint32_t k, iof__value *v)
{
    (void)k;
    const iof__cfrec *r = ((const iof__cf_row *)rowp)->rec;
    if (c->field == F_EVICTED) {
        set_int(v, r->end == IOF_CF_END_EVICTED);
        return;
    }
    const char *why = iof__end_reason_name(iof__cf_end_reason(r));
    set_str(v, why, (uint32_t)strlen(why));
}

static void devip_get(const void *rowp, const iof__column *c, uint32_t k, iof__value *v)
{
    (void)c;
    (void)k;
    const iof__cf_row *row = rowp;
    set_str(v, row->devip, row->devip_len);
}

/* truncated like FirstSeen, so LastSeen - FirstSeen is the largest P*_TO when every packet has a
 * slot (update_rec: offsets are differences of µs-truncated timestamps) */
static void lastseen_get(const void *rowp, const iof__column *c, uint32_t k, iof__value *v)
{
    (void)c;
    (void)k;
    set_int(v, ((const iof__cf_row *)rowp)->rec->last_ns / 1000);
}

/* --last-seen's column, the same type as FirstSeen in both layouts: its names here only (the
 * schema, iof__cf_col_names and iof__cf_labels_follow read them) */
#define LASTSEEN_WIDE "LastSeen"
#define LASTSEEN_NESTED "last_seen"
#define L7_NAME "l7_app" /* --features l7's column (wide; nested: l7.app, iof__cffeat_nest) */

/* The record's leading columns, in both layouts: the one place their names are written
 * (the schema below, and readers of our outputs through iof__cf_col_names). */
static const struct {
    enum cf_field f;
    const char *wide, *nested;
    iof__vtype t;
    const char *doc;
} meta[] = {
    { F_DEVICE, "Device", "device", IOF_VT_STRING,
      "device MAC, lower-case aa:bb:cc:dd:ee:ff (empty when the link has no MAC)" },
    { F_FIRST_SEEN, "FirstSeen", "first_seen", IOF_VT_TIMESTAMP_US,
      "timestamp of the record's first packet, µs since the Unix epoch (UTC)" },
    { F_REMIP, "RemIP", "remote_ip", IOF_VT_STRING, "remote IP as text; private remotes written 0.0.0.0 / ::" },
    { F_PROTO, "Proto", "proto", IOF_VT_INT32, "IP protocol number" },
    { F_DEVPORT, "DevPort", "device_port", IOF_VT_INT32, "device-side port (0 without ports)" },
    { F_REMPORT, "RemPort", "remote_port", IOF_VT_INT32, "remote-side port (0 without ports)" },
    { F_BYTES, "TotalFlowSize", "bytes", IOF_VT_INT64, "sum of IP packet lengths, bytes" },
    { F_PACKETS, "PacketCount", "packets", IOF_VT_INT64, "packets in the record" },
};

iof__colnames iof__cf_col_names(iof__cf_col c)
{
    static const enum cf_field map[] = {
        [IOF__CF_DEVICE] = F_DEVICE, [IOF__CF_FIRST_SEEN] = F_FIRST_SEEN, [IOF__CF_REMIP] = F_REMIP,
        [IOF__CF_PROTO] = F_PROTO, [IOF__CF_DEVPORT] = F_DEVPORT, [IOF__CF_REMPORT] = F_REMPORT,
        [IOF__CF_BYTES] = F_BYTES, [IOF__CF_PACKETS] = F_PACKETS,
    };
    if (c == IOF__CF_DEVIP)
        return (iof__colnames){ .wide = IOF__CF_DEVIP_NAME, .nested = IOF__CF_DEVIP_NAME, .type = IOF_VT_STRING };
    if (c == IOF__CF_LASTSEEN)
        return (iof__colnames){ .wide = LASTSEEN_WIDE, .nested = LASTSEEN_NESTED, .type = IOF_VT_TIMESTAMP_US };
    if (c == IOF__CF_DEVNAME)
        return iof__dev_col_names(IOF__DEV_NAME);
    if (c == IOF__CF_DEVTYPE)
        return iof__dev_col_names(IOF__DEV_TYPE);
    for (size_t i = 0; i < sizeof(meta) / sizeof(meta[0]); i++)
        if ((unsigned)c < sizeof(map) / sizeof(map[0]) && meta[i].f == map[c])
            return (iof__colnames){ .wide = meta[i].wide, .nested = meta[i].nested, .type = meta[i].t };
    return (iof__colnames){ .wide = "", .nested = "" };
}

static int meta_declare(iof__schema *s, const void *cfgp, bool w)
{
    (void)cfgp;
    for (size_t i = 0; i < sizeof(meta) / sizeof(meta[0]); i++)
        IOF_TRY(iof__schema_add(s, w ? meta[i].wide : meta[i].nested, meta[i].t, false, false,
                                meta[i].f, 0, meta[i].doc));
    return IOF_OK;
}

static int slots_declare(iof__schema *s, const void *cfgp, bool w)
{
    const iof__cf_rowcfg *cfg = cfgp;
    if (!w) {
        IOF_TRY(iof__schema_add(s, "pkt_offset_us", IOF_VT_INT64, false, true, F_LIST_TO, 0,
                                "time offsets of the first packets from first_seen, µs"));
        IOF_TRY(iof__schema_add(s, "pkt_size", IOF_VT_INT32, false, true, F_LIST_PS, 0,
                                "IP lengths of the first packets, bytes"));
        return iof__schema_add(s, "pkt_dir", IOF_VT_INT8, false, true, F_LIST_D, 0,
                               "directions of the first packets: 1 device->remote, 0 remote->device");
    }
    char name[IOF_MAX_COLNAME];
    int digits = 2;
    for (uint32_t x = 100; x < cfg->packets; x *= 10)
        digits++;
    static const struct { enum cf_field f; const char *suffix; iof__vtype t; const char *doc; } slot[] = {
        { F_SLOT_TO, "TO", IOF_VT_INT64, "time offset of packet k from FirstSeen, µs (null: no packet k)" },
        { F_SLOT_PS, "PS", IOF_VT_INT32, "IP length of packet k, bytes (null: no packet k)" },
        { F_SLOT_D, "D", IOF_VT_INT8, "direction of packet k: 1 device->remote, 0 remote->device" },
    };
    for (size_t g = 0; g < 3; g++)
        for (uint32_t k = 0; k < cfg->packets; k++) {
            snprintf(name, sizeof(name), "P%0*u_%s", digits & 7, k, slot[g].suffix);
            IOF_TRY(iof__schema_add(s, name, slot[g].t, true, false, (uint16_t)slot[g].f, k, slot[g].doc));
        }
    return IOF_OK;
}

static int payload_declare(iof__schema *s, const void *cfgp, bool w)
{
    const iof__cf_rowcfg *cfg = cfgp;
    if (!w)
        return iof__schema_add(s, "payload", IOF_VT_BINARY, false, true, F_LIST_PAYLOAD, 0,
                               "transport payload of the first packets, up to j bytes each");
    char name[IOF_MAX_COLNAME];
    for (uint32_t k = 0; k < cfg->payload_total; k++) {
        snprintf(name, sizeof(name), "C_%03u", k);
        IOF_TRY(iof__schema_add(s, name, IOF_VT_INT16, false, false, F_STREAM, k,
                                "payload stream slot: -4 packet start, 0-255 byte, -8 packet end, -1 unused"));
    }
    return IOF_OK;
}

static int end_declare(iof__schema *s, const void *cfgp, bool w)
{
    (void)w;
    IOF_TRY(iof__schema_add(s, "evicted", IOF_VT_BOOL, false, false, F_EVICTED, 0,
                            "true if emitted before its window closed because --max-flows or "
                            "--max-memory was reached"));
    /* opt-in (--end-reason): not in the dataset-compatible layout */
    if (!((const iof__cf_rowcfg *)cfgp)->end_reason)
        return IOF_OK;
    return iof__schema_add(s, IOF__END_REASON_KEY, IOF_VT_STRING, false, false, F_END_REASON, 0,
                           "why the record ended: window (its window closed), evicted, end_of_input, "
                           "stopped (a signal or --duration stopped the run)");
}

/* opt-in: an environment-specific identifier, not in the dataset-compatible layout */
static int devip_declare(iof__schema *s, const void *cfgp, bool w)
{
    (void)w;
    if (!((const iof__cf_rowcfg *)cfgp)->device_ip)
        return IOF_OK;
    return iof__schema_add(s, IOF__CF_DEVIP_NAME, IOF_VT_STRING, false, false, F_DEVIP, 0,
                           "device-side IP address of the record's key (not anonymised)");
}

/* opt-in: the record's lifetime for readers of the written rows (a later `iotflow fuse`); not in
 * the dataset-compatible layout */
static int lastseen_declare(iof__schema *s, const void *cfgp, bool w)
{
    if (!((const iof__cf_rowcfg *)cfgp)->last_seen)
        return IOF_OK;
    return iof__schema_add(s, w ? LASTSEEN_WIDE : LASTSEEN_NESTED, IOF_VT_TIMESTAMP_US, false, false, F_LASTSEEN, 0,
                           "timestamp of the record's last (latest) packet, µs since the Unix epoch (UTC)");
}

/* opt-in (--features): the feature modules' columns (their cols hooks), read from the record's
 * feature state; after the base columns, before labels and sensor context */
static int feat_declare(iof__schema *s, const void *cfgp, bool w)
{
    unsigned f = ((const iof__cf_rowcfg *)cfgp)->features;
    return f ? iof__cffeat_declare(s, f, w, F_FEATURE) : IOF_OK;
}

static void feat_get(const void *rowp, const iof__column *c, uint32_t k, iof__value *v)
{
    iof__cffeat_get(((const iof__cf_row *)rowp)->rec, c, k, v);
}

static uint32_t feat_count(const void *rowp, const iof__column *c)
{
    return iof__cffeat_count(((const iof__cf_row *)rowp)->rec, c);
}

static uint32_t feat_i64_span(const void *rowp, const iof__column *c, uint32_t n, int64_t *v, uint8_t *has)
{
    return iof__cffeat_span(((const iof__cf_row *)rowp)->rec, c, n, v, has);
}

/* The custom-flow record's groups, declared once; the order is the column order. */
static const iof__colgroup g_meta = { .name = "customflow.meta", .ops = { .get = meta_get }, .declare = meta_declare };
static const iof__colgroup g_slots = { .name = "customflow.slots", .ops = { .get = slots_get, .count = slots_count },
                                       .declare = slots_declare };
static const iof__colgroup g_payload = { .name = "customflow.payload",
                                         .ops = { .get = payload_get, .count = slots_count,
                                                  .i16_span = payload_i16_span },
                                         .declare = payload_declare };
static const iof__colgroup g_device = { .name = "device", .ops = { .get = iof__dev_get },
                                        .row_off = offsetof(iof__cf_row, dev), .declare = iof__dev_declare };
static const iof__colgroup g_end = { .name = "customflow.end", .ops = { .get = end_get }, .declare = end_declare };
static const iof__colgroup g_devip = { .name = "customflow.device_ip", .ops = { .get = devip_get },
                                       .declare = devip_declare };
static const iof__colgroup g_lastseen = { .name = "customflow.last_seen", .ops = { .get = lastseen_get },
                                          .declare = lastseen_declare };
static const iof__colgroup g_features = { .name = "customflow.features",
                                          .ops = { .get = feat_get, .count = feat_count, .i64_span = feat_i64_span },
                                          .declare = feat_declare };

/* --features l7: nDPI's application of the record's connection, what the label rules' `app`
 * reads (kinds/cf_attrs.c: row_init makes the one lookup for both, at the record's horizon) */
static int l7_declare(iof__schema *s, const void *cfgp, bool w)
{
    if (!((const iof__cf_rowcfg *)cfgp)->l7)
        return IOF_OK;
    size_t first = s->n;
    IOF_TRY(iof__schema_add(s, L7_NAME, IOF_VT_STRING, true, false, F_L7, 0,
                            "nDPI's application protocol of the record's connection (null: none found)"));
    return w ? IOF_OK : iof__cffeat_nest(s, first); /* nested: l7.app */
}

static void l7_get(const void *rowp, const iof__column *c, uint32_t k, iof__value *v)
{
    (void)c;
    (void)k;
    const iof__cf_row *row = rowp;
    v->null = row->app == NULL;
    if (row->app)
        set_str(v, row->app, (uint32_t)strlen(row->app));
}

static const iof__colgroup g_l7 = { .name = "customflow.l7", .ops = { .get = l7_get }, .declare = l7_declare };
static int labels_declare(iof__schema *s, const void *cfgp, bool w)
{
    (void)w;
    return iof__lbl_declare(s, ((const iof__cf_rowcfg *)cfgp)->labels);
}
static const iof__colgroup g_labels = { .name = "labels", .ops = { .get = iof__lbl_get },
                                        .row_off = offsetof(iof__cf_row, lbl), .declare = labels_declare };
static int sensors_declare(iof__schema *s, const void *cfgp, bool w)
{
    (void)w;
    return iof__sens_fuse_declare(s, ((const iof__cf_rowcfg *)cfgp)->sensors);
}
static const iof__colgroup g_sensors = { .name = "sensors", .ops = { .get = iof__sens_fuse_get },
                                         .row_off = offsetof(iof__cf_row, sens), .declare = sensors_declare };
static const iof__colgroup *const cf_groups[] = { &g_meta, &g_slots, &g_payload, &g_device, &g_end, &g_devip,
                                                  &g_lastseen, &g_features, &g_l7, &g_labels, &g_sensors };

/* the groups before the labels that are not feature columns (end, device_ip, last_seen, in both
 * layouts); iof__cf_label_follows adds the feature groups' and l7's columns by their exact names */
const char *const iof__cf_labels_follow[] = { "evicted", IOF__END_REASON_KEY, IOF__CF_DEVIP_NAME,
                                              LASTSEEN_WIDE, LASTSEEN_NESTED, NULL };

int iof__cf_follow_init(iof__cf_follow *f)
{
    *f = (iof__cf_follow){ 0 };
    iof__cf_rowcfg c = { .packets = 1, .device_ip = true, .last_seen = true, .end_reason = true, .l7 = true,
                         .features = iof__cffeat_bits() };
    c.wide = true;
    IOF_TRY(iof__cf_schema(&f->s[0], &c));
    c.wide = false;
    int rc = iof__cf_schema(&f->s[1], &c);
    if (rc != IOF_OK)
        iof__schema_free(&f->s[0]);
    return rc;
}

void iof__cf_follow_free(iof__cf_follow *f)
{
    iof__schema_free(&f->s[0]);
    iof__schema_free(&f->s[1]);
}

/* Files of earlier versions: names no schema of this one has. */
static const char *const follow_legacy[] = { "splt_ipt" };

static bool span_is(const char *name, size_t n, const char *lit) { return strlen(lit) == n && memcmp(lit, name, n) == 0; }

bool iof__cf_label_follows(const iof__cf_follow *f, const char *name, size_t n)
{
    for (size_t k = 0; iof__cf_labels_follow[k]; k++)
        if (span_is(name, n, iof__cf_labels_follow[k]))
            return true;
    for (size_t k = 0; k < sizeof(follow_legacy) / sizeof(follow_legacy[0]); k++)
        if (span_is(name, n, follow_legacy[k]))
            return true;
    /* the feature groups: a column of the record with every group on, in either layout, or a
     * nested struct (a JSON Lines row's member); only those after `evicted` (the record's own
     * leading columns are before it, and the labels' place is after the last of these) */
    for (int l = 0; l < 2; l++) {
        const iof__schema *s = &f->s[l];
        long e = iof__schema_find(s, iof__cf_labels_follow[0]);
        for (size_t i = e < 0 ? 0 : (size_t)e + 1; i < s->n; i++) {
            const iof__column *c = &s->cols[i];
            if (span_is(name, n, c->name) ||
                (iof__col_is_member(c) && iof__col_struct_len(c) == n && memcmp(c->name, name, n) == 0))
                return true;
        }
    }
    return false;
}

bool iof__cf_is_first_dir_col(const char *name, bool *list)
{
    *list = strcmp(name, "pkt_dir") == 0;
    if (*list)
        return true;
    /* slots_declare's wide name of slot 0: "P", at least two zeros, "_D" */
    size_t n = strlen(name), z = 0;
    if (n < 5 || name[0] != 'P' || strcmp(name + n - 2, "_D") != 0)
        return false;
    for (size_t i = 1; i < n - 2; i++)
        z += name[i] == '0';
    return z == n - 3 && z >= 2;
}

int iof__cf_schema(iof__schema *s, const iof__cf_rowcfg *cfg)
{
    return iof__schema_build(s, cfg->wide ? "customflow.wide" : "customflow.nested", cf_groups,
                             sizeof(cf_groups) / sizeof(cf_groups[0]), cfg, cfg->wide);
}

uint32_t iof__cf_wide_max_payload_total(const iof__cf_rowcfg *cfg)
{
    iof__cf_rowcfg c = *cfg;
    c.wide = true;
    c.payload_total = 0;
    iof__schema s;
    if (iof__cf_schema(&s, &c) != IOF_OK)
        return 0;
    size_t n = s.n;
    iof__schema_free(&s);
    return n >= IOF_MAX_COLUMNS ? 0 : (uint32_t)(IOF_MAX_COLUMNS - n);
}
