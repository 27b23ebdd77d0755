/* Row kinds and column groups (output/rowkind.h, common/schema.h): a toy record kind, which
 * output/ has never heard of, through a schema made of groups (one read at an offset, one
 * opt-in that declares nothing), the cluster's order (key, the kind's compare, then arrival)
 * and the sink's routing by the kind's partition and folder names. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/schema.h"
#include "output/cluster.h"
#include "output/sink.h"
#include "test.h"

typedef struct toy_rec {
    int64_t ns;
    unsigned sub;
    uint32_t svc;    /* sort key */
    int32_t val;     /* compare() on key ties */
    char tag[8];     /* arrival shows only through this */
} toy_rec;

/* The row: the record, and a part that a reusable group reads at its offset. */
typedef struct toy_row {
    const toy_rec *rec;
    struct { int64_t twice; } part;
} toy_row;

typedef struct toy_cfg {
    bool extra;      /* the opt-in group */
} toy_cfg;

static void meta_get(const void *rowp, const iof__column *c, uint32_t k, iof__value *v)
{
    (void)k;
    const toy_rec *r = ((const toy_row *)rowp)->rec;
    v->null = false;
    if (c->field == 0) {
        v->i = r->svc;
    } else {
        v->p = (const uint8_t *)r->tag;
        v->len = (uint32_t)strlen(r->tag);
    }
}

static int meta_declare(iof__schema *s, const void *cfg, bool wide)
{
    (void)cfg;
    IOF_TRY(iof__schema_add(s, wide ? "Svc" : "svc", IOF_VT_INT32, false, false, 0, 0, "service"));
    return iof__schema_add(s, "tag", IOF_VT_STRING, false, false, 1, 0, "tag");
}

static void part_get(const void *partp, const iof__column *c, uint32_t k, iof__value *v)
{
    (void)c;
    (void)k;
    v->null = false;
    v->i = *(const int64_t *)partp;
}

static int part_declare(iof__schema *s, const void *cfg, bool wide)
{
    (void)cfg;
    (void)wide;
    return iof__schema_add(s, "twice", IOF_VT_INT64, false, false, 0, 0, "2 x val");
}

static int extra_declare(iof__schema *s, const void *cfg, bool wide)
{
    (void)wide;
    if (!((const toy_cfg *)cfg)->extra)
        return IOF_OK;
    return iof__schema_add(s, "extra", IOF_VT_INT64, false, false, 0, 0, "opt-in");
}

static const iof__colgroup g_meta = { .name = "toy.meta", .ops = { .get = meta_get }, .declare = meta_declare };
static const iof__colgroup g_part = { .name = "toy.part", .ops = { .get = part_get },
                                      .row_off = offsetof(toy_row, part), .declare = part_declare };
static const iof__colgroup g_extra = { .name = "toy.extra", .ops = { .get = part_get },
                                       .row_off = offsetof(toy_row, part), .declare = extra_declare };
static const iof__colgroup *const groups[] = { &g_meta, &g_extra, &g_part };

static int toy_schema(iof__schema *s, const void *cfg, bool wide)
{
    return iof__schema_build(s, wide ? "toy.wide" : "toy.nested", groups, 3, cfg, wide);
}

static void toy_partition(const void *rec, iof__row_part *out)
{
    const toy_rec *r = rec;
    out->day = iof__day_of_ns(r->ns);
    out->sub = r->sub;
}

static void *toy_builder_new(const void *cfg, bool wide)
{
    (void)cfg;
    (void)wide;
    return calloc(1, sizeof(toy_row));
}

static const void *toy_build(void *b, const void *rec)
{
    toy_row *row = b;
    row->rec = rec;
    row->part.twice = 2 * (int64_t)row->rec->val;
    return row;
}

static size_t toy_copy_size(const void *rec)
{
    (void)rec;
    return sizeof(toy_rec);
}

static void toy_copy(void *dst, const void *rec, uint64_t key[2])
{
    memcpy(dst, rec, sizeof(toy_rec));
    key[0] = ((const toy_rec *)rec)->svc;
    key[1] = 0;
}

static void toy_rebase(void *copy) { (void)copy; }

static int toy_compare(const void *a, const void *b)
{
    int32_t x = ((const toy_rec *)a)->val, y = ((const toy_rec *)b)->val;
    return x < y ? -1 : x > y;
}

static const char *const toy_subs[] = { "sa", "sb" };

static const iof__row_kind toy_kind = {
    .name = "toy", .sub_key = "toysub", .sub_kv = "iotflow.toysub", .sub_names = toy_subs, .n_sub = 2,
    .partition = toy_partition, .schema = toy_schema,
    .builder_new = toy_builder_new, .build = toy_build, .builder_free = free,
    .copy_size = toy_copy_size, .copy = toy_copy, .rebase = toy_rebase, .compare = toy_compare,
};

