/* The feature modules on custom-flow records: see cffeat.h.
 *
 * A column's index says where its cell comes from: bits 24..27 the module's place in the
 * registry, bits 12..23 its state's offset in each direction's half (in units of 16, the set's
 * alignment), bits 0..11 the module's own column id. The schema alone then reads a record:
 * rows need no feature set. */
#include <string.h>

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
           IOF_FEATURE_DHCP | IOF_FEATURE_PAYLOAD | IOF_FEATURE_TLS | IOF_FEATURE_HTTP | IOF_FEATURE_IDP |
           IOF_FEATURE_HD | IOF_FEATURE_PPI;
}

int iof__cffeat_set(iof__featset *s, unsigned features, bool anonymise)
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
                         .idp = features & IOF_FEATURE_IDP ? IOF_CF_IDP_BYTES : 0,
                         .hd = features & IOF_FEATURE_HD ? IOF_CF_HD_BYTES : 0,
                         .ppi = (features & IOF_FEATURE_PPI) != 0,
                         .anonymise = anonymise,
                         .cols_only = true };
    return iof__featset_init(s, &o);
}

/* A packet as the modules see it on a custom-flow record: the data bytes are the transport
 * payload (captured part; wire_len its length on the wire), and the "key" the modules filter on
 * (dns: UDP port 53; dhcp: UDP 67 <-> 68; http: TCP) is the packet's own protocol and ports — the
 * record's five-tuple, seen from either side, and the filters are symmetric. No application is
 * identified (app_dns false: only port 53 is DNS). tcp: a TCP segment whose header was decoded
 * (not a later fragment; retransmissions too: custom flows follow no sequence numbers), which
 * hd and ppi take. data_pkts is 1 when the packet has data on the wire, else 0: custom flows keep
 * no count, and its only reader (idp) asks "has the direction had data by now", which the first
 * such packet answers. The IP slice is the packet's (idp); TCP options are left unset (no module
 * with columns reads them: ppi's columns have the option length, not the options). */
static void on_packet(void *ctx, void *ext, const iof__pkt *p)
{
    const iof__featset *s = ctx;
    iof__feat_pkt fp = { .pkt = p, .ts_us = p->ts_ns / 1000, .wire_len = p->payload_len, .key_proto = p->proto,
                         .key_sp = p->sport, .key_dp = p->dport, .data_pkts = p->payload_len != 0,
                         .tcp = p->proto == 6 && p->l4_hlen >= 20 };
    fp.data = iof__feat_slice(p, p->payload_off, p->payload_caplen, &fp.len);
    fp.ip = iof__feat_slice(p, p->l3_off, p->ip_len, &fp.ip_len);
    iof__featset_update(s, ext, &fp, IOF_FEAT_SEEN_ALL); /* the columns read every state */
}

static void on_created(void *ctx, void *ext, bool zeroed) { iof__featset_init_state(ctx, ext, zeroed, false); }

static void on_finished(void *ctx, void *ext) { iof__featset_finish(ctx, ext, IOF_FEAT_SEEN_ALL); }

void iof__cffeat_hooks(const iof__featset *s, iof__cf_config *cfg)
{
    cfg->hooks = (iof__cf_hooks){ 0 };
    if (!s || s->ext_size == 0)
        return;
    cfg->hooks = (iof__cf_hooks){ .ext_size = s->ext_size, .created = on_created,
                                  .packet = on_packet, .finished = on_finished,
                                  .ctx = (void *)(uintptr_t)s };
    _Static_assert(IOF_FEAT_MAX_MODULES <= sizeof(cfg->hooks.hot) / sizeof(cfg->hooks.hot[0]), "one stretch a module");
    cfg->hooks.nhot = iof__featset_hot(s, 0, false, cfg->hooks.hot);
}

/* The one place the nested layout's struct and member names are made from the modules' (wide)
 * names: a column is member <rest> of struct <group> when its name is "<group>_<rest>", <group>
 * being a --features name (features/select.c, through iof_features_text), except the names
 * below, where stripping gives none or no natural one. The modules declare one name per column,
 * so the wide layout stays as it was, byte for byte. */
