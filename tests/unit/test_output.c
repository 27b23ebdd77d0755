/* Output files: the temp-file registry a second signal empties (no fixed slot count: it had
 * 64 slots, and the 65th temporary file survived a hard exit), publication, abort; the text
 * writers' column forms (FLOAT64 decimals, ISO 8601 timestamps, LF line ends). */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "iotflow/iotflow.h"
#include "output/gzout.h"
#include "output/outfile.h"
#include "output/textbuf.h"
#include "output/writer.h"
#include "test.h"

#define N_FILES 500

static char dir[256];

static size_t count_entries(const char *d, bool temps)
{
    DIR *dp = opendir(d);
    size_t n = 0;
    if (!dp)
        return 0;
    for (struct dirent *e; (e = readdir(dp));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        bool is_temp = e->d_name[0] == '.' && strstr(e->d_name, ".tmp.") != NULL;
        n += is_temp == temps;
    }
    closedir(dp);
    return n;
}

static void rm_dir(const char *d)
{
    DIR *dp = opendir(d);
    if (!dp)
        return;
    char p[512];
    for (struct dirent *e; (e = readdir(dp));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof(p), "%s/%s", d, e->d_name);
        unlink(p);
    }
    closedir(dp);
    rmdir(d);
}

static void test_remove_temp_files_has_no_slot_limit(void)
{
    snprintf(dir, sizeof(dir), "/tmp/iof_test_output.%ld", (long)getpid());
    static iof__outfile *f[N_FILES];
    char err[256], path[512];
    for (int i = 0; i < N_FILES; i++) {
        snprintf(path, sizeof(path), "%s/f%03d.csv", dir, i);
        ASSERT_EQ_INT(iof__outfile_open(&f[i], path, err, sizeof(err)), 0);
        ASSERT_EQ_INT(iof__outfile_write(f[i], "x\n", 2), 0);
    }
    /* one of them published, one aborted: neither may be touched by the cleanup */
    ASSERT_EQ_INT(iof__outfile_commit(f[0], err, sizeof(err)), 0);
    iof__outfile_abort(f[1]);
    ASSERT_EQ_U64(count_entries(dir, true), N_FILES - 2);
    ASSERT_EQ_U64(iof_remove_temp_files(), N_FILES - 2);
    ASSERT_EQ_U64(count_entries(dir, true), 0);
    ASSERT_EQ_U64(count_entries(dir, false), 1); /* f000.csv, published */
    ASSERT_EQ_U64(iof_remove_temp_files(), 0);
    for (int i = 2; i < N_FILES; i++)
        iof__outfile_abort(f[i]); /* their temp files are gone already: abort still frees */
    /* slots freed by the aborts are reused: a new file registers and is removed again */
    snprintf(path, sizeof(path), "%s/again.csv", dir);
    iof__outfile *g;
    ASSERT_EQ_INT(iof__outfile_open(&g, path, err, sizeof(err)), 0);
    ASSERT_EQ_U64(iof_remove_temp_files(), 1);
    iof__outfile_abort(g);
    rm_dir(dir);
}

/* iof__fmt_fixed is printf's "%.*f" byte for byte (sensors.csv and the synthetic payloads rely
 * on it): values around rounding ties, negative zero, large values, NaN and infinities, random
 * readings, 0..9 decimals. */
/* The gzip stream deflated on a helper thread (batches of 1 MiB, writes of every size across
 * their edges) gives the same file as deflated inline, and it inflates to what was written. */
static unsigned char *read_all(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    unsigned char *p = malloc(len > 0 ? (size_t)len : 1);
    *n = p ? fread(p, 1, (size_t)len, fp) : 0;
    fclose(fp);
    return p;
}

/* Inflates a concatenation of gzip members into out (cap bytes); returns the bytes inflated and
 * counts the members. */
static size_t inflate_members(const unsigned char *p, size_t n, unsigned char *out, size_t cap, int *members)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    ASSERT_EQ_INT(inflateInit2(&zs, 15 + 16), Z_OK);
    zs.next_in = (unsigned char *)(uintptr_t)p;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    *members = 0;
    while (zs.avail_in) {
        ASSERT_EQ_INT(inflate(&zs, Z_FINISH), Z_STREAM_END);
        ++*members;
        ASSERT_EQ_INT(inflateReset(&zs), Z_OK);
    }
    size_t got = cap - zs.avail_out;
    inflateEnd(&zs);
    return got;
}

