/* --features byte_dist, entropy on custom-flow records (features/cffeat.h, the byte_dist
 * module's cols hook, kinds/cf_row.c's feature group, cf_kind.c's copies): hand-made records
 * whose states are fed through the feature set, read back through the schema in both layouts,
 * with values computed by hand (Python's statistics/math give the same digits):
 *   out 00 00 01 ff, in 01 02 -> n 6, mean 259/6, sample std sqrt(323105/30), entropy
 *   (2/3) log2 3 + (1/3) log2 6; the one-way record sees out only; no payload: counts 0 and
 *   null statistics; one byte: std null, entropy 0. A sink copy carries the state. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "features/cffeat.h"
#include "flow/attrib.h"
#include "iotflow/iotflow.h"
#include "kinds/customflow.h"
#include "test.h"

#define BD (IOF_FEATURE_BYTE_DIST | IOF_FEATURE_ENTROPY)

typedef struct fixture {
    iof__featset fs;
    _Alignas(16) unsigned char ext[8192];
    iof__cfrec r;
} fixture;

static void feed(fixture *f, int dir, const uint8_t *b, uint32_t n)
{
    iof__feat_pkt fp = { .data = b, .len = n, .wire_len = n };
    iof__featset_update(&f->fs, f->ext + (dir ? 0 : f->fs.ext_size), &fp, IOF_FEAT_SEEN_ALL);
}

static void setup_anon(fixture *f, unsigned features, uint8_t variant, bool anonymise)
{
    memset(f, 0, sizeof(*f));
    ASSERT_EQ_INT(iof__cffeat_set(&f->fs, features, anonymise), IOF_OK);
    ASSERT_TRUE(2 * f->fs.ext_size <= sizeof(f->ext));
    f->r.variant = variant;
    iof__cfrec_bind_slots(&f->r, f->ext, 0); /* no slots, but arrays as the table binds them */
    f->r.feat = f->ext;
    f->r.feat_bytes = (uint32_t)(2 * f->fs.ext_size);
    f->r.feat_set = &f->fs;
    iof__featset_init_state(&f->fs, f->ext, false, false);
    iof__featset_init_state(&f->fs, f->ext + f->fs.ext_size, false, false);
}

static void setup(fixture *f, unsigned features, uint8_t variant) { setup_anon(f, features, variant, false); }

/* The column `name` of s: a feature column's name as the modules declare it ("dns_qname",
 * "splt_len"), its nested layout's full name ("dns.qname") in a nested schema */
static long col_of(const iof__schema *s, const char *name)
{
    long c = iof__schema_find(s, name);
    char nested[IOF_MAX_COLNAME];
    if (c < 0 && iof__cffeat_nested_name(name, nested) == IOF_OK)
        c = iof__schema_find(s, nested);
    return c;
}

static bool int_scalar(const iof__column *c)
{
    return !c->list && c->type != IOF_VT_FLOAT64 && c->type != IOF_VT_STRING && c->type != IOF_VT_BINARY;
}

/* The schema's block read (i64_span) from column c of row gives the cells get gives; returns how
 * many it gave (0: none) */
static uint32_t span_agrees(const iof__schema *s, const void *row, size_t c)
{
    enum { MAXN = 1024 };
    if (!s->ops.i64_span || !int_scalar(&s->cols[c]))
        return 0;
    uint32_t n = 0; /* the integer scalar columns from c (the writer's run of staged ones) */
    while (c + n < s->n && n < MAXN && int_scalar(&s->cols[c + n]))
        n++;
    int64_t v[MAXN];
    uint8_t has[MAXN];
    uint32_t m = s->ops.i64_span(row, &s->cols[c], n, v, has);
    ASSERT_TRUE(m <= n);
    for (uint32_t k = 0; k < m; k++) {
        iof__value g = { .null = false };
        iof__schema_get(s, row, c + k, 0, &g);
        if (has[k] != !g.null || (!g.null && v[k] != g.i))
            fprintf(stderr, "  span from %s: %s\n", s->cols[c].name, s->cols[c + k].name);
        ASSERT_EQ_INT(has[k], !g.null);
        ASSERT_EQ_INT(v[k], g.null ? 0 : g.i);
    }
    return m;
}

/* the value of column `name` (element k) of rec through s; a live record's (not a copy's) is
 * also read through a sink's copy, whose packed state must give the same cell (and the same
 * list length) through the kind's row builder */
static iof__value cell(const iof__schema *s, const iof__cfrec *rec, const iof__cf_rowcfg *cfg, const char *name,
                       uint32_t k)
{
    iof__cf_row row;
    iof__cf_row_init(&row, cfg, rec, NULL, NULL);
    long c = col_of(s, name);
    iof__value v = { .null = true };
    if (c < 0) {
        v.i = -12345;
        return v;
    }
    iof__schema_get(s, &row, (size_t)c, k, &v);
    span_agrees(s, &row, (size_t)c);
    if (rec->feat_packed || !rec->feat_set)
        return v;
    size_t sz = iof__cf_kind.copy_size(rec);
    void *copy = aligned_alloc(16, (sz + 15) / 16 * 16);
    uint64_t key[2];
    iof__cf_kind.copy(copy, rec, key);
    ASSERT_TRUE(((const iof__cfrec *)copy)->feat_packed);
    void *b = iof__cf_kind.builder_new(cfg, cfg->wide);
    ASSERT_TRUE(b != NULL);
    const void *crow = iof__cf_kind.build(b, copy);
    iof__value cv = { .null = true };
    iof__schema_get(s, crow, (size_t)c, k, &cv);
    span_agrees(s, crow, (size_t)c);
    ASSERT_EQ_INT(cv.null, v.null);
    if (!v.null) {
        if (s->cols[c].type == IOF_VT_STRING) {
            ASSERT_EQ_INT(cv.len, v.len);
            ASSERT_TRUE(v.len == 0 || memcmp(cv.p, v.p, v.len) == 0);
        } else if (s->cols[c].type == IOF_VT_FLOAT64) {
            ASSERT_TRUE(memcmp(&cv.f, &v.f, sizeof(v.f)) == 0);
        } else {
            ASSERT_EQ_INT(cv.i, v.i);
        }
    }
    if (s->cols[c].list)
        ASSERT_EQ_INT(iof__schema_count(s, crow, (size_t)c), iof__schema_count(s, &row, (size_t)c));
    iof__cf_kind.builder_free(b);
    free(copy);
    return v;
}

#define ASSERT_NEAR(a, b) ASSERT_TRUE(fabs((a) - (b)) <= 1e-12 * (1 + fabs(b)))

static void check_pair(const iof__schema *w, const iof__schema *n, const iof__cfrec *r, const iof__cf_rowcfg *cw,
                       const iof__cf_rowcfg *cn)
{
    static const struct { uint32_t b; int64_t c; } counts[] = { { 0, 2 }, { 1, 2 }, { 2, 1 }, { 3, 0 }, { 255, 1 } };
    for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
        char name[32];
        snprintf(name, sizeof(name), "byte_dist_%03u", counts[i].b);
        iof__value v = cell(w, r, cw, name, 0);
        ASSERT_TRUE(!v.null);
        ASSERT_EQ_INT(v.i, counts[i].c);
        v = cell(n, r, cn, "byte_dist", counts[i].b);
        ASSERT_TRUE(!v.null);
        ASSERT_EQ_INT(v.i, counts[i].c);
    }
    iof__cf_row row;
    iof__cf_row_init(&row, cn, r, NULL, NULL);
    ASSERT_EQ_INT(iof__schema_count(n, &row, (size_t)iof__schema_find(n, "byte_dist.counts")), 256);
    for (int lay = 0; lay < 2; lay++) {
        const iof__schema *s = lay ? n : w;
        const iof__cf_rowcfg *c = lay ? cn : cw;
        iof__value v = cell(s, r, c, "byte_dist_mean", 0);
        ASSERT_TRUE(!v.null);
        ASSERT_NEAR(v.f, 43.166666666666664);
        v = cell(s, r, c, "byte_dist_std", 0);
        ASSERT_TRUE(!v.null);
        ASSERT_NEAR(v.f, 103.7794135012656);
        v = cell(s, r, c, "entropy", 0);
        ASSERT_TRUE(!v.null);
        ASSERT_NEAR(v.f, 1.9182958340544893);
        v = cell(s, r, c, "total_entropy", 0);
        ASSERT_TRUE(!v.null);
        ASSERT_NEAR(v.f, 11.509775004326936);
    }
}

static void test_values_and_copy(void)
{
    fixture *f = calloc(1, sizeof(*f));
    setup(f, BD, IOF_VAR_BI);
    static const uint8_t out[] = { 0, 0, 1, 255 }, in[] = { 1, 2 };
    feed(f, 1, out, 4);
    feed(f, 0, in, 2);
    iof__cf_rowcfg cw = { .wide = true, .features = BD }, cn = { .features = BD };
    iof__schema w, n;
    ASSERT_EQ_INT(iof__cf_schema(&w, &cw), IOF_OK);
    ASSERT_EQ_INT(iof__cf_schema(&n, &cn), IOF_OK);
    check_pair(&w, &n, &f->r, &cw, &cn);

    /* the sink's copy carries the state: the original's area cleared afterwards changes nothing */
    size_t sz = iof__cf_kind.copy_size(&f->r);
    ASSERT_TRUE(sz >= sizeof(iof__cfrec) + iof__featset_pack_size(&f->fs, f->ext));
    void *copy = aligned_alloc(16, (sz + 15) / 16 * 16);
    uint64_t key[2];
    iof__cf_kind.copy(copy, &f->r, key);
    memset(f->ext, 0, sizeof(f->ext));
    check_pair(&w, &n, copy, &cw, &cn);
    /* moved elsewhere and rebased, as the cluster's arena does */
    void *moved = aligned_alloc(16, (sz + 15) / 16 * 16);
    memcpy(moved, copy, sz);
    memset(copy, 0xaa, sz);
    iof__cf_kind.rebase(moved);
    check_pair(&w, &n, moved, &cw, &cn);
    free(copy);
    free(moved);

    /* the one-way variant: its own (out) bytes only */
    f->r.variant = IOF_VAR_UNI;
    feed(f, 1, out, 4);
    feed(f, 0, in, 2); /* never fed to a one-way record by the policy; must not count */
    ASSERT_EQ_INT(cell(&w, &f->r, &cw, "byte_dist_000", 0).i, 2);
    ASSERT_EQ_INT(cell(&w, &f->r, &cw, "byte_dist_002", 0).i, 0);
    ASSERT_NEAR(cell(&w, &f->r, &cw, "byte_dist_mean", 0).f, 64.0);
    ASSERT_NEAR(cell(&n, &f->r, &cn, "byte_dist_std", 0).f, 127.33420593069248);
    ASSERT_NEAR(cell(&n, &f->r, &cn, "entropy", 0).f, 1.5);
    ASSERT_NEAR(cell(&n, &f->r, &cn, "total_entropy", 0).f, 6.0);
    iof__schema_free(&w);
    iof__schema_free(&n);
    free(f);
}

