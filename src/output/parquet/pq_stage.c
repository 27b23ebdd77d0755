/* Parquet writer: appending rows and cells (pq_writer_int.h). */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/grow.h"
#include "output/parquet/pq_writer_int.h"

/* ---- appending ---------------------------------------------------------------------- */

/* What a fixed-width column buffers for a value: the integer, or a double's bit pattern. */
static inline int64_t value_bits(iof__vtype t, const iof__value *v)
{
    if (t != IOF_VT_FLOAT64)
        return v->i;
    int64_t x;
    memcpy(&x, &v->f, 8);
    return x;
}



static inline void store_int(pq_col *c, int64_t v)
{
    if (c->type == IOF_VT_BOOL)
        v = v != 0;
    if (pq_buf_reserve(&c->vals, 8)) { /* store the low `width` bytes (little-endian host) */
        memcpy(c->vals.p + c->vals.len, &v, 8);
        c->vals.len += c->width;
    }
}

static int store_bytes(iof__pq_writer *w, pq_col *c, const void *p, uint32_t n)
{
    if (n > MAX_VALUE_BYTES)
        return iof__pqw_fail(w, IOF_E_LIMIT, "parquet: column %s: value of %u bytes is too large", c->name, n);
    if (c->type == IOF_VT_STRING && !iof__pq_utf8_valid(p, n)) {
        w->tmp.len = 0;
        iof__pq_utf8_sanitize(&w->tmp, p, n);
        if (w->tmp.oom)
            return iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory");
        p = w->tmp.p;
        n = (uint32_t)w->tmp.len;
    }
    pq_buf_le32(&c->vals, n);
    pq_buf_put(&c->vals, p, n);
    w->buffered += 4 + (uint64_t)n;
    return 0;
}

static inline int put_null(iof__pq_writer *w, pq_col *c)
{
    if (!c->nullable)
        return iof__pqw_fail(w, IOF_E_INVAL, "parquet: column %s is not nullable", c->name);
    if (c->elems_left)
        return iof__pqw_fail(w, IOF_E_INVAL, "parquet: column %s: list elements missing", c->name);
    pq_buf_u8(&c->def, 0);
    if (c->max_rep)
        pq_buf_u8(&c->rep, 0);
    c->nentries++;
    c->nrows++;
    w->buffered += 2;
    return col_oom(c) ? iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory") : 0;
}

static inline int put_int(iof__pq_writer *w, pq_col *c, int64_t v)
{
    if (c->list || c->bytes)
        return iof__pqw_fail(w, IOF_E_INVAL, "parquet: column %s: not an integer scalar", c->name);
    if (c->max_def)
        pq_buf_u8(&c->def, c->max_def);
    store_int(c, v);
    c->nentries++;
    c->nvals++;
    c->nrows++;
    w->buffered += c->width + c->max_def;
    return col_oom(c) ? iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory") : 0;
}

static inline int put_bytes(iof__pq_writer *w, pq_col *c, const void *p, uint32_t n)
{
    if (c->list || !c->bytes)
        return iof__pqw_fail(w, IOF_E_INVAL, "parquet: column %s: not a byte-array scalar", c->name);
    if (c->max_def)
        pq_buf_u8(&c->def, c->max_def);
    int rc = store_bytes(w, c, p, n);
    if (rc < 0)
        return rc;
    c->nentries++;
    c->nvals++;
    c->nrows++;
    return col_oom(c) ? iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory") : 0;
}

static inline int put_list(iof__pq_writer *w, pq_col *c, uint32_t n)
{
    if (!c->list)
        return iof__pqw_fail(w, IOF_E_INVAL, "parquet: column %s is not a list", c->name);
    if (c->elems_left)
        return iof__pqw_fail(w, IOF_E_INVAL, "parquet: column %s: list elements missing", c->name);
    c->nrows++;
    if (n == 0) {
        pq_buf_u8(&c->def, (uint8_t)(c->max_def - 1));
        pq_buf_u8(&c->rep, 0);
        c->nentries++;
        w->buffered += 2;
    } else {
        c->elems_left = n;
        c->elem_first = true;
    }
    return col_oom(c) ? iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory") : 0;
}

static inline int elem_begin(iof__pq_writer *w, pq_col *c)
{
    if (!c->elems_left)
        return iof__pqw_fail(w, IOF_E_INVAL, "parquet: column %s: too many list elements", c->name);
    pq_buf_u8(&c->rep, c->elem_first ? 0 : 1);
    pq_buf_u8(&c->def, c->max_def);
    c->elem_first = false;
    c->elems_left--;
    c->nentries++;
    c->nvals++;
    w->buffered += 2;
    return 0;
}