static void test_gzout_helper_same_bytes(void)
{
    enum { TOTAL = 3500000, RUNS = 4 };
    unsigned char *text = malloc(TOTAL);
    ASSERT_TRUE(text != NULL);
    uint32_t x = 12345;
    for (size_t i = 0; i < TOTAL; i++) { /* compressible but not trivial: JSON-like digits */
        x = x * 1103515245u + 12345u;
        text[i] = (unsigned char)(i % 61 == 60 ? '\n' : "0123456789,:\"{}abc"[(x >> 16) % 18]);
    }
    /* 0 to 3 helpers (the last: fewer members in flight than helpers at the end) */
    char path[RUNS][256], err[256];
    for (unsigned helpers = 0; helpers < RUNS; helpers++) {
        snprintf(path[helpers], sizeof(path[helpers]), "/tmp/iof_test_gz.%ld.%u.gz", (long)getpid(), helpers);
        iof__gzout *g;
        ASSERT_EQ_INT(iof__gzout_open(&g, path[helpers], false, helpers, err, sizeof err), IOF_OK);
        size_t off = 0;
        for (size_t step = 1; off < TOTAL; step = step * 7 % 200003 + 1) {
            size_t n = step < TOTAL - off ? step : TOTAL - off;
            ASSERT_EQ_INT(iof__gzout_write(g, text + off, n), IOF_OK);
            off += n;
        }
        ASSERT_EQ_INT(iof__gzout_finish(g), IOF_OK);
        ASSERT_EQ_INT(iof__gzout_publish(g, err, sizeof err), IOF_OK);
    }
    size_t na;
    unsigned char *a = read_all(path[0], &na);
    ASSERT_TRUE(a != NULL);
    for (unsigned helpers = 1; helpers < RUNS; helpers++) {
        size_t nb;
        unsigned char *b = read_all(path[helpers], &nb);
        ASSERT_TRUE(b != NULL);
        ASSERT_EQ_U64(na, nb);
        ASSERT_EQ_MEM(a, b, na);
        free(b);
    }
    /* one member a MiB, in order: all of them inflate to the text */
    unsigned char *back = malloc(TOTAL + 1);
    int members;
    ASSERT_EQ_U64(inflate_members(a, na, back, TOTAL + 1, &members), TOTAL);
    ASSERT_EQ_INT(members, 4);
    ASSERT_EQ_MEM(back, text, TOTAL);
    /* zlib's gz reader (relabel_joy.c's) reads the members as one stream */
    gzFile gz = gzopen(path[2], "rb");
    ASSERT_TRUE(gz != NULL);
    ASSERT_EQ_INT(gzread(gz, back, TOTAL + 1), TOTAL);
    ASSERT_EQ_MEM(back, text, TOTAL);
    gzclose(gz);
    /* exactly 2 MiB: two members with or without helpers (no empty third one) */
    for (unsigned helpers = 0; helpers < 3; helpers += 2) {
        iof__gzout *g;
        ASSERT_EQ_INT(iof__gzout_open(&g, path[helpers], false, helpers, err, sizeof err), IOF_OK);
        ASSERT_EQ_INT(iof__gzout_write(g, text, 2u << 20), IOF_OK);
        ASSERT_EQ_INT(iof__gzout_finish(g), IOF_OK);
        ASSERT_EQ_INT(iof__gzout_publish(g, err, sizeof err), IOF_OK);
        free(a);
        ASSERT_TRUE((a = read_all(path[helpers], &na)) != NULL);
        ASSERT_EQ_U64(inflate_members(a, na, back, TOTAL + 1, &members), 2u << 20);
        ASSERT_EQ_INT(members, 2);
    }
    /* nothing written: one empty member, a valid gzip file */
    iof__gzout *g;
    ASSERT_EQ_INT(iof__gzout_open(&g, path[1], false, 2, err, sizeof err), IOF_OK);
    ASSERT_EQ_INT(iof__gzout_finish(g), IOF_OK);
    ASSERT_EQ_INT(iof__gzout_publish(g, err, sizeof err), IOF_OK);
    size_t ne;
    unsigned char *e = read_all(path[1], &ne);
    ASSERT_TRUE(e != NULL && ne > 0);
    ASSERT_EQ_U64(inflate_members(e, ne, back, TOTAL + 1, &members), 0);
    ASSERT_EQ_INT(members, 1);
    /* abort with members in flight: the helpers are waited for before the buffers go (ASan) */
    ASSERT_EQ_INT(iof__gzout_open(&g, path[0], false, 2, err, sizeof err), IOF_OK);
    ASSERT_EQ_INT(iof__gzout_write(g, text, TOTAL), IOF_OK);
    iof__gzout_abort(g);
    for (unsigned helpers = 0; helpers < RUNS; helpers++)
        unlink(path[helpers]);
    free(a), free(e), free(back), free(text);
}