static void test_nulls(void)
{
    fixture *f = calloc(1, sizeof(*f));
    setup(f, BD, IOF_VAR_BI);
    iof__cf_rowcfg cw = { .wide = true, .features = BD }, cn = { .features = BD };
    iof__schema w, n;
    ASSERT_EQ_INT(iof__cf_schema(&w, &cw), IOF_OK);
    ASSERT_EQ_INT(iof__cf_schema(&n, &cn), IOF_OK);
    /* no payload byte: counts 0, every statistic null */
    iof__value v = cell(&w, &f->r, &cw, "byte_dist_255", 0);
    ASSERT_TRUE(!v.null);
    ASSERT_EQ_INT(v.i, 0);
    static const char *const stats[] = { "byte_dist_mean", "byte_dist_std", "entropy", "total_entropy" };
    for (int i = 0; i < 4; i++) {
        ASSERT_TRUE(cell(&w, &f->r, &cw, stats[i], 0).null);
        ASSERT_TRUE(cell(&n, &f->r, &cn, stats[i], 0).null);
    }
    /* one byte: std null; mean the byte; entropy 0 */
    static const uint8_t one[] = { 7 };
    feed(f, 0, one, 1);
    ASSERT_NEAR(cell(&n, &f->r, &cn, "byte_dist_mean", 0).f, 7.0);
    ASSERT_TRUE(cell(&n, &f->r, &cn, "byte_dist_std", 0).null);
    v = cell(&n, &f->r, &cn, "entropy", 0);
    ASSERT_TRUE(!v.null && v.f == 0.0);
    iof__schema_free(&w);
    iof__schema_free(&n);
    free(f);
}

/* columns: after evicted / device_ip / LastSeen, before labels; byte_dist and entropy each turn
 * on their own; the wide layout's room shrinks by the feature columns; FLOAT64 with 6 decimals */
static void test_columns(void)
{
    iof__cf_rowcfg base = { .wide = true, .packets = 10, .device_ip = true, .last_seen = true };
    iof__cf_rowcfg c = base;
    c.features = BD;
    iof__schema s;
    ASSERT_EQ_INT(iof__cf_schema(&s, &c), IOF_OK);
    long e = iof__schema_find(&s, "LastSeen");
    ASSERT_TRUE(e > 0);
    ASSERT_EQ_INT(iof__schema_find(&s, "byte_dist_000"), e + 1);
    ASSERT_EQ_INT(iof__schema_find(&s, "byte_dist_255"), e + 256);
    ASSERT_EQ_INT(iof__schema_find(&s, "byte_dist_mean"), e + 257);
    ASSERT_EQ_INT(iof__schema_find(&s, "total_entropy"), (long)s.n - 1);
    const iof__column *m = &s.cols[iof__schema_find(&s, "byte_dist_std")];
    ASSERT_TRUE(m->type == IOF_VT_FLOAT64 && m->nullable && m->decimals == 6);
    ASSERT_TRUE(s.cols[e + 1].type == IOF_VT_INT64 && !s.cols[e + 1].nullable);
    iof__schema_free(&s);
    ASSERT_EQ_INT(iof__cf_wide_max_payload_total(&base) - iof__cf_wide_max_payload_total(&c), 260);
    c.features = IOF_FEATURE_ENTROPY;
    ASSERT_EQ_INT(iof__cf_schema(&s, &c), IOF_OK);
    ASSERT_TRUE(iof__schema_find(&s, "byte_dist_000") < 0 && iof__schema_find(&s, "byte_dist_mean") < 0);
    ASSERT_EQ_INT(iof__schema_find(&s, "entropy"), e + 1);
    iof__schema_free(&s);
    ASSERT_EQ_INT(iof__cf_wide_max_payload_total(&base) - iof__cf_wide_max_payload_total(&c), 2);
    c.features = IOF_FEATURE_BYTE_DIST; /* 256 counts, mean, std */
    ASSERT_EQ_INT(iof__cf_wide_max_payload_total(&base) - iof__cf_wide_max_payload_total(&c), 258);
    c.wide = false;
    ASSERT_EQ_INT(iof__cf_schema(&s, &c), IOF_OK);
    ASSERT_TRUE(iof__schema_find(&s, "entropy") < 0);
    ASSERT_TRUE(s.cols[iof__schema_find(&s, "byte_dist.counts")].list);
    ASSERT_EQ_STR(s.cols[s.n - 1].name, "byte_dist.std");
    iof__schema_free(&s);
    /* without --features: the schema of before; tls: its 18 tls_* columns after the base ones
     * (the lists as text in the wide layout) */
    iof__schema a, b;
    ASSERT_EQ_INT(iof__cf_schema(&a, &base), IOF_OK);
    base.features = IOF_FEATURE_TLS;
    ASSERT_EQ_INT(iof__cf_schema(&b, &base), IOF_OK);
    ASSERT_EQ_INT(a.n + 18, b.n);
    ASSERT_EQ_STR(b.cols[a.n].name, "tls_c_version");
    ASSERT_EQ_STR(b.cols[b.n - 1].name, "tls_cert_sig_algo");
    int cs = iof__schema_find(&b, "tls_cs");
    ASSERT_TRUE(cs > 0 && b.cols[cs].type == IOF_VT_STRING && !b.cols[cs].list);
    iof__cf_rowcfg none = base;
    none.features = 0;
    ASSERT_EQ_INT(iof__cf_wide_max_payload_total(&none) - iof__cf_wide_max_payload_total(&base), 18);
    iof__schema_free(&a);
    iof__schema_free(&b);
}

static void test_names(void)
{
    unsigned f;
    char err[256], txt[128];
    ASSERT_EQ_INT(iof_features_parse("byte_dist,entropy", &f, err, sizeof(err)), IOF_OK);
    ASSERT_EQ_INT(f, BD);
    ASSERT_EQ_STR(iof_features_text(f, txt, sizeof(txt)), "byte_dist,entropy");
    ASSERT_EQ_INT(iof_features_parse("all", &f, err, sizeof(err)), IOF_OK);
    ASSERT_EQ_INT(f, IOF_FEATURE_ALL);
    ASSERT_EQ_INT(iof_features_parse("entropy,bogus", &f, err, sizeof(err)), IOF_E_INVAL);
    ASSERT_TRUE(strstr(err, "dns, tls, byte_dist, entropy, splt, wht, dhcp, payload, http, idp, hd, ppi, l7, all") != NULL);
}


/* Through the custom-flow policy: every packet counts (1 slot, 1 payload byte kept), a
 * bidirectional record sees both directions, a unidirectional one its own; the flow table's live
 * bytes count the state (--max-memory). */
static iof__value pol_v[2][5];
static int pol_n;

static int pol_emit(void *ctx, iof__cfrec *r)
{
    const iof__schema *s = ctx;
    iof__cf_rowcfg c = { .wide = true, .features = BD };
    if (pol_n < 2 && r->variant == (pol_n ? IOF_VAR_UNI : IOF_VAR_BI)) {
        static const char *const names[] = { "byte_dist_065", "byte_dist_066", "byte_dist_067", "byte_dist_mean",
                                             "entropy" };
        for (int i = 0; i < 5; i++)
            pol_v[pol_n][i] = cell(s, r, &c, names[i], 0);
        pol_n++;
    }
    return 0;
}

static iof__pkt pol_pkt(int64_t ms, bool up, const uint8_t *pay, uint32_t n)
{
    iof__pkt p;
    memset(&p, 0, sizeof(p));
    p.ts_ns = ms * 1000000LL;
    p.ipver = 4;
    p.proto = 17;
    static const uint8_t dev[4] = { 192, 168, 1, 10 }, rem[4] = { 8, 8, 8, 8 };
    memcpy(p.src_ip, up ? dev : rem, 4);
    memcpy(p.dst_ip, up ? rem : dev, 4);
    p.sport = up ? 5000 : 53;
    p.dport = up ? 53 : 5000;
    p.ip_len = 28 + n;
    p.flags = IOF_PKT_HAS_PORTS;
    p.data = pay;
    p.caplen = n;
    p.payload_caplen = p.payload_len = n;
    return p;
}

static void test_policy(void)
{
    iof__featset fs;
    ASSERT_EQ_INT(iof__cffeat_set(&fs, BD, false), IOF_OK);
    iof__cf_config c = { .window_ns = 60LL * 1000000000LL, .packets = 1, .payload = 1, .max_flows = 100,
                         .variants = IOF_VARIANT_BI | IOF_VARIANT_UNI, .hash_seed = 42 };
    iof__cf_config plain = c;
    iof__cffeat_hooks(&fs, &c);
    ASSERT_EQ_INT(c.hooks.ext_size, fs.ext_size);
    iof__schema s;
    iof__cf_rowcfg rc = { .wide = true, .features = BD };
    ASSERT_EQ_INT(iof__cf_schema(&s, &rc), IOF_OK);
    iof__cflow *t, *u;
    pol_n = 0;
    ASSERT_EQ_INT(iof__cflow_create(&t, &c, pol_emit, &s), IOF_OK);
    ASSERT_EQ_INT(iof__cflow_create(&u, &plain, pol_emit, &s), IOF_OK);
    static const uint8_t ab[] = { 'A', 'B' }, cc[] = { 'C' }, aa[] = { 'A', 'A' };
    /* round 1: new records in fresh slab entries (left as calloc zeroed them); round 2: the
     * same records again in the entries round 1 used, whose states must be zeroed again */
    for (int round = 0; round < 2; round++) {
        int64_t t0 = 1000 + round * 1000000;
        iof__pkt p[3] = { pol_pkt(t0, true, ab, 2), pol_pkt(t0 + 1, false, cc, 1), pol_pkt(t0 + 2, true, aa, 2) };
        for (int i = 0; i < 3; i++) {
            iof__view v[2];
            int n = iof__attribute(&p[i], NULL, v);
            ASSERT_TRUE(n > 0);
            ASSERT_EQ_INT(iof__cflow_packet(t, &p[i], v, n), IOF_OK);
            ASSERT_EQ_INT(iof__cflow_packet(u, &p[i], v, n), IOF_OK);
        }
        /* two live records, each 2 x ext_size bytes more (the entries' rounding aside) */
        uint64_t d = iof__cflow_live_bytes(t) - iof__cflow_live_bytes(u);
        ASSERT_TRUE(d >= 2 * 2 * fs.ext_size && d <= 2 * (2 * fs.ext_size + 16));
        pol_n = 0;
        ASSERT_EQ_INT(iof__cflow_flush(t, IOF_CF_END_EOF), IOF_OK);
        ASSERT_EQ_INT(pol_n, 2);
        /* bi: A A A B C (n 5); uni: A A A B (n 4) */
        ASSERT_EQ_INT(pol_v[0][0].i, 3);
        ASSERT_EQ_INT(pol_v[0][1].i, 1);
        ASSERT_EQ_INT(pol_v[0][2].i, 1);
        ASSERT_NEAR(pol_v[0][3].f, (3 * 65 + 66 + 67) / 5.0);
        ASSERT_NEAR(pol_v[0][4].f, -(0.6 * log2(0.6) + 2 * 0.2 * log2(0.2)));
        ASSERT_EQ_INT(pol_v[1][0].i, 3);
        ASSERT_EQ_INT(pol_v[1][1].i, 1);
        ASSERT_EQ_INT(pol_v[1][2].i, 0);
        ASSERT_NEAR(pol_v[1][3].f, (3 * 65 + 66) / 4.0);
        ASSERT_NEAR(pol_v[1][4].f, -(0.75 * log2(0.75) + 0.25 * log2(0.25)));
        ASSERT_EQ_INT(iof__cflow_flush(u, IOF_CF_END_EOF), IOF_OK);
    }
    iof__cflow_destroy(t);
    iof__cflow_destroy(u);
    iof__schema_free(&s);
}


