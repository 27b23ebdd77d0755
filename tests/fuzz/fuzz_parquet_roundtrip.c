/* Fuzz target: random schema + rows (from the input bytes) -> native Parquet writer (in-memory
 * sink) -> our reader -> the same values. Also: inputs that start with "PAR1" are fed to the
 * reader as a file (it must never crash on damaged Parquet).
 *
 * Input layout (all reads past the end yield 0):
 *   byte 0: columns-1 (mod 8)   byte 1: codec (mod 3)   byte 2: rows (mod 80)
 *   byte 3: row-group bytes / 64   byte 4: page entries
 *   byte 5: bit 0 use the cell API on odd rows; bit 1 the bulk i16_span accessor for runs of
 *           REQUIRED INT16 columns, with the row's trailing equal values reported as its
 *           left-out run (the wide layout's path); bit 2 keep those runs short; bit 3 the
 *           i64_span accessor for the integer cells staged wide (REQUIRED INT32/INT64/TIMESTAMP,
 *           nullable integers: the feature modules' blocks), in blocks the input cuts
 *   per column: type byte (mod 8), flags byte (bit0 nullable, bit1 list, bit2 dict hint, bit3
 *           a struct member: of the previous column's struct unless bit4 or the previous column
 *           is top-level, then of a new one; names and member_at must read back)
 *   per row: a fill-start byte and a fill value (the INT16 runs); with bit 3, a byte per column:
 *           the most cells the i64_span call starting there gives (mod 10; 0: none, get() then)
 *   then values: nulls, list lengths (mod 9), integers (1..8 bytes), byte strings (len mod 40).
 * Files written through the spans must be the bytes written cell by cell (get): the spans'
 * blocks, cut anywhere, mixed with get() and with rows through the cell API, change nothing.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/parquet/pq_encode.h"
#include "output/parquet/pq_reader.h"
#include "output/parquet/pq_writer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MAX_COLS 8
#define FZ_MAX_ROWS 80
#define FZ_MAX_ELEMS 8

typedef struct cur {
    const uint8_t *p;
    size_t n, at;
} cur;

static uint8_t u8(cur *c) { return c->at < c->n ? c->p[c->at++] : 0; }

typedef struct cell {
    bool null;
    uint32_t count; /* lists */
    int64_t i[FZ_MAX_ELEMS];
    const uint8_t *p[FZ_MAX_ELEMS];
    uint32_t len[FZ_MAX_ELEMS];
} cell;

typedef struct frow {
    cell c[FZ_MAX_COLS];
    int16_t s16[FZ_MAX_COLS]; /* INT16 values by column, contiguous for i16_span */
    bool no_tail;             /* this row reports no left-out run */
    uint8_t span64[FZ_MAX_COLS]; /* i64_span from column i: at most this many cells (0: none) */
} frow;

static bool span_col(const iof__column *c) { return c->type == IOF_VT_INT16 && !c->nullable && !c->list; }

static size_t g_ncols;
static const iof__column *g_cols;

static const int16_t *f_span(const void *rowp, const iof__column *c, uint32_t *n, uint32_t *tail, int16_t *tv)
{
    const frow *row = rowp;
    if (!span_col(c))
        return NULL;
    size_t i = c->index, m = 0;
    while (i + m < g_ncols && span_col(&g_cols[i + m]))
        m++;
    *n = (uint32_t)m;
    uint32_t t = 0;
    while (t < m && row->s16[i + m - 1 - t] == row->s16[i + m - 1])
        t++;
    *tail = row->no_tail ? 0 : t;
    *tv = row->s16[i + m - 1];
    return row->s16 + i;
}