static inline int put_elem_int(iof__pq_writer *w, pq_col *c, int64_t v)
{
    if (c->bytes)
        return iof__pqw_fail(w, IOF_E_INVAL, "parquet: column %s: not an integer list", c->name);
    IOF_TRY(elem_begin(w, c));
    store_int(c, v);
    w->buffered += c->width;
    return col_oom(c) ? iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory") : 0;
}

static inline int put_elem_bytes(iof__pq_writer *w, pq_col *c, const void *p, uint32_t n)
{
    if (!c->bytes)
        return iof__pqw_fail(w, IOF_E_INVAL, "parquet: column %s: not a byte-array list", c->name);
    IOF_TRY(elem_begin(w, c));
    IOF_TRY(store_bytes(w, c, p, n));
    return col_oom(c) ? iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory") : 0;
}

/* Appends the staged flat rows (INT32/INT64, and nullable integers of any width: their
 * definition levels from stage64n) to their column buffers. */
int iof__pqw_drain64(iof__pq_writer *w)
{
    const uint32_t nr = w->st64_rows;
    const size_t ns = w->n64;
    w->st64_rows = 0;
    for (size_t j = 0; j < ns; j++) {
        pq_col *c = &w->cols[w->simple_idx[w->n16 + j]];
        if (!pq_buf_reserve(&c->vals, (size_t)nr * 8 + 8) || (c->nullable && !pq_buf_reserve(&c->def, nr)))
            return iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory");
        uint8_t *q = c->vals.p + c->vals.len;
        const int64_t *src = w->stage64 + j;
        size_t nv = nr;
        if (c->nullable) { /* values of the rows that have one; a level per row */
            const uint8_t *has = w->stage64n + j;
            uint8_t *def = c->def.p + c->def.len;
            nv = 0;
            for (uint32_t r = 0; r < nr; r++) {
                int64_t x = src[r * ns];
                if (c->type == IOF_VT_BOOL)
                    x = x != 0;
                memcpy(q + nv * c->width, &x, 8); /* the low `width` bytes; room for 8 */
                def[r] = has[r * ns] ? c->max_def : 0;
                nv += has[r * ns];
            }
            c->def.len += nr;
        } else if (c->width == 4) {
            for (uint32_t r = 0; r < nr; r++) {
                int32_t x = (int32_t)src[r * ns];
                memcpy(q + 4 * r, &x, 4);
            }
        } else {
            for (uint32_t r = 0; r < nr; r++)
                memcpy(q + 8 * r, &src[r * ns], 8);
        }
        c->vals.len += nv * c->width;
        c->nentries += nr;
        c->nvals += nv;
        c->nrows += nr;
    }
    return 0;
}





/* Room for one more row of nb cells at the end of block s; NULL: out of memory. */
static unsigned char *sblock_push(iof__pq_regions *pool, sblock *s, size_t nb)
{
    const size_t rpc = sblock_rpc(nb);
    if (s->rows == (uint64_t)s->nch * rpc) { /* its last chunk is full */
        if (iof__grow((void **)&s->ch, &s->chcap, s->nch + 1, sizeof *s->ch, SCHUNKS_MAX) != IOF_OK)
            return NULL;
        unsigned char *c = iof__pqw_chunk_take(pool);
        if (!c)
            return NULL;
        s->ch[s->nch++] = c;
    }
    const uint64_t i = s->rows++;
    return s->ch[i / rpc] + (size_t)(i % rpc) * srow_bytes(nb);
}

/* Stores one more row of nb cells at the end of block s (a wide one in its wide list too). */
static bool sblock_append(iof__pq_regions *pool, sblock *s, const int16_t *v, size_t nb)
{
    unsigned char *dst = sblock_push(pool, s, nb);
    if (!dst)
        return false;
    if (srow_encode(dst, v, nb))
        return true;
    const uint64_t i = s->rows - 1;
    pq_buf_put(&s->wide, &i, 8);
    pq_buf_put(&s->wide, v, nb * sizeof *v);
    return !s->wide.oom;
}

/* Appends a row's cells (its explicit cells, back to back, and its run [ts, te) of tv) to
 * every block it has cells in: a block's T_BLOCK columns in order, the run's columns inside
 * it holding tv. Returns the bytes it holds (two a cell: what the row group's size counts,
 * whatever the staging stores), or <0 on error. */