/* ---- splt, wht, dns, dhcp ---- */

#define NEWF (IOF_FEATURE_SPLT | IOF_FEATURE_WHT | IOF_FEATURE_DNS | IOF_FEATURE_DHCP | IOF_FEATURE_PAYLOAD)

/* one packet of direction dir (1 out) at t µs, UDP sp -> dp, n captured bytes of wire on the wire */
static void feed_at(fixture *f, int dir, int64_t t, uint16_t sp, uint16_t dp, const uint8_t *b, uint32_t n,
                    uint32_t wire)
{
    iof__feat_pkt fp = { .data = n ? b : NULL, .len = n, .wire_len = wire, .ts_us = t, .key_proto = 17,
                         .key_sp = sp, .key_dp = dp };
    iof__featset_update(&f->fs, f->ext + (dir ? 0 : f->fs.ext_size), &fp, IOF_FEAT_SEEN_ALL);
}

static bool text_is(iof__value v, const char *t)
{
    return !v.null && v.len == strlen(t) && memcmp(v.p, t, v.len) == 0;
}

/* both layouts' schemas of `features` */
typedef struct lay {
    iof__cf_rowcfg cw, cn;
    iof__schema w, n;
} lay;

/* the wide layout's text cell col of r is want (printed, with what, when it is not) */
static void wide_text_is(const lay *l, const iof__cfrec *r, const char *col, const char *want, const char *what)
{
    if (!text_is(cell(&l->w, r, &l->cw, col, 0), want))
        fprintf(stderr, "  %s (%s): want %s\n", col, what, want);
    ASSERT_TRUE(text_is(cell(&l->w, r, &l->cw, col, 0), want));
}

static void lay_init(lay *l, unsigned features)
{
    l->cw = (iof__cf_rowcfg){ .wide = true, .features = features };
    l->cn = (iof__cf_rowcfg){ .features = features };
    ASSERT_EQ_INT(iof__cf_schema(&l->w, &l->cw), IOF_OK);
    ASSERT_EQ_INT(iof__cf_schema(&l->n, &l->cn), IOF_OK);
}

static void lay_free(lay *l)
{
    iof__schema_free(&l->w);
    iof__schema_free(&l->n);
}

static uint32_t list_len(const lay *l, const iof__cfrec *r, const char *name)
{
    iof__cf_row row;
    iof__cf_row_init(&row, &l->cn, r, NULL, NULL);
    return iof__schema_count(&l->n, &row, (size_t)col_of(&l->n, name));
}

/* splt entry k in both layouts: len and ipt (null: both null) */
static void splt_is(const lay *l, const iof__cfrec *r, uint32_t k, bool null, int64_t len, int64_t ipt)
{
    char a[32], b[32];
    snprintf(a, sizeof a, "splt_len_%02u", k);
    snprintf(b, sizeof b, "splt_ipt_%02u", k);
    iof__value wl = cell(&l->w, r, &l->cw, a, 0), wi = cell(&l->w, r, &l->cw, b, 0);
    ASSERT_TRUE(wl.null == null && wi.null == null);
    if (null)
        return;
    iof__value nl = cell(&l->n, r, &l->cn, "splt_len", k), ni = cell(&l->n, r, &l->cn, "splt_ipt", k);
    ASSERT_EQ_INT(wl.i, len);
    ASSERT_EQ_INT(nl.i, len);
    ASSERT_EQ_INT(wi.i, ipt);
    ASSERT_EQ_INT(ni.i, ipt);
}

/* splt: data packets only, merged by time (a tie: in first), + out / - in, the wire length,
 * ipt floored ms (the first since the earliest packet), the cap, a one-way record, nothing */
static void test_splt(void)
{
    fixture *f = calloc(1, sizeof(*f));
    lay l;
    lay_init(&l, IOF_FEATURE_SPLT);
    setup(f, IOF_FEATURE_SPLT, IOF_VAR_BI);
    ASSERT_EQ_INT(cell(&l.w, &f->r, &l.cw, "splt_count", 0).i, 0);
    ASSERT_EQ_INT(list_len(&l, &f->r, "splt_len"), 0);
    splt_is(&l, &f->r, 0, true, 0, 0);
    static const uint8_t d[64] = { 1 };
    feed_at(f, 1, 100000, 1, 2, d, 0, 0);        /* a SYN: the record's start, not an entry */
    feed_at(f, 1, 101500, 1, 2, d, 10, 10);
    feed_at(f, 0, 104000, 2, 1, d, 0, 0);        /* an ACK: no entry */
    feed_at(f, 1, 103000, 1, 2, d, 5, 5);
    feed_at(f, 0, 103000, 2, 1, d, 20, 1400);    /* cut by the snaplen: the wire length counts */
    ASSERT_EQ_INT(cell(&l.n, &f->r, &l.cn, "splt_count", 0).i, 3);
    ASSERT_EQ_INT(list_len(&l, &f->r, "splt_ipt"), 3);
    splt_is(&l, &f->r, 0, false, 10, 1);
    splt_is(&l, &f->r, 1, false, -1400, 1);
    splt_is(&l, &f->r, 2, false, 5, 0);
    splt_is(&l, &f->r, 3, true, 0, 0);
    /* the one-way record: its out side in arrival order; a packet timed earlier than the
     * previous entry gives a negative gap */
    f->r.variant = IOF_VAR_UNI;
    feed_at(f, 1, 99000, 1, 2, d, 7, 7);
    ASSERT_EQ_INT(cell(&l.w, &f->r, &l.cw, "splt_count", 0).i, 3);
    splt_is(&l, &f->r, 0, false, 10, 1);         /* since the SYN at 100000 */
    splt_is(&l, &f->r, 1, false, 5, 1);
    splt_is(&l, &f->r, 2, false, 7, -4);
    feed_at(f, 1, 102000, 1, 2, d, 3, 3);
    splt_is(&l, &f->r, 3, false, 3, 3);
    feed_at(f, 1, 101999, 1, 2, d, 3, 3);
    splt_is(&l, &f->r, 4, false, 3, -1);         /* floor(-0.001 ms) */
    /* the cap: 50 entries, both sides' first 50 merged */
    setup(f, IOF_FEATURE_SPLT, IOF_VAR_BI);
    for (int i = 0; i < 60; i++) {
        feed_at(f, 1, 2000 * i, 1, 2, d, 1 + (uint32_t)i % 60, 1 + (uint32_t)i % 60);
        feed_at(f, 0, 2000 * i + 1500, 2, 1, d, 2, 2);
    }
    ASSERT_EQ_INT(cell(&l.w, &f->r, &l.cw, "splt_count", 0).i, IOF_FEAT_SPLT_PKTS);
    ASSERT_EQ_INT(list_len(&l, &f->r, "splt_len"), IOF_FEAT_SPLT_PKTS);
    splt_is(&l, &f->r, 48, false, 25, 0);        /* out packet 24 at 48000 */
    splt_is(&l, &f->r, 49, false, -2, 1);        /* in at 49500 */
    ASSERT_TRUE(iof__schema_find(&l.w, "splt_len_50") < 0 && iof__schema_find(&l.w, "splt_ipt_49") >= 0);
    lay_free(&l);
    free(f);
}

/* wht: blocks of 4 (a packet's last padded with zeros), sums / bytes, both directions; null
 * without data */
static void test_wht_cols(void)
{
    fixture *f = calloc(1, sizeof(*f));
    lay l;
    lay_init(&l, IOF_FEATURE_WHT);
    setup(f, IOF_FEATURE_WHT, IOF_VAR_BI);
    for (int k = 0; k < 4; k++) {
        char name[8];
        snprintf(name, sizeof name, "wht_%d", k);
        ASSERT_TRUE(cell(&l.w, &f->r, &l.cw, name, 0).null && cell(&l.n, &f->r, &l.cn, name, 0).null);
    }
    static const uint8_t out[] = { 1, 2, 3, 4, 5 }, in[] = { 255 };
    feed_at(f, 1, 0, 1, 2, out, 5, 5);
    /* (1,2,3,4): 10, -2, -4, 0; (5,0,0,0): 5 each -> 15, 3, 1, 5 over 5 bytes */
    ASSERT_NEAR(cell(&l.w, &f->r, &l.cw, "wht_0", 0).f, 3.0);
    ASSERT_NEAR(cell(&l.w, &f->r, &l.cw, "wht_1", 0).f, 0.6);
    ASSERT_NEAR(cell(&l.n, &f->r, &l.cn, "wht_2", 0).f, 0.2);
    ASSERT_NEAR(cell(&l.n, &f->r, &l.cn, "wht_3", 0).f, 1.0);
    feed_at(f, 0, 0, 2, 1, in, 1, 1);   /* +255 each, 6 bytes */
    ASSERT_NEAR(cell(&l.w, &f->r, &l.cw, "wht_0", 0).f, 45.0);
    ASSERT_NEAR(cell(&l.w, &f->r, &l.cw, "wht_2", 0).f, 256.0 / 6);
    f->r.variant = IOF_VAR_UNI;
    ASSERT_NEAR(cell(&l.w, &f->r, &l.cw, "wht_3", 0).f, 1.0);
    /* past Joy's 32-bit wrap: exact (2^24 bytes of 0xff: sum 0 = 2^24 * 255) */
    setup(f, IOF_FEATURE_WHT, IOF_VAR_BI);
    static uint8_t ff[65536];
    memset(ff, 0xff, sizeof ff);
    for (int i = 0; i < 256; i++)
        feed_at(f, 1, 0, 1, 2, ff, sizeof ff, sizeof ff);
    ASSERT_NEAR(cell(&l.w, &f->r, &l.cw, "wht_0", 0).f, 255.0);
    ASSERT_NEAR(cell(&l.w, &f->r, &l.cw, "wht_1", 0).f, 0.0);
    lay_free(&l);
    free(f);
}