static void test_fmt_fixed(void)
{
    static const double fixed[] = {0, -0.0, 0.5, 1.5, 2.5, 0.125, 0.375, -0.04, -0.05, 0.05,
                                   0.045, 1.005, 2.675, 21.345, 1449.95, 0.3, 99.995, 1e9,
                                   -1e12, 123456789.987, 4.4999999999, 0.0049999, 1e300,
                                   -1.7976931348623157e308, 5e-324, NAN, -NAN, INFINITY, -INFINITY,
                                   0.1234567895, 0.0000000005, 999999999.5};
    uint64_t x = 7;
    char want[400], got[400];
    for (int i = 0; i < 200000; i++) {
        x += 0x9E3779B97F4A7C15ull; /* splitmix64 */
        uint64_t z = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        double u = (double)(z >> 11) / 9007199254740992.0;
        double v = i < (int)(sizeof fixed / sizeof fixed[0]) ? fixed[i] : (u - 0.3) * (i % 3 ? 100.0 : 4000.0);
        if (i % 5 == 0 && i >= (int)(sizeof fixed / sizeof fixed[0])) /* exact binary ties */
            v = (double)(int64_t)(v * 8) / 8;
        for (int dec = 0; dec <= IOF_MAX_DECIMALS; dec++) {
            snprintf(want, sizeof want, "%.*f", dec, v);
            *iof__fmt_fixed(got, v, dec) = 0;
            ASSERT_EQ_STR(got, want);
        }
    }
    iof__tbuf b = { 0 };
    iof__tb_fixed(&b, -2.675, 2);
    iof__tb_fixed(&b, 1e300, 0);
    ASSERT_TRUE(!b.oom && b.len > 300 && strncmp(b.p, "-2.671", 6) == 0); /* 2.675 is 2.67499.. */
    iof__tb_free(&b);
}

/* iof__tb_int is printf's "%lld": the fast small values, every length, both extremes. */
static void test_tb_int(void)
{
    static const int64_t fixed[] = {0, -1, -9, -10, 9, 10, 99, 100, 999, 1000, -1000, 123456789,
                                    1719165600000000LL, INT64_MAX, INT64_MIN, INT64_MIN + 1};
    iof__tbuf b = { 0 };
    char want[32];
    uint64_t x = 11;
    for (int i = 0; i < 100000; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        int64_t v = i < (int)(sizeof(fixed) / sizeof(fixed[0])) ? fixed[i]
                                                                 : (int64_t)x >> (x >> 58);
        b.len = 0;
        iof__tb_int(&b, v);
        iof__tb_putc(&b, '\0');
        snprintf(want, sizeof(want), "%lld", (long long)v);
        ASSERT_EQ_STR(b.p, want);
    }
    iof__tb_free(&b);
}

/* iof__fmt_g is printf's "%.*g": values near the powers of 10 where %g changes its exponent
 * or form (and a ulp either side), ties, float quotients as wht writes them, random doubles of
 * every magnitude, zeros, NaN and infinities, at every precision 1..9. */
static void test_fmt_g(void)
{
    static const double fixed[] = { 0.0, -0.0, 1e-4, 9.9995e-5, 9.99995e-5, 1e-5, 0.5, 1.00005, 2.5, 9.99995,
                                    9.9999, 99999.5, 99999.4, 1e5, 123456, 28.666666, -28.444445, 1.0 / 3,
                                    0.15, 0.25, 1e9, 12345678.5 };
    char got[IOF_FIXED_TEXT + 1], want[IOF_FIXED_TEXT + 1];
    uint64_t x = 3;
    for (int i = 0; i < 300000; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        int nf = (int)(sizeof(fixed) / sizeof(fixed[0]));
        double v;
        if (i < nf * 3) { /* each fixed value, and a ulp below and above it */
            v = fixed[i / 3];
            v = i % 3 == 0 ? v : nextafter(v, i % 3 == 1 ? -INFINITY : INFINITY);
        } else if (i % 4 == 0) { /* wht's: an integer over a count, in float */
            v = (double)((float)(int32_t)(x >> 40 & 0xfffff) / (float)((x & 0xffff) + 1) * ((x >> 63) ? -1.0f : 1.0f));
        } else if (i % 4 == 1) { /* near a power of 10 */
            v = pow(10.0, (double)(int)(x % 19) - 9.0) * (1.0 - (double)(x >> 44) * 1e-9);
        } else {
            v = ldexp((double)(x >> 11) / 9007199254740992.0, (int)(x % 60) - 30);
        }
        if (i == nf * 3) v = NAN;
        if (i == nf * 3 + 1) v = INFINITY;
        if (i == nf * 3 + 2) v = -INFINITY;
        for (int prec = 1; prec <= 9; prec++) {
            if (i > 2000 && prec != 5 && i % 7)
                continue;   /* %.5g (wht's) on all; the others on a seventh */
            *iof__fmt_g(got, v, prec) = 0;
            snprintf(want, sizeof(want), "%.*g", prec, v);
            ASSERT_EQ_STR(got, want);
        }
    }
}