static int64_t stage_blocks(iof__pq_writer *w, const int16_t *cells, size_t ts, size_t te, int16_t tv)
{
    size_t held = 0;
    const size_t gap = te - ts;
    const size_t b_run = ts / T_BLOCK, b_back = te / T_BLOCK; /* the blocks the run starts / ends in */
    int16_t dst[T_BLOCK];
    for (size_t b = 0; b < w->nblk; b++) {
        const size_t j0 = b * T_BLOCK, j1 = block_end(w, j0), nb = j1 - j0;
        if (b > b_run && b < b_back) { /* inside the run: skip to the block where it ends */
            b = b_back - 1;
            continue;
        }
        if (!in_block(ts, te, j0, j1))
            continue;
        held += nb * sizeof(int16_t);
        const int16_t *src = dst;
        if (j1 <= ts) {
            src = cells + j0;
        } else if (j0 >= te) {
            src = cells + (j0 - gap);
        } else { /* the run starts or ends inside the block: cells, run, cells */
            const size_t a = ts > j0 ? ts - j0 : 0, e = (te < j1 ? te : j1) - j0;
            memcpy(dst, cells + j0, a * sizeof *dst);
            for (size_t k = a; k < e; k++)
                dst[k] = tv;
            if (e < nb)
                memcpy(dst + e, cells + (j0 + e - gap), (nb - e) * sizeof *dst);
        }
        if (!sblock_append(w->regions, &w->sblk[b], src, nb))
            return iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory");
    }
    return (int64_t)held;
}


/* Appends every staged narrow row to the column buffers (dense), for the cell API. */
int iof__pqw_drain16(iof__pq_writer *w)
{
    const uint64_t nr = w->st16_rows;
    const srow *rows = (const srow *)(const void *)w->srows.p;
    const uint32_t *spans = (const uint32_t *)(const void *)w->spans.p;
    for (size_t j = 0; j < w->n16; j++) {
        pq_col *c = &w->cols[w->simple_idx[j]];
        if (!pq_buf_reserve(&c->vals, nr * c->width))
            return iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory");
        uint8_t *q = c->vals.p + c->vals.len;
        const size_t b = j / T_BLOCK, j0 = b * T_BLOCK, j1 = block_end(w, j0);
        const sblock *bk = &w->sblk[b]; /* the block's rows (none when no row has cells there) */
        int16_t cell[T_BLOCK];
        size_t wi = 0;
        for (uint64_t r = 0, i = 0; r < nr; r++) {
            int16_t x = rows[r].tv;
            if (ROW_IN_BLOCK(spans[r], j0, j1)) {
                sblock_decode(bk, j1 - j0, i++, cell, &wi);
                x = cell[j - j0];
            }
            store_narrow(c, x, q, r);
        }
        c->vals.len += nr * c->width;
        c->nentries += nr;
        c->nvals += nr;
        c->nrows += nr;
    }
    w->st16_rows = 0;
    stage16_clear(w, w->sblk, &w->srows, &w->spans);
    return 0;
}

/* Moves every staged row into the column buffers (before cell-API appends). */
static int drain_all(iof__pq_writer *w)
{
    if (w->st64_rows && iof__pqw_drain64(w) < 0)
        return w->failed;
    if (w->st16_rows && iof__pqw_drain16(w) < 0)
        return w->failed;
    return 0;
}

#define CHECK_COL(w, col)                                                                    \
    do {                                                                                     \
        if ((w)->failed)                                                                     \
            return (w)->failed;                                                              \
        if (((w)->st16_rows || (w)->st64_rows) && drain_all(w) < 0)                          \
            return (w)->failed;                                                              \
        if ((col) >= (w)->ncols)                                                             \
            return iof__pqw_fail((w), IOF_E_INVAL, "parquet: column index %zu out of range", (col)); \
    } while (0)

int iof__pq_put_null(iof__pq_writer *w, size_t col)
{
    CHECK_COL(w, col);
    return put_null(w, &w->cols[col]);
}

int iof__pq_put_int(iof__pq_writer *w, size_t col, int64_t v)
{
    CHECK_COL(w, col);
    return put_int(w, &w->cols[col], v);
}

int iof__pq_put_bytes(iof__pq_writer *w, size_t col, const void *p, uint32_t n)
{
    CHECK_COL(w, col);
    return put_bytes(w, &w->cols[col], p, n);
}