/* a DNS message: header, one question (www.example.com), then n answers, each A 10.0.0.k or
 * (k odd, aaaa) AAAA 2001:db8::k */
static size_t dns_msg(uint8_t *m, uint16_t flags, uint16_t qtype, int n, bool aaaa)
{
    static const uint8_t q[] = { 3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0 };
    uint8_t h[12] = { 0x12, 0x34, (uint8_t)(flags >> 8), (uint8_t)flags, 0, 1, 0, (uint8_t)n, 0, 0, 0, 0 };
    size_t at = 0;
    memcpy(m, h, 12);
    at = 12;
    memcpy(m + at, q, sizeof q);
    at += sizeof q;
    uint8_t t[4] = { 0, (uint8_t)qtype, 0, 1 };
    memcpy(m + at, t, 4);
    at += 4;
    for (int k = 0; k < n; k++) {
        bool six = aaaa && (k & 1);
        uint8_t rr[12] = { 0xc0, 12, 0, six ? 28 : 1, 0, 1, 0, 0, 0, 60, 0, six ? 16 : 4 };
        memcpy(m + at, rr, 12);
        at += 12;
        if (six) {
            uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
            a6[15] = (uint8_t)k;
            memcpy(m + at, a6, 16);
            at += 16;
        } else {
            uint8_t a4[4] = { 10, 0, 0, (uint8_t)k };
            memcpy(m + at, a4, 4);
            at += 4;
        }
    }
    return at;
}

static void dns_null(const lay *l, const iof__cfrec *r, bool q)
{
    static const char *const qs[] = { "dns_qname", "dns_qtype" }, *const rs[] = { "dns_rcode", "dns_answers", "dns_addrs" };
    for (int i = 0; i < (q ? 2 : 3); i++) {
        const char *name = q ? qs[i] : rs[i];
        ASSERT_TRUE(cell(&l->w, r, &l->cw, name, 0).null);
        if (strcmp(name, "dns_addrs") != 0)
            ASSERT_TRUE(cell(&l->n, r, &l->cn, name, 0).null);
    }
    if (!q)
        ASSERT_EQ_INT(list_len(l, r, "dns_addrs"), UINT32_MAX);
}

/* dns_addrs under the anonymisation rule: local answers as the zero address; on mDNS / LLMNR
 * every answer, a global IPv6 one too (the network's own devices) */
static void test_dns_anon(void)
{
    fixture *f = calloc(1, sizeof(*f));
    lay l;
    lay_init(&l, IOF_FEATURE_DNS);
    uint8_t m[600];
    size_t n = dns_msg(m, 0x8180, 1, 3, true);   /* answers 10.0.0.0, 2001:db8::1, 10.0.0.2 */
    const struct { uint16_t port; bool anon; const char *want; } c[] = {
        { 53, false, "10.0.0.0 2001:db8::1 10.0.0.2" },
        { 53, true, "0.0.0.0 2001:db8::1 0.0.0.0" },
        { 5353, false, "10.0.0.0 2001:db8::1 10.0.0.2" },
        { 5353, true, "0.0.0.0 :: 0.0.0.0" },
        { 5355, true, "0.0.0.0 :: 0.0.0.0" },
    };
    for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
        setup_anon(f, IOF_FEATURE_DNS, IOF_VAR_BI, c[k].anon);
        feed_at(f, 0, 1000, c[k].port, 5000, m, (uint32_t)n, (uint32_t)n);
        wide_text_is(&l, &f->r, "dns_addrs", c[k].want, c[k].anon ? "anonymised" : "kept");
    }
    lay_free(&l);
    free(f);
}

/* a query (0x0100) for name (dotted), type 1 */
static size_t dns_query_for(uint8_t *m, const char *name)
{
    static const uint8_t h[12] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
    size_t at = 12;
    memcpy(m, h, 12);
    for (const char *p = name; *p;) {
        size_t l = strcspn(p, ".");
        m[at++] = (uint8_t)l;
        memcpy(m + at, p, l);
        at += l;
        p += l + (p[l] == '.');
    }
    static const uint8_t t[5] = { 0, 0, 1, 0, 1 };
    memcpy(m + at, t, 5);
    return at + 5;
}

/* dns_qname under the anonymisation rule: a reverse name of a local address, or a local address
 * as a name, as the zero address's; a name and a global reverse name as sent */
static void test_dns_qname_anon(void)
{
    fixture *f = calloc(1, sizeof(*f));
    lay l;
    lay_init(&l, IOF_FEATURE_DNS);
    const struct { const char *q; bool anon; const char *want; } c[] = {
        { "5.1.168.192.in-addr.arpa", true, "0.0.0.0.in-addr.arpa" },
        { "5.1.168.192.in-addr.arpa", false, "5.1.168.192.in-addr.arpa" },
        { "4.4.8.8.in-addr.arpa", true, "4.4.8.8.in-addr.arpa" },
        { "192.168.1.70", true, "0.0.0.0" },
        { "192.168.1.70", false, "192.168.1.70" },
        { "www.example.com", true, "www.example.com" },
    };
    uint8_t m[300];
    for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
        setup_anon(f, IOF_FEATURE_DNS, IOF_VAR_BI, c[k].anon);
        size_t n = dns_query_for(m, c[k].q);
        feed_at(f, 1, 1000, 5000, 53, m, (uint32_t)n, (uint32_t)n);
        wide_text_is(&l, &f->r, "dns_qname", c[k].want, c[k].q);
    }
    lay_free(&l);
    free(f);
}

/* http_host and http_uri under the anonymisation rule: a local address literal as the zero
 * address (flow/attrib.h iof__authority_anon / iof__uri_anon), a name or a global one as sent */
static void test_http_anon(void)
{
    fixture *f = calloc(1, sizeof(*f));
    lay l;
    lay_init(&l, IOF_FEATURE_HTTP);
    static const char *const req[] = {
        "GET http://192.168.1.10:8080/api HTTP/1.1\r\nHost: 192.168.1.10:8080\r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: [fe80::2]\r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: hub.local:80\r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: 8.8.4.4\r\n\r\n",
    };
    const struct { bool anon; const char *host, *uri; } want[][2] = {
        { { false, "192.168.1.10:8080", "http://192.168.1.10:8080/api" }, { true, "0.0.0.0:8080", "http://0.0.0.0:8080/api" } },
        { { false, "[fe80::2]", "/x" }, { true, "[::]", "/x" } },
        { { false, "hub.local:80", "/x" }, { true, "hub.local:80", "/x" } },
        { { false, "8.8.4.4", "/x" }, { true, "8.8.4.4", "/x" } },
    };
    for (size_t k = 0; k < sizeof(req) / sizeof(req[0]); k++)
        for (size_t a = 0; a < 2; a++) {
            setup_anon(f, IOF_FEATURE_HTTP, IOF_VAR_BI, want[k][a].anon);
            iof__pkt pk = { .tcp_seq = 1 };
            iof__feat_pkt fp = { .pkt = &pk, .data = (const uint8_t *)req[k], .len = (uint32_t)strlen(req[k]),
                                 .key_proto = 6 };
            fp.wire_len = fp.len;
            iof__featset_update(&f->fs, f->ext, &fp, IOF_FEAT_SEEN_ALL);
            wide_text_is(&l, &f->r, "http_host", want[k][a].host, req[k]);
            ASSERT_TRUE(text_is(cell(&l.n, &f->r, &l.cn, "http_uri", 0), want[k][a].uri));
        }
    lay_free(&l);
    free(f);
}

