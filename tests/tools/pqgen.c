/* pqgen: writes Parquet test files with the native writer, and reads them back.
 *
 *   pqgen write DIR              writes DIR/<case>-<codec>.parquet for every case x codec
 *                                (codecs zstd, snappy, none); prints one path per line
 *   pqgen check DIR              reads every file back with our reader and compares each value
 *                                with the generator (round trip); exit 1 on a mismatch
 *   pqgen dump FILE              rows as JSON Lines through our reader (BLOB as lowercase hex,
 *                                int64 outside +-2^53 as a string, like `pqcheck rows`)
 *   pqgen sql FILE               the DuckDB query whose JSON output `dump` must equal
 *                                (timestamps as epoch_us)
 *   pqgen rowgroups FILE         the file's row groups and rows ("row_groups=N rows=N")
 *   pqgen bench ROWS FILE [zstd|snappy|none]
 *                                writes ROWS wide rows (3000 INT16 payload slots) and prints
 *                                rows/s and MB/s; FILE may be /dev/null
 * Values are a pure function of (case, row, column, element), so `check` regenerates them.
 */
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output/textbuf.h"
#include "output/outfile.h"
#include "output/parquet/pq_encode.h"
#include "output/parquet/pq_reader.h"
#include "output/parquet/pq_writer.h"
#include "common/schema.h"
#include "output/writer.h"

enum prof {
    PR_RAND = 1, PR_SMALL, PR_FILLER, PR_ALLNULL, PR_CONST, PR_MAC, PR_IP, PR_UTF8, PR_LONGBIN,
    PR_EXTREME, PR_PORT, PR_TS, PR_NONULL_RAND, PR_NAN,
};

typedef struct gcase {
    const char *name;
    uint64_t rows;
    uint64_t rg_bytes;     /* 0: default */
    uint32_t page_entries; /* 0: default; != 0 uses the low-level writer directly */
    iof__column *cols;
    size_t n;
    uint64_t seed;
} gcase;

typedef struct grow {
    const gcase *cs;
    uint64_t row;
} grow;

static uint64_t mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

static uint64_t h4(uint64_t seed, uint64_t row, uint64_t col, uint64_t k)
{
    return mix(seed ^ mix(row * 0x100000001B3ULL ^ mix(col * 31 + 7) ^ (k * 0xA24BAED4963EE407ULL)));
}

static const char *utf8_samples[] = {
    "plain ascii", "Ünïcødé", "日本語のテキスト", "emoji 🙂🚀", "", "Ελληνικά", "a",
    "bad \xff\xfe bytes", /* invalid: the writer stores U+FFFD */
    "\xf4\x8f\xbf\xbf max code point", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz long",
    "\xf4\x8f\xbf\xbf\xf4\x8f\xbf\xbf\xf4\x8f\xbf\xbf\xf4\x8f\xbf\xbf\xf4\x8f\xbf\xbf\xf4\x8f\xbf\xbf"
    "\xf4\x8f\xbf\xbf\xf4\x8f\xbf\xbf\xf4\x8f\xbf\xbf\xf4\x8f\xbf\xbf\xf4\x8f\xbf\xbf\xf4\x8f\xbf\xbf"
    "\xf4\x8f\xbf\xbf\xf4\x8f\xbf\xbf\xf4\x8f\xbf\xbf\xf4\x8f\xbf\xbf\xf4\x8f\xbf\xbf\xf4\x8f\xbf\xbf",
};

static uint8_t scratch[4096];

static uint32_t gen_count(const void *rowp, const iof__column *c)
{
    const grow *g = rowp;
    uint64_t h = h4(g->cs->seed, g->row, c->index + 100000u * c->field, 0xFFFF);
    if (c->field == PR_ALLNULL)
        return c->nullable ? UINT32_MAX : 0;
    if (c->field == PR_CONST)
        return 3;
    if (c->nullable && h % 6 == 0)
        return UINT32_MAX;
    if ((h >> 8) % 4 == 0)
        return 0;
    return (uint32_t)((h >> 16) % 13);
}

