/* Native Parquet writer: buffers a row group per column, then encodes and streams it (on a
 * flush thread while the next row group fills). See pq_writer.h for the model and the type
 * mapping, docs/ARCHITECTURE.md for the shape. */
#include "output/parquet/pq_writer.h"

#include <snappy-c.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/err.h"
#include "common/thread.h"
#include "output/parquet/pq_encode.h"
#include "output/parquet/pq_lz.h"
#include "output/parquet/thrift_compact.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "pq_writer.c stores values in host order and assumes a little-endian host"
#endif

#ifndef IOF_VERSION_STRING
#define IOF_VERSION_STRING "0.1.0"
#endif
#ifndef IOF_BUILD_ID
#define IOF_BUILD_ID "unknown"
#endif

#define MAX_VALUE_BYTES (1u << 30) /* one value must fit a page (i32 sizes) */
#define DICT_SAMPLE 4096           /* values looked at before giving up on a dictionary */
#define STAGE_ROWS 64              /* INT32/INT64 rows staged before appending to the columns */
#define CHUNK_HOLD (256u << 10)    /* a chunk's pages are held back up to this many raw bytes */
#define CHUNK_TINY 64              /* held chunks this small are stored without compression */
#define COMP_RETRY 8               /* row groups between compression tries of a near-random column */
#define T_BLOCK 32                /* narrow columns staged and gathered together: 64 bytes of a row */
#define LZ_MIN_DISTINCT 32        /* narrow chunks with more values: PLAIN through pq_lz */

typedef struct pq_col {
    char name[IOF_MAX_COLNAME];
    iof__vtype type;
    bool nullable, list, dict_hint, bytes, elem_first;
    uint8_t ptype;   /* parquet physical type */
    uint8_t width;   /* bytes per buffered integer (0: byte array) */
    uint8_t psize;   /* bytes per PLAIN integer on disk (4 or 8; 0: bool/byte array) */
    uint8_t max_def, max_rep;
    bool comp_skip;  /* compression saved < 1/4 of this column's last chunk that tried it */
    uint32_t elems_left;
    pq_buf def, rep, vals; /* level bytes; values (ints: width bytes; byte arrays: PLAIN) */
    uint64_t nentries, nvals, nrows;
} pq_col;

typedef struct dent { /* dictionary entry of a byte-array column: a value inside col->vals */
    uint64_t off;
    uint32_t len, hash;
} dent;

/* A page held back while its column chunk is small (see write_page). */
typedef struct held_page {
    size_t off;          /* body in chunk_state.raw */
    uint32_t len, num_values, clen;
    uint8_t type, enc;
} held_page;

typedef struct chunk_state {
    pq_col *col;
    bool hold;            /* pages are held, the codec is not decided yet */
    int codec;            /* PQ_CODEC_* of the chunk once decided */
    int64_t first_off, data_off;
    uint64_t unc, comp;   /* totals with page headers (ColumnMetaData sizes) */
    pq_buf raw, pages, cheld;
} chunk_state;

/* A compressed dictionary page kept for reuse: the stream columns of one row group (and of
 * the next) mostly have the same sorted dictionary (-8, -4, -1, 0..255), and zstd spends more
 * on a 1 KiB page than on everything else of such a column. */
#define DICT_CACHE 8
#define DICT_CACHE_MAX (64u << 10)
typedef struct dict_cache {
    uint32_t hash;
    pq_buf raw, comp;
} dict_cache;

typedef struct stats {
    bool has;
    bool min_exact, max_exact, has_max;
    uint8_t min[IOF_PQ_STAT_MAX_BYTES], max[IOF_PQ_STAT_MAX_BYTES];
    uint32_t min_len, max_len;
} stats;

struct iof__pq_writer {
    iof__pq_writer_cfg cfg;
    char **kv; /* 2*n_kv strings: key, value */
    size_t n_kv;
    char created_by[160];
    pq_col *cols;
    size_t ncols;
    uint64_t offset, rows_total, rg_rows, buffered;
    uint32_t rg_count;
    int failed;
    char msg[256];
    pq_buf rgs; /* serialized RowGroup structs */
    tc_w rgw;
    pq_buf page, cbuf, hdr, dict, idx, dvals, tmp;
    chunk_state ck;       /* the column chunk being written */
    dict_cache dc[DICT_CACHE]; /* recently compressed dictionary pages */
    unsigned dc_next;
    int32_t *dtab;  /* 65536-entry direct index for 8/16-bit dictionaries, kept all -1 */
    uint8_t *seen;  /* 65536 flags: values present in a narrow column (write_chunk16), kept 0 */
    uint32_t *ht;   /* open addressing: dictionary index + 1, 0 = empty */
    size_t ht_cap;
    ZSTD_CCtx *zc;
    /* PLAIN pages of the narrow columns of a small row group, compressed by pq_lz in blocks of
     * T_BLOCK columns (lz_prepare); NULL: not zstd, or the run-time libzstd lacks the API */
    iof__pq_lz_pool *lzpool;
    iof__pq_lz_page lzpg[T_BLOCK];
    pq_buf lzplain[T_BLOCK];
    int16_t lzmn[T_BLOCK], lzmx[T_BLOCK]; /* their columns' range (statistics) */
    uint32_t *lzstamp; /* 65536 stamps: values seen in the column being prepared */
    uint32_t lzgen;
    /* Row-major staging of REQUIRED flat integer columns (the wide layout's 3000 C_ columns).
     * Appending one value per row to 3000 separate column buffers touches 3000 cache lines per
     * row (which also alias in the cache); instead write_row() stores
     *  - BOOL/INT8/INT16 REQUIRED values in blocks of T_BLOCK columns (64 bytes of a row): a
     *    row stores its cells in every block that it has cells in, none in the blocks that its
     *    constant run covers (the payload stream's -1 fill, described by the row's span), so
     *    each block is a dense [rows with cells][T_BLOCK] array appended in row order;
     *    flush_body() reads a block front to back (no random access into the row group),
     *    transposes it and encodes each column from those cells plus the runs of the rows it
     *    skipped (sparse: the work is proportional to the cells a row really has, not to the
     *    3000 columns);
     *  - INT32/INT64 values, and nullable integers, in stage64, appended to their column
     *    buffers every STAGE_ROWS rows.
     * The cell API (put_*) first drains both stages into the column buffers (dense), so mixing
     * the two APIs keeps row order. */
    uint8_t *simple;      /* per column: 0 not staged, 1 in the blocks (sblk), 2 in stage64 */
    uint32_t *run16;      /* per column: consecutive INT16 block columns starting here (bulk copy) */
    uint32_t *simple_idx; /* staged column numbers: the n16 narrow ones, then the n64 wide ones */
    uint32_t *narrow_of;  /* column -> index among the narrow staged columns */
    size_t nsimple, n16, n64;
    pq_buf *sblk;         /* nblk blocks: int16 [rows with cells there][T_BLOCK] each */
    size_t nblk;          /* ceil(n16 / T_BLOCK) */
    pq_buf rowcells;      /* int16 scratch: one row's explicit narrow cells (write_row) */
    pq_buf srows;         /* per staged row: srow */
    pq_buf spans;         /* per staged row: uint32 ts | te << 16, its left-out run */
    uint64_t st16_rows;
    int64_t *stage64;     /* [STAGE_ROWS][n64] */
    uint8_t *stage64n;    /* [STAGE_ROWS][n64]: 1 value present, 0 null */
    uint32_t st64_rows;
    uint64_t row64_bytes; /* bytes a row holds in stage64's columns */
    /* the block of T_BLOCK narrow columns being written (gather16) */
    pq_buf act;           /* uint8 per row: 1 if the row has cells in the block */
    pq_buf skip8;         /* uint32 per 8 rows: iof__pq_act_skip8() of act */
    pq_buf blk;           /* int16 [T_BLOCK][rows with cells]: the block's cells, column-major */
    size_t blk_n;         /* rows with cells in the block */
    /* per block column, the values seen: seen16[k][x + SEEN_OFF] for x in [-SEEN_OFF,
     * SEEN_OFF), seen16[k][SEEN_N] for any other value */
    uint8_t *seen16;
    /* Background flush. flush_rg() swaps the full row group's buffers (column data, staged
     * blocks and rows) into fcols / f_*, and the flush thread encodes and writes them (flush_body: every
     * function below "staged narrow columns" touches only the f_ side and the scratch above)
     * while the caller fills cols / stage with the next row group. One flush at a time:
     * memory is two row groups. Its errors land in ffailed/fmsg and become the writer's at
     * the next flush_rg() or at finish. */
    pq_col *fcols;
    pq_buf *f_sblk, f_srows, f_spans;
    uint64_t f_st16_rows, f_rg_rows;
    bool bg;                  /* a flush thread is wanted (started on first use) */
    iof__worker *bg_wk;       /* the flush thread, NULL until then */
    int ffailed;
    char fmsg[256];
};

/* True on a writer's flush thread: its errors go to ffailed, not to the caller's failed. */
static _Thread_local bool on_flush_thread;