static void test_dns_cols(void)
{
    fixture *f = calloc(1, sizeof(*f));
    lay l;
    lay_init(&l, IOF_FEATURE_DNS);
    setup(f, IOF_FEATURE_DNS, IOF_VAR_BI);
    uint8_t m[600];
    size_t n = dns_msg(m, 0x0100, 1, 0, false);
    /* not port 53, 5353 or 5355: nothing */
    feed_at(f, 1, 1000, 5000, 5354, m, (uint32_t)n, (uint32_t)n);
    ASSERT_TRUE(cell(&l.w, &f->r, &l.cw, "dns_messages", 0).null);
    dns_null(&l, &f->r, true);
    dns_null(&l, &f->r, false);
    /* the query: its name and type; no response yet */
    feed_at(f, 1, 1000, 5000, 53, m, (uint32_t)n, (uint32_t)n);
    feed_at(f, 1, 1100, 5000, 53, m, 11, 11);   /* shorter than a header: not a message */
    ASSERT_EQ_INT(cell(&l.w, &f->r, &l.cw, "dns_messages", 0).i, 1);
    ASSERT_TRUE(text_is(cell(&l.w, &f->r, &l.cw, "dns_qname", 0), "www.example.com"));
    ASSERT_EQ_INT(cell(&l.n, &f->r, &l.cn, "dns_qtype", 0).i, 1);
    dns_null(&l, &f->r, false);
    /* the response: 3 answers (A, AAAA, A) */
    n = dns_msg(m, 0x8180, 1, 3, true);
    feed_at(f, 0, 2000, 53, 5000, m, (uint32_t)n, (uint32_t)n);
    ASSERT_EQ_INT(cell(&l.n, &f->r, &l.cn, "dns_messages", 0).i, 2);
    ASSERT_EQ_INT(cell(&l.w, &f->r, &l.cw, "dns_rcode", 0).i, 0);
    ASSERT_EQ_INT(cell(&l.w, &f->r, &l.cw, "dns_answers", 0).i, 3);
    ASSERT_TRUE(text_is(cell(&l.w, &f->r, &l.cw, "dns_addrs", 0), "10.0.0.0 2001:db8::1 10.0.0.2"));
    ASSERT_EQ_INT(list_len(&l, &f->r, "dns_addrs"), 3);
    ASSERT_TRUE(text_is(cell(&l.n, &f->r, &l.cn, "dns_addrs", 1), "2001:db8::1"));
    ASSERT_TRUE(text_is(cell(&l.n, &f->r, &l.cn, "dns_addrs", 2), "10.0.0.2"));
    /* a second response (NXDOMAIN, 12 answers): the first's rcode and addresses stay; answers add up */
    n = dns_msg(m, 0x8183, 28, 12, false);
    feed_at(f, 0, 3000, 53, 5000, m, (uint32_t)n, (uint32_t)n);
    ASSERT_EQ_INT(cell(&l.w, &f->r, &l.cw, "dns_rcode", 0).i, 0);
    ASSERT_EQ_INT(cell(&l.n, &f->r, &l.cn, "dns_answers", 0).i, 15);
    ASSERT_EQ_INT(list_len(&l, &f->r, "dns_addrs"), 8);   /* the cap: 3 + 5 */
    ASSERT_TRUE(text_is(cell(&l.n, &f->r, &l.cn, "dns_addrs", 7), "10.0.0.4"));
    /* the one-way record: the query only */
    f->r.variant = IOF_VAR_UNI;
    ASSERT_EQ_INT(cell(&l.w, &f->r, &l.cw, "dns_messages", 0).i, 1);
    ASSERT_TRUE(text_is(cell(&l.n, &f->r, &l.cn, "dns_qname", 0), "www.example.com"));
    dns_null(&l, &f->r, false);
    /* a response without answers: rcode 3, addresses empty (not null) */
    setup(f, IOF_FEATURE_DNS, IOF_VAR_BI);
    n = dns_msg(m, 0x8183, 1, 0, false);
    feed_at(f, 0, 3000, 53, 5000, m, (uint32_t)n, (uint32_t)n);
    ASSERT_EQ_INT(cell(&l.w, &f->r, &l.cw, "dns_rcode", 0).i, 3);
    ASSERT_EQ_INT(cell(&l.w, &f->r, &l.cw, "dns_answers", 0).i, 0);
    ASSERT_TRUE(text_is(cell(&l.w, &f->r, &l.cw, "dns_addrs", 0), ""));
    ASSERT_EQ_INT(list_len(&l, &f->r, "dns_addrs"), 0);
    /* an answer cut by the capture: the header's count, the addresses read */
    setup(f, IOF_FEATURE_DNS, IOF_VAR_BI);
    n = dns_msg(m, 0x8180, 1, 2, false);
    feed_at(f, 0, 3000, 53, 5000, m, (uint32_t)n - 2, (uint32_t)n);
    ASSERT_EQ_INT(cell(&l.w, &f->r, &l.cw, "dns_answers", 0).i, 2);
    ASSERT_TRUE(text_is(cell(&l.w, &f->r, &l.cw, "dns_addrs", 0), "10.0.0.0"));
    lay_free(&l);
    free(f);
}

/* a DHCP message: op, option 53 type, then extra option bytes, END */
static size_t dhcp_msg(uint8_t *m, uint8_t op, uint8_t type, const uint8_t *opts, size_t n, bool cookie)
{
    memset(m, 0, 240);
    m[0] = op;
    m[1] = 1;
    m[2] = 6;
    static const uint8_t c[4] = { 0x63, 0x82, 0x53, 0x63 };
    if (cookie)
        memcpy(m + 236, c, 4);
    uint8_t t[3] = { 53, 1, type };
    memcpy(m + 240, t, 3);
    memcpy(m + 243, opts, n);
    m[243 + n] = 255;
    return 244 + n;
}

static void test_dhcp_cols(void)
{
    fixture *f = calloc(1, sizeof(*f));
    lay l;
    lay_init(&l, IOF_FEATURE_DHCP);
    setup(f, IOF_FEATURE_DHCP, IOF_VAR_BI);
    static const char *const names[] = { "dhcp_messages", "dhcp_msg_type", "dhcp_hostname", "dhcp_vendor_class",
                                         "dhcp_params" };
    for (int i = 0; i < 5; i++)
        ASSERT_TRUE(cell(&l.w, &f->r, &l.cw, names[i], 0).null);
    ASSERT_EQ_INT(list_len(&l, &f->r, "dhcp_params"), UINT32_MAX);
    uint8_t m[600];
    /* a control byte (written as a space: the text iotflow devices writes, devices/text.h), a NUL */
    static const uint8_t req[] = { 12, 7, 'm', 'y', 'h', 0x01, 's', 't', 0,
                                   60, 8, 'M', 'S', 'F', 'T', ' ', '5', '.', '0',
                                   55, 4, 1, 3, 6, 15 };
    /* no cookie (BOOTP), wrong ports: nothing */
    size_t n = dhcp_msg(m, 1, 1, req, sizeof req, false);
    feed_at(f, 1, 5000, 68, 67, m, (uint32_t)n, (uint32_t)n);
    n = dhcp_msg(m, 1, 1, req, sizeof req, true);
    feed_at(f, 1, 5000, 68, 68, m, (uint32_t)n, (uint32_t)n);
    ASSERT_TRUE(cell(&l.w, &f->r, &l.cw, "dhcp_messages", 0).null);
    /* the server's OFFER first (in), then the device's DISCOVER */
    static const uint8_t offer_opts[] = { 12, 3, 's', 'r', 'v' };
    size_t k = dhcp_msg(m + 0, 2, 2, offer_opts, sizeof offer_opts, true);
    feed_at(f, 0, 4000, 67, 68, m, (uint32_t)k, (uint32_t)k);
    n = dhcp_msg(m, 1, 1, req, sizeof req, true);
    feed_at(f, 1, 5000, 68, 67, m, (uint32_t)n, (uint32_t)n);
    ASSERT_EQ_INT(cell(&l.w, &f->r, &l.cw, "dhcp_messages", 0).i, 2);
    ASSERT_EQ_INT(cell(&l.w, &f->r, &l.cw, "dhcp_msg_type", 0).i, 2);   /* the earlier: the OFFER */
    ASSERT_TRUE(text_is(cell(&l.w, &f->r, &l.cw, "dhcp_hostname", 0), "myh st")); /* a reply's: not */
    ASSERT_TRUE(text_is(cell(&l.n, &f->r, &l.cn, "dhcp_vendor_class", 0), "MSFT 5.0"));
    ASSERT_TRUE(text_is(cell(&l.w, &f->r, &l.cw, "dhcp_params", 0), "1,3,6,15"));
    ASSERT_EQ_INT(list_len(&l, &f->r, "dhcp_params"), 4);
    ASSERT_EQ_INT(cell(&l.n, &f->r, &l.cn, "dhcp_params", 3).i, 15);
    /* the one-way record: the device's DISCOVER */
    f->r.variant = IOF_VAR_UNI;
    ASSERT_EQ_INT(cell(&l.w, &f->r, &l.cw, "dhcp_messages", 0).i, 1);
    ASSERT_EQ_INT(cell(&l.n, &f->r, &l.cn, "dhcp_msg_type", 0).i, 1);
    /* caps: a 200-byte host name keeps 128, a 70-code list 64 */
    setup(f, IOF_FEATURE_DHCP, IOF_VAR_BI);
    uint8_t big[2 + 200 + 2 + 70];
    big[0] = 12;
    big[1] = 200;
    memset(big + 2, 'h', 200);
    big[202] = 55;
    big[203] = 70;
    for (int i = 0; i < 70; i++)
        big[204 + i] = (uint8_t)(i + 1);
    n = dhcp_msg(m, 1, 3, big, sizeof big, true);
    feed_at(f, 1, 5000, 68, 67, m, (uint32_t)n, (uint32_t)n);
    ASSERT_EQ_INT(cell(&l.w, &f->r, &l.cw, "dhcp_hostname", 0).len, 128);
    ASSERT_EQ_INT(list_len(&l, &f->r, "dhcp_params"), 64);
    ASSERT_TRUE(cell(&l.w, &f->r, &l.cw, "dhcp_vendor_class", 0).null);
    iof__value v = cell(&l.w, &f->r, &l.cw, "dhcp_params", 0);
    ASSERT_TRUE(!v.null && v.len > 4 && memcmp(v.p + v.len - 3, ",64", 3) == 0);
    lay_free(&l);
    free(f);
}

/* payload: each direction's first packet with payload, its first 32 bytes; null without */
static void test_payload_cols(void)
{
    fixture *f = calloc(1, sizeof(*f));
    lay l;
    lay_init(&l, IOF_FEATURE_PAYLOAD);
    setup(f, IOF_FEATURE_PAYLOAD, IOF_VAR_BI);
    ASSERT_TRUE(cell(&l.w, &f->r, &l.cw, "payload_out", 0).null && cell(&l.n, &f->r, &l.cn, "payload_in", 0).null);
    uint8_t d[40];
    for (int i = 0; i < 40; i++)
        d[i] = (uint8_t)(i + 1);
    feed_at(f, 1, 0, 1, 2, d, 0, 0);          /* no payload: not the first */
    feed_at(f, 1, 1, 1, 2, d, 40, 40);
    feed_at(f, 1, 2, 1, 2, d + 5, 3, 3);      /* later: changes nothing */
    feed_at(f, 0, 3, 2, 1, d + 7, 2, 2);
    iof__value v = cell(&l.w, &f->r, &l.cw, "payload_out", 0);
    ASSERT_TRUE(!v.null && v.len == 32 && memcmp(v.p, d, 32) == 0);
    v = cell(&l.n, &f->r, &l.cn, "payload_in", 0);
    ASSERT_TRUE(!v.null && v.len == 2 && v.p[0] == 8 && v.p[1] == 9);
    f->r.variant = IOF_VAR_UNI;
    ASSERT_TRUE(cell(&l.w, &f->r, &l.cw, "payload_in", 0).null);
    ASSERT_TRUE(!cell(&l.w, &f->r, &l.cw, "payload_out", 0).null);
    lay_free(&l);
    free(f);
}

/* the columns of every group, their order (registry: byte_dist, wht, dns, dhcp, splt) and the
 * wide layout's cost; the policy fills the key the dns filter reads */