static const struct {
    const char *feature, *strct;
} renamed[] = {
    { "payload", "first_payload" },   /* the nested layout has a top-level "payload" already (the
                                         slots' payload list) */
};
static const struct {
    const char *wide, *strct, *member;
} nest_named[] = {
    { "byte_dist", "byte_dist", "counts" },   /* the nested layout's list of 256 */
    { "entropy", "entropy", "per_byte" },     /* bits per byte */
    { "total_entropy", "entropy", "total" },  /* bits */
    { "wht_0", "wht", "c0" }, { "wht_1", "wht", "c1" },   /* the four coefficients: c0..c3 */
    { "wht_2", "wht", "c2" }, { "wht_3", "wht", "c3" },   /* (a member named "0" needs quoting in SQL) */
};

/* The struct of the group of --features name `name`. */
static const char *group_struct(const char *name)
{
    for (size_t i = 0; i < sizeof(renamed) / sizeof(renamed[0]); i++)
        if (strcmp(renamed[i].feature, name) == 0)
            return renamed[i].strct;
    return name;
}

/* The k-th --features name (aliases excluded) into buf; false past the last bit. */
static bool feature_name(unsigned k, char buf[32])
{
    if (k >= 31 || 1u << k >= (unsigned)IOF_FEATURE_ALL)   /* the bits below "all" are the names' */
        return false;
    iof_features_text(1u << k, buf, 32);
    return true;
}

static int nest_column(iof__column *c)
{
    char wide[IOF_MAX_COLNAME];
    memcpy(wide, c->name, sizeof(wide));
    for (size_t i = 0; i < sizeof(nest_named) / sizeof(nest_named[0]); i++)
        if (strcmp(wide, nest_named[i].wide) == 0)
            return iof__col_set_member(c, nest_named[i].strct, nest_named[i].member);
    char g[32];
    for (unsigned k = 0; feature_name(k, g); k++) {
        size_t gl = strlen(g);
        if (gl && strncmp(wide, g, gl) == 0 && wide[gl] == '_' && wide[gl + 1])
            return iof__col_set_member(c, group_struct(g), wide + gl + 1);
    }
    return IOF_E_INVAL;
}

int iof__cffeat_nested_name(const char *wide, char out[IOF_MAX_COLNAME])
{
    iof__column c = { 0 };
    if (strlen(wide) >= sizeof(c.name))
        return IOF_E_INVAL;
    strcpy(c.name, wide);
    IOF_TRY(nest_column(&c));
    memcpy(out, c.name, sizeof(c.name));
    return IOF_OK;
}

int iof__cffeat_nest(iof__schema *s, size_t first)
{
    size_t n = s->n;
    for (size_t i = first; i < n; i++) {
        iof__column c = s->cols[i];
        IOF_TRY(nest_column(&c));
        s->n = i; /* added again, so the schema checks the struct's members are consecutive */
        int rc = iof__schema_add_column(s, &c);
        s->n = n; /* whatever happened: the columns after i stay */
        IOF_TRY(rc);
    }
    return IOF_OK;
}