static void gen_get(const void *rowp, const iof__column *c, uint32_t k, iof__value *v)
{
    const grow *g = rowp;
    uint64_t h = h4(g->cs->seed, g->row, c->index + 100000u * c->field, k);
    memset(v, 0, sizeof *v);
    if (!c->list && c->nullable) {
        if (c->field == PR_ALLNULL || (c->field != PR_CONST && c->field != PR_NONULL_RAND && h % 5 == 0)) {
            v->null = true;
            return;
        }
    }
    uint64_t x = mix(h);
    switch (c->type) {
    case IOF_VT_BOOL:
        v->i = c->field == PR_CONST ? 1 : (int64_t)(x & 1);
        return;
    case IOF_VT_INT8:
        v->i = c->field == PR_CONST ? 1 : c->field == PR_SMALL ? (int64_t)(x % 2) : (int8_t)x;
        if (c->field == PR_EXTREME && x % 3 == 0)
            v->i = (x >> 8) & 1 ? INT8_MIN : INT8_MAX;
        return;
    case IOF_VT_INT16:
        if (c->field == PR_FILLER) { /* wide payload stream: -4 bytes.. -8, then -1 */
            uint64_t len = h4(g->cs->seed, g->row, 0xC0FFEE, 0) % 3600;
            uint32_t s = c->index;
            if (s >= len)
                v->i = -1;
            else if (s % 23 == 0)
                v->i = -4;
            else if (s % 23 == 22)
                v->i = -8;
            else
                v->i = (int64_t)(x % 256);
            return;
        }
        v->i = c->field == PR_CONST ? -1 : (int16_t)x;
        if (c->field == PR_EXTREME && x % 3 == 0)
            v->i = (x >> 8) & 1 ? INT16_MIN : INT16_MAX;
        return;
    case IOF_VT_INT32:
        if (c->field == PR_SMALL) {
            static const int protos[] = {6, 17, 1, 58};
            v->i = protos[x % 4];
        } else if (c->field == PR_PORT) {
            v->i = (int64_t)(x % 65536);
        } else if (c->field == PR_CONST) {
            v->i = 42;
        } else {
            v->i = (int32_t)x;
            if (c->field == PR_EXTREME && x % 3 == 0)
                v->i = (x >> 8) & 1 ? INT32_MIN : INT32_MAX;
        }
        return;
    case IOF_VT_INT64:
        if (c->field == PR_SMALL)
            v->i = (int64_t)(x % 1000);
        else if (c->field == PR_CONST)
            v->i = 1234567890123LL;
        else {
            v->i = (int64_t)x;
            if (c->field == PR_EXTREME && x % 3 == 0)
                v->i = (x >> 8) & 1 ? INT64_MIN : INT64_MAX;
        }
        return;
    case IOF_VT_TIMESTAMP_US:
        v->i = c->field == PR_CONST ? 1700000000000000LL
                                    : 1700000000000000LL + (int64_t)(x % 100000000000000ULL) - 50000000000000LL;
        return;
    case IOF_VT_FLOAT64:
        if (c->field == PR_CONST)
            v->f = 21.5;
        else if (c->field == PR_NAN)
            v->f = NAN;
        else if (c->field == PR_SMALL) /* readings: few distinct values (dictionary) */
            v->f = (double)(x % 4000) / 100.0 - 10.0;
        else if (c->field == PR_EXTREME && x % 3 == 0) {
            static const double special[] = {NAN, -0.0, 0.0, INFINITY, -INFINITY, 1.7976931348623157e308,
                                             -1.7976931348623157e308, 5e-324, -2.2250738585072014e-308};
            v->f = special[(x >> 8) % (sizeof special / sizeof *special)];
        } else /* any finite value, all exponents, both signs */
            v->f = (x & 1 ? -1 : 1) * ldexp((double)(x >> 11) / 9007199254740992.0, (int)((x >> 2) % 2000) - 1000);
        return;
    case IOF_VT_STRING: {
        int n = 0;
        if (c->field == PR_MAC)
            n = snprintf((char *)scratch, sizeof scratch, "aa:bb:cc:dd:ee:%02x", (unsigned)(x % 8));
        else if (c->field == PR_IP)
            n = x & 1 ? snprintf((char *)scratch, sizeof scratch, "192.168.1.%u", (unsigned)(x % 20))
                      : snprintf((char *)scratch, sizeof scratch, "2001:db8::%x", (unsigned)(x % 7));
        else if (c->field == PR_UTF8) {
            const char *s = utf8_samples[x % (sizeof utf8_samples / sizeof *utf8_samples)];
            n = (int)strlen(s);
            memcpy(scratch, s, (size_t)n);
        } else if (c->field == PR_CONST)
            n = snprintf((char *)scratch, sizeof scratch, "only-value");
        else {
            n = (int)(x % 21);
            for (int i = 0; i < n; i++)
                scratch[i] = (uint8_t)(' ' + mix(x + (uint64_t)i) % 95);
        }
        v->p = scratch;
        v->len = (uint32_t)n;
        return;
    }
    case IOF_VT_BINARY: {
        uint32_t n = c->field == PR_CONST ? 4 : c->field == PR_LONGBIN ? (uint32_t)(x % 300) : (uint32_t)(x % 41);
        if ((x >> 20) % 4 == 0 && c->field != PR_CONST)
            n = 0;
        for (uint32_t i = 0; i < n; i++)
            scratch[i] = c->field == PR_CONST ? (uint8_t)(0xF0 + i) : (uint8_t)mix(x + i);
        if (c->field == PR_LONGBIN && n > 100 && (x >> 30) % 3 == 0)
            memset(scratch, 0xFF, 80); /* max-stat truncation must carry past 0xFF bytes */
        v->p = scratch;
        v->len = n;
        return;
    }
    }
}

/* ---- cases -------------------------------------------------------------------------- */