static void test_new_columns(void)
{
    iof__cf_rowcfg base = { .wide = true, .packets = 10 }, c = base;
    c.features = NEWF;
    iof__schema s;
    ASSERT_EQ_INT(iof__cf_schema(&s, &c), IOF_OK);
    long e = iof__schema_find(&s, "evicted");
    ASSERT_EQ_INT(iof__schema_find(&s, "wht_0"), e + 1);
    ASSERT_EQ_INT(iof__schema_find(&s, "dns_messages"), e + 5);
    ASSERT_EQ_INT(iof__schema_find(&s, "dhcp_messages"), e + 11);
    ASSERT_EQ_INT(iof__schema_find(&s, "payload_out"), e + 16);
    ASSERT_EQ_INT(iof__schema_find(&s, "splt_count"), e + 18);
    ASSERT_EQ_STR(s.cols[s.n - 1].name, "splt_ipt_49");
    ASSERT_TRUE(s.cols[iof__schema_find(&s, "dns_addrs")].type == IOF_VT_STRING);
    iof__schema_free(&s);
    ASSERT_EQ_INT(iof__cf_wide_max_payload_total(&base) - iof__cf_wide_max_payload_total(&c), 4 + 6 + 5 + 2 + 101);
    c.wide = false;
    ASSERT_EQ_INT(iof__cf_schema(&s, &c), IOF_OK);
    ASSERT_EQ_STR(s.cols[s.n - 1].name, "splt.ipt");
    ASSERT_TRUE(s.cols[iof__schema_find(&s, "dhcp.params")].list && s.cols[iof__schema_find(&s, "dns.addrs")].list);
    iof__schema_free(&s);
    /* the relabeller puts labels after the feature columns: every column of each group, alone, in
     * either layout (and its struct, a JSON Lines row's member) is one it knows the labels follow,
     * and no column of the record without features is, but the fixed list's (a group added to the
     * registry that the record's schema does not carry fails here) */
    const unsigned bits = iof__cffeat_bits();
    iof__cf_follow fw;
    ASSERT_EQ_INT(iof__cf_follow_init(&fw), IOF_OK);
    for (int wide = 0; wide < 2; wide++) {
        iof__cf_rowcfg none = base;
        none.wide = wide;
        ASSERT_EQ_INT(iof__cf_schema(&s, &none), IOF_OK);
        size_t n0 = s.n;
        for (size_t i = 0; i < n0; i++) {
            bool fixed = false;
            for (size_t k = 0; iof__cf_labels_follow[k]; k++)
                fixed |= strcmp(iof__cf_labels_follow[k], s.cols[i].name) == 0;
            ASSERT_TRUE(iof__cf_label_follows(&fw, s.cols[i].name, strlen(s.cols[i].name)) == fixed);
        }
        iof__schema_free(&s);
        for (unsigned b = 1; b; b <<= 1) {
            if (!(bits & b))
                continue;
            iof__cf_rowcfg one = none;
            one.features = b;
            ASSERT_EQ_INT(iof__cf_schema(&s, &one), IOF_OK);
            ASSERT_TRUE(s.n > n0);
            for (size_t i = n0; i < s.n; i++) {
                const iof__column *col = &s.cols[i];
                ASSERT_TRUE(wide ? !iof__col_is_member(col) : iof__col_is_member(col));
                bool ok = iof__cf_label_follows(&fw, col->name, strlen(col->name)) &&
                          (wide || iof__cf_label_follows(&fw, col->name, iof__col_struct_len(col)));
                if (!ok)
                    fprintf(stderr, "  feature bit %#x: column %s\n", b, col->name);
                ASSERT_TRUE(ok);
            }
            iof__schema_free(&s);
        }
    }
    ASSERT_TRUE(iof__cf_label_follows(&fw, "splt_ipt", 8));     /* files of earlier versions */
    ASSERT_TRUE(!iof__cf_label_follows(&fw, "dns.", 4) && !iof__cf_label_follows(&fw, "dns_", 4));
    ASSERT_TRUE(!iof__cf_label_follows(&fw, "payload", 7) && !iof__cf_label_follows(&fw, "kind", 4));
    /* a sensor column named like a group is not one (--sensors: "<name>_mean" ...) */
    ASSERT_TRUE(!iof__cf_label_follows(&fw, "hd_cam_mean", 11) && !iof__cf_label_follows(&fw, "dns_x", 5));
    ASSERT_TRUE(iof__cf_label_follows(&fw, "l7_app", 6) && iof__cf_label_follows(&fw, "l7", 2));
    iof__cf_follow_free(&fw);
    /* the policy's hook: a packet's protocol and ports are the key dns filters on */
    fixture *f = calloc(1, sizeof(*f));
    setup(f, IOF_FEATURE_DNS | IOF_FEATURE_SPLT, IOF_VAR_BI);
    iof__cf_config cc = { 0 };
    iof__cffeat_hooks(&f->fs, &cc);
    uint8_t m[100];
    size_t n = dns_msg(m, 0x0100, 28, 0, false);
    iof__pkt p = pol_pkt(1000, true, m, (uint32_t)n);
    p.payload_len = (uint32_t)n + 100;   /* the wire length, as splt reads it */
    cc.hooks.packet(cc.hooks.ctx, f->ext, &p);
    lay l;
    lay_init(&l, IOF_FEATURE_DNS | IOF_FEATURE_SPLT);
    ASSERT_EQ_INT(cell(&l.w, &f->r, &l.cw, "dns_qtype", 0).i, 28);
    ASSERT_EQ_INT(cell(&l.w, &f->r, &l.cw, "splt_len_00", 0).i, (int64_t)n + 100);
    p.sport = 5354;   /* no DNS port: not a message */
    p.dport = 5354;
    cc.hooks.packet(cc.hooks.ctx, f->ext, &p);
    ASSERT_EQ_INT(cell(&l.w, &f->r, &l.cw, "dns_messages", 0).i, 1);
    p.sport = p.dport = 5353;   /* mDNS */
    cc.hooks.packet(cc.hooks.ctx, f->ext, &p);
    p.dport = 5355;             /* LLMNR */
    cc.hooks.packet(cc.hooks.ctx, f->ext, &p);
    ASSERT_EQ_INT(cell(&l.w, &f->r, &l.cw, "dns_messages", 0).i, 3);
    lay_free(&l);
    free(f);
}

/* The nested layout's structs (docs/OUTPUT.md "Feature columns"): every feature column is a
 * member of its group's struct, the groups in order, a struct's members consecutive, named
 * without the group's prefix; the wide layout has none. The schema refuses a struct whose
 * members are apart or that repeats a top-level name. */
static void test_nested_structs(void)
{
    iof__cf_rowcfg c = { .packets = 2, .features = iof__cffeat_bits() };
    iof__schema s;
    ASSERT_EQ_INT(iof__cf_schema(&s, &c), IOF_OK);
    static const char *const order[] = { "byte_dist", "entropy", "wht", "dns", "tls", "dhcp", "http",
                                         "first_payload", "ppi", "hd", "idp", "splt" };
    size_t g = 0, members = 0;
    long first = iof__schema_find(&s, "byte_dist.counts");
    ASSERT_TRUE(first > 0 && !iof__col_is_member(&s.cols[first - 1]));
    for (size_t i = (size_t)first; i < s.n; i++) {
        const iof__column *col = &s.cols[i];
        ASSERT_TRUE(iof__col_is_member(col));
        if (!iof__col_same_struct(col, &s.cols[i - 1])) {
            ASSERT_TRUE(g < sizeof(order) / sizeof(order[0]));
            ASSERT_EQ_INT(iof__col_struct_len(col), strlen(order[g]));
            ASSERT_TRUE(strncmp(col->name, order[g], strlen(order[g])) == 0);
            g++;
        }
        ASSERT_EQ_INT(col->name[col->member_at - 1], '.');
        members++;
    }
    ASSERT_EQ_INT(g, sizeof(order) / sizeof(order[0]));
    ASSERT_EQ_INT(members, 3 + 2 + 4 + 6 + 18 + 5 + 9 + 2 + 8 + 10 + 4 + 3);
    static const struct { const char *name, *member; bool list; } want[] = {
        { "byte_dist.counts", "counts", true }, { "byte_dist.std", "std", false },
        { "entropy.per_byte", "per_byte", false }, { "entropy.total", "total", false },
        { "wht.c0", "c0", false }, { "wht.c3", "c3", false }, { "dns.qname", "qname", false },
        { "dns.addrs", "addrs", true }, { "tls.sni", "sni", false }, { "tls.cs", "cs", true },
        { "tls.cert_subject", "cert_subject", false }, { "dhcp.params", "params", true },
        { "http.user_agent", "user_agent", false }, { "first_payload.out", "out", false },
        { "splt.count", "count", false }, { "splt.len", "len", true }, { "splt.ipt", "ipt", true },
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        long k = iof__schema_find(&s, want[i].name);
        ASSERT_TRUE(k > 0);
        ASSERT_EQ_STR(iof__col_member(&s.cols[k]), want[i].member);
        ASSERT_TRUE(s.cols[k].list == want[i].list);
    }
    /* the base columns stay top-level (the slots' payload list among them) */
    long pl = iof__schema_find(&s, "payload");
    ASSERT_TRUE(pl >= 0 && !iof__col_is_member(&s.cols[pl]));
    iof__schema_free(&s);
    c.wide = true;
    ASSERT_EQ_INT(iof__cf_schema(&s, &c), IOF_OK);
    for (size_t i = 0; i < s.n; i++)
        ASSERT_TRUE(!iof__col_is_member(&s.cols[i]));
    iof__schema_free(&s);
    /* the schema's checks */
    iof__schema t;
    iof__schema_init(&t, "t", (iof__row_ops){ 0 });
    iof__column a = { .type = IOF_VT_INT32 }, b = a, x = a;
    ASSERT_EQ_INT(iof__col_set_member(&a, "a", "x"), IOF_OK);
    ASSERT_EQ_STR(a.name, "a.x");
    ASSERT_EQ_INT(iof__col_set_member(&b, "a.b", "x"), IOF_E_INVAL);
    ASSERT_EQ_INT(iof__col_set_member(&b, "a", ""), IOF_E_INVAL);
    ASSERT_EQ_INT(iof__col_set_member(&b, "a", "0123456789012345678901234567890123456789012345"), IOF_E_LIMIT);
    strcpy(x.name, "b");
    ASSERT_EQ_INT(iof__schema_add_column(&t, &x), IOF_OK);
    ASSERT_EQ_INT(iof__schema_add_column(&t, &a), IOF_OK);
    ASSERT_EQ_INT(iof__col_set_member(&b, "a", "y"), IOF_OK);
    ASSERT_EQ_INT(iof__schema_add_column(&t, &b), IOF_OK);    /* a.x, a.y: consecutive */
    ASSERT_EQ_INT(iof__schema_add_column(&t, &x), IOF_OK);
    ASSERT_EQ_INT(iof__col_set_member(&b, "a", "z"), IOF_OK);
    ASSERT_EQ_INT(iof__schema_add_column(&t, &b), IOF_E_INVAL); /* a's members apart */
    ASSERT_EQ_INT(iof__col_set_member(&b, "b", "z"), IOF_OK);
    ASSERT_EQ_INT(iof__schema_add_column(&t, &b), IOF_E_INVAL); /* b is a top-level column */
    ASSERT_EQ_INT(t.n, 4);
    iof__schema_free(&t);
}