/* The cells of c[0 ..) as f_get gives them, at most the row's span64 of the first column and n. */
static uint32_t f_span64(const void *rowp, const iof__column *c, uint32_t n, int64_t *v, uint8_t *has)
{
    const frow *row = rowp;
    uint32_t m = row->span64[c->index];
    m = m < n ? m : n;
    for (uint32_t k = 0; k < m; k++) {
        const cell *x = &row->c[c[k].index];
        if (c[k].list || c[k].type == IOF_VT_STRING || c[k].type == IOF_VT_BINARY)
            abort(); /* the writer asks only for a run of flat integer columns */
        has[k] = !x->null;
        v[k] = x->null ? 0 : x->i[0];
    }
    return m;
}

static uint32_t f_count(const void *row, const iof__column *c)
{
    const cell *x = &((const frow *)row)->c[c->index];
    return x->null ? UINT32_MAX : x->count;
}

static void f_get(const void *row, const iof__column *c, uint32_t k, iof__value *v)
{
    const cell *x = &((const frow *)row)->c[c->index];
    memset(v, 0, sizeof *v);
    if (!c->list && x->null) {
        v->null = true;
        return;
    }
    v->i = x->i[k];
    v->p = x->p[k];
    v->len = x->len[k];
}

static int mem_sink(void *ctx, const void *p, size_t n)
{
    pq_buf_put(ctx, p, n);
    return ((pq_buf *)ctx)->oom ? IOF_E_NOMEM : 0;
}

static int64_t gen_int(cur *c, iof__vtype t)
{
    uint8_t nb = (uint8_t)(1 + u8(c) % 8);
    uint64_t x = 0;
    for (uint8_t k = 0; k < nb; k++)
        x = x << 8 | u8(c);
    if (nb < 8 && (x >> (8 * nb - 1)) & 1) /* sign-extend */
        x |= ~0ULL << (8 * nb);
    switch (t) {
    case IOF_VT_BOOL: return (int64_t)(x & 1);
    case IOF_VT_INT8: return (int8_t)x;
    case IOF_VT_INT16: return (int16_t)x;
    case IOF_VT_INT32: return (int32_t)x;
    default: return (int64_t)x;
    }
}

static void reader_only(const uint8_t *data, size_t size)
{
    iof__pq_reader *r;
    if (iof__pq_reader_open_mem(&r, data, size, NULL, 0) != 0)
        return;
    const iof__schema *s = iof__pq_reader_schema(r);
    for (int rows = 0; rows < 100000 && iof__pq_reader_next(r) > 0; rows++)
        for (size_t c = 0; c < s->n; c++) {
            iof__value v;
            uint32_t n = iof__pq_reader_count(r, c);
            for (uint32_t k = 0; n != UINT32_MAX && k < n && k < 64; k++)
                iof__pq_reader_get(r, c, k, &v);
        }
    iof__pq_reader_close(r);
}