static void test_schema_of_groups(void)
{
    toy_cfg cfg = { false };
    iof__schema s;
    ASSERT_EQ_INT(toy_kind.schema(&s, &cfg, true), 0);
    ASSERT_EQ_INT(s.n, 3); /* the opt-in group declared nothing */
    ASSERT_EQ_STR(s.cols[0].name, "Svc");
    ASSERT_EQ_STR(s.cols[2].name, "twice");
    ASSERT_TRUE(s.cols[0].group == &g_meta && s.cols[1].group == &g_meta && s.cols[2].group == &g_part);
    toy_rec r = { .svc = 7, .val = 21, .tag = "x" };
    toy_row row;
    toy_build(&row, &r);
    iof__value a, b;
    iof__schema_get(&s, &row, 2, 0, &a);      /* the group's accessor, at its offset */
    s.ops.get(&row, &s.cols[2], 0, &b);       /* the schema's ops dispatch the same way */
    ASSERT_EQ_INT(a.i, 42);
    ASSERT_EQ_INT(b.i, 42);
    iof__schema_get(&s, &row, 0, 0, &a);
    ASSERT_EQ_INT(a.i, 7);
    ASSERT_TRUE(s.ops.i16_span(&row, &s.cols[0], &(uint32_t){ 0 }, &(uint32_t){ 0 }, &(int16_t){ 0 }) == NULL);
    iof__schema_free(&s);
    cfg.extra = true;
    ASSERT_EQ_INT(toy_kind.schema(&s, &cfg, false), 0);
    ASSERT_EQ_INT(s.n, 4);
    ASSERT_EQ_STR(s.cols[0].name, "svc");
    ASSERT_EQ_STR(s.cols[2].name, "extra");
    iof__schema_free(&s);
}

typedef struct seen {
    char tags[16][8];
    int n;
} seen;

static int collect(void *ctx, const void *rec)
{
    seen *s = ctx;
    memcpy(s->tags[s->n++], ((const toy_rec *)rec)->tag, 8);
    return IOF_OK;
}

static void test_cluster_order(void)
{
    iof__cluster *c;
    ASSERT_EQ_INT(iof__cluster_create(&c, &toy_kind, 16, 1 << 20), 0);
    /* key (svc), then compare (val), then arrival */
    static const toy_rec in[] = {
        { .svc = 2, .val = 1, .tag = "a" }, { .svc = 1, .val = 5, .tag = "b" },
        { .svc = 1, .val = 3, .tag = "c" }, { .svc = 1, .val = 5, .tag = "d" },
        { .svc = 0, .val = 9, .tag = "e" }, { .svc = 1, .val = 3, .tag = "f" },
    };
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
        ASSERT_EQ_INT(iof__cluster_add(c, &in[i]), 0);
    seen s = { .n = 0 };
    ASSERT_EQ_INT(iof__cluster_drain(c, collect, &s), 0);
    ASSERT_EQ_INT(s.n, 6);
    static const char *want[] = { "e", "c", "f", "b", "d", "a" };
    for (int i = 0; i < 6; i++)
        ASSERT_EQ_STR(s.tags[i], want[i]);
    iof__cluster_destroy(c);
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    static char buf[1024];
    size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return buf;
}