/* ---- idp, hd, and the groups' counted cuts ---- */

/* one packet of direction dir (1 out): its IP bytes (ip, n) and data (the last d of them), TCP */
static void feed_ip_pkt(fixture *f, int dir, const uint8_t *ip, uint32_t n, uint32_t d, const iof__pkt *pk)
{
    iof__feat_pkt fp = { .pkt = pk, .ip = ip, .ip_len = n, .data = d ? ip + n - d : NULL, .len = d, .wire_len = d,
                         .data_pkts = d != 0, .tcp = true, .key_proto = 6, .key_sp = 1, .key_dp = 2 };
    iof__featset_update(&f->fs, f->ext + (dir ? 0 : f->fs.ext_size), &fp, IOF_FEAT_SEEN_ALL);
}

static void feed_ip(fixture *f, int dir, const uint8_t *ip, uint32_t n, uint32_t d)
{
    feed_ip_pkt(f, dir, ip, n, d, NULL);
}

static void test_idp_cols(void)
{
    fixture *f = calloc(1, sizeof(*f));
    lay l;
    lay_init(&l, IOF_FEATURE_IDP);
    setup(f, IOF_FEATURE_IDP, IOF_VAR_BI);
    for (int k = 0; k < 4; k++) {
        static const char *const names[] = { "idp_out", "idp_len_out", "idp_in", "idp_len_in" };
        ASSERT_TRUE(cell(&l.w, &f->r, &l.cw, names[k], 0).null && cell(&l.n, &f->r, &l.cn, names[k], 0).null);
    }
    uint8_t p[300];
    for (int i = 0; i < 300; i++)
        p[i] = (uint8_t)(i + 1);
    p[0] = 0x45;
    feed_ip(f, 1, p, 40, 0);              /* no data (a SYN): not the initial data packet */
    ASSERT_TRUE(cell(&l.w, &f->r, &l.cw, "idp_out", 0).null);
    /* kept: its first 256 bytes, the addresses and the IPv4 and TCP checksums zeroed */
    iof__pkt pk = { .proto = 6, .l3_off = 14, .l4_off = 34, .l4_hlen = 20 };
    feed_ip_pkt(f, 1, p, 300, 260, &pk);
    p[30] = 0;
    feed_ip(f, 1, p, 300, 260);           /* a later one changes nothing */
    iof__value v = cell(&l.w, &f->r, &l.cw, "idp_out", 0);
    ASSERT_TRUE(!v.null && v.len == IOF_CF_IDP_BYTES && v.p[0] == 0x45 && v.p[9] == 10 && v.p[20] == 21);
    for (int i = 10; i < 20; i++)
        ASSERT_EQ_INT(v.p[i], 0);
    ASSERT_TRUE(v.p[35] == 36 && v.p[36] == 0 && v.p[37] == 0 && v.p[38] == 39);
    ASSERT_EQ_INT(v.p[30], 31);
    ASSERT_EQ_INT(cell(&l.n, &f->r, &l.cn, "idp_len_out", 0).i, 256);
    ASSERT_TRUE(cell(&l.n, &f->r, &l.cn, "idp_in", 0).null);
    /* IPv6, shorter than the cap: all of it, source and destination (8..39) zeroed */
    uint8_t q[60];
    for (int i = 0; i < 60; i++)
        q[i] = 0xaa;
    q[0] = 0x60;
    feed_ip(f, 0, q, 60, 20);
    v = cell(&l.n, &f->r, &l.cn, "idp_in", 0);
    ASSERT_TRUE(!v.null && v.len == 60 && v.p[0] == 0x60 && v.p[7] == 0xaa && v.p[8] == 0 && v.p[39] == 0 &&
                v.p[40] == 0xaa && v.p[10] == 0);
    ASSERT_EQ_INT(cell(&l.w, &f->r, &l.cw, "idp_len_in", 0).i, 60);
    f->r.variant = IOF_VAR_UNI;
    ASSERT_TRUE(cell(&l.w, &f->r, &l.cw, "idp_in", 0).null && cell(&l.w, &f->r, &l.cw, "idp_len_in", 0).null);
    ASSERT_TRUE(!cell(&l.w, &f->r, &l.cw, "idp_out", 0).null);
    lay_free(&l);
    free(f);
}

/* idp on custom flows: the IPv4 options, the IPv6 extension headers and ICMPv6's checksum are
 * zeroed too (a record route or a routing header carries addresses) */
static void test_idp_private(void)
{
    fixture *f = calloc(1, sizeof(*f));
    lay l;
    lay_init(&l, IOF_FEATURE_IDP);
    setup(f, IOF_FEATURE_IDP, IOF_VAR_BI);
    uint8_t p[80];
    memset(p, 0xaa, sizeof(p));
    p[0] = 0x46;   /* IHL 6: a 4-byte option at 20..23, UDP at 24 (its checksum at 30) */
    iof__pkt pk = { .proto = 17, .l3_off = 14, .l4_off = 38, .l4_hlen = 8 };
    feed_ip_pkt(f, 1, p, 80, 48, &pk);
    iof__value v = cell(&l.w, &f->r, &l.cw, "idp_out", 0);
    ASSERT_TRUE(!v.null && v.len == 80);
    for (int i = 20; i < 24; i++)
        ASSERT_EQ_INT(v.p[i], 0);
    ASSERT_TRUE(v.p[24] == 0xaa && v.p[29] == 0xaa && v.p[30] == 0 && v.p[31] == 0 && v.p[32] == 0xaa);
    /* IPv6 with a 24-byte routing header before ICMPv6 at 64 (its checksum at 66) */
    uint8_t q[100];
    memset(q, 0xbb, sizeof(q));
    q[0] = 0x60;
    iof__pkt pk6 = { .proto = 58, .l3_off = 0, .l4_off = 64, .l4_hlen = 8 };
    feed_ip_pkt(f, 0, q, 100, 28, &pk6);
    v = cell(&l.n, &f->r, &l.cn, "idp_in", 0);
    ASSERT_TRUE(!v.null && v.len == 100 && v.p[7] == 0xbb);
    for (int i = 8; i < 64; i++)
        ASSERT_EQ_INT(v.p[i], 0);
    ASSERT_TRUE(v.p[64] == 0xbb && v.p[65] == 0xbb && v.p[66] == 0 && v.p[67] == 0 && v.p[68] == 0xbb);
    lay_free(&l);
    free(f);
}

static void test_hd_cols(void)
{
    fixture *f = calloc(1, sizeof(*f));
    lay l;
    lay_init(&l, IOF_FEATURE_HD);
    setup(f, IOF_FEATURE_HD, IOF_VAR_BI);
    ASSERT_EQ_INT(cell(&l.w, &f->r, &l.cw, "hd_n_out", 0).i, 0);
    ASSERT_TRUE(cell(&l.w, &f->r, &l.cw, "hd_i_out", 0).null);
    uint8_t a[20], b[20];
    for (int i = 0; i < 20; i++) {
        a[i] = (uint8_t)(0x10 + i);
        b[i] = (uint8_t)(0x10 + i);
    }
    b[0] = 0x11;                           /* bit 0 of byte 0 differs */
    b[3] = 0x01;                           /* byte 3 differs everywhere but bit 0 */
    feed_ip(f, 1, a, 15, 15);              /* shorter than 16 data bytes: not described */
    feed_ip(f, 1, a, 20, 20);
    ASSERT_EQ_INT(cell(&l.n, &f->r, &l.cn, "hd_n_out", 0).i, 1);
    iof__value v = cell(&l.w, &f->r, &l.cw, "hd_i_out", 0);
    ASSERT_TRUE(!v.null && v.len == IOF_CF_HD_BYTES && memcmp(v.p, a, 16) == 0);
    ASSERT_TRUE(cell(&l.w, &f->r, &l.cw, "hd_cm_out", 0).null && cell(&l.w, &f->r, &l.cw, "hd_sm_out", 0).null);
    feed_ip(f, 1, b, 20, 20);
    ASSERT_EQ_INT(cell(&l.w, &f->r, &l.cw, "hd_n_out", 0).i, 2);
    v = cell(&l.n, &f->r, &l.cn, "hd_cm_out", 0);
    ASSERT_TRUE(!v.null && v.len == 16 && v.p[0] == 0xfe && v.p[1] == 0xff && v.p[3] == 0xed);
    v = cell(&l.n, &f->r, &l.cn, "hd_cv_out", 0);
    ASSERT_TRUE(!v.null && v.p[0] == 0x10 && v.p[3] == 0x01 && v.p[4] == 0x14);
    v = cell(&l.n, &f->r, &l.cn, "hd_sm_out", 0);
    ASSERT_TRUE(!v.null && v.p[0] == 0);
    ASSERT_TRUE(memcmp(cell(&l.n, &f->r, &l.cn, "hd_i_out", 0).p, a, 16) == 0);   /* the first stays */
    for (int k = 0; k < 12; k++)
        feed_ip(f, 0, a, 20, 20);          /* the in side: the first 10 */
    ASSERT_EQ_INT(cell(&l.w, &f->r, &l.cw, "hd_n_in", 0).i, 10);
    v = cell(&l.w, &f->r, &l.cw, "hd_cm_in", 0);
    ASSERT_TRUE(!v.null && v.p[0] == 0xff && v.p[15] == 0xff);
    f->r.variant = IOF_VAR_UNI;
    ASSERT_TRUE(cell(&l.w, &f->r, &l.cw, "hd_n_in", 0).null && cell(&l.w, &f->r, &l.cw, "hd_i_in", 0).null);
    lay_free(&l);
    free(f);
}

/* records.features_cut: a group's record counts once its columns lost something to a cap; the
 * same record within the caps counts 0 */
