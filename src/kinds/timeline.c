/* The per-device timeline as a row kind: see timeline.h. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/grow.h"
#include "flow/attrib.h"
#include "kinds/addrtext.h"
#include "kinds/sensorcols.h"
#include "kinds/telemetry.h"
#include "kinds/timeline.h"

enum { L_TIME = 1, L_DEVICE, L_PACKETS, L_BYTES, L_FLOWS, L_REMOTES };

/* index 0 = out (device -> remote), 1 = in */
static const iof__column cols[] = {
    { .name = "timestamp", .type = IOF_VT_TIMESTAMP_US, .field = L_TIME, .time_text = IOF_TT_ISO_S,
      .doc = "the second (UTC, whole seconds; text formats: ISO 8601)" },
    { .name = "device_id", .type = IOF_VT_STRING, .field = L_DEVICE,
      .doc = "inventory name, else the device MAC, else its address" },
    { .name = "packets_out", .type = IOF_VT_INT64, .field = L_PACKETS, .index = 0, .doc = "packets the device sent" },
    { .name = "packets_in", .type = IOF_VT_INT64, .field = L_PACKETS, .index = 1, .doc = "packets the device received" },
    { .name = "bytes_out", .type = IOF_VT_INT64, .field = L_BYTES, .index = 0, .doc = "their IP bytes, sent" },
    { .name = "bytes_in", .type = IOF_VT_INT64, .field = L_BYTES, .index = 1, .doc = "their IP bytes, received" },
    { .name = "flows_out", .type = IOF_VT_INT64, .field = L_FLOWS, .index = 0,
      .doc = "flows started by the device in this second (telemetry flows)" },
    { .name = "flows_in", .type = IOF_VT_INT64, .field = L_FLOWS, .index = 1,
      .doc = "flows a remote started with the device in this second" },
    { .name = "remotes_out", .type = IOF_VT_INT64, .field = L_REMOTES, .index = 0,
      .doc = "distinct remote addresses the device sent to" },
    { .name = "remotes_in", .type = IOF_VT_INT64, .field = L_REMOTES, .index = 1,
      .doc = "distinct remote addresses the device received from" },
};

const char *iof__tl_column(size_t i)
{
    return i < sizeof(cols) / sizeof(cols[0]) ? cols[i].name : NULL;
}

uint32_t iof__tl_device_text(const iof__tlrow *r, const iof__inventory *inv, bool anonymise, char out[64])
{
    const iof__device *dev = r->device >= 0 && inv ? iof__inventory_get(inv, (size_t)r->device) : NULL;
    return iof__device_id_text(dev, r->has_mac ? r->mac : NULL, r->ipver, r->dev_ip, anonymise, out);
}

typedef struct tl_row {
    const iof__tlrow *rec;
    char device[64];
    uint32_t device_len;
    iof__sens_row sens;        /* --sensors: the second's readings */
} tl_row;

static void tl_get(const void *rowp, const iof__column *c, uint32_t k, iof__value *v)
{
    (void)k;
    const tl_row *row = rowp;
    const iof__tlrow *r = row->rec;
    unsigned d = c->index & 1;
    v->null = false;
    switch (c->field) {
    case L_TIME: v->i = r->sec_ns / 1000; break;
    case L_DEVICE: v->p = (const uint8_t *)row->device; v->len = row->device_len; break;
    case L_PACKETS: v->i = (int64_t)r->packets[d]; break;
    case L_BYTES: v->i = (int64_t)r->bytes[d]; break;
    case L_FLOWS: v->i = (int64_t)r->flows[d]; break;
    case L_REMOTES: v->i = (int64_t)r->remotes[d]; break;
    default: v->null = true; break;
    }
}

/* --features dns / tls: the names contacted in the second */
enum { L_NAMES = 1, L_DROPPED };
static const iof__column name_cols[] = {
    { .name = "dns_names", .type = IOF_VT_STRING, .list = true, .field = L_NAMES, .index = IOF_TL_NAMES_DNS,
      .doc = "DNS names the device had resolved the remotes it exchanged packets with to (sorted; at most 16)" },
    { .name = "tls_names", .type = IOF_VT_STRING, .list = true, .field = L_NAMES, .index = IOF_TL_NAMES_TLS,
      .doc = "TLS server names (SNI) of the device's TCP connections with packets (sorted; at most 16)" },
    { .name = "names_dropped", .type = IOF_VT_INT64, .field = L_DROPPED,
      .doc = "names of the second not listed: each list's distinct names beyond 16, added" },
};