static iof__column *add(gcase *cs, const char *name, iof__vtype t, bool nullable, bool list, bool dict, int prof)
{
    iof__column *c = &cs->cols[cs->n];
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    c->type = t;
    c->nullable = nullable;
    c->list = list;
    c->dict = dict;
    c->field = (uint16_t)prof;
    c->index = (uint32_t)cs->n;
    cs->n++;
    return c;
}

static void wide_cols(gcase *cs, unsigned B)
{
    add(cs, "Device", IOF_VT_STRING, false, false, true, PR_MAC);
    add(cs, "FirstSeen", IOF_VT_TIMESTAMP_US, false, false, false, PR_TS);
    add(cs, "RemIP", IOF_VT_STRING, false, false, true, PR_IP);
    add(cs, "Proto", IOF_VT_INT32, false, false, false, PR_SMALL);
    add(cs, "DevPort", IOF_VT_INT32, false, false, false, PR_PORT);
    add(cs, "RemPort", IOF_VT_INT32, false, false, false, PR_PORT);
    add(cs, "TotalFlowSize", IOF_VT_INT64, false, false, false, PR_RAND);
    add(cs, "PacketCount", IOF_VT_INT64, false, false, false, PR_SMALL);
    char name[32];
    for (int k = 0; k < 10; k++) {
        snprintf(name, sizeof name, "P%02d_TO", k);
        add(cs, name, IOF_VT_INT64, true, false, false, PR_SMALL);
        snprintf(name, sizeof name, "P%02d_PS", k);
        add(cs, name, IOF_VT_INT32, true, false, false, PR_PORT);
        snprintf(name, sizeof name, "P%02d_D", k);
        add(cs, name, IOF_VT_INT8, true, false, false, PR_SMALL);
    }
    for (unsigned k = 0; k < B; k++) {
        snprintf(name, sizeof name, "C_%03u", k);
        iof__column *c = add(cs, name, IOF_VT_INT16, false, false, false, PR_FILLER);
        c->index = k; /* slot number, as the real accessor uses it */
    }
    add(cs, "device_name", IOF_VT_STRING, true, false, true, PR_UTF8);
    add(cs, "device_type", IOF_VT_STRING, true, false, true, PR_SMALL);
    add(cs, "evicted", IOF_VT_BOOL, false, false, false, PR_RAND);
}

static void nested_cols(gcase *cs)
{
    add(cs, "device", IOF_VT_STRING, false, false, true, PR_MAC);
    add(cs, "first_seen", IOF_VT_TIMESTAMP_US, false, false, false, PR_TS);
    add(cs, "pkt_offset_us", IOF_VT_INT64, false, true, false, PR_RAND);
    add(cs, "pkt_size", IOF_VT_INT32, false, true, false, PR_PORT);
    add(cs, "pkt_dir", IOF_VT_INT8, false, true, false, PR_SMALL);
    add(cs, "payload", IOF_VT_BINARY, false, true, false, PR_RAND);
    add(cs, "opt_list", IOF_VT_INT64, true, true, false, PR_SMALL);
    add(cs, "str_list", IOF_VT_STRING, true, true, true, PR_UTF8);
    add(cs, "long_payload", IOF_VT_BINARY, true, true, false, PR_LONGBIN);
    add(cs, "flag_list", IOF_VT_BOOL, false, true, false, PR_RAND);
    add(cs, "i16_list", IOF_VT_INT16, true, true, false, PR_EXTREME);
}

static void mixed_cols(gcase *cs)
{
    add(cs, "s", IOF_VT_STRING, true, false, false, PR_RAND);
    add(cs, "ts", IOF_VT_TIMESTAMP_US, true, false, false, PR_TS);
    add(cs, "i8", IOF_VT_INT8, true, false, false, PR_RAND);
    add(cs, "i16", IOF_VT_INT16, false, false, false, PR_RAND);
    add(cs, "i32", IOF_VT_INT32, true, false, false, PR_RAND);
    add(cs, "i64", IOF_VT_INT64, false, false, false, PR_RAND);
    add(cs, "b", IOF_VT_BOOL, true, false, false, PR_RAND);
    add(cs, "bin", IOF_VT_BINARY, true, false, false, PR_RAND);
    add(cs, "li", IOF_VT_INT64, true, true, false, PR_RAND);
    add(cs, "lb", IOF_VT_BINARY, false, true, false, PR_RAND);
    add(cs, "mac", IOF_VT_STRING, false, false, true, PR_MAC);
}

#define NCASES 10
static gcase cases[NCASES];

