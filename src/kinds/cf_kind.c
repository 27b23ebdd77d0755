/* The custom-flow record as a row kind (output/rowkind.h): where a record goes (UTC day of
 * FirstSeen, variant folder), how a batch copies it and in which order clustered files hold
 * it. Everything here used to be spelled out inside output/sink.c and output/cluster.c. */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "features/cffeat.h"
#include "kinds/customflow.h"

#define CLUSTER_PREFIX 256 /* leading payload bytes (all slots, back to back) in the order */

static const char *const variant_dir[IOF_VAR__COUNT] = { "bidirectional", "unidirectional" };

static void cf_partition(const void *rec, iof__row_part *out)
{
    const iof__cfrec *r = rec;
    out->day = iof__day_of_ns(r->first_ns);
    out->sub = r->variant;
}

static int cf_kind_schema(iof__schema *s, const void *cfg, bool wide)
{
    iof__cf_rowcfg c = *(const iof__cf_rowcfg *)cfg;
    c.wide = wide;
    return iof__cf_schema(s, &c);
}

/* A row under construction: the layout's settings, the row, the wide payload stream it
 * reuses from record to record (only the cells the last row used are reset), and where a
 * copy's packed feature state is unpacked for the row's cells. */
typedef struct cf_builder {
    iof__cf_rowcfg cfg;
    iof__cf_row row;
    int16_t *stream;        /* wide layout with payload_total > 0 */
    uint32_t stream_dirty;  /* cells of stream that may not hold -1 (iof__cf_row_init) */
    iof__cfrec view;        /* the record with its state unpacked (iof__cffeat_unpacked) */
    unsigned char *feat;    /* --features: 2 x the set's ext_size (16-aligned) */
    size_t feat_bytes;
} cf_builder;

static void *cf_builder_new(const void *cfg, bool wide)
{
    cf_builder *b = calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    b->cfg = *(const iof__cf_rowcfg *)cfg;
    b->cfg.wide = wide;
    iof__featset fs;
    if (b->cfg.features && iof__cffeat_set(&fs, b->cfg.features, false) == IOF_OK && fs.ext_size) {
        b->feat_bytes = 2 * fs.ext_size; /* a multiple of 16 (the set's alignment) */
        b->feat = aligned_alloc(16, b->feat_bytes);
        if (!b->feat) {
            free(b);
            return NULL;
        }
    }
    if (wide && b->cfg.payload_total) {
        b->stream = malloc(b->cfg.payload_total * sizeof(int16_t));
        b->stream_dirty = b->cfg.payload_total;
        if (!b->stream) {
            free(b->feat);
            free(b);
            return NULL;
        }
    }
    return b;
}

static const void *cf_build(void *builder, const void *rec)
{
    cf_builder *b = builder;
    const iof__cfrec *r = iof__cffeat_unpacked(rec, &b->view, b->feat, b->feat_bytes);
    iof__cf_row_init(&b->row, &b->cfg, r, b->stream, &b->stream_dirty);
    return &b->row;
}

static void cf_builder_free(void *builder)
{
    cf_builder *b = builder;
    if (b) {
        free(b->stream);
        free(b->feat);
    }
    free(b);
}

/* a copy's feature state, packed (features/cffeat.h), padded to keep the slot arrays aligned */
static size_t feat_copy_bytes(const iof__cfrec *r)
{
    return (iof__cffeat_pack_size(r) + 15) / 16 * 16;
}

/* A sort batch ends at IOF_CLUSTER_BYTES of copies (output/cluster.c), and which records share a
 * batch decides a Parquet file's row order (docs/ARCHITECTURE.md "Rows within a file"): a copy
 * still takes the bytes it took when the record held one pointer per slot array (32 more) and
 * the table's activity links (16), so that --features runs, whose large copies reach the byte
 * bound, keep their files. */
#define CF_COPY_ORDER_PAD 48u

static size_t cf_copy_size(const void *rec)
{
    const iof__cfrec *r = rec;
    return sizeof(iof__cfrec) + feat_copy_bytes(r) + iof__cfrec_slot_bytes(r->nslots) + r->pay_used +
           CF_COPY_ORDER_PAD;
}

/* Points a copy's feature state (packed: only what the columns read, ~2 KB a direction on dense
 * where the table's halves are 14 KB: bench/README.md "Packed feature state"), arrays and
 * payload at the bytes that follow it, in that order (the state first: its 16-byte multiple
 * keeps the slot arrays aligned). */
static void cf_rebase(void *copy)
{
    iof__cfrec *r = copy;
    unsigned char *p = (unsigned char *)(r + 1);
    r->feat = r->feat_bytes ? p : NULL;
    r->pay = iof__cfrec_bind_slots(r, p + r->feat_bytes, r->nslots);
}

