/* --features byte_dist, entropy on custom-flow records (features/cffeat.h, the byte_dist
 * module's cols hook, kinds/cf_row.c's feature group, cf_kind.c's copies): hand-made records
 * whose states are fed through the feature set, read back through the schema in both layouts,
 * with values computed by hand (Python's statistics/math give the same digits):
 *   out 00 00 01 ff, in 01 02 -> n 6, mean 259/6, sample std sqrt(323105/30), entropy
 *   (2/3) log2 3 + (1/3) log2 6; the one-way record sees out only; no payload: counts 0 and
 *   null statistics; one byte: std null, entropy 0. A sink copy carries the state. */
#include <math.h>
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
    iof__featset_update(&f->fs, f->ext + (dir ? 0 : f->fs.ext_size), &fp);
}

static void setup(fixture *f, unsigned features, uint8_t variant)
{
    memset(f, 0, sizeof(*f));
    ASSERT_EQ_INT(iof__cffeat_set(&f->fs, features), IOF_OK);
    ASSERT_TRUE(2 * f->fs.ext_size <= sizeof(f->ext));
    f->r.variant = variant;
    iof__cfrec_bind_slots(&f->r, f->ext, 0); /* no slots, but arrays as the table binds them */
    f->r.feat = f->ext;
    f->r.feat_bytes = (uint32_t)(2 * f->fs.ext_size);
}

/* the value of column `name` (element k) of rec through s */
static iof__value cell(const iof__schema *s, const iof__cfrec *rec, const iof__cf_rowcfg *cfg, const char *name,
                       uint32_t k)
{
    iof__cf_row row;
    iof__cf_row_init(&row, cfg, rec, NULL, NULL);
    long c = iof__schema_find(s, name);
    iof__value v = { .null = true };
    if (c < 0) {
        v.i = -12345;
        return v;
    }
    iof__schema_get(s, &row, (size_t)c, k, &v);
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
    ASSERT_EQ_INT(iof__schema_count(n, &row, (size_t)iof__schema_find(n, "byte_dist")), 256);
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
    ASSERT_TRUE(sz >= sizeof(iof__cfrec) + f->r.feat_bytes);
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
    ASSERT_TRUE(s.cols[iof__schema_find(&s, "byte_dist")].list);
    ASSERT_EQ_STR(s.cols[s.n - 1].name, "byte_dist_std");
    iof__schema_free(&s);
    /* without --features: the schema of before */
    iof__schema a, b;
    ASSERT_EQ_INT(iof__cf_schema(&a, &base), IOF_OK);
    base.features = IOF_FEATURE_DNS | IOF_FEATURE_TLS; /* not the records' bits: no columns */
    ASSERT_EQ_INT(iof__cf_schema(&b, &base), IOF_OK);
    ASSERT_EQ_INT(a.n, b.n);
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
    ASSERT_TRUE(strstr(err, "dns, tls, byte_dist, entropy, all") != NULL);
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
    ASSERT_EQ_INT(iof__cffeat_set(&fs, BD), IOF_OK);
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
    iof__pkt p[3] = { pol_pkt(1000, true, ab, 2), pol_pkt(1001, false, cc, 1), pol_pkt(1002, true, aa, 2) };
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
    iof__cflow_destroy(t);
    iof__cflow_destroy(u);
    iof__schema_free(&s);
}

static const iof_test tests[] = {
    TEST(test_values_and_copy), TEST(test_nulls), TEST(test_columns), TEST(test_names), TEST(test_policy), { 0, 0 },
};

int main(void) { return iof_test_run(tests); }
