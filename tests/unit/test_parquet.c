/* Unit tests of the native Parquet writer: encodings, thrift compact, UTF-8, and round trips
 * writer -> our reader (in memory) for every codec. Cross-reader checks (DuckDB, hyparquet,
 * arrow-rs) are in tests/integration/parquet_pqcheck.sh. */
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <zstd.h>

#include "output/parquet/pq_encode.h"
#include "output/parquet/pq_lz.h"
#include "output/parquet/pq_reader.h"
#include "output/parquet/pq_writer.h"
#include "output/parquet/thrift_compact.h"
#include "test.h"

static uint64_t rng_state = 0x12345678;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* ---- hybrid ------------------------------------------------------------------------- */

static void hybrid_roundtrip(const uint32_t *v, size_t n, unsigned width)
{
    pq_buf b = {0};
    iof__pq_hybrid_encode_u32(&b, v, n, width);
    ASSERT_TRUE(!b.oom);
    uint32_t *out = calloc(n + 1, sizeof *out);
    long used = iof__pq_hybrid_decode(b.p, b.len, width, out, n);
    ASSERT_EQ_INT(used, (long)b.len);
    for (size_t i = 0; i < n; i++)
        if (out[i] != v[i])
            ASSERT_EQ_U64(out[i], v[i]);
    free(out);
    iof__pq_buf_free(&b);
}

static void test_hybrid_patterns(void)
{
    enum { N = 3000 };
    uint32_t *v = malloc(N * sizeof *v);
    for (unsigned width = 0; width <= 32; width++) {
        uint64_t mask = width == 32 ? UINT32_MAX : ((1ull << width) - 1);
        for (int pat = 0; pat < 5; pat++) {
            for (size_t i = 0; i < N; i++) {
                switch (pat) {
                case 0: v[i] = (uint32_t)(rnd() & mask); break;                 /* random */
                case 1: v[i] = (uint32_t)mask; break;                           /* one run */
                case 2: v[i] = (uint32_t)(((i / 9) & 1) ? mask : 0); break;     /* runs of 9 */
                case 3: v[i] = (uint32_t)((i % 13 < 5 ? rnd() : 0) & mask); break;
                default: v[i] = (uint32_t)(((i / 7) % 3) & mask); break;        /* runs of 7 */
                }
            }
            for (size_t n = 0; n < 40; n++)
                hybrid_roundtrip(v, n, width);
            hybrid_roundtrip(v, N, width);
            hybrid_roundtrip(v, N - 3, width);
        }
    }
    free(v);
}