int iof__pq_put_double(iof__pq_writer *w, size_t col, double v)
{
    CHECK_COL(w, col);
    if (w->cols[col].type != IOF_VT_FLOAT64)
        return iof__pqw_fail(w, IOF_E_INVAL, "parquet: column %s is not FLOAT64", w->cols[col].name);
    return put_int(w, &w->cols[col], double_bits(v));
}

int iof__pq_put_list(iof__pq_writer *w, size_t col, uint32_t n)
{
    CHECK_COL(w, col);
    return put_list(w, &w->cols[col], n);
}

int iof__pq_put_elem_int(iof__pq_writer *w, size_t col, int64_t v)
{
    CHECK_COL(w, col);
    return put_elem_int(w, &w->cols[col], v);
}

int iof__pq_put_elem_double(iof__pq_writer *w, size_t col, double v)
{
    CHECK_COL(w, col);
    if (w->cols[col].type != IOF_VT_FLOAT64)
        return iof__pqw_fail(w, IOF_E_INVAL, "parquet: column %s is not FLOAT64", w->cols[col].name);
    return put_elem_int(w, &w->cols[col], double_bits(v));
}

int iof__pq_put_elem_bytes(iof__pq_writer *w, size_t col, const void *p, uint32_t n)
{
    CHECK_COL(w, col);
    return put_elem_bytes(w, &w->cols[col], p, n);
}


int iof__pq_end_rows(iof__pq_writer *w, size_t n)
{
    if (w->failed)
        return w->failed;
    w->rg_rows += n;
    w->rows_total += n;
    const bool over = iof__pqw_budget_cut(w); /* counts the row in the run's budget */
    if (over || w->buffered >= w->cfg.row_group_bytes || w->rg_rows >= IOF_PQ_MAX_RG_ROWS)
        return iof__pqw_flush_rg(w, false);
    return 0;
}

int iof__pq_end_row(iof__pq_writer *w) { return iof__pq_end_rows(w, 1); }