static void test_cuts(void)
{
    fixture *f = calloc(1, sizeof(*f));
    unsigned feats = IOF_FEATURE_DNS | IOF_FEATURE_HTTP | IOF_FEATURE_PAYLOAD;
    setup(f, feats, IOF_VAR_BI);
    uint64_t cuts[IOF_FEAT_MAX_MODULES] = { 0 };
    uint8_t m[600];
    size_t n = dns_msg(m, 0x8180, 1, 8, false);   /* 8 addresses: all kept */
    feed_at(f, 0, 2000, 53, 5000, m, (uint32_t)n, (uint32_t)n);
    iof__cffeat_count_cuts(&f->fs, &f->r, cuts);
    for (size_t k = 0; k < IOF_FEAT_MAX_MODULES; k++)
        ASSERT_EQ_U64(cuts[k], 0);
    setup(f, feats, IOF_VAR_BI);
    n = dns_msg(m, 0x8180, 1, 9, false);          /* 9: the 9th is cut */
    feed_at(f, 0, 2000, 53, 5000, m, (uint32_t)n, (uint32_t)n);
    iof__cffeat_count_cuts(&f->fs, &f->r, cuts);
    iof__cffeat_count_cuts(&f->fs, &f->r, cuts);
    ASSERT_EQ_U64(cuts[iof__feat_index(&iof__feat_dns)], 2);
    ASSERT_EQ_U64(cuts[iof__feat_index(&iof__feat_http)], 0);
    /* a one-way record holds the out side only: the cut answers were in the other */
    f->r.variant = IOF_VAR_UNI;
    iof__cffeat_count_cuts(&f->fs, &f->r, cuts);
    ASSERT_EQ_U64(cuts[iof__feat_index(&iof__feat_dns)], 2);
    /* http: a request target over 512 bytes */
    setup(f, feats, IOF_VAR_BI);
    char req[700] = "GET /";
    memset(req + 5, 'a', 600);
    memcpy(req + 605, " HTTP/1.1\r\nHost: x\r\n\r\n", 23);
    iof__pkt pk = { .tcp_seq = 1 };
    iof__feat_pkt fp = { .pkt = &pk, .data = (const uint8_t *)req, .len = (uint32_t)strlen(req), .key_proto = 6 };
    fp.wire_len = fp.len;
    iof__featset_update(&f->fs, f->ext, &fp, IOF_FEAT_SEEN_ALL);
    iof__cffeat_count_cuts(&f->fs, &f->r, cuts);
    ASSERT_EQ_U64(cuts[iof__feat_index(&iof__feat_http)], 1);
    ASSERT_EQ_U64(cuts[iof__feat_index(&iof__feat_payload)], 0);
    free(f);
}


/* one TCP segment of direction dir (1 out) at t µs: flags, seq, ack, window, data bytes on the wire */
static void feed_tcp(fixture *f, int dir, int64_t t, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win,
                     uint32_t wire)
{
    iof__pkt pk = { .proto = 6, .l4_hlen = 24, .tcp_flags = flags, .tcp_seq = seq, .tcp_ack = ack, .tcp_win = win };
    iof__feat_pkt fp = { .pkt = &pk, .wire_len = wire, .ts_us = t, .tcp = true, .key_proto = 6 };
    iof__featset_update(&f->fs, f->ext + (dir ? 0 : f->fs.ext_size), &fp, IOF_FEAT_SEEN_ALL);
}

/* entry k of the wide ppi columns and of the nested lists agree; value `v` of it */
static int64_t ppi_v(const lay *l, const iof__cfrec *r, const char *v, uint32_t k)
{
    char w[32], n[32];
    snprintf(w, sizeof w, "ppi_%s_%02u", v, k);
    snprintf(n, sizeof n, "ppi_%s", v);
    iof__value a = cell(&l->w, r, &l->cw, w, 0), b = cell(&l->n, r, &l->cn, n, k);
    ASSERT_TRUE(a.null == b.null && (a.null || a.i == b.i));
    return a.null ? -999 : a.i;
}

static void test_ppi_cols(void)
{
    fixture *f = calloc(1, sizeof(*f));
    lay l;
    lay_init(&l, IOF_FEATURE_PPI);
    setup(f, IOF_FEATURE_PPI, IOF_VAR_BI);
    ASSERT_EQ_INT(cell(&l.w, &f->r, &l.cw, "ppi_count", 0).i, 0);
    ASSERT_EQ_INT(list_len(&l, &f->r, "ppi_t"), 0);
    ASSERT_EQ_INT(ppi_v(&l, &f->r, "t", 0), -999);
    feed_tcp(f, 1, 1000, 0x02, 4000000000u, 0, 65535, 0);        /* SYN */
    feed_tcp(f, 0, 1500, 0x12, 77, 4000000001u, 28960, 0);        /* SYN/ACK */
    feed_tcp(f, 1, 2999, 0x10, 4000000001u, 78, 2052, 0);         /* ACK */
    feed_tcp(f, 1, 2999, 0x18, 4000000001u, 78, 2052, 300);       /* data, same time as ... */
    feed_tcp(f, 0, 2999, 0x18, 78, 4000000001u, 235, 20);         /* ... the in side's: in first */
    ASSERT_EQ_INT(cell(&l.n, &f->r, &l.cn, "ppi_count", 0).i, 5);
    ASSERT_EQ_INT(list_len(&l, &f->r, "ppi_b"), 5);
    static const int64_t t[] = { 0, 0, 1, 1, 1 }, dir[] = { 1, 0, 0, 1, 1 }, fl[] = { 2, 18, 24, 16, 24 },
                         b[] = { 0, 0, 20, 0, 300 }, win[] = { 65535, 28960, 235, 2052, 2052 }, rseq[] = { 0, 0, 1, 1, 1 },
                         rack[] = { 0, 1, 1, 1, 1 };
    for (uint32_t k = 0; k < 5; k++) {
        ASSERT_EQ_INT(ppi_v(&l, &f->r, "t", k), t[k]);
        ASSERT_EQ_INT(ppi_v(&l, &f->r, "dir", k), dir[k]);
        ASSERT_EQ_INT(ppi_v(&l, &f->r, "flags", k), fl[k]);
        ASSERT_EQ_INT(ppi_v(&l, &f->r, "b", k), b[k]);
        ASSERT_EQ_INT(ppi_v(&l, &f->r, "win", k), win[k]);
        ASSERT_EQ_INT(ppi_v(&l, &f->r, "rseq", k), rseq[k]);
        ASSERT_EQ_INT(ppi_v(&l, &f->r, "rack", k), rack[k]);
    }
    ASSERT_EQ_INT(ppi_v(&l, &f->r, "b", 5), -999);
    /* sequence numbers wrap: 300 bytes after 2^32 - 1 */
    feed_tcp(f, 1, 5000, 0x18, 4000000301u, 98, 2052, 0);
    ASSERT_EQ_INT(ppi_v(&l, &f->r, "rseq", 5), 301);
    /* one-way: the device's segments only, acks relative to nothing: 0 */
    f->r.variant = IOF_VAR_UNI;
    ASSERT_EQ_INT(cell(&l.w, &f->r, &l.cw, "ppi_count", 0).i, 4);
    ASSERT_EQ_INT(ppi_v(&l, &f->r, "rack", 1), 0);
    ASSERT_EQ_INT(ppi_v(&l, &f->r, "dir", 3), 1);
    /* the cap: 30 + 30 segments, the record's first 50 by time */
    f->r.variant = IOF_VAR_BI;
    setup(f, IOF_FEATURE_PPI, IOF_VAR_BI);
    for (int i = 0; i < 60; i++)
        feed_tcp(f, i & 1, 1000 * i, 0x10, (uint32_t)i, 0, 100, 1);
    ASSERT_EQ_INT(list_len(&l, &f->r, "ppi_t"), 50);
    ASSERT_EQ_INT(ppi_v(&l, &f->r, "t", 49), 49);
    ASSERT_EQ_INT(ppi_v(&l, &f->r, "dir", 49), 1);
    ASSERT_TRUE(iof__schema_find(&l.w, "ppi_rack_49") >= 0 && iof__schema_find(&l.w, "ppi_t_50") < 0);
    lay_free(&l);
    free(f);
}

/* The wide layout's blocks of integer cells come in one call each (byte_dist's 256 counts,
 * splt's and each ppi value's 50 entries, from any of them to its block's end), the same cells as
 * get, through the record and through a sink's copy (cell()); other columns give none */
static void test_spans(void)
{
    const unsigned feats = IOF_FEATURE_BYTE_DIST | IOF_FEATURE_SPLT | IOF_FEATURE_PPI | IOF_FEATURE_WHT;
    fixture *f = calloc(1, sizeof(*f));
    lay l;
    lay_init(&l, feats);
    static const struct { const char *col; uint32_t m; } want[] = {
        { "byte_dist_000", 256 }, { "byte_dist_200", 56 }, { "splt_len_00", 50 }, { "splt_len_10", 40 },
        { "splt_ipt_00", 50 },    { "splt_ipt_49", 1 },    { "ppi_t_00", 50 },    { "ppi_win_07", 43 },
        { "ppi_rack_00", 50 },    { "ppi_count", 0 },      { "splt_count", 0 },   { "wht_0", 0 },
    };
    for (int round = 0; round < 3; round++) {
        setup(f, feats, round == 2 ? IOF_VAR_UNI : IOF_VAR_BI);
        uint8_t pay[300];
        for (uint32_t i = 0; i < sizeof pay; i++)
            pay[i] = (uint8_t)(i * 7 + round);
        for (int i = 0; i < (round ? 70 : 3); i++) { /* a few entries, then more than the cap */
            feed_at(f, i % 3 == 0, 1000 * i + (i % 5) * 300, 5000, 80, pay, (uint32_t)(i * 13 % 300), 400);
            feed_tcp(f, i % 2, 1000 * i, (uint8_t)(0x10 | (i % 3 == 0)), 7u * (uint32_t)i, 9u * (uint32_t)i, 100, 1);
        }
        iof__cf_row row;
        iof__cf_row_init(&row, &l.cw, &f->r, NULL, NULL);
        for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
            long c = col_of(&l.w, want[w].col);
            ASSERT_TRUE(c >= 0);
            ASSERT_EQ_INT(span_agrees(&l.w, &row, (size_t)c), want[w].m);
            (void)cell(&l.w, &f->r, &l.cw, want[w].col, 0); /* the same through the copy */
        }
        for (size_t c = 0; c < l.w.n; c++) /* every column of the schema: no span reads past its cells */
            (void)span_agrees(&l.w, &row, c);
    }
    lay_free(&l);
    free(f);
}

static const iof_test tests[] = {
    TEST(test_values_and_copy), TEST(test_nulls), TEST(test_columns), TEST(test_names), TEST(test_policy),
    TEST(test_splt), TEST(test_wht_cols), TEST(test_dns_cols), TEST(test_dns_anon), TEST(test_http_anon), TEST(test_dns_qname_anon), TEST(test_dhcp_cols), TEST(test_payload_cols),
    TEST(test_new_columns), TEST(test_nested_structs), TEST(test_idp_cols), TEST(test_idp_private), TEST(test_hd_cols), TEST(test_cuts),
    TEST(test_ppi_cols), TEST(test_spans), { 0, 0 },
};

int main(void) { return iof_test_run(tests); }