static void names_get(const void *rowp, const iof__column *c, uint32_t k, iof__value *v)
{
    const iof__tlrow *r = ((const tl_row *)rowp)->rec;
    v->null = false;
    if (c->field == L_DROPPED) {
        v->i = r->names_dropped;
        return;
    }
    const char *n = r->names[c->index][k];
    v->p = (const uint8_t *)n;
    v->len = (uint32_t)strlen(n);
}

static uint32_t names_count(const void *rowp, const iof__column *c)
{
    return c->field == L_NAMES ? ((const tl_row *)rowp)->rec->n_names[c->index] : 0;
}

static int names_declare(iof__schema *s, const void *cfg, bool wide)
{
    (void)wide;
    unsigned on = ((const iof__tl_rowcfg *)cfg)->names;
    for (size_t i = 0; i < sizeof(name_cols) / sizeof(name_cols[0]); i++)
        if (name_cols[i].field == L_NAMES ? (on >> name_cols[i].index & 1) : on != 0)
            IOF_TRY(iof__schema_add_column(s, &name_cols[i]));
    return IOF_OK;
}

/* a row's DNS names all fit the timeline's per-row buffer: nothing is cut uncounted there */
_Static_assert(IOF_TL_ROW_NAMES >= IOF_RULES_MAX_DNS, "the timeline takes every DNS name of a row");

void iof__tl_row_names(void *src, const iof__telrow *r, const char *out[][IOF_TL_ROW_NAMES],
                       size_t n[IOF_TL_NAME_KINDS])
{
    const iof__tl_names_src *ns = src;
    iof__lbl_attrs a;
    iof__tel_lbl_attrs(r, NULL, ns->maps, &a);
    n[IOF_TL_NAMES_DNS] = n[IOF_TL_NAMES_TLS] = 0;
    if ((ns->kinds >> IOF_TL_NAMES_DNS & 1) && (a.has & IOF_LBL_HAS_DNS))
        for (size_t i = 0; i < a.n_dns && i < IOF_TL_ROW_NAMES; i++)
            out[IOF_TL_NAMES_DNS][n[IOF_TL_NAMES_DNS]++] = a.dns[i];
    if ((ns->kinds >> IOF_TL_NAMES_TLS & 1) && (a.has & IOF_LBL_HAS_SNI))
        out[IOF_TL_NAMES_TLS][n[IOF_TL_NAMES_TLS]++] = iof__name_anon(a.sni, ns->anonymise);
}

static int tl_declare(iof__schema *s, const void *cfg, bool wide)
{
    (void)cfg;
    (void)wide;
    for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
        IOF_TRY(iof__schema_add_column(s, &cols[i]));
    return IOF_OK;
}

static int sens_declare(iof__schema *s, const void *cfg, bool wide)
{
    (void)wide;
    return iof__sens_declare(s, ((const iof__tl_rowcfg *)cfg)->sensors);
}

static const iof__colgroup g_tl = { .name = "timeline", .ops = { .get = tl_get }, .declare = tl_declare };
static const iof__colgroup g_names = { .name = "timeline.names", .ops = { .get = names_get, .count = names_count },
                                       .declare = names_declare };
static const iof__colgroup g_sensors = { .name = "sensors", .ops = { .get = iof__sens_get },
                                         .row_off = offsetof(tl_row, sens), .declare = sens_declare };
static const iof__colgroup *const groups[] = { &g_tl, &g_names, &g_sensors };

static int tl_schema(iof__schema *s, const void *cfg, bool wide)
{
    (void)wide; /* one layout */
    return iof__schema_build(s, "timeline", groups, sizeof(groups) / sizeof(groups[0]), cfg, false);
}

typedef struct tl_builder {
    iof__tl_rowcfg cfg;
    tl_row row;
    /* --sensors: per slot, its sensor device + 1 (0: not looked up yet); a slot is one device
     * for the whole run, so each is looked up once */
    long *sens_dev;
    size_t n_sens_dev;
} tl_builder;