/* Writes every row (odd rows through the cell API when `cells`) with `threads` writer threads. */
static pq_buf write_file(const iof__column *cols, size_t ncols, const iof__schema *s, const frow *rows, size_t nrows,
                         bool cells, iof_codec codec, uint64_t rg_bytes, uint32_t page_entries, unsigned threads)
{
    pq_buf file = {0};
    iof__pq_writer_cfg cfg = {.codec = codec, .row_group_bytes = rg_bytes, .page_entries = page_entries,
                              .page_bytes = 256, .threads = threads, .sink = mem_sink, .sink_ctx = &file};
    iof__pq_writer *w;
    char err[256];
    if (iof__pq_writer_open(&w, cols, ncols, &cfg, err, sizeof err) != 0)
        abort();
    for (size_t r = 0; r < nrows; r++) {
        int rc = 0;
        if (cells && (r & 1)) {
            for (size_t i = 0; i < ncols && rc == 0; i++) {
                const cell *x = &rows[r].c[i];
                bool bytes = cols[i].type == IOF_VT_STRING || cols[i].type == IOF_VT_BINARY;
                if (x->null)
                    rc = iof__pq_put_null(w, i);
                else if (cols[i].list) {
                    rc = iof__pq_put_list(w, i, x->count);
                    for (uint32_t k = 0; k < x->count && rc == 0; k++)
                        rc = bytes ? iof__pq_put_elem_bytes(w, i, x->p[k], x->len[k]) : iof__pq_put_elem_int(w, i, x->i[k]);
                } else {
                    rc = bytes ? iof__pq_put_bytes(w, i, x->p[0], x->len[0]) : iof__pq_put_int(w, i, x->i[0]);
                }
            }
            if (rc == 0)
                rc = iof__pq_end_row(w);
        } else {
            rc = iof__pq_write_row(w, s, &rows[r]);
        }
        if (rc != 0) {
            fprintf(stderr, "write failed: %s\n", iof__pq_writer_errmsg(w));
            abort();
        }
    }
    if (iof__pq_writer_finish(w, err, sizeof err) != 0 || file.oom) {
        fprintf(stderr, "finish failed: %s\n", err);
        abort();
    }
    return file;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= 4 && memcmp(data, "PAR1", 4) == 0) {
        reader_only(data, size);
        return 0;
    }
    cur in = {data, size, 0};
    size_t ncols = 1 + u8(&in) % FZ_MAX_COLS;
    iof_codec codec = (iof_codec)(u8(&in) % 3);
    size_t nrows = u8(&in) % FZ_MAX_ROWS;
    uint64_t rg_bytes = 64 * (uint64_t)(1 + u8(&in));
    uint32_t page_entries = 1 + u8(&in);
    uint8_t mode = u8(&in);
    bool cells = mode & 1, spans = mode & 2, short_runs = mode & 4, spans64 = mode & 8;

    iof__column cols[FZ_MAX_COLS];
    memset(cols, 0, sizeof cols);
    unsigned structs = 0;
    for (size_t i = 0; i < ncols; i++) {
        uint8_t t = u8(&in), fl = u8(&in);
        snprintf(cols[i].name, sizeof cols[i].name, "c%zu", i);
        if (fl & 8) { /* struct s<k>, member c<i> */
            char sname[16], mname[16];
            structs += (fl & 16) || i == 0 || !cols[i - 1].member_at;
            snprintf(sname, sizeof sname, "s%u", structs);
            snprintf(mname, sizeof mname, "c%zu", i);
            if (iof__col_set_member(&cols[i], sname, mname) != 0)
                abort();
        }
        cols[i].type = (iof__vtype)(IOF_VT_BOOL + t % 8);
        cols[i].nullable = fl & 1;
        cols[i].list = (fl >> 1) & 1;
        cols[i].dict = (fl >> 2) & 1;
        cols[i].index = (uint32_t)i;
    }
    iof__schema s = {.cols = cols, .n = ncols, .cap = ncols, .name = "fuzz",
                    .ops = {.get = f_get, .count = f_count, .i16_span = spans ? f_span : NULL,
                            .i64_span = spans64 ? f_span64 : NULL}};
    g_ncols = ncols;
    g_cols = cols;

    frow *rows = calloc(nrows ? nrows : 1, sizeof *rows);
    if (!rows)
        return 0;
    for (size_t r = 0; r < nrows; r++) {
        uint8_t fb = u8(&in); /* this row's INT16 columns from fb % 8 on hold one value */
        size_t fill_from = fb % 8 + (short_runs ? 4 : 0);
        int16_t fill = (int16_t)((int8_t)u8(&in));
        rows[r].no_tail = (fb >> 3) % 5 == 0;
        for (size_t i = 0; i < ncols && spans64; i++)
            rows[r].span64[i] = u8(&in) % 10;
        for (size_t i = 0; i < ncols; i++) {
            cell *x = &rows[r].c[i];
            const iof__column *col = &cols[i];
            x->null = col->nullable && u8(&in) % 4 == 0;
            x->count = col->list ? u8(&in) % (FZ_MAX_ELEMS + 1) : 1;
            if (x->null)
                continue;
            for (uint32_t k = 0; k < x->count; k++) {
                if (col->type == IOF_VT_STRING || col->type == IOF_VT_BINARY) {
                    uint32_t len = u8(&in) % 40;
                    if (len > in.n - in.at)
                        len = (uint32_t)(in.n - in.at);
                    x->p[k] = in.p + in.at;
                    x->len[k] = len;
                    in.at += len;
                } else {
                    x->i[k] = gen_int(&in, col->type);
                }
            }
            if (span_col(col)) {
                if (i >= fill_from)
                    x->i[0] = fill;
                rows[r].s16[i] = (int16_t)x->i[0];
            }
        }
    }

    /* the flush thread and the LZ helper (2 threads) must not change a byte (1 thread) */
    pq_buf file = write_file(cols, ncols, &s, rows, nrows, cells, codec, rg_bytes, page_entries, 2);
    pq_buf one = write_file(cols, ncols, &s, rows, nrows, cells, codec, rg_bytes, page_entries, 1);
    if (one.len != file.len || memcmp(one.p, file.p, file.len) != 0) {
        fprintf(stderr, "threads changed the file (%zu vs %zu bytes)\n", file.len, one.len);
        abort();
    }
    iof__pq_buf_free(&one);
    if (spans64) { /* the same bytes cell by cell */
        iof__schema s1 = s;
        s1.ops.i64_span = NULL;
        one = write_file(cols, ncols, &s1, rows, nrows, cells, codec, rg_bytes, page_entries, 1);
        if (one.len != file.len || memcmp(one.p, file.p, file.len) != 0) {
            fprintf(stderr, "i64_span changed the file (%zu vs %zu bytes)\n", file.len, one.len);
            abort();
        }
        iof__pq_buf_free(&one);
    }
    char err[256];

    iof__pq_reader *rd;
    if (iof__pq_reader_open_mem(&rd, file.p, file.len, err, sizeof err) != 0) {
        fprintf(stderr, "reader refused our file: %s\n", err);
        abort();
    }
    const iof__schema *rs = iof__pq_reader_schema(rd);
    if (rs->n != ncols || iof__pq_reader_nrows(rd) != nrows)
        abort();
    pq_buf tmp = {0};
    size_t r = 0;
    int rc;
    while ((rc = iof__pq_reader_next(rd)) > 0) {
        if (r >= nrows)
            abort();
        for (size_t i = 0; i < ncols; i++) {
            const cell *x = &rows[r].c[i];
            const iof__column *col = &cols[i];
            if (rs->cols[i].type != col->type || rs->cols[i].list != col->list || rs->cols[i].nullable != col->nullable ||
                rs->cols[i].member_at != col->member_at || strcmp(rs->cols[i].name, col->name) != 0)
                abort();
            uint32_t n = iof__pq_reader_count(rd, i);
            if (col->list && n != (x->null ? UINT32_MAX : x->count))
                abort();
            uint32_t m = col->list ? (x->null ? 0 : x->count) : 1;
            for (uint32_t k = 0; k < m; k++) {
                iof__value v;
                iof__pq_reader_get(rd, i, k, &v);
                if (!col->list && x->null) {
                    if (!v.null)
                        abort();
                    continue;
                }
                if (v.null)
                    abort();
                if (col->type == IOF_VT_STRING || col->type == IOF_VT_BINARY) {
                    const uint8_t *p = x->p[k];
                    size_t len = x->len[k];
                    if (col->type == IOF_VT_STRING && !iof__pq_utf8_valid(p, len)) {
                        tmp.len = 0;
                        iof__pq_utf8_sanitize(&tmp, p, len);
                        p = tmp.p;
                        len = tmp.len;
                    }
                    if (v.len != len || (len && memcmp(v.p, p, len) != 0))
                        abort();
                } else if (v.i != x->i[k]) {
                    abort();
                }
            }
        }
        r++;
    }
    if (rc != 0 || r != nrows) {
        fprintf(stderr, "reader: %s\n", iof__pq_reader_errmsg(rd));
        abort();
    }
    iof__pq_reader_close(rd);
    iof__pq_buf_free(&tmp);
    iof__pq_buf_free(&file);
    free(rows);
    return 0;
}
