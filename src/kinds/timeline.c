/* The per-device timeline as a row kind: see timeline.h. */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "kinds/addrtext.h"
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

typedef struct tl_row {
    const iof__tlrow *rec;
    char device[64];
    uint32_t device_len;
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

static int tl_declare(iof__schema *s, const void *cfg, bool wide)
{
    (void)cfg;
    (void)wide;
    for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
        IOF_TRY(iof__schema_add_column(s, &cols[i]));
    return IOF_OK;
}

static const iof__colgroup g_tl = { "timeline", { tl_get, NULL, NULL }, 0, tl_declare };
static const iof__colgroup *const groups[] = { &g_tl };

static int tl_schema(iof__schema *s, const void *cfg, bool wide)
{
    (void)wide; /* one layout */
    return iof__schema_build(s, "timeline", groups, 1, cfg, false);
}

typedef struct tl_builder {
    iof__tl_rowcfg cfg;
    tl_row row;
} tl_builder;

static void *tl_builder_new(const void *cfg, bool wide)
{
    (void)wide;
    tl_builder *b = calloc(1, sizeof(*b));
    if (b)
        b->cfg = *(const iof__tl_rowcfg *)cfg;
    return b;
}

static const void *tl_build(void *builder, const void *rec)
{
    tl_builder *b = builder;
    const iof__tlrow *r = rec;
    const iof__device *dev = r->device >= 0 && b->cfg.inv ? iof__inventory_get(b->cfg.inv, (size_t)r->device) : NULL;
    b->row.rec = r;
    b->row.device_len = iof__device_id_text(dev, r->has_mac ? r->mac : NULL, r->ipver, r->dev_ip, b->cfg.anonymise,
                                            b->row.device);
    return &b->row;
}

static void tl_builder_free(void *builder)
{
    free(builder);
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