static int wfail(iof__pq_writer *w, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int wfail(iof__pq_writer *w, int code, const char *fmt, ...)
{
    int *failed = on_flush_thread ? &w->ffailed : &w->failed;
    if (*failed)
        return *failed;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(on_flush_thread ? w->fmsg : w->msg, sizeof w->msg, fmt, ap);
    va_end(ap);
    *failed = code;
    return code;
}

static int emit(iof__pq_writer *w, const void *p, size_t n)
{
    if (!n)
        return 0;
    int rc = w->cfg.sink(w->cfg.sink_ctx, p, n);
    if (rc < 0)
        return wfail(w, rc, "parquet: write failed at offset %llu", (unsigned long long)w->offset);
    w->offset += n;
    return 0;
}

/* ---- open / declare ----------------------------------------------------------------- */

static int setup_col(pq_col *c, const iof__column *src)
{
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", src->name);
    c->type = src->type;
    c->nullable = src->nullable;
    c->list = src->list;
    c->dict_hint = src->dict;
    switch (src->type) {
    case IOF_VT_BOOL: c->ptype = PQ_T_BOOLEAN; c->width = 1; break;
    case IOF_VT_INT8: c->ptype = PQ_T_INT32; c->width = 1; c->psize = 4; break;
    case IOF_VT_INT16: c->ptype = PQ_T_INT32; c->width = 2; c->psize = 4; break;
    case IOF_VT_INT32: c->ptype = PQ_T_INT32; c->width = 4; c->psize = 4; break;
    case IOF_VT_INT64:
    case IOF_VT_TIMESTAMP_US: c->ptype = PQ_T_INT64; c->width = 8; c->psize = 8; break;
    /* a double is buffered, dictionary-encoded and written as its 8-byte pattern */
    case IOF_VT_FLOAT64: c->ptype = PQ_T_DOUBLE; c->width = 8; c->psize = 8; break;
    case IOF_VT_STRING:
    case IOF_VT_BINARY: c->ptype = PQ_T_BYTE_ARRAY; c->bytes = true; break;
    default: return -1;
    }
    if (c->list) {
        c->max_rep = 1;
        c->max_def = (uint8_t)(c->nullable ? 2 : 1);
    } else {
        c->max_def = c->nullable ? 1 : 0;
    }
    return 0;
}

int iof__pq_writer_open(iof__pq_writer **out, const iof__column *cols, size_t ncols,
                        const iof__pq_writer_cfg *cfg, char *err, size_t errlen)
{
    *out = NULL;
    if (!cols || ncols == 0 || ncols > IOF_MAX_COLUMNS || !cfg || !cfg->sink) {
        if (err && errlen)
            snprintf(err, errlen, "parquet: invalid schema or configuration");
        return IOF_E_INVAL;
    }
    if (cfg->codec != IOF_CODEC_ZSTD && cfg->codec != IOF_CODEC_SNAPPY && cfg->codec != IOF_CODEC_NONE) {
        if (err && errlen)
            snprintf(err, errlen, "parquet: unknown codec %d", (int)cfg->codec);
        return IOF_E_INVAL;
    }
    if (cfg->zstd_level < IOF_ZSTD_LEVEL_MIN || cfg->zstd_level > IOF_ZSTD_LEVEL_MAX) {
        if (err && errlen)
            snprintf(err, errlen, "parquet: zstd level %d outside %d..%d", cfg->zstd_level, IOF_ZSTD_LEVEL_MIN,
                     IOF_ZSTD_LEVEL_MAX);
        return IOF_E_INVAL;
    }
    iof__pq_writer *w = calloc(1, sizeof *w);
    if (!w)
        goto nomem;
    w->cfg = *cfg;
    w->bg = cfg->threads != 1 && (cfg->threads > 1 || sysconf(_SC_NPROCESSORS_ONLN) >= 2);
    if (!w->cfg.row_group_bytes)
        w->cfg.row_group_bytes = IOF_PQ_DEFAULT_ROW_GROUP_BYTES;
    if (!w->cfg.page_bytes)
        w->cfg.page_bytes = IOF_PQ_DEFAULT_PAGE_BYTES;
    if (!w->cfg.page_entries)
        w->cfg.page_entries = IOF_PQ_DEFAULT_PAGE_ENTRIES;
    if (!w->cfg.dict_max_bytes)
        w->cfg.dict_max_bytes = IOF_PQ_DEFAULT_DICT_BYTES;
    if (!w->cfg.zstd_level)
        w->cfg.zstd_level = IOF_ZSTD_LEVEL_DEFAULT;
    snprintf(w->created_by, sizeof w->created_by, "%s",
             cfg->created_by ? cfg->created_by : "iotflow version " IOF_VERSION_STRING " (build " IOF_BUILD_ID ")");
    w->cfg.created_by = NULL;
    w->cfg.kv = NULL;
    if (cfg->n_kv) {
        w->kv = calloc(2 * cfg->n_kv, sizeof *w->kv);
        if (!w->kv)
            goto nomem;
        w->n_kv = cfg->n_kv;
        for (size_t i = 0; i < cfg->n_kv; i++) {
            const char *k = cfg->kv[i].key ? cfg->kv[i].key : "";
            const char *v = cfg->kv[i].value ? cfg->kv[i].value : "";
            w->kv[2 * i] = strdup(k);
            w->kv[2 * i + 1] = strdup(v);
            if (!w->kv[2 * i] || !w->kv[2 * i + 1])
                goto nomem;
        }
    }
    w->cols = calloc(ncols, sizeof *w->cols);
    if (!w->cols)
        goto nomem;
    w->ncols = ncols;
    for (size_t i = 0; i < ncols; i++) {
        if (setup_col(&w->cols[i], &cols[i]) < 0 || !cols[i].name[0]) {
            if (err && errlen)
                snprintf(err, errlen, "parquet: column %zu: unsupported type or empty name", i);
            iof__pq_writer_abort(w);
            return IOF_E_INVAL;
        }
    }
    if (!(w->fcols = malloc(ncols * sizeof *w->fcols)))
        goto nomem;
    memcpy(w->fcols, w->cols, ncols * sizeof *w->fcols); /* no buffers yet: nothing shared */
    w->simple = calloc(ncols, 1);
    w->simple_idx = calloc(ncols, sizeof *w->simple_idx);
    w->narrow_of = calloc(ncols, sizeof *w->narrow_of);
    if (!w->simple || !w->simple_idx || !w->narrow_of)
        goto nomem;
    for (int pass = 1; pass <= 2; pass++)
        for (size_t i = 0; i < ncols; i++) {
            const pq_col *c = &w->cols[i];
            /* narrow REQUIRED ones in the blocks; wider or nullable flat ones in stage64 */
            if (c->list || c->bytes || (c->width <= 2 && !c->nullable ? 1 : 2) != pass)
                continue;
            w->simple[i] = (uint8_t)pass;
            w->narrow_of[i] = (uint32_t)w->nsimple;
            w->simple_idx[w->nsimple++] = (uint32_t)i;
            if (pass == 1) {
                w->n16++;
            } else {
                w->n64++;
                w->row64_bytes += c->width + c->max_def;
            }
        }
    if (!(w->run16 = calloc(ncols, sizeof *w->run16)))
        goto nomem;
    w->nblk = (w->n16 + T_BLOCK - 1) / T_BLOCK;
    if (w->nblk && (!(w->sblk = calloc(w->nblk, sizeof *w->sblk)) || !(w->f_sblk = calloc(w->nblk, sizeof *w->f_sblk))))
        goto nomem;
    for (size_t i = ncols; i-- > 0;)
        w->run16[i] = w->simple[i] == 1 && w->cols[i].width == 2 ? 1 + (i + 1 < ncols ? w->run16[i + 1] : 0) : 0;
    if (w->n64 && (!(w->stage64 = malloc(STAGE_ROWS * w->n64 * sizeof *w->stage64)) ||
                   !(w->stage64n = malloc(STAGE_ROWS * w->n64))))
        goto nomem;
    if (w->cfg.codec == IOF_CODEC_ZSTD && !(w->zc = ZSTD_createCCtx()))
        goto nomem;
    if (w->cfg.codec == IOF_CODEC_ZSTD) /* optional: NULL keeps dictionary pages */
        /* our LZ parse needs libzstd's entropy coding of literals: off at negative levels */
        w->lzpool = iof__pq_lz_pool_new(w->cfg.zstd_level < 1 ? 1 : w->cfg.zstd_level, w->cfg.threads);
    iof__tc_w_init(&w->rgw, &w->rgs);
    if (emit(w, "PAR1", 4) < 0) {
        if (err && errlen)
            snprintf(err, errlen, "%s", w->msg);
        int rc = w->failed;
        iof__pq_writer_abort(w);
        return rc;
    }
    *out = w;
    return 0;
nomem:
    if (err && errlen)
        snprintf(err, errlen, "parquet: out of memory");
    iof__pq_writer_abort(w);
    return IOF_E_NOMEM;
}

void iof__pq_writer_abort(iof__pq_writer *w)
{
    if (!w)
        return;
    iof__worker_stop(w->bg_wk); /* a flush in flight ends first */
    for (size_t i = 0; i < w->ncols; i++) {
        iof__pq_buf_free(&w->cols[i].def);
        iof__pq_buf_free(&w->cols[i].rep);
        iof__pq_buf_free(&w->cols[i].vals);
        if (w->fcols) {
            iof__pq_buf_free(&w->fcols[i].def);
            iof__pq_buf_free(&w->fcols[i].rep);
            iof__pq_buf_free(&w->fcols[i].vals);
        }
    }
    free(w->cols);
    free(w->fcols);
    for (size_t b = 0; b < w->nblk; b++) {
        if (w->sblk)
            iof__pq_buf_free(&w->sblk[b]);
        if (w->f_sblk)
            iof__pq_buf_free(&w->f_sblk[b]);
    }
    free(w->sblk);
    free(w->f_sblk);
    iof__pq_buf_free(&w->rowcells);
    iof__pq_buf_free(&w->f_srows);
    iof__pq_buf_free(&w->f_spans);
    if (w->kv)
        for (size_t i = 0; i < 2 * w->n_kv; i++)
            free(w->kv[i]);
    free(w->kv);
    iof__pq_buf_free(&w->rgs);
    iof__pq_buf_free(&w->page);
    iof__pq_buf_free(&w->cbuf);
    iof__pq_buf_free(&w->hdr);
    iof__pq_buf_free(&w->dict);
    iof__pq_buf_free(&w->idx);
    iof__pq_buf_free(&w->dvals);
    iof__pq_buf_free(&w->tmp);
    iof__pq_buf_free(&w->ck.raw);
    iof__pq_buf_free(&w->ck.pages);
    iof__pq_buf_free(&w->ck.cheld);
    for (int k = 0; k < DICT_CACHE; k++) {
        iof__pq_buf_free(&w->dc[k].raw);
        iof__pq_buf_free(&w->dc[k].comp);
    }
    free(w->dtab);
    free(w->seen);
    free(w->ht);
    free(w->simple);
    free(w->run16);
    free(w->simple_idx);
    free(w->narrow_of);
    iof__pq_buf_free(&w->srows);
    iof__pq_buf_free(&w->spans);
    iof__pq_buf_free(&w->act);
    iof__pq_buf_free(&w->skip8);
    iof__pq_buf_free(&w->blk);
    free(w->seen16);
    free(w->stage64);
    free(w->stage64n);
    ZSTD_freeCCtx(w->zc);
    iof__pq_lz_pool_free(w->lzpool);
    for (size_t k = 0; k < T_BLOCK; k++) {
        iof__pq_buf_free(&w->lzplain[k]);
        iof__pq_buf_free(&w->lzpg[k].out);
    }
    free(w->lzstamp);
    free(w);
}

const char *iof__pq_writer_errmsg(const iof__pq_writer *w) { return w ? w->msg : ""; }
uint64_t iof__pq_writer_rows(const iof__pq_writer *w) { return w->rows_total; }
uint64_t iof__pq_writer_offset(const iof__pq_writer *w) { return w->offset; }

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

static inline int64_t double_bits(double f)
{
    int64_t x;
    memcpy(&x, &f, 8);
    return x;
}

static inline bool col_oom(const pq_col *c) { return c->vals.oom || c->def.oom || c->rep.oom; }

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
        return wfail(w, IOF_E_LIMIT, "parquet: column %s: value of %u bytes is too large", c->name, n);
    if (c->type == IOF_VT_STRING && !iof__pq_utf8_valid(p, n)) {
        w->tmp.len = 0;
        iof__pq_utf8_sanitize(&w->tmp, p, n);
        if (w->tmp.oom)
            return wfail(w, IOF_E_NOMEM, "parquet: out of memory");
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
        return wfail(w, IOF_E_INVAL, "parquet: column %s is not nullable", c->name);
    if (c->elems_left)
        return wfail(w, IOF_E_INVAL, "parquet: column %s: list elements missing", c->name);
    pq_buf_u8(&c->def, 0);
    if (c->max_rep)
        pq_buf_u8(&c->rep, 0);
    c->nentries++;
    c->nrows++;
    w->buffered += 2;
    return col_oom(c) ? wfail(w, IOF_E_NOMEM, "parquet: out of memory") : 0;
}

static inline int put_int(iof__pq_writer *w, pq_col *c, int64_t v)
{
    if (c->list || c->bytes)
        return wfail(w, IOF_E_INVAL, "parquet: column %s: not an integer scalar", c->name);
    if (c->max_def)
        pq_buf_u8(&c->def, c->max_def);
    store_int(c, v);
    c->nentries++;
    c->nvals++;
    c->nrows++;
    w->buffered += c->width + c->max_def;
    return col_oom(c) ? wfail(w, IOF_E_NOMEM, "parquet: out of memory") : 0;
}

static inline int put_bytes(iof__pq_writer *w, pq_col *c, const void *p, uint32_t n)
{
    if (c->list || !c->bytes)
        return wfail(w, IOF_E_INVAL, "parquet: column %s: not a byte-array scalar", c->name);
    if (c->max_def)
        pq_buf_u8(&c->def, c->max_def);
    int rc = store_bytes(w, c, p, n);
    if (rc < 0)
        return rc;
    c->nentries++;
    c->nvals++;
    c->nrows++;
    return col_oom(c) ? wfail(w, IOF_E_NOMEM, "parquet: out of memory") : 0;
}

static inline int put_list(iof__pq_writer *w, pq_col *c, uint32_t n)
{
    if (!c->list)
        return wfail(w, IOF_E_INVAL, "parquet: column %s is not a list", c->name);
    if (c->elems_left)
        return wfail(w, IOF_E_INVAL, "parquet: column %s: list elements missing", c->name);
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
    return col_oom(c) ? wfail(w, IOF_E_NOMEM, "parquet: out of memory") : 0;
}

static inline int elem_begin(iof__pq_writer *w, pq_col *c)
{
    if (!c->elems_left)
        return wfail(w, IOF_E_INVAL, "parquet: column %s: too many list elements", c->name);
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
        return wfail(w, IOF_E_INVAL, "parquet: column %s: not an integer list", c->name);
    IOF_TRY(elem_begin(w, c));
    store_int(c, v);
    w->buffered += c->width;
    return col_oom(c) ? wfail(w, IOF_E_NOMEM, "parquet: out of memory") : 0;
}

static inline int put_elem_bytes(iof__pq_writer *w, pq_col *c, const void *p, uint32_t n)
{
    if (!c->bytes)
        return wfail(w, IOF_E_INVAL, "parquet: column %s: not a byte-array list", c->name);
    IOF_TRY(elem_begin(w, c));
    IOF_TRY(store_bytes(w, c, p, n));
    return col_oom(c) ? wfail(w, IOF_E_NOMEM, "parquet: out of memory") : 0;
}

/* Appends the staged flat rows (INT32/INT64, and nullable integers of any width: their
 * definition levels from stage64n) to their column buffers. */
static int drain64(iof__pq_writer *w)
{
    const uint32_t nr = w->st64_rows;
    const size_t ns = w->n64;
    w->st64_rows = 0;
    for (size_t j = 0; j < ns; j++) {
        pq_col *c = &w->cols[w->simple_idx[w->n16 + j]];
        if (!pq_buf_reserve(&c->vals, (size_t)nr * 8 + 8) || (c->nullable && !pq_buf_reserve(&c->def, nr)))
            return wfail(w, IOF_E_NOMEM, "parquet: out of memory");
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

/* A staged row: narrow columns [ts, te) hold tv in that row and are not stored (ts = te = n16
 * when there is no such run); it has cells in block b (columns [b * T_BLOCK, ...)) unless the
 * run covers the whole block (ROW_IN_BLOCK). ts and te live apart, packed in the row's 4-byte
 * span (SPAN_TS / SPAN_TE), which is all that gather16 reads for rows it skips. */
_Static_assert(IOF_MAX_COLUMNS <= 0xffff, "spans pack two column indices in 32 bits");
#define SPAN_TS(sp) ((size_t)((sp) & 0xffff))
#define SPAN_TE(sp) ((size_t)((sp) >> 16))
/* A row whose left-out run is [ts, te) has cells in the block of columns [j0, j1). */
static inline bool in_block(size_t ts, size_t te, size_t j0, size_t j1) { return ts > j0 || te < j1; }
#define ROW_IN_BLOCK(sp, j0, j1) in_block(SPAN_TS(sp), SPAN_TE(sp), j0, j1)

/* The end of the block of narrow columns that starts at j0. */
static inline size_t block_end(const iof__pq_writer *w, size_t j0)
{
    return j0 + T_BLOCK < w->n16 ? j0 + T_BLOCK : w->n16;
}

/* Empties a narrow stage (the one being filled, or the flush side). */
static void stage16_clear(const iof__pq_writer *w, pq_buf *blk, pq_buf *rows, pq_buf *spans)
{
    for (size_t b = 0; b < w->nblk; b++)
        blk[b].len = 0;
    rows->len = 0;
    spans->len = 0;
}

typedef struct srow {
    int16_t tv;
} srow;

/* Appends a row's cells (its explicit cells, back to back, and its run [ts, te) of tv) to
 * every block it has cells in: a block's T_BLOCK columns in order, the run's columns inside
 * it holding tv. Returns the bytes stored, or <0 on error. */
static int64_t stage_blocks(iof__pq_writer *w, const int16_t *cells, size_t ts, size_t te, int16_t tv)
{
    size_t held = 0;
    const size_t gap = te - ts;
    const size_t b_run = ts / T_BLOCK, b_back = te / T_BLOCK; /* the blocks the run starts / ends in */
    for (size_t b = 0; b < w->nblk; b++) {
        const size_t j0 = b * T_BLOCK, j1 = block_end(w, j0), nb = j1 - j0;
        if (b > b_run && b < b_back) { /* inside the run: skip to the block where it ends */
            b = b_back - 1;
            continue;
        }
        if (!in_block(ts, te, j0, j1))
            continue;
        held += nb * sizeof(int16_t);
        pq_buf *bk = &w->sblk[b];
        if (!pq_buf_reserve(bk, T_BLOCK * sizeof(int16_t)))
            return wfail(w, IOF_E_NOMEM, "parquet: out of memory");
        int16_t *dst = (int16_t *)(void *)(bk->p + bk->len);
        bk->len += nb * sizeof(int16_t);
        if (j1 <= ts) {
            memcpy(dst, cells + j0, nb * sizeof *dst);
        } else if (j0 >= te) {
            memcpy(dst, cells + (j0 - gap), nb * sizeof *dst);
        } else { /* the run starts or ends inside the block: cells, run, cells */
            const size_t a = ts > j0 ? ts - j0 : 0, e = (te < j1 ? te : j1) - j0;
            memcpy(dst, cells + j0, a * sizeof *dst);
            for (size_t k = a; k < e; k++)
                dst[k] = tv;
            if (e < nb)
                memcpy(dst + e, cells + (j0 + e - gap), (nb - e) * sizeof *dst);
        }
    }
    return (int64_t)held;
}

static inline void store_narrow(pq_col *c, int16_t x, uint8_t *q, uint64_t r)
{
    if (c->width == 2)
        memcpy(q + 2 * r, &x, 2);
    else
        q[r] = (uint8_t)x;
}

/* Appends every staged narrow row to the column buffers (dense), for the cell API. */
static int drain16(iof__pq_writer *w)
{
    const uint64_t nr = w->st16_rows;
    const srow *rows = (const srow *)(const void *)w->srows.p;
    const uint32_t *spans = (const uint32_t *)(const void *)w->spans.p;
    for (size_t j = 0; j < w->n16; j++) {
        pq_col *c = &w->cols[w->simple_idx[j]];
        if (!pq_buf_reserve(&c->vals, nr * c->width))
            return wfail(w, IOF_E_NOMEM, "parquet: out of memory");
        uint8_t *q = c->vals.p + c->vals.len;
        const size_t b = j / T_BLOCK, j0 = b * T_BLOCK, j1 = block_end(w, j0);
        /* the block's cells (NULL when no row has any: then no row is in the block) */
        const int16_t *cells = (const int16_t *)(const void *)w->sblk[b].p;
        for (uint64_t r = 0, i = 0; r < nr; r++)
            store_narrow(c, ROW_IN_BLOCK(spans[r], j0, j1) ? cells[(i++) * (j1 - j0) + (j - j0)] : rows[r].tv, q, r);
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
    if (w->st64_rows && drain64(w) < 0)
        return w->failed;
    if (w->st16_rows && drain16(w) < 0)
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
            return wfail((w), IOF_E_INVAL, "parquet: column index %zu out of range", (col)); \
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
        return wfail(w, IOF_E_INVAL, "parquet: column %s is not FLOAT64", w->cols[col].name);
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
        return wfail(w, IOF_E_INVAL, "parquet: column %s is not FLOAT64", w->cols[col].name);
    return put_elem_int(w, &w->cols[col], double_bits(v));
}

int iof__pq_put_elem_bytes(iof__pq_writer *w, size_t col, const void *p, uint32_t n)
{
    CHECK_COL(w, col);
    return put_elem_bytes(w, &w->cols[col], p, n);
}

static int flush_rg(iof__pq_writer *w, bool sync);

int iof__pq_end_rows(iof__pq_writer *w, size_t n)
{
    if (w->failed)
        return w->failed;
    w->rg_rows += n;
    w->rows_total += n;
    if (w->buffered >= w->cfg.row_group_bytes || w->rg_rows >= IOF_PQ_MAX_RG_ROWS)
        return flush_rg(w, false);
    return 0;
}

int iof__pq_end_row(iof__pq_writer *w) { return iof__pq_end_rows(w, 1); }

int iof__pq_write_row(iof__pq_writer *w, const iof__schema *s, const void *row)
{
    if (w->failed)
        return w->failed;
    if (s->n != w->ncols)
        return wfail(w, IOF_E_INVAL, "parquet: schema has %zu columns, writer %zu", s->n, w->ncols);
    iof__value v;
    if (!pq_buf_reserve(&w->rowcells, w->n16 * sizeof(int16_t)) ||
        !pq_buf_reserve(&w->srows, sizeof(srow)) || !pq_buf_reserve(&w->spans, sizeof(uint32_t)))
        return wfail(w, IOF_E_NOMEM, "parquet: out of memory");
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
        if (w->simple[i]) {
            v.null = false;
            v.i = 0;
            s->ops.get(row, sc, 0, &v);
            if (v.null && !w->cols[i].nullable)
                return wfail(w, IOF_E_INVAL, "parquet: column %s is not nullable", sc->name);
            if (w->simple[i] == 1) {
                *st16++ = (int16_t)(sc->type == IOF_VT_BOOL ? v.i != 0 : v.i);
                pos16++;
            } else {
                *st64++ = v.null ? 0 : value_bits(sc->type, &v);
                *st64n++ = !v.null;
                if (v.null) /* a null holds its level only (as put_null counts it) */
                    nullfix += w->cols[i].width + w->cols[i].max_def - 2u;
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
                        rc = wfail(w, IOF_E_INVAL, "parquet: column %s: null list element", c->name);
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
    if (w->n64 && ++w->st64_rows == STAGE_ROWS && drain64(w) < 0)
        return w->failed;
    return iof__pq_end_rows(w, 1);
}

int iof__pq_put_column(iof__pq_writer *w, size_t col, const iof__value *v, size_t n)
{
    CHECK_COL(w, col);
    pq_col *c = &w->cols[col];
    if (c->list)
        return wfail(w, IOF_E_INVAL, "parquet: column %s: batches are for scalar columns", c->name);
    for (size_t k = 0; k < n; k++) {
        int rc = v[k].null    ? put_null(w, c)
                 : c->bytes ? put_bytes(w, c, v[k].p, v[k].len)
                            : put_int(w, c, value_bits(c->type, &v[k]));
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* ---- encoding a column chunk -------------------------------------------------------- */

static inline int64_t load_int(const pq_col *c, const uint8_t *vals, uint64_t k)
{
    switch (c->width) {
    case 1: return (int8_t)vals[k];
    case 2: { int16_t x; memcpy(&x, vals + 2 * k, 2); return x; }
    case 4: { int32_t x; memcpy(&x, vals + 4 * k, 4); return x; }
    default: { int64_t x; memcpy(&x, vals + 8 * k, 8); return x; }
    }
}

static inline uint32_t hash64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (uint32_t)x;
}

static uint32_t hash_bytes(const uint8_t *p, uint32_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ n;
    while (n >= 8) {
        uint64_t x;
        memcpy(&x, p, 8);
        h = (h ^ x) * 0x100000001b3ULL;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    uint64_t x = 0;
    memcpy(&x, p, n);
    h = (h ^ x) * 0xff51afd7ed558ccdULL;
    h ^= h >> 32;
    return (uint32_t)h;
}

static bool ht_init(iof__pq_writer *w, size_t cap)
{
    if (w->ht_cap < cap) {
        uint32_t *n = realloc(w->ht, cap * sizeof *n);
        if (!n)
            return false;
        w->ht = n;
        w->ht_cap = cap;
    }
    memset(w->ht, 0, cap * sizeof *w->ht);
    return true;
}

static void set_int_stats(stats *st, const pq_col *c, int64_t mn, int64_t mx)
{
    st->has = st->has_max = st->min_exact = st->max_exact = true;
    unsigned n = c->ptype == PQ_T_BOOLEAN ? 1 : c->psize;
    for (unsigned k = 0; k < n; k++) { /* little-endian PLAIN encoding, no length prefix */
        st->min[k] = (uint8_t)((uint64_t)mn >> (8 * k));
        st->max[k] = (uint8_t)((uint64_t)mx >> (8 * k));
    }
    st->min_len = st->max_len = n;
}

/* Statistics of n FLOAT64 values (8-byte patterns at vals) by Parquet's rules for floating
 * point: NaN takes no part, a zero min is written -0.0 and a zero max +0.0, and there is no
 * min/max when every value is NaN. */
static void set_double_stats(stats *st, const pq_col *c, const uint8_t *vals, uint64_t n)
{
    bool any = false;
    double mn = 0, mx = 0;
    for (uint64_t k = 0; k < n; k++) {
        double x;
        memcpy(&x, vals + 8 * k, 8);
        if (x != x)
            continue;
        if (!any || x < mn)
            mn = x;
        if (!any || x > mx)
            mx = x;
        any = true;
    }
    if (!any)
        return;
    if (mn == 0)
        mn = -0.0;
    if (mx == 0)
        mx = 0.0;
    set_int_stats(st, c, double_bits(mn), double_bits(mx));
}

static inline int cmp_bytes(const uint8_t *a, uint32_t an, const uint8_t *b, uint32_t bn)
{
    int r = memcmp(a, b, an < bn ? an : bn); /* memcmp compares as unsigned char */
    return r ? r : (an < bn ? -1 : an > bn);
}

static void set_bytes_stats(stats *st, const uint8_t *mn, uint32_t mnl, const uint8_t *mx, uint32_t mxl)
{
    st->has = true;
    st->min_exact = mnl <= IOF_PQ_STAT_MAX_BYTES;
    st->min_len = st->min_exact ? mnl : IOF_PQ_STAT_MAX_BYTES; /* a prefix is <= the value */
    memcpy(st->min, mn, st->min_len);
    if (mxl <= IOF_PQ_STAT_MAX_BYTES) {
        st->has_max = st->max_exact = true;
        st->max_len = mxl;
        memcpy(st->max, mx, mxl);
        return;
    }
    /* prefix with its last non-0xFF byte incremented is > every value with that prefix */
    uint32_t n = IOF_PQ_STAT_MAX_BYTES;
    while (n > 0 && mx[n - 1] == 0xFF)
        n--;
    if (n == 0) { /* no finite upper bound of that length: write no min/max at all */
        st->has = false;
        return;
    }
    memcpy(st->max, mx, n);
    st->max[n - 1]++;
    st->max_len = n;
    st->has_max = true;
    st->max_exact = false;
}

/* Builds the dictionary of c's values into w->idx (indices), w->dict (PLAIN dictionary page
 * body) and computes statistics. Returns the number of entries if the dictionary should be
 * used, 0 otherwise (statistics are then computed by the caller). */
static uint32_t build_dict_ints(iof__pq_writer *w, pq_col *c, stats *st, bool *stats_done)
{
    const uint64_t nv = c->nvals;
    const uint8_t *vals = c->vals.p;
    w->idx.len = 0;
    w->dvals.len = 0;
    if (!pq_buf_reserve(&w->idx, nv * 4) || !pq_buf_reserve(&w->dvals, 8 * 4096))
        return 0;
    uint32_t *idx = (uint32_t *)(void *)w->idx.p;
    uint32_t nd = 0;
    if (c->width <= 2) {
        if (!w->dtab) {
            w->dtab = malloc(65536 * sizeof *w->dtab);
            if (!w->dtab)
                return 0;
            memset(w->dtab, 0xff, 65536 * sizeof *w->dtab);
        }
        if (!pq_buf_reserve(&w->dvals, 8 * 65536))
            return 0;
        int64_t *dv = (int64_t *)(void *)w->dvals.p;
        int32_t *tab = w->dtab;
        if (c->width == 1) {
            for (uint64_t k = 0; k < nv; k++) {
                uint8_t key = vals[k];
                int32_t d = tab[key];
                if (d < 0) {
                    d = (int32_t)nd++;
                    tab[key] = d;
                    dv[d] = (int8_t)key;
                }
                idx[k] = (uint32_t)d;
            }
        } else {
            for (uint64_t k = 0; k < nv; k++) {
                uint16_t key;
                memcpy(&key, vals + 2 * k, 2);
                int32_t d = tab[key];
                if (d < 0) {
                    d = (int32_t)nd++;
                    tab[key] = d;
                    dv[d] = (int16_t)key;
                }
                idx[k] = (uint32_t)d;
            }
        }
        int64_t mn = dv[0], mx = dv[0];
        for (uint32_t d = 0; d < nd; d++) {
            tab[(uint16_t)(c->width == 1 ? (uint8_t)dv[d] : (uint16_t)dv[d])] = -1;
            if (dv[d] < mn) mn = dv[d];
            if (dv[d] > mx) mx = dv[d];
        }
        set_int_stats(st, c, mn, mx);
        *stats_done = true;
    } else {
        uint32_t maxd = w->cfg.dict_max_bytes / c->psize;
        size_t cap = 1024;
        while (cap < 2 * (nv < 4096 ? nv : 4096))
            cap *= 2;
        if (!ht_init(w, cap))
            return 0;
        size_t mask = cap - 1;
        for (uint64_t k = 0; k < nv; k++) {
            int64_t x = load_int(c, vals, k);
            size_t h = hash64((uint64_t)x) & mask;
            uint32_t e;
            const int64_t *dv = (const int64_t *)(const void *)w->dvals.p;
            while ((e = w->ht[h]) && dv[e - 1] != x)
                h = (h + 1) & mask;
            if (!e) {
                if (nd >= maxd || (!c->dict_hint && k + 1 == DICT_SAMPLE && nd > DICT_SAMPLE / 2))
                    return 0;
                if (!pq_buf_reserve(&w->dvals, 8))
                    return 0;
                memcpy(w->dvals.p + 8 * (size_t)nd, &x, 8);
                w->dvals.len += 8;
                e = ++nd;
                w->ht[h] = e;
                if (2 * (size_t)nd > cap) { /* grow and rehash */
                    cap *= 2;
                    mask = cap - 1;
                    if (!ht_init(w, cap))
                        return 0;
                    const int64_t *d2 = (const int64_t *)(const void *)w->dvals.p;
                    for (uint32_t d = 0; d < nd; d++) {
                        size_t g = hash64((uint64_t)d2[d]) & mask;
                        while (w->ht[g])
                            g = (g + 1) & mask;
                        w->ht[g] = d + 1;
                    }
                }
            }
            idx[k] = e - 1;
        }
        const int64_t *dv = (const int64_t *)(const void *)w->dvals.p;
        if (c->type == IOF_VT_FLOAT64) {
            set_double_stats(st, c, w->dvals.p, nd);
        } else {
            int64_t mn = dv[0], mx = dv[0];
            for (uint32_t d = 1; d < nd; d++) {
                if (dv[d] < mn) mn = dv[d];
                if (dv[d] > mx) mx = dv[d];
            }
            set_int_stats(st, c, mn, mx);
        }
        *stats_done = true;
    }
    /* does it pay? PLAIN costs psize per value */
    unsigned bw = pq_bit_width(nd - 1);
    uint64_t plain = nv * c->psize;
    uint64_t cost = (uint64_t)nd * c->psize + (nv * bw + 7) / 8 + 16;
    if (!c->dict_hint && cost >= plain)
        return 0;
    if ((uint64_t)nd * c->psize > w->cfg.dict_max_bytes)
        return 0;
    w->dict.len = 0;
    const int64_t *dv = (const int64_t *)(const void *)w->dvals.p;
    for (uint32_t d = 0; d < nd; d++) {
        if (c->psize == 4)
            pq_buf_le32(&w->dict, (uint32_t)(int32_t)dv[d]);
        else
            pq_buf_le64(&w->dict, (uint64_t)dv[d]);
    }
    return w->dict.oom ? 0 : nd;
}

static uint32_t build_dict_bytes(iof__pq_writer *w, pq_col *c, stats *st, bool *stats_done)
{
    const uint64_t nv = c->nvals;
    const uint8_t *vals = c->vals.p;
    w->idx.len = 0;
    w->dvals.len = 0;
    if (!pq_buf_reserve(&w->idx, nv * 4))
        return 0;
    uint32_t *idx = (uint32_t *)(void *)w->idx.p;
    size_t cap = 1024;
    while (cap < 2 * (nv < 4096 ? nv : 4096))
        cap *= 2;
    if (!ht_init(w, cap))
        return 0;
    size_t mask = cap - 1;
    uint32_t nd = 0;
    uint64_t dict_bytes = 0, off = 0;
    for (uint64_t k = 0; k < nv; k++) {
        uint32_t len = pq_rd_le32(vals + off);
        const uint8_t *p = vals + off + 4;
        uint32_t hv = hash_bytes(p, len);
        size_t h = hv & mask;
        uint32_t e;
        const dent *de = (const dent *)(const void *)w->dvals.p;
        while ((e = w->ht[h])) {
            const dent *x = &de[e - 1];
            if (x->hash == hv && x->len == len && memcmp(vals + x->off + 4, p, len) == 0)
                break;
            h = (h + 1) & mask;
        }
        if (!e) {
            dict_bytes += 4 + (uint64_t)len;
            if (dict_bytes > w->cfg.dict_max_bytes ||
                (!c->dict_hint && k + 1 >= DICT_SAMPLE && nd > k / 2))
                return 0;
            dent nde = {off, len, hv};
            pq_buf_put(&w->dvals, &nde, sizeof nde);
            if (w->dvals.oom)
                return 0;
            e = ++nd;
            w->ht[h] = e;
            if (2 * (size_t)nd > cap) {
                cap *= 2;
                mask = cap - 1;
                if (!ht_init(w, cap))
                    return 0;
                const dent *d2 = (const dent *)(const void *)w->dvals.p;
                for (uint32_t d = 0; d < nd; d++) {
                    size_t g = d2[d].hash & mask;
                    while (w->ht[g])
                        g = (g + 1) & mask;
                    w->ht[g] = d + 1;
                }
            }
        }
        idx[k] = e - 1;
        off += 4 + (uint64_t)len;
    }
    const dent *de = (const dent *)(const void *)w->dvals.p;
    uint32_t imin = 0, imax = 0;
    for (uint32_t d = 1; d < nd; d++) {
        if (cmp_bytes(vals + de[d].off + 4, de[d].len, vals + de[imin].off + 4, de[imin].len) < 0)
            imin = d;
        if (cmp_bytes(vals + de[d].off + 4, de[d].len, vals + de[imax].off + 4, de[imax].len) > 0)
            imax = d;
    }
    set_bytes_stats(st, vals + de[imin].off + 4, de[imin].len, vals + de[imax].off + 4, de[imax].len);
    *stats_done = true;
    unsigned bw = pq_bit_width(nd - 1);
    uint64_t cost = dict_bytes + (nv * bw + 7) / 8 + 16;
    if (!c->dict_hint && cost >= c->vals.len)
        return 0;
    w->dict.len = 0;
    for (uint32_t d = 0; d < nd; d++)
        pq_buf_put(&w->dict, vals + de[d].off, 4 + (size_t)de[d].len);
    return w->dict.oom ? 0 : nd;
}

static void plain_stats(const pq_col *c, stats *st)
{
    const uint8_t *vals = c->vals.p;
    if (!c->nvals)
        return;
    if (c->type == IOF_VT_FLOAT64) {
        set_double_stats(st, c, vals, c->nvals);
        return;
    }
    if (!c->bytes) {
        int64_t mn = load_int(c, vals, 0), mx = mn;
        for (uint64_t k = 1; k < c->nvals; k++) {
            int64_t x = load_int(c, vals, k);
            if (x < mn) mn = x;
            if (x > mx) mx = x;
        }
        set_int_stats(st, c, mn, mx);
        return;
    }
    uint64_t off = 0;
    const uint8_t *mn = NULL, *mx = NULL;
    uint32_t mnl = 0, mxl = 0;
    for (uint64_t k = 0; k < c->nvals; k++) {
        uint32_t len = pq_rd_le32(vals + off);
        const uint8_t *p = vals + off + 4;
        if (!mn || cmp_bytes(p, len, mn, mnl) < 0) { mn = p; mnl = len; }
        if (!mx || cmp_bytes(p, len, mx, mxl) > 0) { mx = p; mxl = len; }
        off += 4 + (uint64_t)len;
    }
    set_bytes_stats(st, mn, mnl, mx, mxl);
}

/* ---- pages and the column chunk they belong to ----------------------------------- */

/* Compresses n bytes with the file's codec into out (replacing its contents). */
static int compress_into(iof__pq_writer *w, const uint8_t *body, size_t n, pq_buf *out)
{
    out->len = 0;
    if (w->cfg.codec == IOF_CODEC_ZSTD) {
        size_t bound = ZSTD_compressBound(n);
        if (!pq_buf_reserve(out, bound))
            return wfail(w, IOF_E_NOMEM, "parquet: out of memory");
        size_t r = ZSTD_compressCCtx(w->zc, out->p, bound, body, n, w->cfg.zstd_level);
        if (ZSTD_isError(r))
            return wfail(w, IOF_E_NOMEM, "parquet: zstd: %s", ZSTD_getErrorName(r));
        out->len = r;
        return 0;
    }
    size_t bound = snappy_max_compressed_length(n);
    if (!pq_buf_reserve(out, bound))
        return wfail(w, IOF_E_NOMEM, "parquet: out of memory");
    size_t outlen = bound;
    if (snappy_compress((const char *)body, n, (char *)out->p, &outlen) != SNAPPY_OK)
        return wfail(w, IOF_E_NOMEM, "parquet: snappy compression failed");
    out->len = outlen;
    return 0;
}

/* compress_into() for a page; dictionary pages go through the cache of recent ones. */
static int compress_page(iof__pq_writer *w, int type, const uint8_t *body, size_t n, pq_buf *out)
{
    if (type != PQ_PAGE_DICTIONARY || n > DICT_CACHE_MAX)
        return compress_into(w, body, n, out);
    uint32_t h = hash_bytes(body, (uint32_t)n);
    for (unsigned k = 0; k < DICT_CACHE; k++) {
        dict_cache *e = &w->dc[k];
        if (e->raw.len == n && e->hash == h && e->comp.len && memcmp(e->raw.p, body, n) == 0) {
            out->len = 0;
            pq_buf_put(out, e->comp.p, e->comp.len);
            return out->oom ? wfail(w, IOF_E_NOMEM, "parquet: out of memory") : 0;
        }
    }
    IOF_TRY(compress_into(w, body, n, out));
    dict_cache *e = &w->dc[w->dc_next++ % DICT_CACHE];
    e->raw.len = e->comp.len = 0;
    e->hash = h;
    pq_buf_put(&e->raw, body, n);
    pq_buf_put(&e->comp, out->p, out->len);
    if (e->raw.oom || e->comp.oom) { /* the cache is optional: forget the entry */
        iof__pq_buf_free(&e->raw);
        iof__pq_buf_free(&e->comp);
    }
    return 0;
}

/* Writes PageHeader + the page's on-disk bytes (cp, cn: compressed, or the raw body when the
 * chunk is stored uncompressed); n is the uncompressed size. */
static int emit_page(iof__pq_writer *w, int type, size_t n, const uint8_t *cp, size_t cn, uint32_t num_values,
                     int encoding)
{
    if (cn > INT32_MAX)
        return wfail(w, IOF_E_LIMIT, "parquet: compressed page too large");
    w->hdr.len = 0;
    tc_w t;
    iof__tc_w_init(&t, &w->hdr);
    iof__tc_i32(&t, 1, type);
    iof__tc_i32(&t, 2, (int32_t)n);
    iof__tc_i32(&t, 3, (int32_t)cn);
    if (type == PQ_PAGE_DATA) {
        iof__tc_struct_begin(&t, 5);
        iof__tc_i32(&t, 1, (int32_t)num_values);
        iof__tc_i32(&t, 2, encoding);
        iof__tc_i32(&t, 3, PQ_ENC_RLE);
        iof__tc_i32(&t, 4, PQ_ENC_RLE);
        iof__tc_struct_end(&t);
    } else {
        iof__tc_struct_begin(&t, 7);
        iof__tc_i32(&t, 1, (int32_t)num_values);
        iof__tc_i32(&t, 2, PQ_ENC_PLAIN);
        iof__tc_struct_end(&t);
    }
    iof__tc_struct_end(&t);
    if (w->hdr.oom)
        return wfail(w, IOF_E_NOMEM, "parquet: out of memory");
    chunk_state *ck = &w->ck;
    if (ck->first_off < 0)
        ck->first_off = (int64_t)w->offset;
    if (type == PQ_PAGE_DATA && ck->data_off < 0)
        ck->data_off = (int64_t)w->offset;
    IOF_TRY(emit(w, w->hdr.p, w->hdr.len));
    IOF_TRY(emit(w, cp, cn));
    ck->unc += w->hdr.len + n;
    ck->comp += w->hdr.len + cn;
    return 0;
}

static int emit_page_codec(iof__pq_writer *w, int type, const uint8_t *body, size_t n, uint32_t num_values,
                           int encoding)
{
    if (w->ck.codec == PQ_CODEC_UNCOMPRESSED)
        return emit_page(w, type, n, body, n, num_values, encoding);
    IOF_TRY(compress_page(w, type, body, n, &w->cbuf));
    return emit_page(w, type, n, w->cbuf.p, w->cbuf.len, num_values, encoding);
}

static int file_codec(const iof__pq_writer *w)
{
    return w->cfg.codec == IOF_CODEC_ZSTD ? PQ_CODEC_ZSTD
           : w->cfg.codec == IOF_CODEC_SNAPPY ? PQ_CODEC_SNAPPY : PQ_CODEC_UNCOMPRESSED;
}

static void chunk_begin(iof__pq_writer *w, pq_col *c)
{
    chunk_state *ck = &w->ck;
    ck->col = c;
    ck->hold = w->cfg.codec != IOF_CODEC_NONE;
    ck->codec = ck->hold ? -1 : PQ_CODEC_UNCOMPRESSED;
    if (ck->hold && c->comp_skip && w->rg_count % COMP_RETRY != 0) {
        /* near-random columns (encrypted payload bytes) are not worth compressing again every
         * row group: store them as they are and try again every COMP_RETRY row groups */
        ck->hold = false;
        ck->codec = PQ_CODEC_UNCOMPRESSED;
    }
    ck->first_off = ck->data_off = -1;
    ck->unc = ck->comp = 0;
    ck->raw.len = 0;
    ck->pages.len = 0;
}

/* Writes the held pages with the file's codec and streams the rest of the chunk. */
static int chunk_release(iof__pq_writer *w)
{
    chunk_state *ck = &w->ck;
    ck->hold = false;
    ck->codec = file_codec(w);
    const held_page *hp = (const held_page *)(const void *)ck->pages.p;
    for (size_t k = 0; k < ck->pages.len / sizeof *hp; k++)
        IOF_TRY(emit_page_codec(w, hp[k].type, ck->raw.p + hp[k].off, hp[k].len, hp[k].num_values, hp[k].enc));
    return 0;
}

/* Adds a page to the current chunk. While the chunk is small its pages are held back, so
 * that chunk_end() can store it UNCOMPRESSED when compression does not pay (the codec is a
 * property of each column chunk); a chunk that outgrows CHUNK_HOLD is compressed as usual. */
static int write_page(iof__pq_writer *w, int type, const uint8_t *body, size_t n, uint32_t num_values, int encoding)
{
    if (n > INT32_MAX)
        return wfail(w, IOF_E_LIMIT, "parquet: page of %zu bytes is too large", n);
    chunk_state *ck = &w->ck;
    if (!ck->hold)
        return emit_page_codec(w, type, body, n, num_values, encoding);
    held_page hp = { ck->raw.len, (uint32_t)n, num_values, 0, (uint8_t)type, (uint8_t)encoding };
    pq_buf_put(&ck->raw, body, n);
    pq_buf_put(&ck->pages, &hp, sizeof hp);
    if (ck->raw.oom || ck->pages.oom)
        return wfail(w, IOF_E_NOMEM, "parquet: out of memory");
    return ck->raw.len > CHUNK_HOLD ? chunk_release(w) : 0;
}

/* Decides the codec of a chunk whose pages are all held, and writes them. */
static int chunk_end(iof__pq_writer *w)
{
    chunk_state *ck = &w->ck;
    if (!ck->hold)
        return 0;
    held_page *hp = (held_page *)(void *)ck->pages.p;
    const size_t np = ck->pages.len / sizeof *hp;
    ck->hold = false;
    if (ck->raw.len > CHUNK_TINY) {
        /* compress every page into cheld, keep the result only if it saves >= 1/32 */
        ck->cheld.len = 0;
        size_t total = 0;
        for (size_t k = 0; k < np; k++) {
            IOF_TRY(compress_page(w, hp[k].type, ck->raw.p + hp[k].off, hp[k].len, &w->cbuf));
            pq_buf_put(&ck->cheld, w->cbuf.p, w->cbuf.len);
            hp[k].clen = (uint32_t)w->cbuf.len;
            total += w->cbuf.len;
        }
        if (ck->cheld.oom)
            return wfail(w, IOF_E_NOMEM, "parquet: out of memory");
        ck->col->comp_skip = total + ck->raw.len / 4 >= ck->raw.len;
        if (total + ck->raw.len / 32 < ck->raw.len) {
            ck->codec = file_codec(w);
            size_t at = 0;
            for (size_t k = 0; k < np; k++) {
                size_t cn = hp[k].clen;
                IOF_TRY(emit_page(w, hp[k].type, hp[k].len, ck->cheld.p + at, cn, hp[k].num_values, hp[k].enc));
                at += cn;
            }
            return 0;
        }
    }
    ck->codec = PQ_CODEC_UNCOMPRESSED;
    for (size_t k = 0; k < np; k++)
        IOF_TRY(emit_page(w, hp[k].type, hp[k].len, ck->raw.p + hp[k].off, hp[k].len, hp[k].num_values, hp[k].enc));
    return 0;
}

static void put_levels(pq_buf *page, const uint8_t *lv, size_t n, unsigned width)
{
    size_t at = page->len;
    pq_buf_le32(page, 0);
    iof__pq_hybrid_encode_u8(page, lv, n, width);
    if (!page->oom) {
        uint32_t len = (uint32_t)(page->len - at - 4);
        page->p[at] = (uint8_t)len;
        page->p[at + 1] = (uint8_t)(len >> 8);
        page->p[at + 2] = (uint8_t)(len >> 16);
        page->p[at + 3] = (uint8_t)(len >> 24);
    }
}

static void put_plain(pq_buf *page, const pq_col *c, uint64_t v0, uint64_t v1, uint64_t b0, uint64_t b1)
{
    uint64_t n = v1 - v0;
    const uint8_t *vals = c->vals.p;
    if (n == 0) /* e.g. a page of nulls only: vals may still be NULL */
        return;
    if (c->bytes) {
        pq_buf_put(page, vals + b0, b1 - b0);
        return;
    }
    if (c->type == IOF_VT_BOOL) {
        size_t nb = (n + 7) / 8;
        if (!pq_buf_reserve(page, nb))
            return;
        uint8_t *q = page->p + page->len;
        memset(q, 0, nb);
        for (uint64_t k = 0; k < n; k++)
            q[k >> 3] |= (uint8_t)((vals[v0 + k] & 1) << (k & 7));
        page->len += nb;
        return;
    }
    if (c->width == c->psize) { /* INT32 / INT64: buffered exactly as PLAIN */
        pq_buf_put(page, vals + v0 * c->width, n * c->width);
        return;
    }
    if (!pq_buf_reserve(page, n * 4))
        return;
    uint8_t *q = page->p + page->len;
    for (uint64_t k = 0; k < n; k++) {
        int32_t x = (int32_t)load_int(c, vals, v0 + k);
        memcpy(q + 4 * k, &x, 4);
    }
    page->len += n * 4;
}

/* Appends c's ColumnChunk (with its ColumnMetaData) to the row group being described. */
static int chunk_meta(iof__pq_writer *w, const pq_col *c, tc_w *t, bool dict, uint64_t nentries, uint64_t nnull,
                      const stats *st, uint64_t *rg_unc, uint64_t *rg_comp)
{
    IOF_TRY(chunk_end(w));
    const chunk_state *ck = &w->ck;
    if (ck->data_off < 0)
        return wfail(w, IOF_E_INVAL, "parquet: column %s: chunk without a data page", c->name);
    *rg_unc += ck->unc;
    *rg_comp += ck->comp;
    iof__tc_elem_struct_begin(t);
    iof__tc_i64(t, 2, 0); /* file_offset: 0, metadata lives in the footer only */
    iof__tc_struct_begin(t, 3);
    iof__tc_i32(t, 1, c->ptype);
    int encs[3], ne = 0;
    encs[ne++] = PQ_ENC_PLAIN;
    if (c->max_def || c->max_rep)
        encs[ne++] = PQ_ENC_RLE;
    if (dict)
        encs[ne++] = PQ_ENC_RLE_DICTIONARY;
    iof__tc_list_begin(t, 2, TC_I32, (size_t)ne);
    for (int i = 0; i < ne; i++)
        iof__tc_elem_i32(t, encs[i]);
    iof__tc_list_begin(t, 3, TC_BINARY, c->list ? 3 : 1);
    iof__tc_elem_binary(t, c->name, strlen(c->name));
    if (c->list) {
        iof__tc_elem_binary(t, "list", 4);
        iof__tc_elem_binary(t, "element", 7);
    }
    iof__tc_i32(t, 4, ck->codec);
    iof__tc_i64(t, 5, (int64_t)nentries);
    iof__tc_i64(t, 6, (int64_t)ck->unc);
    iof__tc_i64(t, 7, (int64_t)ck->comp);
    iof__tc_i64(t, 9, ck->data_off);
    if (dict)
        iof__tc_i64(t, 11, ck->first_off);
    iof__tc_struct_begin(t, 12);
    iof__tc_i64(t, 3, (int64_t)nnull);
    if (st->has) {
        if (st->has_max)
            iof__tc_binary(t, 5, st->max, st->max_len);
        iof__tc_binary(t, 6, st->min, st->min_len);
        if (st->has_max)
            iof__tc_bool(t, 7, st->max_exact);
        iof__tc_bool(t, 8, st->min_exact);
    }
    iof__tc_struct_end(t);
    iof__tc_struct_end(t);
    iof__tc_struct_end(t);
    return 0;
}

static int write_chunk(iof__pq_writer *w, pq_col *c, tc_w *t, uint64_t *rg_unc, uint64_t *rg_comp)
{
    stats st;
    memset(&st, 0, sizeof st);
    bool stats_done = false;
    uint32_t nd = 0;
    if (c->nvals && c->type != IOF_VT_BOOL)
        nd = c->bytes ? build_dict_bytes(w, c, &st, &stats_done) : build_dict_ints(w, c, &st, &stats_done);
    if (!stats_done) {
        memset(&st, 0, sizeof st);
        plain_stats(c, &st);
    }
    chunk_begin(w, c);
    if (nd)
        IOF_TRY(write_page(w, PQ_PAGE_DICTIONARY, w->dict.p, w->dict.len, nd, PQ_ENC_PLAIN));
    unsigned bw = nd ? pq_bit_width(nd - 1) : 0;
    const unsigned dbw = pq_bit_width(c->max_def), rbw = pq_bit_width(c->max_rep);
    const uint32_t *idx = (const uint32_t *)(const void *)w->idx.p;
    const uint8_t *def = c->def.p, *rep = c->rep.p, *vals = c->vals.p;
    uint64_t e = 0, v = 0, b = 0;
    while (e < c->nentries) {
        uint64_t e2 = e, v2 = v, b2 = b;
        if (!c->max_def && !c->bytes) {
            e2 = e + w->cfg.page_entries < c->nentries ? e + w->cfg.page_entries : c->nentries;
            v2 = e2;
        } else {
            uint64_t bytes = 0;
            for (;;) {
                if (!c->max_def || def[e2] == c->max_def) {
                    if (c->bytes) {
                        uint32_t len = pq_rd_le32(vals + b2);
                        b2 += 4 + (uint64_t)len;
                        bytes += nd ? 4 : 4 + (uint64_t)len;
                    } else {
                        bytes += c->psize ? c->psize : 1;
                    }
                    v2++;
                }
                e2++;
                if (e2 >= c->nentries)
                    break;
                if ((e2 - e >= w->cfg.page_entries || bytes >= w->cfg.page_bytes) && (!c->max_rep || rep[e2] == 0))
                    break;
            }
        }
        w->page.len = 0;
        if (c->max_rep)
            put_levels(&w->page, rep + e, e2 - e, rbw);
        if (c->max_def)
            put_levels(&w->page, def + e, e2 - e, dbw);
        if (nd) {
            pq_buf_u8(&w->page, (uint8_t)bw);
            iof__pq_hybrid_encode_u32(&w->page, idx + v, v2 - v, bw);
        } else {
            put_plain(&w->page, c, v, v2, b, b2);
        }
        if (w->page.oom)
            return wfail(w, IOF_E_NOMEM, "parquet: out of memory");
        if (e2 - e > INT32_MAX)
            return wfail(w, IOF_E_LIMIT, "parquet: too many values in a page");
        IOF_TRY(write_page(w, PQ_PAGE_DATA, w->page.p, w->page.len, (uint32_t)(e2 - e),
                           nd ? PQ_ENC_RLE_DICTIONARY : PQ_ENC_PLAIN));
        e = e2;
        v = v2;
        b = b2;
    }

    return chunk_meta(w, c, t, nd != 0, c->nentries, c->nentries - c->nvals, &st, rg_unc, rg_comp);
}

/* ---- staged narrow columns: sparse gathering and encoding -------------------------- */

#define SEEN_OFF 256 /* values a block's presence tables cover directly: [-256, 256) */
#define SEEN_N (2 * SEEN_OFF)

/* dst[k * n + i] = src[i * nb + k] for i < n, k < nb: row-major cells to columns. 8 x 8 tiles
 * through SSE2 registers (one 16-byte store per column and 8 rows instead of 8 2-byte ones). */
static void transpose16(int16_t *restrict dst, const int16_t *restrict src, size_t n, size_t nb)
{
    size_t i = 0;
#if defined(__SSE2__)
    for (; i + 8 <= n; i += 8) {
        const int16_t *s0 = src + i * nb;
        size_t k = 0;
        for (; k + 8 <= nb; k += 8) {
            __m128i r[8], t[8], u[8];
            for (int q = 0; q < 8; q++)
                r[q] = _mm_loadu_si128((const __m128i *)(const void *)(s0 + q * nb + k));
            for (int q = 0; q < 4; q++) {
                t[2 * q] = _mm_unpacklo_epi16(r[2 * q], r[2 * q + 1]);     /* columns 0-3 of rows 2q, 2q+1 */
                t[2 * q + 1] = _mm_unpackhi_epi16(r[2 * q], r[2 * q + 1]); /* columns 4-7 */
            }
            for (int h = 0; h < 2; h++) { /* rows 0-3 (h 0) and 4-7 (h 1) */
                u[4 * h + 0] = _mm_unpacklo_epi32(t[4 * h + 0], t[4 * h + 2]); /* columns 0, 1 */
                u[4 * h + 1] = _mm_unpackhi_epi32(t[4 * h + 0], t[4 * h + 2]); /* columns 2, 3 */
                u[4 * h + 2] = _mm_unpacklo_epi32(t[4 * h + 1], t[4 * h + 3]); /* columns 4, 5 */
                u[4 * h + 3] = _mm_unpackhi_epi32(t[4 * h + 1], t[4 * h + 3]); /* columns 6, 7 */
            }
            for (int c = 0; c < 4; c++) {
                _mm_storeu_si128((__m128i *)(void *)(dst + (k + 2 * c) * n + i), _mm_unpacklo_epi64(u[c], u[4 + c]));
                _mm_storeu_si128((__m128i *)(void *)(dst + (k + 2 * c + 1) * n + i), _mm_unpackhi_epi64(u[c], u[4 + c]));
            }
        }
        for (; k < nb; k++)
            for (size_t q = 0; q < 8; q++)
                dst[k * n + i + q] = s0[q * nb + k];
    }
#endif
    for (; i < n; i++)
        for (size_t k = 0; k < nb; k++)
            dst[k * n + i] = src[i * nb + k];
}

/* Gathers narrow columns [j0, j1) (block j0 / T_BLOCK) of the staged rows: act[r] = 1 for the
 * rows that have cells there, blk = their values in row order, column j0 + k at blk + k *
 * blk_n (cells of a row's left-out run hold its run value). Rows left out hold their run value
 * in every column of the block. The block is read front to back. On the way, which values
 * each column holds (seen16). */
static int gather16(iof__pq_writer *w, size_t j0, size_t j1)
{
    const uint64_t nr = w->f_st16_rows;
    const size_t nb = j1 - j0;
    const pq_buf *bk = &w->f_sblk[j0 / T_BLOCK];
    const int16_t *cells = (const int16_t *)(const void *)bk->p;
    const uint32_t *spans = (const uint32_t *)(const void *)w->f_spans.p; /* 4 bytes a row: stays in cache */
    w->act.len = w->blk.len = 0;
    if (!pq_buf_reserve(&w->act, nr + 8) || !pq_buf_reserve(&w->blk, (nr + 1) * nb * sizeof(int16_t)) ||
        !pq_buf_reserve(&w->skip8, (nr / 8 + 1) * sizeof(uint32_t)) ||
        (!w->seen16 && !(w->seen16 = calloc(T_BLOCK, SEEN_N + 1))))
        return wfail(w, IOF_E_NOMEM, "parquet: out of memory");
    uint8_t *act = w->act.p;
    size_t n = 0;
    for (uint64_t r = 0; r < nr; r++) {
        uint8_t a = (uint8_t)ROW_IN_BLOCK(spans[r], j0, j1);
        act[r] = a;
        n += a;
    }
    iof__pq_act_skip8(act, nr, (uint32_t *)(void *)w->skip8.p);
    if (n * nb * sizeof(int16_t) != bk->len)
        return wfail(w, IOF_E_INVAL, "parquet: staged block does not match its rows");
    w->blk_n = n;
    uint8_t *seen = w->seen16;
    memset(seen, 0, T_BLOCK * (SEEN_N + 1));
    for (size_t i = 0; i < n; i++) {
        const int16_t *src = cells + i * nb;
        for (size_t k = 0; k < nb; k++) {
            const uint16_t o = (uint16_t)(src[k] + SEEN_OFF);
            seen[k * (SEEN_N + 1) + (o < SEEN_N ? o : SEEN_N)] = 1;
        }
    }
    transpose16((int16_t *)(void *)w->blk.p, cells, n, nb);
    return 0;
}

/* Completes block column k's presence table (gather16) with the run value of the rows left out
 * of the block; true when the table then holds every value of the column: none outside
 * [-SEEN_OFF, SEEN_OFF), and the rows left out share one run value. */
static bool seen16_complete(iof__pq_writer *w, size_t k, size_t n, bool tv_same, int16_t tv)
{
    uint8_t *s16 = w->seen16 + k * (SEEN_N + 1);
    const bool tv_ok = tv_same && tv >= -SEEN_OFF && tv < SEEN_OFF;
    if (n < w->f_st16_rows && tv_ok)
        s16[tv + SEEN_OFF] = 1;
    return !s16[SEEN_N] && (n == w->f_st16_rows || tv_ok);
}

/* A gathered narrow column: its rows' values (rows with cells in the block) and, per row,
 * whether it has one there. */
typedef struct col16 {
    const int16_t *v; /* v[n] is readable (blk has spare room) */
    size_t n;
    const uint8_t *act;
} col16;

static void col16_get(const iof__pq_writer *w, size_t k, col16 *cv)
{
    cv->n = w->blk_n;
    cv->v = (const int16_t *)(const void *)w->blk.p + k * w->blk_n;
    cv->act = w->act.p;
}

/* Row r's value in a transposed column: the next stored cell, or the row's run value. */
#define COL16_AT(cv, rows, r, i) ((cv)->act[r] ? (cv)->v[(i)++] : (rows)[r].tv)

/* All staged rows' values of one narrow column, dense, into c->vals. */
static int expand16(iof__pq_writer *w, pq_col *c, const col16 *cv)
{
    const uint64_t nr = w->f_st16_rows;
    const srow *rows = (const srow *)(const void *)w->f_srows.p;
    c->vals.len = 0;
    if (!pq_buf_reserve(&c->vals, nr * c->width))
        return wfail(w, IOF_E_NOMEM, "parquet: out of memory");
    uint8_t *q = c->vals.p;
    size_t i = 0;
    for (uint64_t r = 0; r < nr; r++)
        store_narrow(c, COL16_AT(cv, rows, r, i), q, r);
    c->vals.len = nr * c->width;
    c->nentries = c->nvals = c->nrows = nr;
    return 0;
}

static int write_chunk(iof__pq_writer *w, pq_col *c, tc_w *t, uint64_t *rg_unc, uint64_t *rg_comp);

/* A narrow column through the dense path (BOOL, or no dictionary). */
static int write_chunk16_dense(iof__pq_writer *w, pq_col *c, tc_w *t, const col16 *cv, uint64_t *rg_unc,
                               uint64_t *rg_comp)
{
    IOF_TRY(expand16(w, c, cv));
    int rc = write_chunk(w, c, t, rg_unc, rg_comp);
    iof__pq_buf_free(&c->vals); /* not kept for every narrow column: the next row group stages again */
    c->nentries = c->nvals = c->nrows = 0;
    return rc;
}

/* For the narrow columns [j0, j1) just gathered: the PLAIN values of all staged rows, and for
 * the columns with more than LZ_MIN_DISTINCT distinct values (payload bytes, where a
 * dictionary page is a large part of a small chunk) their pq_lz frames, made by the pool's
 * threads. write_chunk16() takes a frame instead of a dictionary. */
static int lz_prepare(iof__pq_writer *w, size_t j0, size_t j1, bool tv_same, int16_t tv)
{
    const uint64_t nr = w->f_st16_rows;
    const srow *rows = (const srow *)(const void *)w->f_srows.p;
    if (!w->lzstamp && !(w->lzstamp = calloc(65536, sizeof *w->lzstamp)))
        return wfail(w, IOF_E_NOMEM, "parquet: out of memory");
    for (size_t k = 0; k < j1 - j0; k++) {
        iof__pq_lz_page *pg = &w->lzpg[k];
        pg->n = pg->clen = 0;
        const pq_col *c = &w->fcols[w->simple_idx[j0 + k]];
        if (c->type == IOF_VT_BOOL || c->dict_hint)
            continue;
        pq_buf *pb = &w->lzplain[k];
        pb->len = 0;
        if (!pq_buf_reserve(pb, nr * 4))
            return wfail(w, IOF_E_NOMEM, "parquet: out of memory");
        if (++w->lzgen == 0) { /* stamps wrapped: start over */
            memset(w->lzstamp, 0, 65536 * sizeof *w->lzstamp);
            w->lzgen = 1;
        }
        const uint32_t g = w->lzgen;
        col16 cv;
        col16_get(w, k, &cv);
        uint8_t *q = pb->p;
        uint32_t nd = 0;
        int mn = INT16_MAX, mx = INT16_MIN;
        /* distinct values and range from gather16()'s presence table when it saw them all
         * (payload bytes and markers; the rows left out all hold tv); else counted here */
        const uint8_t *s16 = w->seen16 + k * (SEEN_N + 1);
        if (seen16_complete(w, k, cv.n, tv_same, tv)) {
            for (int o = 0; o < SEEN_N; o++) {
                if (s16[o]) {
                    nd++;
                    mn = o - SEEN_OFF < mn ? o - SEEN_OFF : mn;
                    mx = o - SEEN_OFF;
                }
            }
            for (uint64_t r = 0, i = 0; r < nr; r++) {
                int32_t x = COL16_AT(&cv, rows, r, i);
                memcpy(q + 4 * r, &x, 4);
            }
        } else {
            uint32_t *stamp = w->lzstamp;
            for (uint64_t r = 0, i = 0; r < nr; r++) {
                int32_t x = COL16_AT(&cv, rows, r, i);
                memcpy(q + 4 * r, &x, 4);
                uint32_t *st = &stamp[(uint16_t)x];
                nd += *st != g;
                *st = g;
                mn = x < mn ? x : mn;
                mx = x > mx ? x : mx;
            }
        }
        pb->len = nr * 4;
        w->lzmn[k] = (int16_t)mn;
        w->lzmx[k] = (int16_t)mx;
        if (nd > LZ_MIN_DISTINCT) {
            pg->plain = pb->p;
            pg->n = nr;
        }
    }
    iof__pq_lz_pool_run(w->lzpool, w->lzpg, j1 - j0);
    return 0;
}

/* A narrow column of a small row group as its one pq_lz page (no dictionary page, see
 * pq_lz.h). Returns 1 when written, 0 when the frame does not pay (nothing written: the caller
 * takes the dictionary), <0 on error. */
static int write_chunk16_lz(iof__pq_writer *w, pq_col *c, tc_w *t, const iof__pq_lz_page *pg, const stats *st,
                            uint64_t *rg_unc, uint64_t *rg_comp)
{
    const size_t raw = pg->n * 4;
    if (!pg->clen || pg->clen + raw / 32 >= raw)
        return 0;
    chunk_begin(w, c);
    w->ck.hold = false; /* the page is compressed already */
    w->ck.codec = PQ_CODEC_ZSTD;
    IOF_TRY(emit_page(w, PQ_PAGE_DATA, raw, pg->out.p, pg->clen, (uint32_t)pg->n, PQ_ENC_PLAIN));
    IOF_TRY(chunk_meta(w, c, t, false, pg->n, 0, st, rg_unc, rg_comp));
    return 1;
}

/* Encodes the transposed INT8/INT16 narrow column j: a sorted dictionary of the stored cells
 * and of the run values of the rows left out (sorted, so columns with the same value set share
 * a byte-identical dictionary page, compressed once: see compress_page), then the indices, with
 * stretches of left-out rows as RLE runs when the rows share their run value. Falls back to the
 * dense path when a dictionary does not pay. */
static int write_chunk16(iof__pq_writer *w, pq_col *c, tc_w *t, size_t j, bool tv_same, int16_t tv,
                         const iof__pq_lz_page *lzpg, uint64_t *rg_unc, uint64_t *rg_comp)
{
    const uint64_t nr = w->f_st16_rows;
    const srow *rows = (const srow *)(const void *)w->f_srows.p;
    col16 cv;
    col16_get(w, j % T_BLOCK, &cv);
    const int16_t *vals = cv.v;
    const size_t n = cv.n;
    if (c->type == IOF_VT_BOOL)
        return write_chunk16_dense(w, c, t, &cv, rg_unc, rg_comp);
    if (lzpg && lzpg->n == nr) { /* lz_prepare() made its page (and knows its range) */
        stats st;
        memset(&st, 0, sizeof st);
        const size_t k = (size_t)(lzpg - w->lzpg);
        set_int_stats(&st, c, w->lzmn[k], w->lzmx[k]);
        int rc = write_chunk16_lz(w, c, t, lzpg, &st, rg_unc, rg_comp);
        if (rc != 0)
            return rc < 0 ? rc : 0;
    }
    if (!w->dtab) {
        w->dtab = malloc(65536 * sizeof *w->dtab);
        if (!w->dtab)
            return wfail(w, IOF_E_NOMEM, "parquet: out of memory");
        memset(w->dtab, 0xff, 65536 * sizeof *w->dtab);
    }
    w->dvals.len = 0;
    if (!pq_buf_reserve(&w->dvals, 8 * 65536))
        return wfail(w, IOF_E_NOMEM, "parquet: out of memory");
    int32_t *tab = w->dtab; /* key -> dictionary index; -1 absent, -2 present (not yet placed) */
    int64_t *dv = (int64_t *)(void *)w->dvals.p;
    const uint16_t kmask = c->width == 1 ? 0xff : 0xffff;
#define KEY(x) ((uint16_t)((uint16_t)(x) & kmask))
    /* 1. which values occur: gather16() noted them when they are in [-SEEN_OFF, SEEN_OFF)
     * (payload bytes and markers); otherwise a byte per possible value and the range */
    const uint8_t *s16 = w->seen16 + (j % T_BLOCK) * (SEEN_N + 1);
    uint32_t nd = 0;
    int mn16 = INT16_MAX, mx16 = INT16_MIN;
    if (c->width == 2 && seen16_complete(w, j % T_BLOCK, n, tv_same, tv)) {
        for (int o = 0; o < SEEN_N; o++) {
            if (s16[o]) {
                tab[(uint16_t)(o - SEEN_OFF)] = (int32_t)nd;
                dv[nd++] = o - SEEN_OFF;
            }
        }
        mn16 = (int)dv[0];
        mx16 = (int)dv[nd - 1];
        goto have_dict;
    }
    if (!w->seen && !(w->seen = calloc(65536, 1)))
        return wfail(w, IOF_E_NOMEM, "parquet: out of memory");
    uint8_t *seen = w->seen;
    if (n < nr) { /* rows left out: their run values */
        if (tv_same) {
            seen[KEY(tv)] = 1;
            mn16 = mx16 = tv;
        } else {
            for (uint64_t r = 0; r < nr; r++) {
                if (cv.act[r])
                    continue;
                int x = rows[r].tv;
                seen[KEY(x)] = 1;
                mn16 = x < mn16 ? x : mn16;
                mx16 = x > mx16 ? x : mx16;
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        int x = vals[i];
        seen[KEY(x)] = 1;
        mn16 = x < mn16 ? x : mn16;
        mx16 = x > mx16 ? x : mx16;
    }
    /* 2. indices in value order (so equal value sets give equal dictionary pages) */
    for (int64_t x = mn16; x <= mx16; x++) {
        if (seen[KEY(x)]) {
            seen[KEY(x)] = 0;
            tab[KEY(x)] = (int32_t)nd;
            dv[nd++] = x;
        }
    }
have_dict:;
    const int64_t mn = mn16, mx = mx16;
    unsigned bw = pq_bit_width(nd - 1);
    uint64_t cost = (uint64_t)nd * c->psize + (nr * bw + 7) / 8 + 16;
    bool use_dict = (c->dict_hint || cost < nr * c->psize) && (uint64_t)nd * c->psize <= w->cfg.dict_max_bytes;
    stats st;
    memset(&st, 0, sizeof st);
    set_int_stats(&st, c, mn, mx);
    int rc = 0;
    if (use_dict) {
        w->dict.len = 0;
        for (uint32_t d = 0; d < nd; d++)
            pq_buf_le32(&w->dict, (uint32_t)(int32_t)dv[d]);
        if (w->dict.oom)
            rc = wfail(w, IOF_E_NOMEM, "parquet: out of memory");
    }
    if (use_dict && rc == 0) {
        chunk_begin(w, c);
        rc = write_page(w, PQ_PAGE_DICTIONARY, w->dict.p, w->dict.len, nd, PQ_ENC_PLAIN);
        if (!tv_same && n < nr) {
            /* rows left out with different run values: index every row (rare, never for
             * custom-flow rows, whose runs are all -1) */
            if (rc == 0 && !pq_buf_reserve(&w->idx, nr * sizeof(uint32_t)))
                rc = wfail(w, IOF_E_NOMEM, "parquet: out of memory");
            uint32_t *all = (uint32_t *)(void *)w->idx.p;
            for (uint64_t r = 0, i = 0; rc == 0 && r < nr; r++)
                all[r] = (uint32_t)tab[KEY(COL16_AT(&cv, rows, r, i))];
            for (uint64_t p0 = 0; rc == 0 && p0 < nr; p0 += w->cfg.page_entries) {
                uint64_t p1 = nr - p0 > w->cfg.page_entries ? p0 + w->cfg.page_entries : nr;
                w->page.len = 0;
                pq_buf_u8(&w->page, (uint8_t)bw);
                iof__pq_hybrid_encode_u32(&w->page, all + p0, (size_t)(p1 - p0), bw);
                rc = w->page.oom ? wfail(w, IOF_E_NOMEM, "parquet: out of memory")
                                 : write_page(w, PQ_PAGE_DATA, w->page.p, w->page.len, (uint32_t)(p1 - p0),
                                              PQ_ENC_RLE_DICTIONARY);
            }
        } else {
            uint32_t fill = n < nr ? (uint32_t)tab[KEY(tv)] : 0;
            size_t i0 = 0;
            for (uint64_t p0 = 0; rc == 0 && p0 < nr; p0 += w->cfg.page_entries) {
                uint64_t p1 = nr - p0 > w->cfg.page_entries ? p0 + w->cfg.page_entries : nr;
                w->page.len = 0;
                pq_buf_u8(&w->page, (uint8_t)bw);
                const uint32_t *skip8 = p0 % 8 == 0 ? (const uint32_t *)(const void *)w->skip8.p + p0 / 8 : NULL;
                i0 += iof__pq_hybrid_encode_masked16(&w->page, bw, cv.act + p0, (size_t)(p1 - p0), vals + i0, tab,
                                                     kmask, fill, skip8);
                rc = w->page.oom ? wfail(w, IOF_E_NOMEM, "parquet: out of memory")
                                 : write_page(w, PQ_PAGE_DATA, w->page.p, w->page.len, (uint32_t)(p1 - p0),
                                              PQ_ENC_RLE_DICTIONARY);
            }
        }
    }
    for (uint32_t d = 0; d < nd; d++)
        tab[KEY(dv[d])] = -1;
#undef KEY
    if (rc < 0)
        return rc;
    if (use_dict)
        return chunk_meta(w, c, t, true, nr, 0, &st, rg_unc, rg_comp);
    return write_chunk16_dense(w, c, t, &cv, rg_unc, rg_comp);
}

/* Writes the row group handed over by flush_rg() (fcols and the f_ stage): on the flush thread,
 * or on the caller's. */
static int flush_body(iof__pq_writer *w)
{
    const bool sparse16 = w->f_st16_rows > 0;
    bool tv_same = true;
    int16_t tv = 0;
    if (sparse16) { /* do all rows with a left-out run share its value? */
        const srow *rows = (const srow *)(const void *)w->f_srows.p;
        const uint32_t *spans = (const uint32_t *)(const void *)w->f_spans.p;
        bool any = false;
        for (uint64_t r = 0; r < w->f_st16_rows && tv_same; r++) {
            if (SPAN_TS(spans[r]) == SPAN_TE(spans[r]))
                continue;
            if (any && rows[r].tv != tv)
                tv_same = false;
            tv = rows[r].tv;
            any = true;
        }
    }
    /* a small row group's narrow columns may go as pq_lz pages (one page each) */
    const bool lz_on = w->lzpool && sparse16 && w->f_st16_rows <= IOF_PQ_LZ_MAX_VALUES &&
                       w->f_st16_rows <= w->cfg.page_entries;
    uint64_t rg_start = w->offset, unc = 0, comp = 0;
    tc_w *t = &w->rgw;
    iof__tc_elem_struct_begin(t);
    iof__tc_list_begin(t, 1, TC_STRUCT, w->ncols);
    for (size_t i = 0; i < w->ncols; i++) {
        pq_col *c = &w->fcols[i];
        if (sparse16 && w->simple[i] == 1) {
            size_t j = w->narrow_of[i];
            if (j % T_BLOCK == 0) {
                const size_t j1 = block_end(w, j);
                IOF_TRY(gather16(w, j, j1));
                if (lz_on)
                    IOF_TRY(lz_prepare(w, j, j1, tv_same, tv));
            }
            IOF_TRY(write_chunk16(w, c, t, j, tv_same, tv, lz_on ? &w->lzpg[j % T_BLOCK] : NULL, &unc, &comp));
            continue;
        }
        IOF_TRY(write_chunk(w, c, t, &unc, &comp));
        c->def.len = c->rep.len = c->vals.len = 0;
        c->nentries = c->nvals = c->nrows = 0;
    }
    w->f_st16_rows = 0;
    stage16_clear(w, w->f_sblk, &w->f_srows, &w->f_spans);
    iof__tc_i64(t, 2, (int64_t)unc);
    iof__tc_i64(t, 3, (int64_t)w->f_rg_rows);
    iof__tc_i64(t, 5, (int64_t)rg_start);
    iof__tc_i64(t, 6, (int64_t)comp);
    if (w->rg_count <= INT16_MAX) {
        iof__tc_field(t, 7, TC_I16);
        iof__tc_elem_i32(t, (int32_t)w->rg_count);
    }
    iof__tc_struct_end(t);
    if (w->rgs.oom)
        return wfail(w, IOF_E_NOMEM, "parquet: out of memory");
    w->rg_count++;
    w->f_rg_rows = 0;
    return 0;
}

/* ---- the flush thread ---------------------------------------------------------------- */

static void bg_job(void *arg)
{
    on_flush_thread = true;
    (void)flush_body(arg); /* its error is in ffailed */
}

/* Waits for the flush in flight; its failure becomes the writer's. */
static int bg_wait(iof__pq_writer *w)
{
    if (w->bg_wk)
        iof__worker_wait(w->bg_wk);
    if (w->ffailed && !w->failed) {
        w->failed = w->ffailed;
        memcpy(w->msg, w->fmsg, sizeof w->msg);
    }
    return w->failed;
}

/* Starts flush_body() of the handed-over row group on the flush thread (started on first use).
 * False: no thread, the caller flushes. */
static bool bg_start(iof__pq_writer *w)
{
    if (!w->bg)
        return false;
    if (!w->bg_wk && !(w->bg_wk = iof__worker_start())) {
        w->bg = false;
        return false;
    }
    iof__worker_submit(w->bg_wk, bg_job, w);
    return true;
}

/* Closes the row group being filled (main thread): drains the stages, checks every column's
 * row count, waits for the previous row group's flush, hands this one over (fcols / f_ stage
 * swap buffers with cols / stage: no copy) and writes it on the flush thread, or here when
 * `sync` or without one. */
static int flush_rg(iof__pq_writer *w, bool sync)
{
    if (w->failed)
        return w->failed;
    if (w->st64_rows && drain64(w) < 0)
        return w->failed;
    if (w->st16_rows) { /* some rows went the dense way (cell API): then all do */
        bool dense = false;
        for (size_t j = 0; j < w->n16 && !dense; j++)
            dense = w->cols[w->simple_idx[j]].nrows > 0;
        if (dense && drain16(w) < 0)
            return w->failed;
    }
    if (w->rg_rows == 0)
        return sync ? bg_wait(w) : 0;
    for (size_t i = 0; i < w->ncols; i++) {
        pq_col *c = &w->cols[i];
        uint64_t staged = w->simple[i] == 1 ? w->st16_rows : 0;
        if (c->nrows + staged != w->rg_rows || c->elems_left)
            return wfail(w, IOF_E_INVAL, "parquet: column %s has %llu values for %llu rows", c->name,
                         (unsigned long long)(c->nrows + staged), (unsigned long long)w->rg_rows);
        if (col_oom(c))
            return wfail(w, IOF_E_NOMEM, "parquet: out of memory");
    }
    IOF_TRY(bg_wait(w));
    for (size_t i = 0; i < w->ncols; i++) {
        pq_col *a = &w->cols[i], *b = &w->fcols[i];
        pq_buf t;
        t = a->def, a->def = b->def, b->def = t;
        t = a->rep, a->rep = b->rep, b->rep = t;
        t = a->vals, a->vals = b->vals, b->vals = t;
        b->nentries = a->nentries, b->nvals = a->nvals, b->nrows = a->nrows;
        a->nentries = a->nvals = a->nrows = 0;
    }
    pq_buf t;
    pq_buf *tb = w->sblk;
    w->sblk = w->f_sblk;
    w->f_sblk = tb;
    t = w->srows, w->srows = w->f_srows, w->f_srows = t;
    t = w->spans, w->spans = w->f_spans, w->f_spans = t;
    w->f_st16_rows = w->st16_rows;
    w->f_rg_rows = w->rg_rows;
    w->st16_rows = w->rg_rows = w->buffered = 0;
    if (!sync && bg_start(w))
        return 0;
    return flush_body(w);
}

/* ---- footer ------------------------------------------------------------------------- */

static void leaf_annotations(tc_w *t, iof__vtype type)
{
    switch (type) {
    case IOF_VT_INT8:
    case IOF_VT_INT16:
        iof__tc_i32(t, 6, type == IOF_VT_INT8 ? PQ_CT_INT_8 : PQ_CT_INT_16);
        iof__tc_struct_begin(t, 10);
        iof__tc_struct_begin(t, PQ_LT_INTEGER);
        iof__tc_i8(t, 1, type == IOF_VT_INT8 ? 8 : 16);
        iof__tc_bool(t, 2, true);
        iof__tc_struct_end(t);
        iof__tc_struct_end(t);
        break;
    case IOF_VT_TIMESTAMP_US:
        iof__tc_i32(t, 6, PQ_CT_TIMESTAMP_MICROS);
        iof__tc_struct_begin(t, 10);
        iof__tc_struct_begin(t, PQ_LT_TIMESTAMP);
        iof__tc_bool(t, 1, true); /* isAdjustedToUTC */
        iof__tc_struct_begin(t, 2); /* unit: TimeUnit union */
        iof__tc_struct_begin(t, 2); /* MICROS */
        iof__tc_struct_end(t);
        iof__tc_struct_end(t);
        iof__tc_struct_end(t);
        iof__tc_struct_end(t);
        break;
    case IOF_VT_STRING:
        iof__tc_i32(t, 6, PQ_CT_UTF8);
        iof__tc_struct_begin(t, 10);
        iof__tc_struct_begin(t, PQ_LT_STRING);
        iof__tc_struct_end(t);
        iof__tc_struct_end(t);
        break;
    default:
        break;
    }
}

int iof__pq_writer_finish(iof__pq_writer *w, char *err, size_t errlen)
{
    int rc = flush_rg(w, true);
    if (rc < 0) {
        if (err && errlen)
            snprintf(err, errlen, "%s", w->msg);
        iof__pq_writer_abort(w);
        return rc;
    }
    pq_buf f = {0};
    tc_w t;
    iof__tc_w_init(&t, &f);
    iof__tc_i32(&t, 1, 1);
    size_t nel = 1;
    for (size_t i = 0; i < w->ncols; i++)
        nel += w->cols[i].list ? 3 : 1;
    iof__tc_list_begin(&t, 2, TC_STRUCT, nel);
    iof__tc_elem_struct_begin(&t);
    iof__tc_string(&t, 4, "schema");
    iof__tc_i32(&t, 5, (int32_t)w->ncols);
    iof__tc_struct_end(&t);
    for (size_t i = 0; i < w->ncols; i++) {
        const pq_col *c = &w->cols[i];
        iof__tc_elem_struct_begin(&t);
        if (c->list) {
            iof__tc_i32(&t, 3, c->nullable ? PQ_REP_OPTIONAL : PQ_REP_REQUIRED);
            iof__tc_string(&t, 4, c->name);
            iof__tc_i32(&t, 5, 1);
            iof__tc_i32(&t, 6, PQ_CT_LIST);
            iof__tc_struct_begin(&t, 10);
            iof__tc_struct_begin(&t, PQ_LT_LIST);
            iof__tc_struct_end(&t);
            iof__tc_struct_end(&t);
            iof__tc_struct_end(&t);
            iof__tc_elem_struct_begin(&t);
            iof__tc_i32(&t, 3, PQ_REP_REPEATED);
            iof__tc_string(&t, 4, "list");
            iof__tc_i32(&t, 5, 1);
            iof__tc_struct_end(&t);
            iof__tc_elem_struct_begin(&t);
            iof__tc_i32(&t, 1, c->ptype);
            iof__tc_i32(&t, 3, PQ_REP_REQUIRED);
            iof__tc_string(&t, 4, "element");
        } else {
            iof__tc_i32(&t, 1, c->ptype);
            iof__tc_i32(&t, 3, c->nullable ? PQ_REP_OPTIONAL : PQ_REP_REQUIRED);
            iof__tc_string(&t, 4, c->name);
        }
        leaf_annotations(&t, c->type);
        iof__tc_struct_end(&t);
    }
    iof__tc_i64(&t, 3, (int64_t)w->rows_total);
    iof__tc_list_begin(&t, 4, TC_STRUCT, w->rg_count);
    pq_buf_put(&f, w->rgs.p, w->rgs.len);
    if (w->n_kv) {
        iof__tc_list_begin(&t, 5, TC_STRUCT, w->n_kv);
        for (size_t i = 0; i < w->n_kv; i++) {
            iof__tc_elem_struct_begin(&t);
            iof__tc_string(&t, 1, w->kv[2 * i]);
            iof__tc_string(&t, 2, w->kv[2 * i + 1]);
            iof__tc_struct_end(&t);
        }
    }
    iof__tc_string(&t, 6, w->created_by);
    iof__tc_list_begin(&t, 7, TC_STRUCT, w->ncols);
    for (size_t i = 0; i < w->ncols; i++) {
        iof__tc_elem_struct_begin(&t);
        iof__tc_struct_begin(&t, 1); /* TYPE_ORDER */
        iof__tc_struct_end(&t);
        iof__tc_struct_end(&t);
    }
    iof__tc_struct_end(&t);
    if (f.oom || f.len > UINT32_MAX) {
        rc = wfail(w, IOF_E_NOMEM, "parquet: out of memory building the footer");
    } else {
        uint8_t tail[8];
        uint32_t n = (uint32_t)f.len;
        tail[0] = (uint8_t)n; tail[1] = (uint8_t)(n >> 8); tail[2] = (uint8_t)(n >> 16); tail[3] = (uint8_t)(n >> 24);
        memcpy(tail + 4, "PAR1", 4);
        rc = emit(w, f.p, f.len);
        if (rc == 0)
            rc = emit(w, tail, 8);
    }
    iof__pq_buf_free(&f);
    if (rc < 0 && err && errlen)
        snprintf(err, errlen, "%s", w->msg);
    iof__pq_writer_abort(w);
    return rc;
}