static void build_cases(void)
{
    static iof__column store[NCASES][3200];
    const char *names[NCASES] = {"wide",    "nested", "empty", "single",   "rowgroups",
                                 "allnull", "utf8",   "dict1", "extremes", "floats"};
    for (int i = 0; i < NCASES; i++) {
        cases[i].name = names[i];
        cases[i].cols = store[i];
        cases[i].seed = 0x5EED0000u + (uint64_t)i;
    }
    wide_cols(&cases[0], 3000);
    cases[0].rows = 150;
    nested_cols(&cases[1]);
    cases[1].rows = 700;
    mixed_cols(&cases[2]);
    cases[2].rows = 0;
    nested_cols(&cases[3]);
    mixed_cols(&cases[3]);
    /* names collide between the two sets: rename the second set */
    for (size_t k = 11; k < cases[3].n; k++) {
        char tmp[IOF_MAX_COLNAME + 2];
        snprintf(tmp, sizeof tmp, "m_%s", cases[3].cols[k].name);
        tmp[IOF_MAX_COLNAME - 1] = '\0';
        memcpy(cases[3].cols[k].name, tmp, IOF_MAX_COLNAME);
    }
    cases[3].rows = 1;
    mixed_cols(&cases[4]);
    add(&cases[4], "str_list", IOF_VT_STRING, false, true, true, PR_UTF8);
    add(&cases[4], "C_000", IOF_VT_INT16, false, false, false, PR_FILLER);
    cases[4].rows = 6000;
    cases[4].rg_bytes = 48 * 1024;
    cases[4].page_entries = 300;
    {
        gcase *cs = &cases[5];
        const iof__vtype ts[] = {IOF_VT_BOOL, IOF_VT_INT8, IOF_VT_INT16, IOF_VT_INT32, IOF_VT_INT64,
                                IOF_VT_TIMESTAMP_US, IOF_VT_STRING, IOF_VT_BINARY, IOF_VT_FLOAT64};
        char name[32];
        for (size_t k = 0; k < sizeof ts / sizeof *ts; k++) {
            snprintf(name, sizeof name, "null_%s", iof__vtype_name(ts[k]));
            add(cs, name, ts[k], true, false, k == 6, PR_ALLNULL);
            snprintf(name, sizeof name, "nulllist_%s", iof__vtype_name(ts[k]));
            add(cs, name, ts[k], true, true, false, PR_ALLNULL);
            snprintf(name, sizeof name, "emptylist_%s", iof__vtype_name(ts[k]));
            add(cs, name, ts[k], false, true, false, PR_ALLNULL);
        }
        add(cs, "id", IOF_VT_INT32, false, false, false, PR_RAND);
        cs->rows = 100;
    }
    add(&cases[6], "name", IOF_VT_STRING, true, false, true, PR_UTF8);
    add(&cases[6], "name_plain", IOF_VT_STRING, false, false, false, PR_UTF8);
    add(&cases[6], "names", IOF_VT_STRING, true, true, false, PR_UTF8);
    add(&cases[6], "blob", IOF_VT_BINARY, true, false, false, PR_LONGBIN);
    cases[6].rows = 400;
    {
        gcase *cs = &cases[7];
        add(cs, "s", IOF_VT_STRING, false, false, true, PR_CONST);
        add(cs, "s_nodict", IOF_VT_STRING, true, false, false, PR_CONST);
        add(cs, "c", IOF_VT_INT16, false, false, false, PR_CONST);
        add(cs, "i8", IOF_VT_INT8, true, false, false, PR_CONST);
        add(cs, "i32", IOF_VT_INT32, false, false, false, PR_CONST);
        add(cs, "i64", IOF_VT_INT64, false, false, false, PR_CONST);
        add(cs, "ts", IOF_VT_TIMESTAMP_US, false, false, false, PR_CONST);
        add(cs, "bin", IOF_VT_BINARY, false, false, true, PR_CONST);
        add(cs, "li", IOF_VT_INT32, false, true, false, PR_CONST);
        add(cs, "b", IOF_VT_BOOL, false, false, false, PR_CONST);
        cs->rows = 300;
    }
    {
        gcase *cs = &cases[8];
        add(cs, "i8", IOF_VT_INT8, false, false, false, PR_EXTREME);
        add(cs, "i16", IOF_VT_INT16, true, false, false, PR_EXTREME);
        add(cs, "i32", IOF_VT_INT32, false, false, false, PR_EXTREME);
        add(cs, "i64", IOF_VT_INT64, true, false, false, PR_EXTREME);
        add(cs, "i64_nonull", IOF_VT_INT64, true, false, false, PR_NONULL_RAND);
        add(cs, "li64", IOF_VT_INT64, false, true, false, PR_EXTREME);
        add(cs, "b", IOF_VT_BOOL, false, false, false, PR_RAND);
        cs->rows = 1000;
    }
    {
        gcase *cs = &cases[9]; /* FLOAT64 -> DOUBLE: dictionary and PLAIN chunks, statistics */
        add(cs, "temperature", IOF_VT_FLOAT64, true, false, false, PR_SMALL);
        add(cs, "f_rand", IOF_VT_FLOAT64, false, false, false, PR_RAND);
        add(cs, "f_special", IOF_VT_FLOAT64, true, false, false, PR_EXTREME);
        add(cs, "f_const", IOF_VT_FLOAT64, false, false, false, PR_CONST);
        add(cs, "f_nan", IOF_VT_FLOAT64, true, false, false, PR_NAN);
        add(cs, "f_list", IOF_VT_FLOAT64, true, true, false, PR_EXTREME);
        add(cs, "id", IOF_VT_INT32, false, false, false, PR_RAND);
        cs->rows = 3000;
        cs->rg_bytes = 40 * 1024; /* several row groups: some chunks all NaN or all special */
    }
}