static void *tl_builder_new(const void *cfg, bool wide)
{
    (void)wide;
    tl_builder *b = calloc(1, sizeof(*b));
    if (b) {
        b->cfg = *(const iof__tl_rowcfg *)cfg;
        b->row.sens.s = b->cfg.sensors;
    }
    return b;
}

long iof__tl_sens_device(const iof__tl_rowcfg *cfg, const iof__tlrow *r)
{
    return iof__sens_device(cfg->sensors, r->device, r->has_mac ? r->mac : NULL);
}

void iof__tl_sens_fill(iof__sens_row *row, const iof__tl_rowcfg *cfg, long dev, const iof__tlrow *r)
{
    /* the per-second level's instant: a reading anywhere in the second counts */
    iof__sens_row_fill(row, dev, iof__sensors_second_end(r->sec_ns), cfg->sensor_tol_ns);
}

/* The sensor device of a row's slot (-1: none), from the cache when it has room. */
static long sens_device(tl_builder *b, const iof__tlrow *r)
{
    if (r->slot >= b->n_sens_dev) {
        size_t n = b->n_sens_dev;
        if (iof__grow((void **)&b->sens_dev, &n, (size_t)r->slot + 1, sizeof(*b->sens_dev), IOF_TL_MAX_DEVICES) ==
            IOF_OK) {
            memset(b->sens_dev + b->n_sens_dev, 0, (n - b->n_sens_dev) * sizeof(*b->sens_dev));
            b->n_sens_dev = n;
        }
    }
    bool cached = r->slot < b->n_sens_dev; /* out of memory: looked up every time instead */
    if (cached && b->sens_dev[r->slot]) /* 0: not looked up; else the device + 2 (1: none) */
        return b->sens_dev[r->slot] - 2;
    long d = iof__tl_sens_device(&b->cfg, r);
    if (cached)
        b->sens_dev[r->slot] = d + 2;
    return d;
}

static const void *tl_build(void *builder, const void *rec)
{
    tl_builder *b = builder;
    const iof__tlrow *r = rec;
    b->row.rec = r;
    b->row.device_len = iof__tl_device_text(r, b->cfg.inv, b->cfg.anonymise, b->row.device);
    if (b->cfg.sensors)
        iof__tl_sens_fill(&b->row.sens, &b->cfg, sens_device(b, r), r);
    return &b->row;
}

static void tl_builder_free(void *builder)
{
    tl_builder *b = builder;
    if (b)
        free(b->sens_dev);
    free(b);
}

static const char *const sub_names[] = { "timeline" };

static void tl_partition(const void *rec, iof__row_part *out)
{
    out->day = iof__day_of_ns(((const iof__tlrow *)rec)->sec_ns);
    out->sub = 0;
}

static size_t tl_copy_size(const void *rec)
{
    (void)rec;
    return sizeof(iof__tlrow);
}

static void tl_rebase(void *copy)
{
    (void)copy; /* flat */
}

/* second, then the device's slot: the order the rows were made in */
static void tl_copy(void *dst, const void *rec, uint64_t key[2])
{
    const iof__tlrow *r = rec;
    memcpy(dst, r, sizeof(*r));
    key[0] = (uint64_t)r->sec_ns ^ (1ull << 63);
    key[1] = r->slot;
}

static int tl_compare(const void *pa, const void *pb)
{
    const iof__tlrow *a = pa, *b = pb;
    if (a->sec_ns != b->sec_ns)
        return a->sec_ns < b->sec_ns ? -1 : 1;
    return a->slot < b->slot ? -1 : a->slot > b->slot;
}

const iof__row_kind iof__tl_kind = {
    .name = "timeline",
    .sub_key = "table",
    .sub_kv = "iotflow.table",
    .sub_names = sub_names,
    .n_sub = 1,
    .partition = tl_partition,
    .schema = tl_schema,
    .builder_new = tl_builder_new,
    .build = tl_build,
    .builder_free = tl_builder_free,
    .copy_size = tl_copy_size,
    .copy = tl_copy,
    .rebase = tl_rebase,
    .compare = tl_compare,
};