/* The copy, and its sort key: protocol, remote port and the first 13 payload bytes,
 * zero-padded, which orders as cf_compare does (a shorter prefix first). */
static void cf_copy(void *dst, const void *rec, uint64_t key[2])
{
    const iof__cfrec *r = rec;
    iof__cfrec *d = dst;
    memcpy(d, r, sizeof(*r));
    d->feat_bytes = (uint32_t)feat_copy_bytes(r);
    d->feat_packed = d->feat_bytes != 0;
    cf_rebase(d);
    size_t n = r->nslots;
    memcpy(iof__cfrec_off_us(d), iof__cfrec_off_us(r), n * sizeof(int64_t));
    memcpy(iof__cfrec_size(d), iof__cfrec_size(r), n * sizeof(int32_t));
    memcpy(iof__cfrec_pay_off(d), iof__cfrec_pay_off(r), n * sizeof(uint32_t));
    memcpy(iof__cfrec_pay_len(d), iof__cfrec_pay_len(r), n * sizeof(uint16_t));
    memcpy(iof__cfrec_dir(d), iof__cfrec_dir(r), n);
    if (r->pay_used)
        memcpy(d->pay, r->pay, r->pay_used);
    if (d->feat) {
        size_t used = iof__cffeat_pack(r, d->feat, &d->feat_cuts);
        memset(d->feat + used, 0, d->feat_bytes - used); /* the padding: a copy's bytes are all set */
    }
    /* the table's links mean nothing in a copy (seq and hash stay) */
    d->hnext = d->qprev = d->qnext = NULL;
    d->hpprev = NULL;
    uint64_t k = (uint64_t)r->proto << 56 | (uint64_t)r->rem_port << 40, k2 = 0;
    for (uint32_t b = 0; b < 5 && b < r->pay_used && b < CLUSTER_PREFIX; b++)
        k |= (uint64_t)r->pay[b] << (32 - 8 * b);
    for (uint32_t b = 5; b < 13 && b < r->pay_used && b < CLUSTER_PREFIX; b++)
        k2 |= (uint64_t)r->pay[b] << (56 - 8 * (b - 5));
    key[0] = k;
    key[1] = k2;
}

/* Service, then message sequence, then who, then when: records of one service and the same
 * leading payload sit side by side (the columns get runs). A total order (seq last), so a
 * file's row order does not depend on the order records reached the sink. */
static int cf_compare(const void *pa, const void *pb)
{
    const iof__cfrec *a = pa, *b = pb;
    int d;
    if (a->proto != b->proto)
        return a->proto < b->proto ? -1 : 1;
    if (a->rem_port != b->rem_port)
        return a->rem_port < b->rem_port ? -1 : 1;
    /* the leading payload bytes, then their length: same message sequences side by side
     * (pointers are valid: rebased before sorting) */
    uint32_t la = a->pay_used, lb = b->pay_used;
    uint32_t l = la < lb ? la : lb;
    if (l > CLUSTER_PREFIX)
        l = CLUSTER_PREFIX;
    if (l && (d = memcmp(a->pay, b->pay, l)) != 0)
        return d;
    if (la != lb && (la < CLUSTER_PREFIX || lb < CLUSTER_PREFIX))
        return la < lb ? -1 : 1;
    if (a->nslots != b->nslots)
        return a->nslots < b->nslots ? -1 : 1;
    if (a->device != b->device)
        return a->device < b->device ? -1 : 1;
    if ((d = memcmp(a->mac, b->mac, 6)) != 0)
        return d;
    if ((d = memcmp(a->dev_ip, b->dev_ip, 16)) != 0)
        return d;
    if ((d = memcmp(a->rem_ip, b->rem_ip, 16)) != 0)
        return d;
    if (a->dev_port != b->dev_port)
        return a->dev_port < b->dev_port ? -1 : 1;
    if (a->first_ns != b->first_ns)
        return a->first_ns < b->first_ns ? -1 : 1;
    /* the same key and first packet twice in one file (a record evicted by --max-flows and
     * created again at the same instant): creation order, which a sharded run reproduces
     * (seq comes from the packet ordinal, not from which worker held the record) */
    if (a->seq != b->seq)
        return a->seq < b->seq ? -1 : 1;
    return 0;
}

const iof__row_kind iof__cf_kind = {
    .name = "customflow",
    .sub_key = "variant",
    .sub_kv = "iotflow.variant",
    .sub_names = variant_dir,
    .n_sub = IOF_VAR__COUNT,
    .partition = cf_partition,
    .schema = cf_kind_schema,
    .builder_new = cf_builder_new,
    .build = cf_build,
    .builder_free = cf_builder_free,
    .copy_size = cf_copy_size,
    .copy = cf_copy,
    .rebase = cf_rebase,
    .compare = cf_compare,
};