static iof__schema case_schema(const gcase *cs)
{
    iof__schema s;
    memset(&s, 0, sizeof s);
    s.cols = cs->cols;
    s.n = s.cap = cs->n;
    s.name = cs->name;
    s.ops.get = gen_get;
    s.ops.count = gen_count;
    return s;
}

static const char *codec_names[] = {"zstd", "snappy", "none"};

static int file_sink(void *ctx, const void *p, size_t n)
{
    return fwrite(p, 1, n, ctx) == n ? 0 : IOF_E_OUTPUT;
}

/* Low-level path (custom page size) straight to a FILE. */
static int write_lowlevel(const gcase *cs, iof_codec codec, const char *path)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return -1;
    iof__schema s = case_schema(cs);
    iof__kv kv[] = {{"iotflow.version", IOF_VERSION_STRING}, {"pqgen.case", cs->name}};
    iof__pq_writer_cfg cfg = {.codec = codec, .row_group_bytes = cs->rg_bytes, .page_entries = cs->page_entries,
                              .page_bytes = 8192, .kv = kv, .n_kv = 2, .sink = file_sink, .sink_ctx = fp};
    iof__pq_writer *w;
    char err[256];
    int rc = iof__pq_writer_open(&w, cs->cols, cs->n, &cfg, err, sizeof err);
    for (uint64_t r = 0; rc == 0 && r < cs->rows; r++) {
        grow g = {cs, r};
        rc = iof__pq_write_row(w, &s, &g);
        if (rc < 0)
            snprintf(err, sizeof err, "%s", iof__pq_writer_errmsg(w));
    }
    if (rc == 0)
        rc = iof__pq_writer_finish(w, err, sizeof err);
    else if (w)
        iof__pq_writer_abort(w);
    if (fclose(fp) != 0 && rc == 0)
        rc = -1;
    if (rc < 0)
        fprintf(stderr, "pqgen: %s: %s\n", path, err);
    return rc;
}

/* Production path: writer vtable + atomic outfile. */
static int write_vtable(const gcase *cs, iof_codec codec, const char *path, uint64_t rows)
{
    char err[512];
    iof__outfile *f;
    int rc = iof__outfile_open(&f, path, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "pqgen: %s\n", err);
        return rc;
    }
    iof__schema s = case_schema(cs);
    iof__kv kv[] = {{"pqgen.case", cs->name}, {"iotflow.window_s", "60"}};
    iof__writer_opts o = {.codec = codec, .row_group_bytes = cs->rg_bytes, .kv = kv, .n_kv = 2};
    iof__writer *w;
    rc = iof__writer_parquet.open(&w, f, &s, &o, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "pqgen: %s: %s\n", path, err);
        iof__outfile_abort(f);
        return rc;
    }
    for (uint64_t r = 0; rc == 0 && r < rows; r++) {
        grow g = {cs, r};
        rc = iof__writer_parquet.write(w, &g);
    }
    if (rc == 0)
        rc = iof__writer_parquet.finish(w, NULL, 0);
    else
        iof__writer_parquet.abort(w);
    if (rc == 0)
        rc = iof__outfile_commit(f, err, sizeof err);
    else
        iof__outfile_abort(f);
    if (rc < 0)
        fprintf(stderr, "pqgen: %s: write failed (%d)\n", path, rc);
    return rc;
}

static int cmd_write(const char *dir)
{
    char path[4096];
    for (int i = 0; i < NCASES; i++)
        for (int k = 0; k < 3; k++) {
            snprintf(path, sizeof path, "%s/%s-%s.parquet", dir, cases[i].name, codec_names[k]);
            int rc = cases[i].page_entries ? write_lowlevel(&cases[i], (iof_codec)k, path)
                                           : write_vtable(&cases[i], (iof_codec)k, path, cases[i].rows);
            if (rc < 0)
                return 1;
            printf("%s\n", path);
        }
    return 0;
}

/* ---- check (round trip through our reader) ------------------------------------------ */

static bool same_value(const iof__column *c, const iof__value *want, const iof__value *got, pq_buf *tmp)
{
    if (c->type == IOF_VT_FLOAT64) /* the same bits: NaN, -0.0 */
        return memcmp(&got->f, &want->f, sizeof got->f) == 0;
    if (c->type == IOF_VT_STRING || c->type == IOF_VT_BINARY) {
        const uint8_t *p = want->p;
        size_t n = want->len;
        if (c->type == IOF_VT_STRING && !iof__pq_utf8_valid(p, n)) {
            tmp->len = 0;
            iof__pq_utf8_sanitize(tmp, p, n);
            p = tmp->p;
            n = tmp->len;
        }
        return got->len == n && (n == 0 || memcmp(got->p, p, n) == 0);
    }
    return got->i == want->i;
}