int iof__pq_write_row(iof__pq_writer *w, const iof__schema *s, const void *row)
{
    if (w->failed)
        return w->failed;
    if (s->n != w->ncols)
        return iof__pqw_fail(w, IOF_E_INVAL, "parquet: schema has %zu columns, writer %zu", s->n, w->ncols);
    iof__value v;
    if (!pq_buf_reserve(&w->rowcells, w->n16 * sizeof(int16_t)) ||
        !pq_buf_reserve(&w->srows, sizeof(srow)) || !pq_buf_reserve(&w->spans, sizeof(uint32_t)))
        return iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory");
    srow sr = { 0 };
    uint32_t ts = (uint32_t)w->n16, te = (uint32_t)w->n16; /* the row's left-out run, if any */
    int16_t *st16_base = w->n16 ? (int16_t *)(void *)w->rowcells.p : NULL;
    int16_t *st16 = st16_base;
    size_t pos16 = 0; /* narrow column index of the next narrow value */
    int64_t *st64 = w->n64 ? w->stage64 + (size_t)w->st64_rows * w->n64 : NULL;
    uint8_t *st64n = w->n64 ? w->stage64n + (size_t)w->st64_rows * w->n64 : NULL;
    uint64_t nullfix = 0;
    for (size_t i = 0; i < w->ncols; i++) {
        const iof__column *sc = &s->cols[i];
        if (w->run16[i] > 1 && s->ops.i16_span && sc->type == IOF_VT_INT16) {
            uint32_t n = 0, t = 0;
            int16_t tv = 0;
            const int16_t *span = s->ops.i16_span(row, sc, &n, &t, &tv);
            if (span && n > 1) {
                uint32_t m = n < w->run16[i] ? n : w->run16[i];
                uint32_t copy = m;
                if (t > 0 && t <= n && n == m && ts == w->n16) { /* one run left out per row */
                    copy = m - t;
                    ts = (uint32_t)pos16 + copy;
                    te = ts + t;
                    sr.tv = tv;
                }
                memcpy(st16, span, (size_t)copy * sizeof *st16);
                st16 += copy;
                pos16 += m;
                i += m - 1;
                continue;
            }
        }
        if (w->run64[i] > 1 && s->ops.i64_span && (!sc->group || sc->group->ops.i64_span)) {
            /* a block of integer cells in one call (a feature module's byte counts, packet
             * lengths): no call a cell (a group without blocks is not asked) */
            const uint32_t m = s->ops.i64_span(row, sc, w->run64[i], st64, st64n);
            if (m > w->run64[i])
                return iof__pqw_fail(w, IOF_E_INVAL, "parquet: column %s: %u cells for a run of %u", sc->name,
                                     (unsigned)m, (unsigned)w->run64[i]);
            if (m) {
                const uint8_t *nb = w->null64 + (w->narrow_of[i] - w->n16);
                uint32_t refused = 0, fix = 0; /* without branches: a block's nulls come in any order */
                for (uint32_t k = 0; k < m; k++) {
                    const uint32_t isnull = st64n[k] == 0;
                    fix += isnull * nb[k];
                    refused |= isnull & (nb[k] == NULL64_REFUSED);
                }
                for (uint32_t k = 0; refused && k < m; k++)
                    if (!st64n[k] && nb[k] == NULL64_REFUSED)
                        return iof__pqw_fail(w, IOF_E_INVAL, "parquet: column %s is not nullable", w->cols[i + k].name);
                nullfix += fix;
                st64 += m;
                st64n += m;
                i += m - 1;
                continue;
            }
        }
        if (w->simple[i]) {
            v.null = false;
            v.i = 0;
            s->ops.get(row, sc, 0, &v);
            if (v.null && !w->cols[i].nullable)
                return iof__pqw_fail(w, IOF_E_INVAL, "parquet: column %s is not nullable", sc->name);
            if (w->simple[i] == 1) {
                *st16++ = (int16_t)(sc->type == IOF_VT_BOOL ? v.i != 0 : v.i);
                pos16++;
            } else {
                *st64++ = v.null ? 0 : value_bits(sc->type, &v);
                *st64n++ = !v.null;
                if (v.null) /* a null holds its level only (null64: as put_null counts it) */
                    nullfix += w->null64[w->narrow_of[i] - w->n16];
            }
            continue;
        }
        pq_col *c = &w->cols[i];
        int rc;
        if (c->list) {
            uint32_t n = s->ops.count(row, sc);
            if (n == UINT32_MAX) {
                rc = put_null(w, c);
            } else {
                rc = put_list(w, c, n);
                for (uint32_t k = 0; k < n && rc == 0; k++) {
                    memset(&v, 0, sizeof v);
                    s->ops.get(row, sc, k, &v);
                    if (v.null)
                        rc = iof__pqw_fail(w, IOF_E_INVAL, "parquet: column %s: null list element", c->name);
                    else
                        rc = c->bytes ? put_elem_bytes(w, c, v.p, v.len)
                                      : put_elem_int(w, c, value_bits(sc->type, &v));
                }
            }
        } else {
            v.null = false;
            v.i = 0;
            v.p = NULL;
            v.len = 0;
            s->ops.get(row, sc, 0, &v);
            if (v.null)
                rc = put_null(w, c);
            else
                rc = c->bytes ? put_bytes(w, c, v.p, v.len) : put_int(w, c, value_bits(sc->type, &v));
        }
        if (rc < 0)
            return rc;
    }
    /* bytes really held: a row's left-out run (INT16 cells) costs its srow, not its cells, so
     * row groups of short payload streams hold more rows (fewer dictionaries and footer entries) */
    w->buffered += w->row64_bytes - nullfix;
    if (w->n16) {
        const int64_t held = stage_blocks(w, st16_base, ts, te, sr.tv);
        if (held < 0)
            return (int)held;
        w->buffered += (uint64_t)held + sizeof sr + sizeof ts;
        memcpy(w->srows.p + w->srows.len, &sr, sizeof sr);
        w->srows.len += sizeof sr;
        uint32_t span = ts | te << 16;
        memcpy(w->spans.p + w->spans.len, &span, sizeof span);
        w->spans.len += sizeof span;
        w->st16_rows++;
    }
    if (w->n64 && ++w->st64_rows == STAGE_ROWS && iof__pqw_drain64(w) < 0)
        return w->failed;
    return iof__pq_end_rows(w, 1);
}

int iof__pq_put_column(iof__pq_writer *w, size_t col, const iof__value *v, size_t n)
{
    CHECK_COL(w, col);
    pq_col *c = &w->cols[col];
    if (c->list)
        return iof__pqw_fail(w, IOF_E_INVAL, "parquet: column %s: batches are for scalar columns", c->name);
    for (size_t k = 0; k < n; k++) {
        int rc = v[k].null    ? put_null(w, c)
                 : c->bytes ? put_bytes(w, c, v[k].p, v[k].len)
                            : put_int(w, c, value_bits(c->type, &v[k]));
        if (rc < 0)
            return rc;
    }
    return 0;
}