static void test_hybrid_known_bytes(void)
{
    /* 8 x 1 at width 1: one RLE run: header 8<<1 = 0x10, value 0x01 */
    uint8_t lv[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    pq_buf b = {0};
    iof__pq_hybrid_encode_u8(&b, lv, 8, 1);
    ASSERT_EQ_INT(b.len, 2);
    ASSERT_EQ_INT(b.p[0], 0x10);
    ASSERT_EQ_INT(b.p[1], 0x01);
    /* 0..7 at width 3: bit-packed group (Encodings.md example): 03 88 C6 FA */
    uint8_t seq[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    b.len = 0;
    iof__pq_hybrid_encode_u8(&b, seq, 8, 3);
    ASSERT_EQ_INT(b.len, 4);
    static const uint8_t want[4] = {0x03, 0x88, 0xC6, 0xFA};
    ASSERT_EQ_MEM(b.p, want, 4);
    /* width 0 (single-entry dictionary): runs without value bytes */
    uint32_t z[20] = {0};
    b.len = 0;
    iof__pq_hybrid_encode_u32(&b, z, 20, 0);
    ASSERT_EQ_INT(b.len, 1);
    iof__pq_buf_free(&b);
    /* malformed input never reads past the end */
    uint32_t out[64];
    static const uint8_t bad1[] = {0x03};            /* bit-packed header, no data */
    ASSERT_EQ_INT(iof__pq_hybrid_decode(bad1, 1, 3, out, 8), -1);
    static const uint8_t bad2[] = {0x80, 0x80, 0x80}; /* unterminated varint */
    ASSERT_EQ_INT(iof__pq_hybrid_decode(bad2, 3, 3, out, 8), -1);
    static const uint8_t bad3[] = {0x10, 0x09};       /* RLE value above the width */
    ASSERT_EQ_INT(iof__pq_hybrid_decode(bad3, 2, 3, out, 8), -1);
    ASSERT_EQ_INT(iof__pq_hybrid_decode(bad3, 2, 33, out, 8), -1);
}

/* The masked encoder against the decoder: rows not flagged hold the fill. Patterns: random
 * activity, isolated rows and long gaps, long stretches of each, no gap at all, nothing stored,
 * short gaps and segments, stored values equal to the fill, row counts that are not multiples
 * of 8 (also below 8). The output must also be compact: stretches without a stored row are RLE
 * runs, not bit-packed fill. The skip table (iof__pq_act_skip8) is checked against a count of
 * empty groups and must give the same bytes, on all rows and on 8-aligned pages of them. */
static void test_hybrid_masked(void)
{
    enum { R = 4000 };
    uint8_t *act = malloc(R);
    uint32_t *vals = malloc(R * sizeof *vals), *want = malloc(R * sizeof *want);
    uint32_t *got = malloc((R + 8) * sizeof *got);
    int16_t *v16 = malloc((R + 1) * sizeof *v16);
    int32_t *map = malloc(65536 * sizeof *map);
    for (unsigned width = 0; width <= 16; width++) {
        uint32_t mask = (uint32_t)((1ull << width) - 1);
        for (int pat = 0; pat < 9; pat++) {
            size_t nr = pat == 7 ? rnd() % 8 : 1 + rnd() % (R - 1);
            uint32_t fill = (uint32_t)(rnd() & mask);
            size_t n = 0;
            uint32_t v = 0;
            for (size_t r = 0; r < nr; r++) {
                bool keep;
                switch (pat) {
                case 0: keep = rnd() % 2; break;              /* half the rows */
                case 1: keep = rnd() % 50 == 0; break;        /* isolated rows, long gaps */
                case 2: keep = (r / 700) % 2; break;          /* long stretches of each */
                case 3: keep = true; break;                   /* no gap at all */
                case 4: keep = (r % 9) < 3; break;            /* short gaps and segments */
                case 5: keep = false; break;                  /* nothing stored */
                case 8: keep = r + 5 >= nr; break;            /* only the last rows */
                default: keep = rnd() % 3 == 0; break;
                }
                act[r] = keep;
                if (!keep)
                    continue;
                v = pat == 4 ? fill : rnd() % 4 ? (uint32_t)(rnd() & mask) : v;
                vals[n++] = v & mask;
            }
            for (size_t r = 0, i = 0; r < nr; r++)
                want[r] = act[r] ? vals[i++] : fill;
            for (size_t i = 0; i < n; i++) { /* the values as int16 keys of a map */
                v16[i] = (int16_t)(vals[i] ^ 0x5a5au);
                map[(uint16_t)v16[i]] = (int32_t)vals[i];
            }
            v16[n] = n ? v16[n - 1] : 0; /* vals[n] is read (and its index dropped) */
            if (!n)
                map[0] = 0;
            pq_buf b = {0};
            size_t used_vals = iof__pq_hybrid_encode_masked16(&b, width, act, nr, v16, map, 0xffff, fill, NULL);
            ASSERT_TRUE(!b.oom);
            ASSERT_EQ_U64(used_vals, n);
            long used = iof__pq_hybrid_decode(b.p, b.len, width, got, nr);
            ASSERT_EQ_INT(used, (long)b.len);
            for (size_t k = 0; k < nr; k++)
                if (got[k] != want[k])
                    ASSERT_EQ_U64(got[k], want[k]);
            if (pat == 5) /* one RLE run: header + value */
                ASSERT_TRUE(b.len <= 3 + (width + 7) / 8);
            if (pat == 2) { /* 700-row stretches of fill cost a few bytes each, not 700 * width bits */
                size_t packed = 0;
                for (size_t r = 0; r < nr; r++)
                    packed += act[r];
                ASSERT_TRUE(b.len <= (packed + 16) * width / 8 + 16 * (nr / 700 + 2));
            }
            /* with the skip table, and on 8-aligned pages of the rows: the same bytes */
            uint32_t *skip8 = malloc((nr / 8 + 1) * sizeof *skip8);
            ASSERT_TRUE(skip8 != NULL);
            iof__pq_act_skip8(act, nr, skip8);
            for (size_t g = 0; g < nr / 8; g++) { /* skip8 counts whole empty groups */
                size_t e = g;
                while (e < nr / 8 && !memchr(act + 8 * e, 1, 8))
                    e++;
                ASSERT_EQ_U64(skip8[g], e - g);
            }
            pq_buf b2 = {0};
            ASSERT_EQ_U64(iof__pq_hybrid_encode_masked16(&b2, width, act, nr, v16, map, 0xffff, fill, skip8), n);
            ASSERT_EQ_U64(b2.len, b.len);
            ASSERT_TRUE(memcmp(b2.p, b.p, b.len) == 0);
            const size_t page = 8 * (1 + rnd() % 100);
            for (size_t p0 = 0, i0 = 0; p0 < nr; p0 += page) {
                const size_t p1 = nr - p0 > page ? p0 + page : nr;
                pq_buf pa = {0}, pb = {0};
                size_t ua = iof__pq_hybrid_encode_masked16(&pa, width, act + p0, p1 - p0, v16 + i0, map, 0xffff, fill, NULL);
                size_t ub = iof__pq_hybrid_encode_masked16(&pb, width, act + p0, p1 - p0, v16 + i0, map, 0xffff, fill,
                                                           skip8 + p0 / 8);
                ASSERT_EQ_U64(ua, ub);
                ASSERT_EQ_U64(pa.len, pb.len);
                ASSERT_TRUE(memcmp(pa.p, pb.p, pa.len) == 0);
                i0 += ua;
                iof__pq_buf_free(&pa);
                iof__pq_buf_free(&pb);
            }
            free(skip8);
            iof__pq_buf_free(&b2);
            iof__pq_buf_free(&b);
        }
    }
    free(act);
    free(vals);
    free(want);
    free(got);
    free(v16);
    free(map);
}

/* ---- thrift ------------------------------------------------------------------------- */

static void test_thrift_roundtrip(void)
{
    pq_buf b = {0};
    tc_w w;
    iof__tc_w_init(&w, &b);
    iof__tc_i32(&w, 1, -5);
    iof__tc_struct_begin(&w, 2);
    iof__tc_i64(&w, 1, INT64_MIN);
    iof__tc_bool(&w, 3, true);
    iof__tc_struct_end(&w);
    iof__tc_i64(&w, 40, 1234567890123LL); /* delta 38 > 15: long field header */
    iof__tc_list_begin(&w, 41, TC_BINARY, 20); /* > 14 elements: long list header */
    for (int i = 0; i < 20; i++)
        iof__tc_elem_binary(&w, "ab", 2);
    iof__tc_string(&w, 42, "x");
    iof__tc_struct_end(&w);
    ASSERT_TRUE(!b.oom);
    /* field 1, i32: short header 0x15, zigzag(-5) = 9 */
    ASSERT_EQ_INT(b.p[0], 0x15);
    ASSERT_EQ_INT(b.p[1], 9);

    tc_r r;
    iof__tc_r_init(&r, b.p, b.len);
    int16_t id;
    uint8_t ty;
    int seen = 0;
    while (iof__tc_next_field(&r, &id, &ty)) {
        if (id == 1) {
            ASSERT_EQ_INT(iof__tc_read_int(&r, ty), -5);
        } else if (id == 2) {
            ASSERT_EQ_INT(ty, TC_STRUCT);
            iof__tc_enter_struct(&r);
            int16_t id2;
            uint8_t ty2;
            while (iof__tc_next_field(&r, &id2, &ty2)) {
                if (id2 == 1)
                    ASSERT_TRUE(iof__tc_read_int(&r, ty2) == INT64_MIN);
                else if (id2 == 3)
                    ASSERT_TRUE(iof__tc_read_bool(&r, ty2));
            }
            iof__tc_leave_struct(&r);
        } else if (id == 40) {
            ASSERT_EQ_INT(iof__tc_read_int(&r, ty), 1234567890123LL);
        } else if (id == 41) {
            uint8_t et;
            ASSERT_EQ_INT(iof__tc_read_list(&r, &et), 20);
            for (int i = 0; i < 20; i++) {
                uint32_t n;
                const uint8_t *p = iof__tc_read_binary(&r, &n);
                ASSERT_TRUE(n == 2 && memcmp(p, "ab", 2) == 0);
            }
        } else {
            ASSERT_EQ_INT(id, 42);
            iof__tc_skip(&r, ty);
        }
        seen++;
    }
    ASSERT_TRUE(!r.err);
    ASSERT_EQ_INT(seen, 5);
    /* truncated input: error, no crash */
    for (size_t cut = 0; cut < b.len; cut++) {
        tc_r t;
        iof__tc_r_init(&t, b.p, cut);
        iof__tc_skip(&t, TC_STRUCT);
        ASSERT_TRUE(t.err || cut == b.len);
    }
    iof__pq_buf_free(&b);
}

static void test_utf8(void)
{
    ASSERT_TRUE(iof__pq_utf8_valid((const uint8_t *)"abc", 3));
    ASSERT_TRUE(iof__pq_utf8_valid((const uint8_t *)"\xc3\xa9\xe6\x97\xa5\xf0\x9f\x99\x82", 9));
    ASSERT_TRUE(!iof__pq_utf8_valid((const uint8_t *)"\xc0\xaf", 2));         /* overlong */
    ASSERT_TRUE(!iof__pq_utf8_valid((const uint8_t *)"\xed\xa0\x80", 3));     /* surrogate */
    ASSERT_TRUE(!iof__pq_utf8_valid((const uint8_t *)"\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
    ASSERT_TRUE(!iof__pq_utf8_valid((const uint8_t *)"\xe6\x97", 2));         /* truncated */
    pq_buf b = {0};
    iof__pq_utf8_sanitize(&b, (const uint8_t *)"a\xffz", 3);
    ASSERT_EQ_INT(b.len, 5);
    ASSERT_EQ_MEM(b.p, "a\xef\xbf\xbdz", 5);
    iof__pq_buf_free(&b);
}

/* ---- round trips -------------------------------------------------------------------- */

static int mem_sink(void *ctx, const void *p, size_t n)
{
    pq_buf_put(ctx, p, n);
    return ((pq_buf *)ctx)->oom ? IOF_E_NOMEM : 0;
}

static int fail_sink(void *ctx, const void *p, size_t n)
{
    (void)p;
    size_t *budget = ctx;
    if (n > *budget)
        return IOF_E_OUTPUT;
    *budget -= n;
    return 0;
}

/* A row is generated from (row number, column, element) so it can be regenerated. */
typedef struct trow {
    uint64_t r;
    uint8_t buf[200];
} trow;

static uint64_t h3(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t x = a * 0x9E3779B97F4A7C15ULL ^ (b + 1) * 0xC2B2AE3D27D4EB4FULL ^ (c + 7) * 0x165667B19E3779F9ULL;
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ULL;
    return x ^ (x >> 29);
}

static uint32_t t_count(const void *row, const iof__column *c)
{
    const trow *t = row;
    uint64_t h = h3(t->r, c->index, 999);
    if (c->nullable && h % 5 == 0)
        return UINT32_MAX;
    return (uint32_t)((h >> 8) % 6); /* 0..5, often empty */
}

static void t_get(const void *row, const iof__column *c, uint32_t k, iof__value *v)
{
    trow *t = (trow *)row;
    uint64_t h = h3(t->r, c->index, k);
    memset(v, 0, sizeof *v);
    if (!c->list && c->nullable && h % 4 == 0) {
        v->null = true;
        return;
    }
    switch (c->type) {
    case IOF_VT_BOOL: v->i = (int64_t)(h & 1); break;
    case IOF_VT_INT8: v->i = (int8_t)h; break;
    case IOF_VT_INT16: v->i = (h >> 20) % 3 ? -1 : (int16_t)h; break;
    case IOF_VT_INT32: v->i = (int32_t)h; break;
    case IOF_VT_INT64: v->i = (int64_t)h; break;
    case IOF_VT_TIMESTAMP_US: v->i = (int64_t)(h % 4000000000000000ULL); break;
    case IOF_VT_FLOAT64: { /* readings, and the values with rules of their own */
        static const double special[] = {NAN, -0.0, 0.0, INFINITY, -INFINITY, 1e308, -5e-324};
        v->f = (h >> 40) % 9 < 7 ? special[(h >> 40) % 9] : (double)(int64_t)(h >> 20) / 1e4 - 4e11;
        break;
    }
    case IOF_VT_STRING:
    case IOF_VT_BINARY: {
        uint32_t n = (uint32_t)((h >> 12) % (c->type == IOF_VT_BINARY ? 120 : 12));
        for (uint32_t i = 0; i < n; i++)
            t->buf[i] = c->type == IOF_VT_STRING ? (uint8_t)('a' + (h >> (i % 50)) % 3) : (uint8_t)(h >> (i % 56));
        v->p = t->buf;
        v->len = n;
        break;
    }
    }
}

static const struct { const char *name; iof__vtype t; bool nullable, list, dict; } tcols[] = {
    {"b", IOF_VT_BOOL, false, false, false},       {"bn", IOF_VT_BOOL, true, false, false},
    {"i8", IOF_VT_INT8, false, false, false},      {"i16", IOF_VT_INT16, false, false, false},
    {"i16b", IOF_VT_INT16, false, false, false},   {"i32", IOF_VT_INT32, false, false, false},
    {"i32n", IOF_VT_INT32, true, false, false},    {"i64", IOF_VT_INT64, false, false, false},
    {"ts", IOF_VT_TIMESTAMP_US, true, false, false}, {"s", IOF_VT_STRING, true, false, true},
    {"s2", IOF_VT_STRING, false, false, false},    {"bin", IOF_VT_BINARY, true, false, false},
    {"l64", IOF_VT_INT64, false, true, false},     {"l8", IOF_VT_INT8, true, true, false},
    {"lbin", IOF_VT_BINARY, false, true, false},   {"ls", IOF_VT_STRING, true, true, true},
    {"f64", IOF_VT_FLOAT64, false, false, false},  {"f64n", IOF_VT_FLOAT64, true, false, false},
    {"lf64", IOF_VT_FLOAT64, true, true, false},
};
#define NT (sizeof tcols / sizeof *tcols)

/* nest_cols: columns 9..12 (s, s2, bin, l64) are members of struct "st", 13..14 (l8, lbin) of
 * "u" (the nested layout's shape: scalars and lists, nullable or not, inside REQUIRED groups) */
static bool nest_cols;
static const char *t_struct(size_t i) { return !nest_cols ? NULL : i >= 9 && i <= 12 ? "st" : i >= 13 && i <= 14 ? "u" : NULL; }

static void make_schema(iof__schema *s, iof__column *cols)
{
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < NT; i++) {
        memset(&cols[i], 0, sizeof cols[i]);
        snprintf(cols[i].name, sizeof cols[i].name, "%s", tcols[i].name);
        if (t_struct(i))
            ASSERT_EQ_INT(iof__col_set_member(&cols[i], t_struct(i), tcols[i].name), 0);
        cols[i].type = tcols[i].t;
        cols[i].nullable = tcols[i].nullable;
        cols[i].list = tcols[i].list;
        cols[i].dict = tcols[i].dict;
        cols[i].index = (uint32_t)i;
    }
    s->cols = cols;
    s->n = s->cap = NT;
    s->name = "test";
    s->ops.get = t_get;
    s->ops.count = t_count;
}

/* Writes rows [0, n): even rows through write_row, odd rows cell by cell (put_* API). */
static void put_row_cells(iof__pq_writer *w, const iof__schema *s, trow *t)
{
    for (size_t c = 0; c < s->n; c++) {
        const iof__column *col = &s->cols[c];
        iof__value v;
        if (col->list) {
            uint32_t n = t_count(t, col);
            if (n == UINT32_MAX) {
                ASSERT_EQ_INT(iof__pq_put_null(w, c), 0);
                continue;
            }
            ASSERT_EQ_INT(iof__pq_put_list(w, c, n), 0);
            for (uint32_t k = 0; k < n; k++) {
                t_get(t, col, k, &v);
                int rc = col->type == IOF_VT_BINARY || col->type == IOF_VT_STRING ? iof__pq_put_elem_bytes(w, c, v.p, v.len)
                         : col->type == IOF_VT_FLOAT64                              ? iof__pq_put_elem_double(w, c, v.f)
                                                                                  : iof__pq_put_elem_int(w, c, v.i);
                ASSERT_EQ_INT(rc, 0);
            }
        } else {
            t_get(t, col, 0, &v);
            int rc = v.null ? iof__pq_put_null(w, c)
                     : (col->type == IOF_VT_BINARY || col->type == IOF_VT_STRING) ? iof__pq_put_bytes(w, c, v.p, v.len)
                     : col->type == IOF_VT_FLOAT64                                 ? iof__pq_put_double(w, c, v.f)
                                                                                   : iof__pq_put_int(w, c, v.i);
            ASSERT_EQ_INT(rc, 0);
        }
    }
    ASSERT_EQ_INT(iof__pq_end_row(w), 0);
}

static size_t split_col; /* write_file: iof__pq_writer_test_split's column (0: none) */
static uint32_t split_n;  /* write_file: row groups split before its finish */

static void write_file(pq_buf *out, iof_codec codec, uint64_t nrows, uint64_t rg_bytes, uint32_t page_entries)
{
    iof__column cols[NT];
    iof__schema s;
    make_schema(&s, cols);
    iof__kv kv[] = {{"k1", "v1"}, {"iotflow.version", "test"}};
    iof__pq_writer_cfg cfg = {.codec = codec, .row_group_bytes = rg_bytes, .page_entries = page_entries,
                              .kv = kv, .n_kv = 2, .sink = mem_sink, .sink_ctx = out};
    iof__pq_writer *w;
    char err[256];
    ASSERT_EQ_INT(iof__pq_writer_open(&w, cols, NT, &cfg, err, sizeof err), 0);
    iof__pq_writer_test_split(w, split_col);
    trow t;
    for (uint64_t r = 0; r < nrows; r++) {
        t.r = r;
        if (r % 3 == 1)
            put_row_cells(w, &s, &t);
        else
            ASSERT_EQ_INT(iof__pq_write_row(w, &s, &t), 0);
    }
    split_n = iof__pq_writer_test_split(w, split_col);
    ASSERT_EQ_INT(iof__pq_writer_finish(w, err, sizeof err), 0);
}

static void check_file(const pq_buf *f, uint64_t nrows)
{
    iof__column cols[NT];
    iof__schema s;
    make_schema(&s, cols);
    iof__pq_reader *r;
    char err[256];
    int rc = iof__pq_reader_open_mem(&r, f->p, f->len, err, sizeof err);
    if (rc)
        fprintf(stderr, "  reader: %s\n", err);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_U64(iof__pq_reader_nrows(r), nrows);
    ASSERT_EQ_STR(iof__pq_reader_kv(r, "k1"), "v1");
    ASSERT_TRUE(strncmp(iof__pq_reader_created_by(r), "iotflow version ", 16) == 0);
    const iof__schema *rs = iof__pq_reader_schema(r);
    ASSERT_EQ_INT(rs->n, NT);
    for (size_t c = 0; c < NT; c++) {
        ASSERT_EQ_STR(rs->cols[c].name, cols[c].name);
        ASSERT_EQ_INT(rs->cols[c].member_at, cols[c].member_at);
        ASSERT_EQ_INT(rs->cols[c].type, cols[c].type);
        ASSERT_EQ_INT(rs->cols[c].nullable, cols[c].nullable);
        ASSERT_EQ_INT(rs->cols[c].list, cols[c].list);
    }
    trow t;
    uint8_t keep[200];
    uint64_t row = 0;
    while ((rc = iof__pq_reader_next(r)) > 0) {
        t.r = row;
        for (size_t c = 0; c < NT; c++) {
            iof__value want, got;
            uint32_t n = cols[c].list ? t_count(&t, &cols[c]) : 1;
            ASSERT_EQ_U64(iof__schema_count(rs, r, c), n);
            for (uint32_t k = 0; n != UINT32_MAX && k < n; k++) {
                t_get(&t, &cols[c], k, &want);
                if (want.p) {
                    memcpy(keep, want.p, want.len);
                    want.p = keep;
                }
                iof__schema_get(rs, r, c, k, &got);
                ASSERT_EQ_INT(got.null, want.null);
                if (want.null)
                    continue;
                if (cols[c].type == IOF_VT_STRING || cols[c].type == IOF_VT_BINARY) {
                    ASSERT_EQ_INT(got.len, want.len);
                    ASSERT_TRUE(want.len == 0 || memcmp(got.p, want.p, want.len) == 0);
                } else if (cols[c].type == IOF_VT_FLOAT64) { /* the same bits (NaN, -0.0) */
                    ASSERT_EQ_MEM(&got.f, &want.f, sizeof want.f);
                } else {
                    ASSERT_EQ_INT(got.i, want.i);
                }
            }
        }
        row++;
    }
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_U64(row, nrows);
    iof__pq_reader_close(r);
}

/* The footer's schema tree ("name/num_children" per SchemaElement, 0 for a leaf) and the first
 * row group's path_in_schema of every column ("a.b.c"), space-separated. */
static void footer_tree(const pq_buf *f, char *tree, char *paths, size_t cap)
{
    uint32_t flen = pq_rd_le32(f->p + f->len - 8);
    tc_r t;
    iof__tc_r_init(&t, f->p + f->len - 8 - flen, flen);
    int16_t id;
    uint8_t ty, et;
    tree[0] = paths[0] = '\0';
    while (iof__tc_next_field(&t, &id, &ty)) {
        if (id == 2 && ty == TC_LIST) { /* schema */
            uint32_t n = iof__tc_read_list(&t, &et);
            for (uint32_t i = 0; i < n; i++) {
                const uint8_t *name = NULL;
                uint32_t nl = 0;
                int64_t kids = 0;
                iof__tc_enter_struct(&t);
                while (iof__tc_next_field(&t, &id, &ty)) {
                    if (id == 4)
                        name = iof__tc_read_binary(&t, &nl);
                    else if (id == 5)
                        kids = iof__tc_read_int(&t, ty);
                    else
                        iof__tc_skip(&t, ty);
                }
                iof__tc_leave_struct(&t);
                snprintf(tree + strlen(tree), cap - strlen(tree), "%s%.*s/%lld", i ? " " : "", (int)nl,
                         (const char *)name, (long long)kids);
            }
        } else if (id == 4 && ty == TC_LIST && !paths[0]) { /* row groups: the first one's columns */
            uint32_t nrg = iof__tc_read_list(&t, &et);
            for (uint32_t g = 0; g < nrg; g++) {
                iof__tc_enter_struct(&t);
                while (iof__tc_next_field(&t, &id, &ty)) {
                    if (g > 0 || id != 1) {
                        iof__tc_skip(&t, ty);
                        continue;
                    }
                    uint32_t nc = iof__tc_read_list(&t, &et);
                    for (uint32_t c = 0; c < nc; c++) {
                        iof__tc_enter_struct(&t); /* ColumnChunk */
                        while (iof__tc_next_field(&t, &id, &ty)) {
                            if (id != 3) {
                                iof__tc_skip(&t, ty);
                                continue;
                            }
                            iof__tc_enter_struct(&t); /* ColumnMetaData */
                            while (iof__tc_next_field(&t, &id, &ty)) {
                                if (id != 3) {
                                    iof__tc_skip(&t, ty);
                                    continue;
                                }
                                uint32_t np = iof__tc_read_list(&t, &et);
                                for (uint32_t k = 0; k < np; k++) {
                                    uint32_t pl;
                                    const uint8_t *pp = iof__tc_read_binary(&t, &pl);
                                    snprintf(paths + strlen(paths), cap - strlen(paths), "%s%.*s",
                                             k ? "." : c ? " " : "", (int)pl, (const char *)pp);
                                }
                            }
                            iof__tc_leave_struct(&t);
                        }
                        iof__tc_leave_struct(&t);
                    }
                }
                iof__tc_leave_struct(&t);
            }
        } else {
            iof__tc_skip(&t, ty);
        }
    }
    ASSERT_TRUE(!t.err);
}

/* Struct members: one REQUIRED group per struct before its members (num_children), the members
 * named without the struct, path_in_schema [struct, member(, list, element)], the levels those of
 * the same columns at the top (every value reads back, through our reader, by full name); the
 * flat file's tree as before. */
static void test_struct_members(void)
{
    char tree[1024], paths[1024];
    pq_buf flat = {0}, f = {0};
    write_file(&flat, IOF_CODEC_ZSTD, 700, 0, 0);
    footer_tree(&flat, tree, paths, sizeof tree);
    ASSERT_EQ_STR(tree, "schema/19 b/0 bn/0 i8/0 i16/0 i16b/0 i32/0 i32n/0 i64/0 ts/0 s/0 s2/0 bin/0 l64/1 list/1 "
                        "element/0 l8/1 list/1 element/0 lbin/1 list/1 element/0 ls/1 list/1 element/0 f64/0 "
                        "f64n/0 lf64/1 list/1 element/0");
    nest_cols = true;
    write_file(&f, IOF_CODEC_ZSTD, 700, 0, 0);
    check_file(&f, 700);
    footer_tree(&f, tree, paths, sizeof tree);
    ASSERT_EQ_STR(tree, "schema/15 b/0 bn/0 i8/0 i16/0 i16b/0 i32/0 i32n/0 i64/0 ts/0 st/4 s/0 s2/0 bin/0 l64/1 "
                        "list/1 element/0 u/2 l8/1 list/1 element/0 lbin/1 list/1 element/0 ls/1 list/1 element/0 "
                        "f64/0 f64n/0 lf64/1 list/1 element/0");
    ASSERT_EQ_STR(paths, "b bn i8 i16 i16b i32 i32n i64 ts st.s st.s2 st.bin st.l64.list.element "
                         "u.l8.list.element u.lbin.list.element ls.list.element f64 f64n lf64.list.element");
    /* the same pages: only the footer differs */
    uint32_t fl = pq_rd_le32(flat.p + flat.len - 8), nl = pq_rd_le32(f.p + f.len - 8);
    ASSERT_EQ_U64(flat.len - fl, f.len - nl);
    ASSERT_TRUE(memcmp(flat.p, f.p, flat.len - 8 - fl) == 0);
    iof__pq_reader *r;
    ASSERT_EQ_INT(iof__pq_reader_open_mem(&r, f.p, f.len, NULL, 0), 0);
    const iof__schema *rs = iof__pq_reader_schema(r);
    long k = iof__schema_find(rs, "u.lbin");
    ASSERT_TRUE(k == 14 && rs->cols[k].list && iof__col_same_struct(&rs->cols[k], &rs->cols[13]));
    ASSERT_EQ_STR(iof__col_member(&rs->cols[k]), "lbin");
    iof__pq_reader_close(r);
    nest_cols = false;
    iof__pq_buf_free(&flat);
    iof__pq_buf_free(&f);
}

static void test_roundtrip_codecs(void)
{
    const iof_codec codecs[] = {IOF_CODEC_ZSTD, IOF_CODEC_SNAPPY, IOF_CODEC_NONE};
    for (int i = 0; i < 3; i++) {
        pq_buf f = {0};
        write_file(&f, codecs[i], 2500, 0, 0);
        ASSERT_TRUE(f.len > 12 && memcmp(f.p, "PAR1", 4) == 0 && memcmp(f.p + f.len - 4, "PAR1", 4) == 0);
        check_file(&f, 2500);
        iof__pq_buf_free(&f);
    }
}

static void test_roundtrip_row_groups_pages(void)
{
    pq_buf f = {0};
    write_file(&f, IOF_CODEC_ZSTD, 3001, 20000, 50); /* many row groups and pages */
    check_file(&f, 3001);
    iof__pq_reader *r;
    ASSERT_EQ_INT(iof__pq_reader_open_mem(&r, f.p, f.len, NULL, 0), 0);
    ASSERT_TRUE(iof__pq_reader_nrowgroups(r) > 5);
    iof__pq_reader_close(r);
    iof__pq_buf_free(&f);
}

static void test_empty_and_single(void)
{
    for (uint64_t n = 0; n <= 1; n++) {
        pq_buf f = {0};
        write_file(&f, IOF_CODEC_SNAPPY, n, 0, 0);
        check_file(&f, n);
        iof__pq_buf_free(&f);
    }
}

static void test_errors(void)
{
    iof__column col;
    memset(&col, 0, sizeof col);
    snprintf(col.name, sizeof col.name, "x");
    col.type = IOF_VT_INT32;
    pq_buf out = {0};
    iof__pq_writer_cfg cfg = {.codec = IOF_CODEC_NONE, .sink = mem_sink, .sink_ctx = &out};
    iof__pq_writer *w;
    char err[256];
    ASSERT_EQ_INT(iof__pq_writer_open(&w, &col, 1, &cfg, err, sizeof err), 0);
    ASSERT_EQ_INT(iof__pq_put_double(w, 0, 1.5), IOF_E_INVAL); /* INT32 column */
    iof__pq_writer_abort(w);
    ASSERT_EQ_INT(iof__pq_writer_open(&w, &col, 1, &cfg, err, sizeof err), 0);
    ASSERT_EQ_INT(iof__pq_put_null(w, 0), IOF_E_INVAL); /* REQUIRED column */
    ASSERT_EQ_INT(iof__pq_put_int(w, 0, 1), IOF_E_INVAL); /* sticky */
    ASSERT_TRUE(strstr(iof__pq_writer_errmsg(w), "not nullable") != NULL);
    iof__pq_writer_abort(w);
    /* a row missing a column is refused at the row-group flush */
    ASSERT_EQ_INT(iof__pq_writer_open(&w, &col, 1, &cfg, err, sizeof err), 0);
    ASSERT_EQ_INT(iof__pq_end_row(w), 0);
    ASSERT_EQ_INT(iof__pq_writer_finish(w, err, sizeof err), IOF_E_INVAL);
    /* sink failures propagate at every stage */
    for (size_t budget0 = 0; budget0 < 400; budget0 += 7) {
        size_t budget = budget0;
        cfg.sink = fail_sink;
        cfg.sink_ctx = &budget;
        int rc = iof__pq_writer_open(&w, &col, 1, &cfg, err, sizeof err);
        for (int r = 0; rc == 0 && r < 10; r++) {
            rc = iof__pq_put_int(w, 0, r);
            if (rc == 0)
                rc = iof__pq_end_row(w);
        }
        if (rc == 0)
            rc = iof__pq_writer_finish(w, err, sizeof err);
        else
            iof__pq_writer_abort(w);
        ASSERT_TRUE(rc == 0 || rc == IOF_E_OUTPUT);
        if (budget0 < 30)
            ASSERT_EQ_INT(rc, IOF_E_OUTPUT);
    }
    iof__pq_buf_free(&out);
}

/* Damaged files: every truncation and many byte flips give an error or valid rows, never a
 * crash (run under ASan/UBSan in CI). */
static void test_reader_damage(void)
{
    pq_buf f = {0};
    write_file(&f, IOF_CODEC_ZSTD, 40, 4000, 10);
    uint8_t *copy = malloc(f.len);
    for (size_t cut = 0; cut < f.len; cut += 1 + cut / 64) {
        iof__pq_reader *r;
        if (iof__pq_reader_open_mem(&r, f.p, cut, NULL, 0) == 0) {
            while (iof__pq_reader_next(r) > 0) {
            }
            iof__pq_reader_close(r);
        }
    }
    for (int it = 0; it < 1500; it++) {
        memcpy(copy, f.p, f.len);
        for (int k = 0; k < 1 + it % 3; k++)
            copy[rnd() % f.len] ^= (uint8_t)(1u << (rnd() % 8));
        iof__pq_reader *r;
        if (iof__pq_reader_open_mem(&r, copy, f.len, NULL, 0) == 0) {
            const iof__schema *s = iof__pq_reader_schema(r);
            while (iof__pq_reader_next(r) > 0)
                for (size_t c = 0; c < s->n; c++) {
                    iof__value v;
                    uint32_t n = iof__pq_reader_count(r, c);
                    for (uint32_t k = 0; n != UINT32_MAX && k < n && k < 100; k++)
                        iof__pq_reader_get(r, c, k, &v);
                }
            iof__pq_reader_close(r);
        }
    }
    free(copy);
    iof__pq_buf_free(&f);
    char err[256];
    iof__pq_reader *r;
    ASSERT_EQ_INT(iof__pq_reader_open(&r, "/nonexistent/x.parquet", err, sizeof err), IOF_E_IO);
    ASSERT_EQ_INT(iof__pq_reader_open_mem(&r, "PAR1xxxxPAR1", 12, err, sizeof err), IOF_E_FORMAT);
}

/* ---- the wide-row path: i16_span with a left-out run --------------------------------- */

/* A wide row: a BOOL and an INT8 before the stream, W INT16 stream cells (bulk through
 * i16_span, the last `tail` of them all equal to tv and left out), an INT8 and a BOOL after. */
enum { WS = 310 };  /* the most cells; extra columns' indices start here */
/* cells of the table. With the 4 other narrow columns, the staging's last block of 32 narrow
 * columns holds 16 (300 cells: SSE2, two vectors of 8), 18 (302: two vectors, 2 cells by the
 * scalar loop), 26 (310: two vectors, one, 2 scalar) or 12 (296: one vector, 4 scalar); full
 * blocks: four vectors */
static uint32_t ws = 300;
typedef struct wrow {
    uint64_t r;
    int16_t cell[WS];
    uint32_t used;
    int16_t tv;
    bool report_tail;
} wrow;

static bool w_mixed_tv; /* rows leave out different run values (else all -1, as custom flows do) */

static void w_fill(wrow *x, uint64_t r)
{
    x->r = r;
    uint64_t h = h3(r, 1, 2);
    x->used = h % 7 == 0 ? ws : (uint32_t)(h >> 8) % (ws + 1);
    x->tv = w_mixed_tv && h % 11 == 0 ? (int16_t)((h >> 20) % 5) - 2 : -1;
    x->report_tail = h % 13 != 0;                              /* some rows report no run */
    for (uint32_t k = 0; k < ws; k++)
        x->cell[k] = k < x->used ? (int16_t)(h3(r, k, 3) % 7 == 0 ? -4 : (int16_t)(h3(r / 4, k, 4) % 260) - 4)
                                 : x->tv;
    if (!w_mixed_tv)
        return;
    /* cells the staging cannot keep in one byte (outside [-255, 255]: a row stored wide), and
     * blocks whose cells are all negative (the mask a wide row is marked with, but in range) */
    static const int16_t odd[] = {-256, 256, -300, 32767, INT16_MIN, 1000};
    for (uint32_t k = 0; k < x->used; k++)
        if (h3(r, k, 9) % 97 == 0)
            x->cell[k] = odd[h3(r, k, 10) % 6];
    if (h % 17 == 0)
        for (uint32_t k = 32; k < 64 && k < x->used; k++)
            x->cell[k] = (int16_t)(h3(r, k, 11) % 2 ? -4 : -255);
    if (h % 19 == 0)
        for (uint32_t k = 288; k < ws && k < x->used; k++) /* the cells' last block */
            x->cell[k] = h % 3 ? -8 : -256;
}

static void w_get(const void *row, const iof__column *c, uint32_t k, iof__value *v)
{
    (void)k;
    const wrow *x = row;
    memset(v, 0, sizeof *v);
    if (c->index < WS)
        v->i = x->cell[c->index];
    else if (c->index == WS)
        v->i = (int8_t)h3(x->r, 5, 6);
    else if (c->index == WS + 1)
        v->i = (int64_t)(h3(x->r, 7, 8) & 1);
    else if (c->index == WS + 2)
        v->i = (int8_t)(x->r % 3);
    else
        v->i = (int64_t)(x->r % 2);
}

static uint32_t w_count(const void *row, const iof__column *c)
{
    (void)row;
    (void)c;
    return 1;
}

static const int16_t *w_span(const void *row, const iof__column *c, uint32_t *n, uint32_t *tail, int16_t *tv)
{
    const wrow *x = row;
    if (c->index >= WS)
        return NULL;
    *n = ws - c->index;
    *tail = 0;
    if (x->report_tail)
        *tail = x->used > c->index ? ws - x->used : *n;
    *tv = x->tv;
    return x->cell + c->index;
}

/* columns: pre BOOL (WS+1), pre INT8 (WS), C_0..C_{ws-1}, post INT8 (WS+2), post BOOL (WS+3) */
static void wide_schema(iof__schema *s, iof__column *cols)
{
    memset(s, 0, sizeof *s);
    size_t n = 0;
    static const struct { uint32_t index; iof__vtype t; } extra[4] = {
        {WS + 1, IOF_VT_BOOL}, {WS, IOF_VT_INT8}, {WS + 2, IOF_VT_INT8}, {WS + 3, IOF_VT_BOOL}};
    for (int e = 0; e < 2; e++) {
        memset(&cols[n], 0, sizeof cols[n]);
        snprintf(cols[n].name, sizeof cols[n].name, "pre%d", e);
        cols[n].type = extra[e].t;
        cols[n++].index = extra[e].index;
    }
    for (uint32_t k = 0; k < ws; k++) {
        memset(&cols[n], 0, sizeof cols[n]);
        snprintf(cols[n].name, sizeof cols[n].name, "C_%03u", k);
        cols[n].type = IOF_VT_INT16;
        cols[n++].index = k;
    }
    for (int e = 2; e < 4; e++) {
        memset(&cols[n], 0, sizeof cols[n]);
        snprintf(cols[n].name, sizeof cols[n].name, "post%d", e);
        cols[n].type = extra[e].t;
        cols[n++].index = extra[e].index;
    }
    s->cols = cols;
    s->n = s->cap = n;
    s->name = "wide-test";
    s->ops = (iof__row_ops){ .get = w_get, .count = w_count, .i16_span = w_span };
}

/* Writes rows 0..rows-1 of the wide test table; with `cells`, every 97th row (from the 5th)
 * through the cell API instead of write_row. */
static void ws_write(iof__pq_writer *w, const iof__schema *s, const iof__column *cols, uint64_t rows, bool cells)
{
    wrow x;
    for (uint64_t r = 0; r < rows; r++) {
        w_fill(&x, r);
        if (cells && r % 97 == 5) {
            for (size_t c = 0; c < s->n; c++) {
                iof__value v;
                w_get(&x, &cols[c], 0, &v);
                ASSERT_EQ_INT(iof__pq_put_int(w, c, v.i), 0);
            }
            ASSERT_EQ_INT(iof__pq_end_row(w), 0);
        } else {
            int rc = iof__pq_write_row(w, s, &x);
            if (rc)
                fprintf(stderr, "  %s\n", iof__pq_writer_errmsg(w));
            ASSERT_EQ_INT(rc, 0);
        }
    }
}

static void wide_span_rows(void)
{
    static iof__column cols[WS + 4];
    iof__schema s;
    wide_schema(&s, cols);
    const iof_codec codecs[] = {IOF_CODEC_ZSTD, IOF_CODEC_SNAPPY, IOF_CODEC_NONE};
    /* row groups of every size (one row up to all), pages cut inside long fill runs, and the
     * cell API mixed in (every 97th row) so staged rows also take the dense path */
    static const struct { uint64_t rows, rg_bytes; uint32_t page_entries; bool cells, mixed; } cases[] = {
        {1, 0, 0, false, false},         {5000, 0, 0, false, false},     {5000, 50000, 333, false, false},
        {3001, 700, 7, false, false},    {2000, 120000, 64, true, false}, {0, 0, 0, false, false},
        {5000, 80000, 100, false, true}, {2000, 120000, 64, true, true},
    };
    wrow x;
    for (size_t ci = 0; ci < sizeof cases / sizeof *cases; ci++) {
        w_mixed_tv = cases[ci].mixed;
        for (int co = 0; co < 3; co++) {
            pq_buf f = {0};
            iof__pq_writer_cfg cfg = {.codec = codecs[co], .row_group_bytes = cases[ci].rg_bytes,
                                      .page_entries = cases[ci].page_entries, .sink = mem_sink, .sink_ctx = &f};
            iof__pq_writer *w;
            char err[256];
            ASSERT_EQ_INT(iof__pq_writer_open(&w, cols, s.n, &cfg, err, sizeof err), 0);
            ws_write(w, &s, cols, cases[ci].rows, cases[ci].cells);
            ASSERT_EQ_INT(iof__pq_writer_finish(w, err, sizeof err), 0);
            { /* the same rows without the flush and compression threads: the same bytes */
                pq_buf g = {0};
                iof__pq_writer_cfg c1 = cfg;
                c1.sink_ctx = &g;
                c1.threads = 1;
                ASSERT_EQ_INT(iof__pq_writer_open(&w, cols, s.n, &c1, err, sizeof err), 0);
                ws_write(w, &s, cols, cases[ci].rows, cases[ci].cells);
                ASSERT_EQ_INT(iof__pq_writer_finish(w, err, sizeof err), 0);
                ASSERT_EQ_U64(g.len, f.len);
                ASSERT_TRUE(memcmp(g.p, f.p, f.len) == 0);
                iof__pq_buf_free(&g);
            }
            for (int sel = 0; sel < 2; sel++) {
                iof__pq_reader *r;
                ASSERT_EQ_INT(iof__pq_reader_open_mem(&r, f.p, f.len, err, sizeof err), 0);
                ASSERT_EQ_U64(iof__pq_reader_nrows(r), cases[ci].rows);
                const size_t pick[] = {1, 2 + ws - 1, s.n - 1}; /* pre INT8, the last cell, post BOOL */
                if (sel)
                    ASSERT_EQ_INT(iof__pq_reader_select(r, pick, 3), 0);
                uint64_t row = 0;
                int rc;
                while ((rc = iof__pq_reader_next(r)) > 0) {
                    w_fill(&x, row);
                    for (size_t c = 0; c < s.n; c++) {
                        iof__value want, got;
                        w_get(&x, &cols[c], 0, &want);
                        iof__pq_reader_get(r, c, 0, &got);
                        bool picked = !sel || c == pick[0] || c == pick[1] || c == pick[2];
                        ASSERT_EQ_INT(got.null, !picked);
                        if (picked && got.i != want.i) {
                            fprintf(stderr, "  case %zu codec %d row %llu column %s\n", ci, co,
                                    (unsigned long long)row, cols[c].name);
                            ASSERT_EQ_INT(got.i, want.i);
                        }
                    }
                    row++;
                }
                ASSERT_EQ_INT(rc, 0);
                ASSERT_EQ_U64(row, cases[ci].rows);
                iof__pq_reader_close(r);
            }
            iof__pq_buf_free(&f);
        }
    }
    /* selection is refused once rows have been read */
    w_mixed_tv = false;
    pq_buf f = {0};
    iof__pq_writer_cfg cfg = {.codec = IOF_CODEC_ZSTD, .sink = mem_sink, .sink_ctx = &f};
    iof__pq_writer *w;
    ASSERT_EQ_INT(iof__pq_writer_open(&w, cols, s.n, &cfg, NULL, 0), 0);
    w_fill(&x, 1);
    ASSERT_EQ_INT(iof__pq_write_row(w, &s, &x), 0);
    ASSERT_EQ_INT(iof__pq_writer_finish(w, NULL, 0), 0);
    iof__pq_reader *r;
    ASSERT_EQ_INT(iof__pq_reader_open_mem(&r, f.p, f.len, NULL, 0), 0);
    ASSERT_EQ_INT(iof__pq_reader_next(r), 1);
    size_t one = 0;
    ASSERT_EQ_INT(iof__pq_reader_select(r, &one, 1), IOF_E_INVAL);
    iof__pq_reader_close(r);
    iof__pq_buf_free(&f);
}

static void test_wide_span_rows(void)
{
    static const uint32_t widths[] = {300, 302, 310, 296};
    for (size_t k = 0; k < sizeof widths / sizeof *widths; k++) {
        ws = widths[k];
        wide_span_rows();
    }
    ws = 300;
}

/* Reads every row of r and checks each cell: row n holds the wide test table's row n * mul + k. */
static void ws_check_rows(iof__pq_reader *r, const iof__schema *s, const iof__column *cols, uint64_t rows,
                          uint64_t mul, uint64_t k)
{
    uint64_t row = 0;
    int rc;
    wrow x;
    while ((rc = iof__pq_reader_next(r)) > 0) {
        w_fill(&x, row * mul + k);
        for (size_t c = 0; c < s->n; c++) {
            iof__value want, got;
            w_get(&x, &cols[c], 0, &want);
            iof__pq_reader_get(r, c, 0, &got);
            ASSERT_EQ_INT(got.i, want.i);
        }
        row++;
    }
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_U64(row, rows);
}

/* A file of many row groups: the footer's RowGroup entries (~300 column chunks each here)
 * pass PQ_RGS_SPILL_BYTES several times over; with `tmpdir` set as $TMPDIR (NULL: unset) they
 * go to the temporary file and come back into the footer at finish, the memory holding them
 * under two spill thresholds (`spilled`), or, when no temporary file can be made there, stay
 * in memory (the whole list, over 4 MiB); either way every row reads back in its row group.
 * `fsize` (0: none) limits the size of files the process writes, so the temporary file's writes
 * fail past it (SIGXFSZ ignored). Returns the file. */
static pq_buf footer_spill_run(const char *tmpdir, bool spilled, rlim_t fsize)
{
    static iof__column cols[WS + 4];
    iof__schema s;
    wide_schema(&s, cols);
    w_mixed_tv = false;
    enum { ROWS = 1200 };
    const char *was = getenv("TMPDIR");
    char *keep = was ? strdup(was) : NULL;
    if (tmpdir)
        setenv("TMPDIR", tmpdir, 1);
    else
        unsetenv("TMPDIR");
    struct rlimit was_fsize;
    ASSERT_EQ_INT(getrlimit(RLIMIT_FSIZE, &was_fsize), 0);
    void (*was_xfsz)(int) = signal(SIGXFSZ, SIG_IGN);
    if (fsize)
        ASSERT_EQ_INT(setrlimit(RLIMIT_FSIZE, &(struct rlimit){fsize, was_fsize.rlim_max}), 0);
    pq_buf f = {0};
    iof__pq_writer_cfg cfg = {.codec = IOF_CODEC_ZSTD, .row_group_bytes = 1, .threads = 1,
                              .sink = mem_sink, .sink_ctx = &f};
    iof__pq_writer *w;
    ASSERT_EQ_INT(iof__pq_writer_open(&w, cols, s.n, &cfg, NULL, 0), 0);
    ws_write(w, &s, cols, ROWS, false);
    ASSERT_TRUE((iof__pq_writer_footer_held(w) <= 2u << 20) == spilled);
    ASSERT_EQ_INT(iof__pq_writer_finish(w, NULL, 0), 0);
    ASSERT_EQ_INT(setrlimit(RLIMIT_FSIZE, &was_fsize), 0);
    signal(SIGXFSZ, was_xfsz);
    if (keep)
        setenv("TMPDIR", keep, 1);
    else
        unsetenv("TMPDIR");
    free(keep);
    uint32_t flen = (uint32_t)f.p[f.len - 8] | (uint32_t)f.p[f.len - 7] << 8 |
                    (uint32_t)f.p[f.len - 6] << 16 | (uint32_t)f.p[f.len - 5] << 24;
    ASSERT_TRUE(flen > 4u << 20);
    iof__pq_reader *r;
    ASSERT_EQ_INT(iof__pq_reader_open_mem(&r, f.p, f.len, NULL, 0), 0);
    ASSERT_EQ_U64(iof__pq_reader_nrows(r), ROWS);
    ASSERT_EQ_U64(iof__pq_reader_nrowgroups(r), ROWS);
    ws_check_rows(r, &s, cols, ROWS, 1, 0);
    iof__pq_reader_close(r);
    return f;
}

/* The footer spill in /tmp, in $TMPDIR (left empty: the file is unlinked at once), with a
 * $TMPDIR where no file can be made (kept in memory), and with a temporary file whose writes
 * fail after its first 1 MiB (a full disk: the part written is read back, the rest kept in
 * memory): the same bytes each time. */
static void test_footer_spill(void)
{
    char dir[] = "/tmp/iof-spill-XXXXXX";
    ASSERT_TRUE(mkdtemp(dir) != NULL);
    char none[sizeof dir + 8];
    snprintf(none, sizeof none, "%s/none", dir);
    pq_buf f[4] = {footer_spill_run(NULL, true, 0), footer_spill_run(dir, true, 0), footer_spill_run(none, false, 0),
                   footer_spill_run(dir, false, (3u << 20) / 2)};
    ASSERT_EQ_INT(rmdir(dir), 0); /* empty */
    for (int k = 1; k < 4; k++) {
        ASSERT_EQ_U64(f[0].len, f[k].len);
        ASSERT_TRUE(!memcmp(f[0].p, f[k].p, f[0].len));
    }
    for (int k = 0; k < 4; k++)
        iof__pq_buf_free(&f[k]);
}

/* Opens two writers on `pool` (cfg otherwise) writing into f[0], f[1], and feeds them rows in
 * turn as the sink does: writer k gets rows 2r + k. */
static void pair_write(iof__pq_writer *w[2], pq_buf f[2], iof__pq_regions *pool, iof__pq_writer_cfg cfg,
                       const iof__schema *s, const iof__column *cols, uint64_t rows)
{
    for (int k = 0; k < 2; k++) {
        cfg.regions = pool;
        cfg.sink = mem_sink;
        cfg.sink_ctx = &f[k];
        ASSERT_EQ_INT(iof__pq_writer_open(&w[k], cols, s->n, &cfg, NULL, 0), 0);
    }
    wrow x;
    for (uint64_t r = 0; r < rows; r++)
        for (int k = 0; k < 2; k++) {
            w_fill(&x, r * 2 + (uint64_t)k);
            ASSERT_EQ_INT(iof__pq_write_row(w[k], s, &x), 0);
        }
}

/* What writer k of pair_write writes alone (cfg's own sink into g, no pool): rows 2r + k. */
static void solo_write(pq_buf *g, iof__pq_writer_cfg cfg, const iof__schema *s, const iof__column *cols,
                       uint64_t rows, uint64_t k)
{
    cfg.regions = NULL;
    cfg.sink = mem_sink;
    cfg.sink_ctx = g;
    iof__pq_writer *w;
    ASSERT_EQ_INT(iof__pq_writer_open(&w, cols, s->n, &cfg, NULL, 0), 0);
    wrow x;
    for (uint64_t r = 0; r < rows; r++) {
        w_fill(&x, r * 2 + k);
        ASSERT_EQ_INT(iof__pq_write_row(w, s, &x), 0);
    }
    ASSERT_EQ_INT(iof__pq_writer_finish(w, NULL, 0), 0);
}

/* Two writers sharing one pool of staging regions (as a run's writers do), each with its flush
 * thread giving regions back while the caller takes them for the other writer: every file
 * has the bytes a writer with its own regions writes. Row groups large enough that a side
 * needs more than its first 8 MiB region (the ones the pool hands around). */
static void test_shared_regions(void)
{
    static iof__column cols[WS + 4];
    iof__schema s;
    wide_schema(&s, cols);
    w_mixed_tv = false;
    enum { ROWS = 80000 };
    iof__pq_regions *pool = iof__pq_regions_new(0);
    ASSERT_TRUE(pool != NULL);
    pq_buf f[2] = {{0}}, g[2] = {{0}};
    iof__pq_writer *w[2];
    pair_write(w, f, pool, (iof__pq_writer_cfg){.codec = IOF_CODEC_NONE, .row_group_bytes = 16u << 20}, &s, cols, ROWS);
    for (int k = 0; k < 2; k++)
        ASSERT_EQ_INT(iof__pq_writer_finish(w[k], NULL, 0), 0);
    /* the staging chunks: every one back in the run's pool once the writers are done, and at
     * most three row groups' worth ever held at once (two being filled, the run's one being
     * written; each 16 MiB counted is at most 9 MiB staged, plus a partly filled chunk per
     * block), where a written side per writer could hold four */
    size_t carved, free_now;
    iof__pq_regions_chunks(pool, &carved, &free_now);
    ASSERT_EQ_U64(free_now, carved);
    ASSERT_TRUE(carved > 0);
    ASSERT_TRUE(carved <= 3 * ((9u << 20) / (64u << 10) + (WS + 4) / 32 + 1));
    for (int k = 0; k < 2; k++) {
        solo_write(&g[k], (iof__pq_writer_cfg){.codec = IOF_CODEC_NONE, .row_group_bytes = 16u << 20, .threads = 1},
                   &s, cols, ROWS, (uint64_t)k);
        ASSERT_EQ_U64(f[k].len, g[k].len);
        ASSERT_TRUE(memcmp(f[k].p, g[k].p, f[k].len) == 0);
        iof__pq_reader *r;
        ASSERT_EQ_INT(iof__pq_reader_open_mem(&r, f[k].p, f[k].len, NULL, 0), 0);
        ASSERT_EQ_U64(iof__pq_reader_nrows(r), ROWS);
        iof__pq_reader_close(r);
        iof__pq_buf_free(&f[k]);
        iof__pq_buf_free(&g[k]);
    }
    iof__pq_regions_free(pool);
}

/* Writers of a run finish side by side when the sink says so (iof__pq_regions_side_by_side,
 * its close): a writer's last row group, while another writer of the run is open, is written
 * with its own buffers rather than the run's written side, so its finish does not wait while
 * the side is held (as another writer's row group being written holds it; threads = 2, as
 * without flush threads nothing runs side by side). It writes the bytes a writer of its own
 * writes; the last writer open still takes the side once it is free. Without the sink's word
 * (a day's rollover, an LRU close) a finish waits for the side, taking no second scratch. */
struct finish_arg {
    iof__pq_writer *w;
    int rc;
    atomic_bool done;
};

static void *finish_thread(void *arg)
{
    struct finish_arg *a = arg;
    a->rc = iof__pq_writer_finish(a->w, NULL, 0);
    atomic_store(&a->done, true);
    return NULL;
}

/* Finishes w on a thread while the run's side is held, for up to `ms`; whether it finished
 * then. The side is given back before the thread is joined, so a waiting finish ends. */
static bool finish_while_held(iof__pq_regions *pool, iof__pq_writer *w, int ms)
{
    iof__pq_regions_hold_side(pool, true);
    struct finish_arg a = {.w = w, .rc = -1};
    atomic_init(&a.done, false);
    pthread_t th;
    ASSERT_EQ_INT(pthread_create(&th, NULL, finish_thread, &a), 0);
    for (int t = 0; t < ms / 10 && !atomic_load(&a.done); t++)
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    bool done = atomic_load(&a.done);
    iof__pq_regions_hold_side(pool, false);
    pthread_join(th, NULL);
    ASSERT_EQ_INT(a.rc, 0);
    return done;
}

static void test_finish_side_by_side(void)
{
    static iof__column cols[WS + 4];
    iof__schema s;
    wide_schema(&s, cols);
    w_mixed_tv = false;
    enum { ROWS = 3000 };
    pq_buf g = {0};
    solo_write(&g, (iof__pq_writer_cfg){.codec = IOF_CODEC_ZSTD, .threads = 1}, &s, cols, ROWS, 1);
    for (int on = 0; on < 2; on++) {
        iof__pq_regions *pool = iof__pq_regions_new(0);
        ASSERT_TRUE(pool != NULL);
        iof__pq_regions_side_by_side(pool, on != 0);
        pq_buf f[2] = {{0}};
        iof__pq_writer *w[2];
        pair_write(w, f, pool, (iof__pq_writer_cfg){.codec = IOF_CODEC_ZSTD, .threads = 2}, &s, cols, ROWS);
        /* side by side: done while the side is held (30 s at most); otherwise it waits */
        ASSERT_TRUE(finish_while_held(pool, w[1], on ? 30000 : 300) == (on != 0));
        ASSERT_EQ_INT(iof__pq_writer_finish(w[0], NULL, 0), 0);
        ASSERT_EQ_U64(f[1].len, g.len);
        ASSERT_TRUE(memcmp(f[1].p, g.p, g.len) == 0);
        iof__pq_reader *r;
        ASSERT_EQ_INT(iof__pq_reader_open_mem(&r, f[0].p, f[0].len, NULL, 0), 0);
        ASSERT_EQ_U64(iof__pq_reader_nrows(r), ROWS);
        iof__pq_reader_close(r);
        for (int k = 0; k < 2; k++)
            iof__pq_buf_free(&f[k]);
        iof__pq_regions_free(pool);
    }
    iof__pq_buf_free(&g);
}

/* The run's budget of held bytes (pq_writer.h): three writers sharing a 3 MiB budget, each with
 * a 64 MiB row-group size, are fed rows in turn (as the sink does); each closes row groups early
 * once the three together hold more than the budget, and no row group the budget closes holds
 * less than its minimum (so the last writer to fill is not cut at every row). Every file holds
 * the rows it was given, and the same run writes the same bytes again (the cuts do not depend
 * on the flush threads). Without a budget each file is one row group. */
static size_t budget_files(uint64_t budget, bool side_by_side, pq_buf f[3], const iof__schema *s,
                           const iof__column *cols)
{
    enum { ROWS = 6000 };
    iof__pq_regions *pool = iof__pq_regions_new(budget);
    ASSERT_TRUE(pool != NULL);
    iof__pq_regions_side_by_side(pool, side_by_side);
    iof__pq_writer *w[3];
    for (int k = 0; k < 3; k++) {
        iof__pq_writer_cfg cfg = {.codec = IOF_CODEC_ZSTD, .row_group_bytes = 64u << 20, .regions = pool,
                                  .sink = mem_sink, .sink_ctx = &f[k]};
        ASSERT_EQ_INT(iof__pq_writer_open(&w[k], cols, s->n, &cfg, NULL, 0), 0);
    }
    wrow x;
    for (uint64_t r = 0; r < ROWS; r++)
        for (int k = 0; k < 3; k++) {
            w_fill(&x, r * 3 + (uint64_t)k);
            ASSERT_EQ_INT(iof__pq_write_row(w[k], s, &x), 0);
        }
    size_t rgs = 0;
    for (int k = 0; k < 3; k++) {
        ASSERT_EQ_INT(iof__pq_writer_finish(w[k], NULL, 0), 0);
        iof__pq_reader *r;
        ASSERT_EQ_INT(iof__pq_reader_open_mem(&r, f[k].p, f[k].len, NULL, 0), 0);
        ASSERT_EQ_U64(iof__pq_reader_nrows(r), ROWS);
        rgs += iof__pq_reader_nrowgroups(r);
        ws_check_rows(r, s, cols, ROWS, 3, (uint64_t)k);
        iof__pq_reader_close(r);
    }
    iof__pq_regions_free(pool);
    return rgs;
}

static void test_run_budget(void)
{
    static iof__column cols[WS + 4];
    iof__schema s;
    wide_schema(&s, cols);
    w_mixed_tv = true;
    pq_buf a[3] = {{0}}, b[3] = {{0}}, c[3] = {{0}}, d[3] = {{0}};
    const uint64_t budget = 3u << 20;
    size_t rgs = budget_files(budget, false, a, &s, cols);
    /* the three files hold ~5 MiB together: the budget closes row groups of >= budget / 8 */
    ASSERT_TRUE(rgs >= 6);
    ASSERT_TRUE(rgs <= 3 * (1 + (5u << 20) / IOF_PQ_BUDGET_MIN_RG(budget)));
    ASSERT_EQ_U64(budget_files(budget, false, b, &s, cols), rgs);
    ASSERT_EQ_U64(budget_files(0, false, c, &s, cols), 3);
    /* files completed side by side at the sink's close: the budget cuts nothing there (its sum
     * of two writers fed from two threads depends on timing; their caps bound it) */
    ASSERT_EQ_U64(budget_files(budget, true, d, &s, cols), 3);
    for (int k = 0; k < 3; k++) {
        ASSERT_EQ_U64(a[k].len, b[k].len);
        ASSERT_TRUE(memcmp(a[k].p, b[k].p, a[k].len) == 0);
        ASSERT_EQ_U64(c[k].len, d[k].len);
        ASSERT_TRUE(memcmp(c[k].p, d[k].p, c[k].len) == 0);
        iof__pq_buf_free(&a[k]);
        iof__pq_buf_free(&b[k]);
        iof__pq_buf_free(&c[k]);
        iof__pq_buf_free(&d[k]);
    }
    w_mixed_tv = false;
}

/* A column chunk larger than the writer holds back (256 KiB) is released and streamed with the
 * file's codec; a small incompressible one is stored uncompressed; both read back. */
typedef struct brow {
    uint64_t r;
    uint8_t b[3000];
} brow;

static void b_get(const void *row, const iof__column *c, uint32_t k, iof__value *v)
{
    (void)k;
    brow *x = (brow *)row;
    memset(v, 0, sizeof *v);
    uint32_t n = c->index == 0 ? 3000 : 8;
    for (uint32_t i = 0; i < n; i++)
        x->b[i] = (uint8_t)h3(x->r, c->index, i);
    v->p = x->b;
    v->len = n;
}

/* ---- blocks of integer cells in one call: i64_span ------------------------------------ */

/* Columns: an INT32, 40 REQUIRED INT64, a nullable FLOAT64 (ends a run), 30 nullable INT32,
 * 20 nullable INT64, a nullable BOOL, a nullable STRING, 3 REQUIRED INT8 (the narrow blocks).
 * Cell (row r, column index x) comes from h3; a nullable one is null for some rows. */
enum { SP_COLS = 1 + 40 + 1 + 30 + 20 + 1 + 1 + 3 };
static uint64_t sp_calls, sp_cells; /* i64_span's calls that gave cells, and those cells */
static bool sp_bad;                 /* the span reports a REQUIRED cell null */

static void sp_get(const void *row, const iof__column *c, uint32_t k, iof__value *v)
{
    (void)k;
    const uint64_t r = *(const uint64_t *)row, h = h3(r, c->index, 21);
    memset(v, 0, sizeof *v);
    v->null = c->nullable && h % 5 == 0;
    if (v->null)
        return;
    switch (c->type) {
    case IOF_VT_FLOAT64: v->f = (double)(h % 1000) / 8; break;
    case IOF_VT_STRING: v->p = (const uint8_t *)"abcdef"; v->len = (uint32_t)(h % 7); break;
    case IOF_VT_BOOL: v->i = (int64_t)(h & 1); break;
    case IOF_VT_INT8: v->i = (int8_t)h; break;
    case IOF_VT_INT32: v->i = (int32_t)(h >> 7) >> (h % 30); break;
    default: v->i = (int64_t)(h >> (h % 60)) - (int64_t)(h & 1 ? 1ll << 40 : 0); break;
    }
}

/* The cells of c[0 ..) as sp_get gives them, a row-dependent number of them (1..9, never past
 * n), none for some (row, column) pairs */
static uint32_t sp_span(const void *row, const iof__column *c, uint32_t n, int64_t *v, uint8_t *has)
{
    const uint64_t r = *(const uint64_t *)row, h = h3(r, c->index, 22);
    if (h % 6 == 0)
        return 0;
    uint32_t m = 1 + (uint32_t)(h % 9);
    m = m < n ? m : n;
    for (uint32_t k = 0; k < m; k++) {
        iof__value x;
        sp_get(row, &c[k], 0, &x);
        v[k] = x.null ? 0 : x.i;
        has[k] = !x.null;
        if (sp_bad && !c[k].nullable)
            has[k] = 0;
    }
    sp_calls++;
    sp_cells += m;
    return m;
}

static void sp_schema(iof__schema *s, iof__column *cols, bool span)
{
    memset(s, 0, sizeof *s);
    size_t n = 0;
    static const struct { uint32_t count; iof__vtype t; bool nullable; } runs[] = {
        {1, IOF_VT_INT32, false}, {40, IOF_VT_INT64, false}, {1, IOF_VT_FLOAT64, true}, {30, IOF_VT_INT32, true},
        {20, IOF_VT_INT64, true}, {1, IOF_VT_BOOL, true},    {1, IOF_VT_STRING, true},  {3, IOF_VT_INT8, false},
    };
    for (size_t g = 0; g < sizeof runs / sizeof *runs; g++)
        for (uint32_t k = 0; k < runs[g].count; k++) {
            memset(&cols[n], 0, sizeof cols[n]);
            snprintf(cols[n].name, sizeof cols[n].name, "c%zu_%u", g, k);
            cols[n].type = runs[g].t;
            cols[n].nullable = runs[g].nullable;
            cols[n].index = (uint32_t)n;
            n++;
        }
    s->cols = cols;
    s->n = s->cap = n;
    s->name = "span-test";
    s->ops = (iof__row_ops){ .get = sp_get, .count = w_count, .i64_span = span ? sp_span : NULL };
}

/* rows 0..rows-1 through write_row (every 101st from the 7th through the cell API), into f */
static int sp_write(const iof__schema *s, uint64_t rows, uint64_t rg_bytes, unsigned threads, pq_buf *f)
{
    iof__pq_writer_cfg cfg = {.row_group_bytes = rg_bytes, .threads = threads, .sink = mem_sink, .sink_ctx = f};
    iof__pq_writer *w;
    char err[256];
    ASSERT_EQ_INT(iof__pq_writer_open(&w, s->cols, s->n, &cfg, err, sizeof err), 0);
    for (uint64_t r = 0; r < rows; r++) {
        int rc;
        if (r % 101 == 7) {
            for (size_t c = 0; c < s->n; c++) {
                iof__value v;
                sp_get(&r, &s->cols[c], 0, &v);
                ASSERT_EQ_INT(v.null ? iof__pq_put_null(w, c)
                              : s->cols[c].type == IOF_VT_FLOAT64 ? iof__pq_put_double(w, c, v.f)
                              : s->cols[c].type == IOF_VT_STRING ? iof__pq_put_bytes(w, c, v.p, v.len)
                                                                 : iof__pq_put_int(w, c, v.i), 0);
            }
            rc = iof__pq_end_row(w);
        } else {
            rc = iof__pq_write_row(w, s, &r);
        }
        if (rc) {
            iof__pq_writer_abort(w);
            return rc;
        }
    }
    ASSERT_EQ_INT(iof__pq_writer_finish(w, err, sizeof err), 0);
    return 0;
}

/* A schema whose integer cells come in blocks (i64_span, in pieces of any length, or not at all
 * for some cells) writes the same bytes as one read cell by cell (get), with row groups and
 * STAGE_ROWS batches cut anywhere and the cell API mixed in; a REQUIRED cell it reports null is
 * refused as from get. */
static void test_i64_span_rows(void)
{
    static iof__column ca[SP_COLS], cb[SP_COLS];
    iof__schema a, b;
    sp_schema(&a, ca, false);
    sp_schema(&b, cb, true);
    static const struct { uint64_t rows, rg_bytes; unsigned threads; } cases[] = {
        {1, 0, 1}, {63, 0, 0}, {1000, 0, 0}, {3001, 40000, 0}, {2500, 100000, 1},
    };
    for (size_t ci = 0; ci < sizeof cases / sizeof *cases; ci++) {
        pq_buf f = {0}, g = {0};
        sp_calls = sp_cells = 0;
        ASSERT_EQ_INT(sp_write(&a, cases[ci].rows, cases[ci].rg_bytes, cases[ci].threads, &f), 0);
        ASSERT_EQ_U64(sp_calls, 0);
        ASSERT_EQ_INT(sp_write(&b, cases[ci].rows, cases[ci].rg_bytes, cases[ci].threads, &g), 0);
        ASSERT_TRUE(sp_calls > 0 && sp_cells > sp_calls); /* blocks were taken */
        ASSERT_EQ_U64(g.len, f.len);
        ASSERT_TRUE(memcmp(g.p, f.p, f.len) == 0);
        iof__pq_buf_free(&f);
        iof__pq_buf_free(&g);
    }
    pq_buf f = {0};
    sp_bad = true;
    ASSERT_EQ_INT(sp_write(&b, 50, 0, 1, &f), IOF_E_INVAL);
    sp_bad = false;
    iof__pq_buf_free(&f);
}

static void test_chunk_release_and_codec_choice(void)
{
    iof__column cols[2];
    memset(cols, 0, sizeof cols);
    snprintf(cols[0].name, sizeof cols[0].name, "big");
    snprintf(cols[1].name, sizeof cols[1].name, "small");
    cols[0].type = cols[1].type = IOF_VT_BINARY;
    cols[1].index = 1;
    iof__schema s = {.cols = cols, .n = 2, .cap = 2, .name = "release", .ops = {.get = b_get, .count = w_count}};
    const iof_codec codecs[] = {IOF_CODEC_ZSTD, IOF_CODEC_SNAPPY};
    for (int co = 0; co < 2; co++) {
        pq_buf f = {0};
        iof__pq_writer_cfg cfg = {.codec = codecs[co], .page_bytes = 64 << 10, .sink = mem_sink, .sink_ctx = &f};
        iof__pq_writer *w;
        ASSERT_EQ_INT(iof__pq_writer_open(&w, cols, 2, &cfg, NULL, 0), 0);
        brow x;
        for (uint64_t r = 0; r < 200; r++) { /* 600 KB of random bytes in "big" */
            x.r = r;
            ASSERT_EQ_INT(iof__pq_write_row(w, &s, &x), 0);
        }
        ASSERT_EQ_INT(iof__pq_writer_finish(w, NULL, 0), 0);
        iof__pq_reader *r;
        ASSERT_EQ_INT(iof__pq_reader_open_mem(&r, f.p, f.len, NULL, 0), 0);
        brow want;
        uint64_t row = 0;
        while (iof__pq_reader_next(r) > 0) {
            want.r = row;
            for (size_t c = 0; c < 2; c++) {
                iof__value got, wv;
                b_get(&want, &cols[c], 0, &wv);
                iof__pq_reader_get(r, c, 0, &got);
                ASSERT_EQ_INT(got.len, wv.len);
                ASSERT_TRUE(memcmp(got.p, wv.p, wv.len) == 0);
            }
            row++;
        }
        ASSERT_EQ_U64(row, 200);
        iof__pq_reader_close(r);
        iof__pq_buf_free(&f);
    }
}

/* ---- pq_lz: our parse of PLAIN INT32 pages, entropy-coded by libzstd ---------------- */

/* Fills v[0..n) with pattern p; returns how many values carry information (payload bytes). */
static size_t lz_pattern(int32_t *v, size_t n, int p)
{
    size_t info = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t x = rnd();
        switch (p) {
        case 0: /* payload streams: random bytes, then -1 fill of random length */
            v[i] = (i / 64) % 3 == 2 ? -1 : (int32_t)(x >> 8 & 0xff);
            info += v[i] != -1;
            break;
        case 1: v[i] = -1; break;                                   /* all fill */
        case 2: v[i] = 7; break;                                    /* one value */
        case 3: v[i] = (int32_t)(uint32_t)x; break;                 /* any int32: no structure */
        case 4: v[i] = i % 2 ? -1 : 0; break;                       /* alternating classes */
        case 5: v[i] = (int32_t)(i % 257) - 1; break;               /* -1, 0..255 ramp */
        case 6: v[i] = (int16_t)x; break;                           /* INT16 extremes, mixed upper bytes */
        case 7: v[i] = x % 3 ? (int32_t)(x >> 8 & 0xff) : (int32_t)(x >> 8 & 0xff) - 256; break; /* INT8 */
        default: v[i] = (int32_t)(i % 3 == 0 ? x % 256 : 256 + x % 2); break; /* upper bytes 00 01 */
        }
    }
    return info;
}

static void test_lz_frames(void)
{
    iof__pq_lz *lz = iof__pq_lz_new(1);
    ASSERT_TRUE(lz != NULL); /* Debian 12's libzstd has the API: the LZ pages must be in use */
    static int32_t v[IOF_PQ_LZ_MAX_VALUES];
    static uint8_t back[IOF_PQ_LZ_MAX_VALUES * 4];
    const size_t sizes[] = {1, 2, 3, 5, 8, 9, 100, 2520, 20000, IOF_PQ_LZ_MAX_VALUES};
    pq_buf out = {0};
    for (int p = 0; p < 9; p++) {
        for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
            const size_t n = sizes[si];
            const size_t info = lz_pattern(v, n, p);
            size_t c = iof__pq_lz_compress(lz, (const uint8_t *)v, n, &out);
            ASSERT_TRUE(c > 0 && c == out.len);
            size_t d = ZSTD_decompress(back, sizeof back, out.p, out.len);
            ASSERT_TRUE(!ZSTD_isError(d));
            ASSERT_EQ_U64(d, n * 4);
            if (memcmp(back, v, d) != 0) {
                fprintf(stderr, "  pattern %d, %zu values: frame decodes to other bytes\n", p, n);
                ASSERT_TRUE(0);
            }
            /* the point of the parse: a payload byte costs ~1 byte, not the ~1.5 of zstd's fast
             * levels (or the ~1.4 without repeat offsets); fill and constant pages cost ~nothing */
            if (n >= 2520 && p == 0)
                ASSERT_TRUE(c < info * 108 / 100 + 64);
            if (n >= 2520 && (p == 1 || p == 2 || p == 4))
                ASSERT_TRUE(c < 64);
            if (n >= 2520 && p == 5) /* every value distinct from its neighbours: one literal each */
                ASSERT_TRUE(c < n * 11 / 10 + 64);
        }
    }
    ASSERT_EQ_U64(iof__pq_lz_compress(lz, (const uint8_t *)v, 0, &out), 0);
    ASSERT_EQ_U64(iof__pq_lz_compress(lz, (const uint8_t *)v, IOF_PQ_LZ_MAX_VALUES + 1, &out), 0);
    iof__pq_buf_free(&out);
    iof__pq_lz_free(lz);

    /* a pool gives the same frames with one thread and with two, for pages of every kind */
    enum { NP = 40 };
    static int32_t src[NP][3000];
    iof__pq_lz_page a[NP], b[NP];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    for (int k = 0; k < NP; k++) {
        lz_pattern(src[k], 3000, k % 9);
        a[k].plain = b[k].plain = (const uint8_t *)src[k];
        a[k].n = b[k].n = k % 7 == 3 ? 0 : 1 + (size_t)k * 73;
    }
    iof__pq_lz_pool *p1 = iof__pq_lz_pool_new(1, 1), *p2 = iof__pq_lz_pool_new(1, 2);
    ASSERT_TRUE(p1 && p2);
    for (int round = 0; round < 3; round++) { /* the helper thread is reused */
        iof__pq_lz_pool_run(p1, a, NP);
        iof__pq_lz_pool_run(p2, b, NP);
        for (int k = 0; k < NP; k++) {
            ASSERT_EQ_U64(a[k].clen, b[k].clen);
            ASSERT_TRUE(a[k].n == 0 ? a[k].clen == 0 : a[k].clen > 0);
            ASSERT_TRUE(a[k].clen == 0 || memcmp(a[k].out.p, b[k].out.p, a[k].clen) == 0);
        }
    }
    iof__pq_lz_pool_free(p1);
    iof__pq_lz_pool_free(p2);
    for (int k = 0; k < NP; k++) {
        iof__pq_buf_free(&a[k].out);
        iof__pq_buf_free(&b[k].out);
    }
}

/* A row group written in two ranges (pq_flush.c: the second by a helper into memory, its bytes
 * appended and its ColumnChunks' offsets shifted) is byte for byte the one written whole: at
 * every column a range may start at (narrow blocks whole), with dictionary pages (offset field
 * 11), byte arrays, lists and nulls (the mixed schema), and the wide layout's staged narrow
 * blocks; codecs with held and released chunks. Positions where a split may not start (inside a
 * block of narrow columns) write the row group whole. */
static void test_split_row_group(void)
{
    const iof_codec codecs[] = {IOF_CODEC_ZSTD, IOF_CODEC_NONE};
    for (size_t k = 0; k < 2; k++) {
        pq_buf whole = {0};
        split_col = 0;
        write_file(&whole, codecs[k], 3000, 60000, 250);
        check_file(&whole, 3000);
        uint32_t splits = 0;
        for (size_t c = 1; c < NT; c++) {
            pq_buf f = {0};
            split_col = c;
            write_file(&f, codecs[k], 3000, 60000, 250);
            splits += split_n;
            ASSERT_EQ_U64(f.len, whole.len);
            ASSERT_TRUE(memcmp(f.p, whole.p, f.len) == 0);
            iof__pq_buf_free(&f);
        }
        split_col = 0;
        ASSERT_TRUE(splits > 0);
        iof__pq_buf_free(&whole);
    }
    static iof__column cols[WS + 4];
    iof__schema s;
    wide_schema(&s, cols);
    uint32_t splits = 0, cuts = 0;
    pq_buf whole = {0};
    static const size_t at[] = {0, 1, 2, 31, 32, 33, 64, 128, 200, 256, 288, 300, 303};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        const size_t c = at[i];
        pq_buf f = {0};
        iof__pq_writer_cfg cfg = {.codec = IOF_CODEC_ZSTD, .row_group_bytes = 400000, .page_entries = 700,
                                  .threads = 1, .sink = mem_sink, .sink_ctx = c ? &f : &whole};
        iof__pq_writer *w;
        ASSERT_EQ_INT(iof__pq_writer_open(&w, cols, s.n, &cfg, NULL, 0), 0);
        iof__pq_writer_test_split(w, c);
        ws_write(w, &s, cols, 4000, true);
        const uint32_t n = iof__pq_writer_test_split(w, c);
        splits += n, cuts += n > 0;
        ASSERT_EQ_INT(iof__pq_writer_finish(w, NULL, 0), 0);
        if (c) {
            ASSERT_EQ_U64(f.len, whole.len);
            ASSERT_TRUE(memcmp(f.p, whole.p, f.len) == 0);
        }
        iof__pq_buf_free(&f);
    }
    ASSERT_EQ_U64(cuts, 5); /* at 32, 64, 128, 256, 288: where blocks of narrow columns start */
    ASSERT_TRUE(splits > cuts);
    /* a write failing in the first range, in the helper's bytes appended after it, or later:
     * the writer fails with the sink's error (and frees the helper's chunks and scratch) */
    for (int q = 1; q < 8; q++) {
        size_t budget = whole.len / 8 * (size_t)q;
        iof__pq_writer_cfg cfg = {.codec = IOF_CODEC_ZSTD, .row_group_bytes = 400000, .page_entries = 700,
                                  .threads = 1, .sink = fail_sink, .sink_ctx = &budget};
        iof__pq_writer *w;
        ASSERT_EQ_INT(iof__pq_writer_open(&w, cols, s.n, &cfg, NULL, 0), 0);
        iof__pq_writer_test_split(w, 128);
        int rc = 0;
        wrow x;
        for (uint64_t r = 0; r < 4000 && rc == 0; r++) {
            w_fill(&x, r);
            rc = iof__pq_write_row(w, &s, &x);
        }
        if (rc == 0)
            rc = iof__pq_writer_finish(w, NULL, 0);
        else
            iof__pq_writer_abort(w);
        ASSERT_EQ_INT(rc, IOF_E_OUTPUT);
    }
    /* the helper failing (out of memory at its first chunk): the writer fails with its error
     * and message, not a write failure's */
    {
        pq_buf f = {0};
        iof__pq_writer_cfg cfg = {.codec = IOF_CODEC_ZSTD, .row_group_bytes = 400000, .page_entries = 700,
                                  .threads = 1, .sink = mem_sink, .sink_ctx = &f};
        iof__pq_writer *w;
        ASSERT_EQ_INT(iof__pq_writer_open(&w, cols, s.n, &cfg, NULL, 0), 0);
        iof__pq_writer_test_split(w, 128);
        iof__pq_writer_test_split_fail(w, 1);
        int rc = 0;
        wrow x;
        for (uint64_t r = 0; r < 4000 && rc == 0; r++) {
            w_fill(&x, r);
            rc = iof__pq_write_row(w, &s, &x);
        }
        char msg[256] = "";
        if (rc == 0)
            rc = iof__pq_writer_finish(w, msg, sizeof msg);
        else
            iof__pq_writer_abort(w);
        ASSERT_EQ_INT(rc, IOF_E_NOMEM);
        if (msg[0])
            ASSERT_TRUE(strstr(msg, "out of memory") != NULL);
        iof__pq_buf_free(&f);
    }
    iof__pq_buf_free(&whole);
}

static const iof_test tests[] = {
    TEST(test_hybrid_patterns),  TEST(test_hybrid_known_bytes),        TEST(test_thrift_roundtrip),
    TEST(test_utf8),             TEST(test_roundtrip_codecs),          TEST(test_roundtrip_row_groups_pages),
    TEST(test_empty_and_single), TEST(test_errors),                    TEST(test_reader_damage),
    TEST(test_struct_members),
    TEST(test_hybrid_masked),    TEST(test_wide_span_rows),            TEST(test_chunk_release_and_codec_choice),
    TEST(test_footer_spill),
    TEST(test_lz_frames),        TEST(test_shared_regions),            TEST(test_run_budget),
    TEST(test_finish_side_by_side), TEST(test_i64_span_rows),      TEST(test_split_row_group),
    {0}};

int main(void) { return iof_test_run(tests); }