static int check_file(const gcase *cs, const char *path)
{
    char err[512];
    iof__pq_reader *r;
    if (iof__pq_reader_open(&r, path, err, sizeof err) < 0) {
        fprintf(stderr, "pqgen check: %s\n", err);
        return 1;
    }
    const iof__schema *rs = iof__pq_reader_schema(r);
    int bad = 0;
    pq_buf tmp = {0};
    if (rs->n != cs->n || iof__pq_reader_nrows(r) != cs->rows) {
        fprintf(stderr, "pqgen check: %s: %zu columns / %llu rows, expected %zu / %llu\n", path, rs->n,
                (unsigned long long)iof__pq_reader_nrows(r), cs->n, (unsigned long long)cs->rows);
        bad = 1;
    }
    if (!iof__pq_reader_kv(r, "pqgen.case") || strcmp(iof__pq_reader_kv(r, "pqgen.case"), cs->name) != 0 ||
        !iof__pq_reader_kv(r, "iotflow.version")) {
        fprintf(stderr, "pqgen check: %s: key-value metadata missing\n", path);
        bad = 1;
    }
    for (size_t c = 0; !bad && c < cs->n; c++) {
        const iof__column *a = &cs->cols[c], *b = &rs->cols[c];
        if (strcmp(a->name, b->name) != 0 || a->type != b->type || a->list != b->list || a->nullable != b->nullable) {
            fprintf(stderr, "pqgen check: %s: column %zu is %s/%d/%d/%d, expected %s/%d/%d/%d\n", path, c, b->name,
                    (int)b->type, b->list, b->nullable, a->name, (int)a->type, a->list, a->nullable);
            bad = 1;
        }
    }
    uint64_t row = 0;
    int rc;
    uint8_t keep[4096];
    while (!bad && (rc = iof__pq_reader_next(r)) > 0) {
        grow g = {cs, row};
        for (size_t c = 0; c < cs->n && !bad; c++) {
            const iof__column *col = &cs->cols[c];
            iof__value want, got;
            if (col->list) {
                uint32_t n = gen_count(&g, col), m = iof__pq_reader_count(r, c);
                if (n != m) {
                    fprintf(stderr, "pqgen check: %s row %llu %s: count %u, expected %u\n", path,
                            (unsigned long long)row, col->name, m, n);
                    bad = 1;
                }
                for (uint32_t k = 0; !bad && n != UINT32_MAX && k < n; k++) {
                    gen_get(&g, col, k, &want);
                    if (want.p) { memcpy(keep, want.p, want.len); want.p = keep; }
                    iof__pq_reader_get(r, c, k, &got);
                    if (got.null || !same_value(col, &want, &got, &tmp)) {
                        fprintf(stderr, "pqgen check: %s row %llu %s[%u] differs\n", path, (unsigned long long)row,
                                col->name, k);
                        bad = 1;
                    }
                }
            } else {
                gen_get(&g, col, 0, &want);
                if (want.p) { memcpy(keep, want.p, want.len); want.p = keep; }
                iof__pq_reader_get(r, c, 0, &got);
                if (want.null != got.null || (!want.null && !same_value(col, &want, &got, &tmp))) {
                    fprintf(stderr, "pqgen check: %s row %llu %s differs (%lld vs %lld)\n", path,
                            (unsigned long long)row, col->name, (long long)got.i, (long long)want.i);
                    bad = 1;
                }
            }
        }
        row++;
    }
    if (!bad && rc < 0) {
        fprintf(stderr, "pqgen check: %s: %s\n", path, iof__pq_reader_errmsg(r));
        bad = 1;
    }
    if (!bad && row != cs->rows) {
        fprintf(stderr, "pqgen check: %s: %llu rows read\n", path, (unsigned long long)row);
        bad = 1;
    }
    iof__pq_buf_free(&tmp);
    iof__pq_reader_close(r);
    return bad;
}

static int cmd_check(const char *dir)
{
    char path[4096];
    int bad = 0;
    for (int i = 0; i < NCASES; i++)
        for (int k = 0; k < 3; k++) {
            snprintf(path, sizeof path, "%s/%s-%s.parquet", dir, cases[i].name, codec_names[k]);
            int b = check_file(&cases[i], path);
            printf("%s %s\n", b ? "FAIL" : "ok  ", path);
            bad |= b;
        }
    return bad;
}

/* ---- dump / sql --------------------------------------------------------------------- */

static void json_str(FILE *o, const uint8_t *p, uint32_t n)
{
    iof__tbuf b = { 0 };
    iof__tb_json_str(&b, p, n); /* the library's escaper */
    if (!b.oom)
        fwrite(b.p, 1, b.len, o);
    iof__tb_free(&b);
}