int iof__cffeat_declare(iof__schema *s, unsigned features, bool wide, uint16_t field)
{
    size_t first = s->n;
    iof__featset fs;
    IOF_TRY(iof__cffeat_set(&fs, features, false) /* the layout does not depend on it */);
    for (uint32_t i = 0; i < fs.n; i++) {
        const iof__feature *m = fs.mod[i];
        if (!m->cols)
            continue;
        if (fs.off[i] / IDX_OFF_UNIT > IDX_FIELD_MASK)
            return IOF_E_LIMIT;
        uint32_t base = (uint32_t)iof__feat_index(m) << IDX_MOD_SHIFT |
                        (uint32_t)(fs.off[i] / IDX_OFF_UNIT) << IDX_OFF_SHIFT;
        IOF_TRY(m->cols->declare(s, &fs.opts, wide, field, base));
    }
    return wide ? IOF_OK : iof__cffeat_nest(s, first);
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

uint32_t iof__cffeat_span(const iof__cfrec *r, const iof__column *c, uint32_t n, int64_t *v, uint8_t *has)
{
    const void *out, *in;
    const iof__feature *m = states(r, c, &out, &in);
    if (!m || !m->cols->span)
        return 0;
    /* the module's ids follow each other in its columns (cffeat_declare): the cells it filled
     * are those of c[0 .. got) unless a column there is not the next one (no layout makes that:
     * then it is asked again for the ones before it) */
    uint32_t got = m->cols->span(out, in, c->index & IDX_FIELD_MASK, n, v, has);
    for (uint32_t k = 1; k < got; k++)
        if (c[k].group != c->group || c[k].index != c->index + k)
            return m->cols->span(out, in, c->index & IDX_FIELD_MASK, k, v, has);
    return got;
}

uint32_t iof__cffeat_count(const iof__cfrec *r, const iof__column *c)
{
    const void *out, *in;
    const iof__feature *m = states(r, c, &out, &in);
    return m ? m->cols->count(out, in, c->index & IDX_FIELD_MASK) : UINT32_MAX;
}

void iof__cffeat_count_cuts(const iof__featset *s, const iof__cfrec *r, uint64_t cuts[IOF_FEAT_MAX_MODULES])
{
    if (!r->feat)
        return;
    if (r->feat_packed) {
        for (uint32_t bits = r->feat_cuts, i = 0; bits; bits >>= 1, i++)
            cuts[i] += bits & 1u;
        return;
    }
    iof__featset_count_col_cuts(s, r->feat, r->variant == IOF_VAR_BI ? r->feat + r->feat_bytes / 2 : NULL, cuts);
}

/* A live record's halves, as the columns read them (in: NULL for a one-way record, whose other
 * half nothing reads) */
static const unsigned char *half_in(const iof__cfrec *r)
{
    return r->variant == IOF_VAR_BI ? r->feat + r->feat_bytes / 2 : NULL;
}

size_t iof__cffeat_pack_size(const iof__cfrec *r)
{
    if (!r->feat)
        return 0;
    if (r->feat_packed)
        return r->feat_bytes;
    const iof__featset *s = r->feat_set;
    const unsigned char *in = half_in(r);
    return iof__featset_pack_size(s, r->feat) + (in ? iof__featset_pack_size(s, in) : 0);
}

size_t iof__cffeat_pack(const iof__cfrec *r, unsigned char *dst, uint32_t *cuts)
{
    *cuts = 0;
    if (!r->feat)
        return 0;
    if (r->feat_packed) {
        memcpy(dst, r->feat, r->feat_bytes);
        *cuts = r->feat_cuts;
        return r->feat_bytes;
    }
    const iof__featset *s = r->feat_set;
    const unsigned char *in = half_in(r);
    unsigned char *p = iof__featset_pack(s, dst, r->feat);
    if (in)
        p = iof__featset_pack(s, p, in);
    *cuts = iof__featset_col_cut_bits(s, r->feat, in);
    return (size_t)(p - dst);
}

const iof__cfrec *iof__cffeat_unpacked(const iof__cfrec *r, iof__cfrec *view, unsigned char *scratch,
                                       size_t scratch_bytes)
{
    if (!r->feat || !r->feat_packed)
        return r;
    const iof__featset *s = r->feat_set;
    *view = *r;
    view->feat_packed = false;
    if (2 * s->ext_size > scratch_bytes) {
        view->feat = NULL;
        view->feat_bytes = 0;
        return view;
    }
    const unsigned char *p = iof__featset_unpack(s, scratch, r->feat);
    if (r->variant == IOF_VAR_BI)
        iof__featset_unpack(s, scratch + s->ext_size, p);
    view->feat = scratch;
    view->feat_bytes = (uint32_t)(2 * s->ext_size);
    return view;
}
