/* The feature modules on custom-flow records: see cffeat.h.
 *
 * A column's index says where its cell comes from: bits 24..27 the module's place in the
 * registry, bits 12..23 its state's offset in each direction's half (in units of 16, the set's
 * alignment), bits 0..11 the module's own column id. The schema alone then reads a record:
 * rows need no feature set. */
#include "common/err.h"
#include "features/cffeat.h"
#include "iotflow/iotflow.h"

#define IDX_MOD_SHIFT 24
#define IDX_OFF_SHIFT 12
#define IDX_OFF_UNIT 16u
#define IDX_FIELD_MASK 0xfffu

_Static_assert(IOF_FEAT_COL_IDS == IDX_FIELD_MASK + 1, "a module's column ids fit the index's low bits");

unsigned iof__cffeat_bits(void)
{
    return IOF_FEATURE_BYTE_DIST | IOF_FEATURE_ENTROPY | IOF_FEATURE_SPLT | IOF_FEATURE_WHT | IOF_FEATURE_DNS |
           IOF_FEATURE_DHCP | IOF_FEATURE_PAYLOAD | IOF_FEATURE_TLS | IOF_FEATURE_HTTP;
}

int iof__cffeat_set(iof__featset *s, unsigned features)
{
    iof__feat_opts o = { .dist = (features & IOF_FEATURE_BYTE_DIST) != 0,
                         .entropy = (features & IOF_FEATURE_ENTROPY) != 0,
                         .splt = (features & IOF_FEATURE_SPLT) != 0,
                         .wht = (features & IOF_FEATURE_WHT) != 0,
                         .dns = (features & IOF_FEATURE_DNS) != 0,
                         .dhcp = (features & IOF_FEATURE_DHCP) != 0,
                         .payload = (features & IOF_FEATURE_PAYLOAD) != 0,
                         .tls = (features & IOF_FEATURE_TLS) != 0,
                         .http = (features & IOF_FEATURE_HTTP) != 0,
                         .cols_only = true };
    return iof__featset_init(s, &o);
}

/* A packet as the modules see it on a custom-flow record: the data bytes are the transport
 * payload (captured part; wire_len its length on the wire), and the "key" the modules filter on
 * (dns: UDP port 53; dhcp: UDP 67 <-> 68; http: TCP) is the packet's own protocol and ports — the
 * record's five-tuple, seen from either side, and the filters are symmetric. No application is
 * identified (app_dns false: only port 53 is DNS); tcp, the IP slice and TCP options are left
 * unset (no module with columns reads them). */
static void on_packet(void *ctx, void *ext, const iof__pkt *p)
{
    const iof__featset *s = ctx;
    iof__feat_pkt fp = { .pkt = p, .ts_us = p->ts_ns / 1000, .wire_len = p->payload_len, .key_proto = p->proto,
                         .key_sp = p->sport, .key_dp = p->dport };
    fp.data = iof__feat_slice(p, p->payload_off, p->payload_caplen, &fp.len);
    iof__featset_update(s, ext, &fp);
}

static void on_created(void *ctx, void *ext) { iof__featset_init_state(ctx, ext); }

void iof__cffeat_hooks(const iof__featset *s, iof__cf_config *cfg)
{
    cfg->hooks = (iof__cf_hooks){ 0 };
    if (!s || s->ext_size == 0)
        return;
    cfg->hooks = (iof__cf_hooks){ .ext_size = s->ext_size, .keep_size = s->keep_size, .created = on_created,
                                  .packet = on_packet, .ctx = (void *)(uintptr_t)s };
}

/* The registry index of module m */
static uint32_t reg_index(const iof__feature *m)
{
    size_t n;
    const iof__feature *const *reg = iof__feat_registry(&n);
    for (size_t i = 0; i < n; i++)
        if (reg[i] == m)
            return (uint32_t)i;
    return 0;
}

int iof__cffeat_declare(iof__schema *s, unsigned features, bool wide, uint16_t field)
{
    iof__featset fs;
    IOF_TRY(iof__cffeat_set(&fs, features));
    for (uint32_t i = 0; i < fs.n; i++) {
        const iof__feature *m = fs.mod[i];
        if (!m->cols)
            continue;
        if (fs.off[i] / IDX_OFF_UNIT > IDX_FIELD_MASK)
            return IOF_E_LIMIT;
        uint32_t base = reg_index(m) << IDX_MOD_SHIFT | (uint32_t)(fs.off[i] / IDX_OFF_UNIT) << IDX_OFF_SHIFT;
        IOF_TRY(m->cols->declare(s, &fs.opts, wide, field, base));
    }
    return IOF_OK;
}

/* The module of column c and its two states in r (in NULL for a one-way record). */
static const iof__feature *states(const iof__cfrec *r, const iof__column *c, const void **out, const void **in)
{
    size_t n;
    const iof__feature *const *reg = iof__feat_registry(&n);
    uint32_t mi = c->index >> IDX_MOD_SHIFT;
    if (!r->feat || mi >= n || !reg[mi]->cols)
        return NULL;
    size_t off = (size_t)(c->index >> IDX_OFF_SHIFT & IDX_FIELD_MASK) * IDX_OFF_UNIT;
    *out = r->feat + off;
    *in = r->variant == IOF_VAR_BI ? r->feat + r->feat_bytes / 2 + off : NULL;
    return reg[mi];
}

void iof__cffeat_get(const iof__cfrec *r, const iof__column *c, uint32_t k, iof__value *v)
{
    const void *out, *in;
    const iof__feature *m = states(r, c, &out, &in);
    v->null = true;
    if (m)
        m->cols->get(out, in, c->index & IDX_FIELD_MASK, k, v);
}

uint32_t iof__cffeat_count(const iof__cfrec *r, const iof__column *c)
{
    const void *out, *in;
    const iof__feature *m = states(r, c, &out, &in);
    return m ? m->cols->count(out, in, c->index & IDX_FIELD_MASK) : UINT32_MAX;
}