static void json_value(FILE *o, const iof__column *c, const iof__value *v)
{
    if (v->null) {
        fputs("null", o);
        return;
    }
    switch (c->type) {
    case IOF_VT_BOOL: fputs(v->i ? "true" : "false", o); break;
    case IOF_VT_STRING: json_str(o, v->p, v->len); break;
    case IOF_VT_BINARY:
        fputc('"', o);
        for (uint32_t i = 0; i < v->len; i++)
            fprintf(o, "%02x", v->p[i]);
        fputc('"', o);
        break;
    case IOF_VT_FLOAT64: /* as `pqcheck rows`: non-finite values as strings */
        if (isnan(v->f))
            fputs("\"NaN\"", o);
        else if (isinf(v->f))
            fputs(v->f > 0 ? "\"Infinity\"" : "\"-Infinity\"", o);
        else
            fprintf(o, "%.17e", v->f); /* a JSON number that reads back as a float */
        break;
    default:
        if (v->i > 9007199254740991LL || v->i < -9007199254740991LL)
            fprintf(o, "\"%" PRId64 "\"", v->i);
        else
            fprintf(o, "%" PRId64, v->i);
    }
}

static int cmd_dump(const char *path)
{
    char err[512];
    iof__pq_reader *r;
    if (iof__pq_reader_open(&r, path, err, sizeof err) < 0) {
        fprintf(stderr, "pqgen dump: %s\n", err);
        return 1;
    }
    const iof__schema *s = iof__pq_reader_schema(r);
    int rc;
    while ((rc = iof__pq_reader_next(r)) > 0) {
        fputc('{', stdout);
        for (size_t c = 0; c < s->n; c++) {
            iof__value v;
            if (c)
                fputc(',', stdout);
            json_str(stdout, (const uint8_t *)s->cols[c].name, (uint32_t)strlen(s->cols[c].name));
            fputc(':', stdout);
            if (s->cols[c].list) {
                uint32_t n = iof__schema_count(s, r, c);
                if (n == UINT32_MAX) {
                    fputs("null", stdout);
                    continue;
                }
                fputc('[', stdout);
                for (uint32_t k = 0; k < n; k++) {
                    if (k)
                        fputc(',', stdout);
                    iof__schema_get(s, r, c, k, &v);
                    json_value(stdout, &s->cols[c], &v);
                }
                fputc(']', stdout);
            } else {
                iof__schema_get(s, r, c, 0, &v);
                json_value(stdout, &s->cols[c], &v);
            }
        }
        fputs("}\n", stdout);
    }
    if (rc < 0)
        fprintf(stderr, "pqgen dump: %s: %s\n", path, iof__pq_reader_errmsg(r));
    iof__pq_reader_close(r);
    return rc < 0;
}

static int cmd_sql(const char *path)
{
    char err[512];
    iof__pq_reader *r;
    if (iof__pq_reader_open(&r, path, err, sizeof err) < 0) {
        fprintf(stderr, "pqgen sql: %s\n", err);
        return 1;
    }
    const iof__schema *s = iof__pq_reader_schema(r);
    fputs("SELECT ", stdout);
    for (size_t c = 0; c < s->n; c++) {
        const char *n = s->cols[c].name;
        if (s->cols[c].type == IOF_VT_TIMESTAMP_US && !s->cols[c].list)
            printf("%sepoch_us(\"%s\") AS \"%s\"", c ? ", " : "", n, n);
        else
            printf("%s\"%s\"", c ? ", " : "", n);
    }
    printf(" FROM read_parquet('%s', hive_partitioning=false, binary_as_string=false)\n", path);
    iof__pq_reader_close(r);
    return 0;
}

/* ---- bench -------------------------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: stable on a busy machine */
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A row like the real custom-flow accessor sees it: the payload stream is precomputed once per
 * record (iof__cf_payload_stream), other fields are read from the record. */
typedef struct brow {
    uint64_t row;
    int16_t stream[3000];
    uint8_t text[32];
} brow;

static void bench_fill(brow *b, uint64_t row)
{
    b->row = row;
    uint64_t x = mix(row);
    uint32_t len = (uint32_t)(x % 3600);
    for (uint32_t s = 0; s < 3000; s++) {
        if (s >= len)
            b->stream[s] = -1;
        else if (s % 23 == 0)
            b->stream[s] = -4;
        else if (s % 23 == 22)
            b->stream[s] = -8;
        else {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            b->stream[s] = (int16_t)(x & 0xff);
        }
    }
}

static void bench_get(const void *rowp, const iof__column *c, uint32_t k, iof__value *v)
{
    const brow *b = rowp;
    (void)k;
    v->null = false;
    if (c->field == PR_FILLER) {
        v->i = b->stream[c->index];
        return;
    }
    uint64_t x = mix(b->row ^ ((uint64_t)c->index << 40));
    switch (c->type) {
    case IOF_VT_STRING:
        v->len = (uint32_t)snprintf((char *)((brow *)rowp)->text, sizeof b->text, "aa:bb:cc:dd:ee:%02x", (unsigned)(x % 8));
        v->p = b->text;
        return;
    case IOF_VT_TIMESTAMP_US: v->i = 1700000000000000LL + (int64_t)(b->row * 1000); return;
    case IOF_VT_INT8: v->i = (int64_t)(x & 1); return;
    case IOF_VT_BOOL: v->i = 0; return;
    default: v->i = (int64_t)(x % 1500); return;
    }
}