/* iof__tb_u32_list is printf's "%u" joined by commas: every length, the ends of the range,
 * and one value and none. */
static void test_tb_u32_list(void)
{
    uint32_t v[300];
    uint64_t x = 7;
    for (size_t i = 0; i < 300; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        v[i] = i < 256 ? (uint32_t)i : (uint32_t)(x >> 32) >> (x >> 59);
    }
    v[256] = UINT32_MAX;
    v[257] = 1000000000u;
    v[258] = 999999999u;
    iof__tbuf b = { 0 };
    char want[4096];
    for (size_t n = 0; n <= 300; n += n < 3 ? 1 : 149) {
        size_t k = 0;
        want[0] = '\0';
        for (size_t i = 0; i < n; i++)
            k += (size_t)snprintf(want + k, sizeof(want) - k, i ? ",%u" : "%u", v[i]);
        b.len = 0;
        iof__tb_putc(&b, '[');
        iof__tb_u32_list(&b, v, n);
        iof__tb_putc(&b, '\0');
        ASSERT_EQ_STR(b.p + 1, want);
    }
    iof__tb_free(&b);
}

/* A table of sensor-like rows: ISO timestamps (seconds, µs), µs integers, fixed decimals,
 * nulls, integers and text through the CSV (LF and RFC 4180) and JSON Lines writers. */
typedef struct srow {
    int64_t ts;
    double t, p;
    bool t_null;
    int64_t n;
    const char *name;
} srow;

static void srow_get(const void *row, const iof__column *c, uint32_t k, iof__value *v)
{
    const srow *r = row;
    (void)k;
    memset(v, 0, sizeof(*v));
    switch (c->field) {
    case 0:
    case 1:
    case 2: v->i = r->ts; break;
    case 3: v->f = r->t; v->null = r->t_null; break;
    case 4: v->f = r->p; break;
    case 5: v->i = r->n; break;
    case 6: v->p = (const uint8_t *)r->name; v->len = (uint32_t)strlen(r->name); break;
    }
}

static uint32_t srow_count(const void *row, const iof__column *c)
{
    (void)row;
    (void)c;
    return 1;
}