static void test_sink_routes_by_kind(void)
{
    char dir[256], p[512];
    snprintf(dir, sizeof(dir), "/tmp/iof_test_rowkind.%ld", (long)getpid());
    toy_cfg cfg = { false };
    for (int hive = 0; hive < 2; hive++) {
        iof__sink_cfg sc = {
            .dir = dir, .formats = IOF_FMT_CSV, .layout = IOF_LAYOUT_WIDE,
            .partition = hive ? IOF_PARTITION_HIVE : IOF_PARTITION_DAY,
            .wopts = { .csv_lf = true }, .kind = &toy_kind, .kind_cfg = &cfg, .threads = 1,
        };
        iof__sink *s;
        char err[256];
        ASSERT_EQ_INT(iof__sink_create(&s, &sc, err, sizeof(err)), 0);
        const int64_t day = 86400LL * 1000000000LL;
        toy_rec r1 = { .ns = 5, .sub = 0, .svc = 1, .val = 2, .tag = "p" };
        toy_rec r2 = { .ns = day + 5, .sub = 1, .svc = 3, .val = 4, .tag = "q" };
        toy_rec bad = { .ns = 5, .sub = 2 };
        ASSERT_EQ_INT(iof__sink_write(s, &r1), 0);
        ASSERT_EQ_INT(iof__sink_write(s, &r2), 0);
        ASSERT_EQ_INT(iof__sink_write(s, &bad), IOF_E_INVAL); /* no such sub-partition */
        ASSERT_EQ_INT(iof__sink_close(s, true), 0);
        size_t n;
        const iof__sink_file_info *f = iof__sink_files(s, &n);
        ASSERT_EQ_INT(n, 2);
        ASSERT_EQ_STR(f[0].sub_name, "sa");
        ASSERT_EQ_STR(f[1].sub_name, "sb");
        ASSERT_EQ_INT(f[1].day, 1);
        snprintf(p, sizeof(p), hive ? "%s/toysub=sa/day=1970-01-01/part-0.csv" : "%s/sa/70-01-01.csv", dir);
        ASSERT_EQ_STR(slurp(p), "Svc,tag,twice\n1,p,4\n");
        unlink(p);
        snprintf(p, sizeof(p), hive ? "%s/toysub=sb/day=1970-01-02/part-0.csv" : "%s/sb/70-01-02.csv", dir);
        ASSERT_EQ_STR(slurp(p), "Svc,tag,twice\n3,q,8\n");
        unlink(p);
        iof__sink_destroy(s);
        for (int k = 0; k < 2; k++) {
            if (hive) {
                snprintf(p, sizeof(p), "%s/toysub=%s/day=1970-01-0%d", dir, toy_subs[k], k + 1);
                rmdir(p);
                snprintf(p, sizeof(p), "%s/toysub=%s", dir, toy_subs[k]);
            } else {
                snprintf(p, sizeof(p), "%s/%s", dir, toy_subs[k]);
            }
            rmdir(p);
        }
        rmdir(dir);
    }
}

/* A batch written on the helper fails while the next one is queued behind it (two in flight):
 * the queued one is emptied unwritten, and the sink's message at close is the failed batch's
 * (which file, which errno), not the skipped one's empty text. Before the fix the close's
 * drain_wait copied every failed job's message, the skipped one's last. Must run first in this
 * process: IOF_TEST_FAIL_WRITE is read at the first write and counts every write. */
static void test_sink_failed_batch_message_kept(void)
{
    char dir[256];
    snprintf(dir, sizeof(dir), "/tmp/iof_test_rowkind_fail.%ld", (long)getpid());
    setenv("IOF_TEST_FAIL_WRITE", "1", 1);
    toy_cfg cfg = { false };
    iof__sink_cfg sc = {
        .dir = dir, .formats = IOF_FMT_PARQUET, .layout = IOF_LAYOUT_WIDE, .partition = IOF_PARTITION_DAY,
        .wopts = { .codec = IOF_CODEC_NONE, .row_group_bytes = 64 << 10 }, .kind = &toy_kind, .kind_cfg = &cfg,
        .threads = 0, .two_in_flight = true,
    };
    iof__sink *s;
    char err[256];
    ASSERT_EQ_INT(iof__sink_create(&s, &sc, err, sizeof(err)), 0);
    /* two full batches (IOF_CLUSTER_ROWS each; a batch is handed over when the next record
     * finds it full, hence the one more) of rows that do not compress: the first one's row
     * groups fill the file's 256 KiB write buffer, whose first write fails on the helper while
     * the second batch waits behind it. Without the fix this fails every time. */
    uint64_t x = 88172645463325252ull;
    int rc = IOF_OK;
    for (int i = 0; i < 2 * IOF_CLUSTER_ROWS + 1 && rc == IOF_OK; i++) {
        toy_rec r = { .ns = 5, .sub = 0 };
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        r.svc = (uint32_t)x;
        r.val = (int32_t)(x >> 32);
        for (int k = 0; k < 7; k++)
            r.tag[k] = (char)('a' + (x >> (8 * k)) % 26);
        rc = iof__sink_write(s, &r);
    }
    ASSERT_EQ_INT(rc, IOF_OK); /* both batches handed over without waiting */
    ASSERT_TRUE(iof__sink_close(s, true) != IOF_OK);
    const char *msg = iof__sink_errmsg(s);
    ASSERT_TRUE(strstr(msg, "No space left") != NULL);
    ASSERT_TRUE(strstr(msg, ".parquet") != NULL);
    iof__sink_destroy(s);
    unsetenv("IOF_TEST_FAIL_WRITE");
    char p[512];
    snprintf(p, sizeof(p), "%s/sa", dir);
    rmdir(p);
    rmdir(dir);
}

static const iof_test tests[] = {
    TEST(test_sink_failed_batch_message_kept), /* first: see its comment */
    TEST(test_schema_of_groups),
    TEST(test_cluster_order),
    TEST(test_sink_routes_by_kind),
    { 0 },
};

int main(void) { return iof_test_run(tests); }