static uint32_t bench_count(const void *rowp, const iof__column *c)
{
    (void)rowp;
    (void)c;
    return 0;
}

static int cmd_bench(uint64_t rows, const char *path, const char *codec)
{
    iof_codec cc = IOF_CODEC_ZSTD;
    if (codec && strcmp(codec, "snappy") == 0)
        cc = IOF_CODEC_SNAPPY;
    else if (codec && strcmp(codec, "none") == 0)
        cc = IOF_CODEC_NONE;
    const gcase *cs = &cases[0];
    iof__schema s = case_schema(cs);
    s.ops.get = bench_get;
    s.ops.count = bench_count;
    brow *b = malloc(sizeof *b);
    if (!b)
        return 1;
    /* baseline: building the records and reading every cell (what any output format pays) */
    double t0 = now_s();
    volatile uint64_t sum = 0;
    for (uint64_t r = 0; r < rows; r++) {
        bench_fill(b, r);
        iof__value v;
        for (size_t c = 0; c < cs->n; c++) {
            iof__schema_get(&s, b, c, 0, &v);
            sum += (uint64_t)v.i;
        }
    }
    (void)sum; /* read by nobody: volatile keeps the loop (clang: set but not used) */
    double t1 = now_s();
    char err[512];
    iof__outfile *f = NULL;
    int rc = iof__outfile_open(&f, path, err, sizeof err);
    iof__writer *w = NULL;
    iof__writer_opts o = {.codec = cc};
    if (rc == 0)
        rc = iof__writer_parquet.open(&w, f, &s, &o, err, sizeof err);
    for (uint64_t r = 0; rc == 0 && r < rows; r++) {
        bench_fill(b, r);
        rc = iof__writer_parquet.write(w, b);
    }
    if (rc == 0)
        rc = iof__writer_parquet.finish(w, NULL, 0);
    else if (w)
        iof__writer_parquet.abort(w);
    uint64_t size = f ? iof__outfile_offset(f) : 0;
    if (rc == 0)
        rc = iof__outfile_commit(f, err, sizeof err);
    else if (f)
        iof__outfile_abort(f);
    double t2 = now_s();
    free(b);
    if (rc < 0) {
        fprintf(stderr, "pqgen bench: %s\n", err);
        return 1;
    }
    double cells = (double)rows * (double)cs->n;
    printf("rows=%llu cols=%zu codec=%s cpu: baseline(read cells)=%.3fs parquet=%.3fs ratio=%.2f rows/s=%.0f "
           "cells/s=%.3g in_MB/s(2B/cell)=%.1f out_MB/s=%.1f file_bytes=%llu bytes/row=%.1f\n",
           (unsigned long long)rows, cs->n, codec ? codec : "zstd", t1 - t0, t2 - t1, (t2 - t1) / (t1 - t0),
           (double)rows / (t2 - t1), cells / (t2 - t1), cells * 2 / (t2 - t1) / 1e6, (double)size / (t2 - t1) / 1e6,
           (unsigned long long)size, rows ? (double)size / (double)rows : 0.0);
    return 0;
}

static int cmd_rowgroups(const char *path)
{
    iof__pq_reader *r;
    char err[256];
    if (iof__pq_reader_open(&r, path, err, sizeof err) < 0) {
        fprintf(stderr, "pqgen rowgroups: %s\n", err);
        return 1;
    }
    printf("row_groups=%zu rows=%llu\n", iof__pq_reader_nrowgroups(r), (unsigned long long)iof__pq_reader_nrows(r));
    iof__pq_reader_close(r);
    return 0;
}

int main(int argc, char **argv)
{
    build_cases();
    if (argc == 3 && strcmp(argv[1], "write") == 0)
        return cmd_write(argv[2]);
    if (argc == 3 && strcmp(argv[1], "check") == 0)
        return cmd_check(argv[2]);
    if (argc == 3 && strcmp(argv[1], "dump") == 0)
        return cmd_dump(argv[2]);
    if (argc == 3 && strcmp(argv[1], "sql") == 0)
        return cmd_sql(argv[2]);
    if (argc == 3 && strcmp(argv[1], "rowgroups") == 0)
        return cmd_rowgroups(argv[2]);
    if ((argc == 4 || argc == 5) && strcmp(argv[1], "bench") == 0)
        return cmd_bench(strtoull(argv[2], NULL, 10), argv[3], argc == 5 ? argv[4] : NULL);
    fprintf(stderr, "usage: pqgen write DIR | check DIR | dump FILE | sql FILE | rowgroups FILE | bench ROWS FILE [codec]\n");
    return 2;
}