static char *write_table(const iof__writer_ops *ops, bool lf, const char *name)
{
    static const iof__column cols[] = {
        { .name = "ts", .type = IOF_VT_TIMESTAMP_US, .field = 0, .time_text = IOF_TT_ISO_S },
        { .name = "ts_us", .type = IOF_VT_TIMESTAMP_US, .field = 1, .time_text = IOF_TT_ISO_US },
        { .name = "ts_int", .type = IOF_VT_TIMESTAMP_US, .field = 2 },
        { .name = "temp", .type = IOF_VT_FLOAT64, .nullable = true, .field = 3, .decimals = 2 },
        { .name = "power", .type = IOF_VT_FLOAT64, .field = 4, .decimals = 1 },
        { .name = "n", .type = IOF_VT_INT8, .field = 5 },
        { .name = "name", .type = IOF_VT_STRING, .field = 6 },
    };
    const srow rows[] = {
        { 1719165600000000LL, 21.345, -0.04, false, 1, "plug-1" },
        { 1719165601123456LL, 0, 1449.95, true, 0, "a, \"b\"" },
        { 1719165602000001LL, -0.0, NAN, false, -3, "" },
    };
    iof__schema s;
    ASSERT_EQ_INT(iof__schema_init(&s, "test.sensors", (iof__row_ops){ .get = srow_get, .count = srow_count }), 0);
    for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
        ASSERT_EQ_INT(iof__schema_add_column(&s, &cols[i]), 0);
    ASSERT_TRUE(s.cols[6].dict && !s.cols[3].dict);
    char path[512], err[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    iof__outfile *f;
    ASSERT_EQ_INT(iof__outfile_open(&f, path, err, sizeof(err)), 0);
    iof__writer_opts o = { .csv_lf = lf };
    iof__writer *w;
    ASSERT_EQ_INT(ops->open(&w, f, &s, &o, err, sizeof(err)), 0);
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        ASSERT_EQ_INT(ops->write(w, &rows[i]), 0);
    ASSERT_EQ_INT(ops->finish(w, NULL, 0), 0);
    ASSERT_EQ_INT(iof__outfile_commit(f, err, sizeof(err)), 0);
    iof__schema_free(&s);
    FILE *fp = fopen(path, "rb");
    ASSERT_TRUE(fp != NULL);
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    unlink(path);
    return buf;
}

static void test_text_column_forms(void)
{
    snprintf(dir, sizeof(dir), "/tmp/iof_test_output_text.%ld", (long)getpid());
    ASSERT_EQ_STR(write_table(&iof__writer_csv, true, "t.csv"),
                  "ts,ts_us,ts_int,temp,power,n,name\n"
                  "2024-06-23T18:00:00Z,2024-06-23T18:00:00.000000Z,1719165600000000,21.34,-0.0,1,plug-1\n"
                  "2024-06-23T18:00:01Z,2024-06-23T18:00:01.123456Z,1719165601123456,,1450.0,0,\"a, \"\"b\"\"\"\n"
                  "2024-06-23T18:00:02Z,2024-06-23T18:00:02.000001Z,1719165602000001,-0.00,nan,-3,\n");
    ASSERT_EQ_STR(write_table(&iof__writer_csv, false, "t.csv"),
                  "ts,ts_us,ts_int,temp,power,n,name\r\n"
                  "2024-06-23T18:00:00Z,2024-06-23T18:00:00.000000Z,1719165600000000,21.34,-0.0,1,plug-1\r\n"
                  "2024-06-23T18:00:01Z,2024-06-23T18:00:01.123456Z,1719165601123456,,1450.0,0,\"a, \"\"b\"\"\"\r\n"
                  "2024-06-23T18:00:02Z,2024-06-23T18:00:02.000001Z,1719165602000001,-0.00,nan,-3,\r\n");
    ASSERT_EQ_STR(write_table(&iof__writer_jsonl, true, "t.jsonl"),
                  "{\"ts\":\"2024-06-23T18:00:00Z\",\"ts_us\":\"2024-06-23T18:00:00.000000Z\",\"ts_int\":1719165600000000,"
                  "\"temp\":21.34,\"power\":-0.0,\"n\":1,\"name\":\"plug-1\"}\n"
                  "{\"ts\":\"2024-06-23T18:00:01Z\",\"ts_us\":\"2024-06-23T18:00:01.123456Z\",\"ts_int\":1719165601123456,"
                  "\"temp\":null,\"power\":1450.0,\"n\":0,\"name\":\"a, \\\"b\\\"\"}\n"
                  "{\"ts\":\"2024-06-23T18:00:02Z\",\"ts_us\":\"2024-06-23T18:00:02.000001Z\",\"ts_int\":1719165602000001,"
                  "\"temp\":-0.00,\"power\":null,\"n\":-3,\"name\":\"\"}\n");
    /* a column the writers could not express is refused where it is declared */
    iof__schema s;
    ASSERT_EQ_INT(iof__schema_init(&s, "bad", (iof__row_ops){ .get = srow_get, .count = srow_count }), 0);
    iof__column c = { .name = "x", .type = IOF_VT_FLOAT64, .decimals = IOF_MAX_DECIMALS + 1 };
    ASSERT_EQ_INT(iof__schema_add_column(&s, &c), IOF_E_INVAL);
    c.decimals = 0;
    c.time_text = 7;
    ASSERT_EQ_INT(iof__schema_add_column(&s, &c), IOF_E_INVAL);
    ASSERT_EQ_STR(iof__vtype_name(IOF_VT_FLOAT64), "float64");
    iof__schema_free(&s);
    rmdir(dir);
}

static const iof_test tests[] = {
    TEST(test_remove_temp_files_has_no_slot_limit),
    TEST(test_gzout_helper_same_bytes),
    TEST(test_fmt_fixed),
    TEST(test_tb_int),
    TEST(test_tb_u32_list),
    TEST(test_fmt_g),
    TEST(test_text_column_forms),
    { 0 },
};

int main(void) { return iof_test_run(tests); }
