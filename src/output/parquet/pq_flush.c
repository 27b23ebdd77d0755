/* Parquet writer: closing a row group and writing it, on the flush thread or the caller's
 * (pq_writer_int.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "common/err.h"
#include "common/grow.h"
#include "common/thread.h"
#include "output/parquet/pq_writer_int.h"

/* How a row group's narrow columns are written (write_rg). */
typedef struct rg_how {
    bool sparse16, tv_same, lz_on;
    int16_t tv;
} rg_how;

/* Writes the columns [i0, i1) of the handed-over row group (fcols and the f_ stage): their
 * chunks to w's sink, their ColumnChunk structs to t. A range starts where a block of narrow
 * columns does (split_ok). */
static int write_cols(iof__pq_writer *w, tc_w *t, size_t i0, size_t i1, const rg_how *g, uint64_t *unc,
                      uint64_t *comp)
{
    for (size_t i = i0; i < i1; i++) {
        pq_col *c = &w->fcols[i];
        if (g->sparse16 && w->simple[i] == 1) {
            size_t j = w->narrow_of[i];
            if (j % T_BLOCK == 0) {
                const size_t j1 = block_end(w, j);
                IOF_TRY(iof__pqw_gather16(w, j, j1));
                iof__pqw_chunks_give(w->regions, &w->f_sblk[j / T_BLOCK]); /* read: for others */
                if (g->lz_on)
                    IOF_TRY(iof__pqw_lz_prepare(w, j, j1, g->tv_same, g->tv));
            }
            IOF_TRY(iof__pqw_write_chunk16(w, c, t, j, g->tv_same, g->tv, g->lz_on ? &w->lzpg[j % T_BLOCK] : NULL,
                                           unc, comp));
            continue;
        }
        IOF_TRY(iof__pqw_write_chunk(w, c, t, unc, comp));
        c->def.len = c->rep.len = c->vals.len = 0;
        c->nentries = c->nvals = c->nrows = 0;
    }
    return 0;
}

/* ---- a row group's columns on two threads ------------------------------------------ */

/* Why: on dense a file is written at the end of the input (one row group, ~62k rows of ~1 KB),
 * so writing it is the run's tail; with its columns cut in two ranges, a helper writes the
 * second range into memory while this thread writes the first to the file, and its bytes
 * follow: `--variant bi` 0.88x wall (bench/README.md 2026-12-07 "One row group on two
 * threads"). Only while the sink completes its files with one Parquet file among them
 * (iof__pqw_closing: the second core is then mostly idle — a row group cut during the last
 * batch is split while that batch's last rows are still filled, and CSV/JSON files may be
 * completed beside it; with two Parquet files their last row groups already keep both cores
 * busy, and splitting them did not pay),
 * with threads, for a row group of at least SPLIT_MIN staged bytes and not a small one's pq_lz
 * pages (their pool is the writer's). The price: the helper's scratch and the second range's
 * compressed bytes, held until they are placed (the scratch freed then, the chunks back to the
 * run's free list). */
#define SPLIT_MIN ((uint64_t)4 << 20)
/* The helper's largest scratch is a gathered block of narrow columns, 64 bytes a row of the row
 * group: its row groups are split only up to SPLIT_ROWS rows (4 MiB of it). Why: smallpkt GB 1
 * peaks at ~300 MB at close, and splitting its last row groups (81-108 k rows at GB 0.2) raised
 * that by 5-10 MB (bench/README.md); dense's are 62-64 k rows. */
#define SPLIT_ROWS ((uint64_t)1 << 16)

/* Column i's weight in the cut: the staged bytes its writing reads, counted twice for the
 * columns not staged in narrow blocks (INT64 features, byte arrays: dictionaries and hashing),
 * which took ~1.5-2x the time a byte of the narrow ones did on dense (per-column timings). */
static uint64_t col_weight(const iof__pq_writer *w, size_t i, bool sparse16)
{
    if (sparse16 && w->simple[i] == 1) {
        const size_t j0 = w->narrow_of[i] - w->narrow_of[i] % T_BLOCK;
        const size_t nb = block_end(w, j0) - j0;
        return w->f_sblk[j0 / T_BLOCK].rows * srow_bytes(nb) / nb + w->f_st16_rows / 4;
    }
    const pq_col *c = &w->fcols[i];
    return 2 * (c->vals.len + c->def.len + c->rep.len);
}

/* The column where the second range starts, or ncols: not split. A range may start at column i
 * when no block of narrow columns is cut: all the narrow columns before i (nb of them) form
 * whole blocks. The first range gets ~45 % of the weight: after it, its thread also appends
 * the helper's bytes. */
static size_t split_at(const iof__pq_writer *w, const rg_how *g)
{
    if (g->lz_on || w->ncols < 2)
        return w->ncols;
    if (!w->split_test && (!w->bg || !iof__pqw_closing(w) || w->f_rg_rows > SPLIT_ROWS))
        return w->ncols;
    uint64_t total = 0;
    for (size_t i = 0; i < w->ncols && !w->split_test; i++)
        total += col_weight(w, i, g->sparse16);
    if (!w->split_test && total < SPLIT_MIN)
        return w->ncols;
    uint64_t acc = 0, best_d = UINT64_MAX;
    size_t nb = 0, best = w->ncols;
    for (size_t i = 0; i < w->ncols; i++) {
        const bool ok = i > 0 && (nb % T_BLOCK == 0 || nb == w->n16);
        if (w->split_test && i == w->split_test)
            return ok ? i : w->ncols;
        const uint64_t want = total / 20 * 9;
        const uint64_t d = acc > want ? acc - want : want - acc;
        if (ok && !w->split_test && d < best_d)
            best_d = d, best = i;
        acc += col_weight(w, i, g->sparse16);
        nb += w->simple[i] == 1;
    }
    return best;
}

/* The helper's bytes go in staging chunks of the run (SCHUNK bytes, pq_regions.c), each
 * handed to the placing thread when full: once the first range is written, that thread appends
 * them to the file while the helper still writes, and gives them back. Why chunks: the row
 * group's staged blocks have just been given back as they were gathered, so the held bytes
 * (~18 MB on dense's bidirectional row group) mostly take pages already touched; in buffers of
 * their own they were ~6 k fresh pages, +0.1 s of system time on dense (bench/README.md). */
typedef struct split_job {
    iof__pq_writer *h; /* the helper's writer */
    const rg_how *g;
    size_t i0;
    pq_buf meta, offs; /* its range's ColumnChunk structs and their file offsets (pq_off) */
    uint64_t unc, comp;
    int rc;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned char **blk; /* the full chunks (mu) */
    size_t nblk, cap;
    unsigned char *cur;  /* the chunk being filled (the helper's), cur_len bytes */
    size_t cur_len;
    bool done;           /* the helper returned (mu) */
    uint32_t taken;      /* chunks the helper took (counted for iof__pq_writer_test_split_fail) */
} split_job;

static void chunk_give(iof__pq_regions *p, unsigned char *c)
{
    sblock s = { .ch = &c, .nch = 1 };
    if (c)
        iof__pqw_chunks_give(p, &s);
}

/* The helper's sink: its chunk, handed over when full. */
static int split_sink(void *ctx, const void *p, size_t n)
{
    split_job *j = ctx;
    const unsigned char *q = p;
    while (n) {
        if (!j->cur && ((j->h->split_fail && ++j->taken >= j->h->split_fail) ||
                        !(j->cur = iof__pqw_chunk_take(j->h->regions))))
            return iof__pqw_fail(j->h, IOF_E_NOMEM, "parquet: out of memory"); /* not emit's "write failed" */
        const size_t k = SCHUNK - j->cur_len < n ? SCHUNK - j->cur_len : n;
        memcpy(j->cur + j->cur_len, q, k);
        j->cur_len += k, q += k, n -= k;
        if (j->cur_len < SCHUNK)
            break;
        pthread_mutex_lock(&j->mu);
        int rc = iof__grow((void **)&j->blk, &j->cap, j->nblk + 1, sizeof *j->blk, SCHUNKS_MAX);
        if (rc == IOF_OK) {
            j->blk[j->nblk++] = j->cur;
            j->cur = NULL, j->cur_len = 0;
            pthread_cond_signal(&j->cv);
        }
        pthread_mutex_unlock(&j->mu);
        if (rc != IOF_OK)
            return iof__pqw_fail(j->h, IOF_E_NOMEM, "parquet: out of memory");
    }
    return 0;
}

static void split_run(void *arg)
{
    split_job *j = arg;
    tc_w t;
    iof__tc_w_init(&t, &j->meta);
    j->rc = write_cols(j->h, &t, j->i0, j->h->ncols, j->g, &j->unc, &j->comp);
    pthread_mutex_lock(&j->mu);
    j->done = true;
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
}

/* The helper's writer: what the writing of a range reads from w (rd, copied whole:
 * pq_writer_int.h), its own scratch, its bytes to split_sink() from offset 0. */
static iof__pq_writer *split_writer(const iof__pq_writer *w, split_job *j)
{
    iof__pq_writer *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->rd = w->rd;
    h->cfg.sink = split_sink;
    h->cfg.sink_ctx = j;
    if (w->zc && !(h->zc = ZSTD_createCCtx())) {
        free(h);
        return NULL;
    }
    h->offs = &j->offs;
    return h;
}

/* Appends the helper's blocks to the file as they come, until it is done (then its last one);
 * after a failure (rc: the first range's, or a write of these) it goes on giving them back
 * unwritten, so a failing run does not hold the helper's whole range. Where its bytes start:
 * *base. */
static int split_append(iof__pq_writer *w, split_job *j, uint64_t *base, int rc)
{
    *base = w->offset;
    for (size_t next = 0;; next++) {
        pthread_mutex_lock(&j->mu);
        while (next == j->nblk && !j->done)
            pthread_cond_wait(&j->cv, &j->mu);
        if (next == j->nblk) { /* and done */
            pthread_mutex_unlock(&j->mu);
            break;
        }
        unsigned char *c = j->blk[next]; /* the helper moves the list, not the chunk */
        j->blk[next] = NULL;
        pthread_mutex_unlock(&j->mu);
        if (rc == 0)
            rc = iof__pqw_emit(w, c, SCHUNK);
        chunk_give(w->regions, c);
    }
    if (rc == 0) /* the helper is done: its last chunk is its own */
        rc = iof__pqw_emit(w, j->cur, j->cur_len);
    return rc;
}

/* Places the helper's ColumnChunk structs into t with their file offsets shifted by base. */
static int split_place(iof__pq_writer *w, tc_w *t, split_job *j, uint64_t base)
{
    if (j->rc < 0 || j->meta.oom || j->offs.oom)
        return iof__pqw_fail(w, j->rc < 0 && j->h->failed ? j->h->failed : IOF_E_NOMEM, "%s",
                             j->rc < 0 && j->h->failed ? j->h->msg : "parquet: out of memory");
    const pq_off *o = (const pq_off *)(const void *)j->offs.p;
    size_t at = 0;
    for (size_t k = 0; k < j->offs.len / sizeof *o; k++) {
        pq_buf_put(t->b, j->meta.p + at, o[k].at - at);
        iof__tc_i64_rewrite(t->b, j->meta.p + o[k].at, o[k].end - o[k].at, o[k].v, o[k].v + (int64_t)base);
        at = o[k].end;
    }
    pq_buf_put(t->b, j->meta.p + at, j->meta.len - at);
    return 0;
}

/* Frees what split_writer() and the helper made. */
static void split_free(split_job *j, iof__pq_regions *p)
{
    for (size_t k = 0; k < j->nblk; k++)
        chunk_give(p, j->blk[k]);
    free(j->blk);
    chunk_give(p, j->cur);
    if (j->h) {
        iof__pqw_scratch_free(j->h);
        free(j->h);
    }
    iof__pq_buf_free(&j->meta);
    iof__pq_buf_free(&j->offs);
    pthread_cond_destroy(&j->cv);
    pthread_mutex_destroy(&j->mu);
}

/* Writes the row group handed over by iof__pqw_flush_rg() (fcols and the f_ stage): on the
 * flush thread, or on the caller's; its columns on two threads when split_at() says so. */
static int write_rg(iof__pq_writer *w)
{
    rg_how g = { w->f_st16_rows > 0, true, false, 0 };
    if (g.sparse16) { /* do all rows with a left-out run share its value? */
        const srow *rows = (const srow *)(const void *)w->f_srows.p;
        const uint32_t *spans = (const uint32_t *)(const void *)w->f_spans.p;
        bool any = false;
        for (uint64_t r = 0; r < w->f_st16_rows && g.tv_same; r++) {
            if (SPAN_TS(spans[r]) == SPAN_TE(spans[r]))
                continue;
            if (any && rows[r].tv != g.tv)
                g.tv_same = false;
            g.tv = rows[r].tv;
            any = true;
        }
    }
    /* a small row group's narrow columns may go as pq_lz pages (one page each) */
    g.lz_on = w->lzpool && g.sparse16 && w->f_st16_rows <= IOF_PQ_LZ_MAX_VALUES &&
              w->f_st16_rows <= w->cfg.page_entries;
    uint64_t rg_start = w->offset, unc = 0, comp = 0;
    tc_w *t = &w->rgw;
    iof__tc_elem_struct_begin(t);
    iof__tc_list_begin(t, 1, TC_STRUCT, w->ncols);
    size_t cut = split_at(w, &g);
    split_job j;
    memset(&j, 0, sizeof j);
    iof__worker *wk = NULL;
    if (cut < w->ncols) { /* no helper: the caller writes it all */
        j.g = &g, j.i0 = cut;
        pthread_mutex_init(&j.mu, NULL);
        pthread_cond_init(&j.cv, NULL);
        if (!(j.h = split_writer(w, &j)) || !(wk = iof__worker_start()))
            cut = w->ncols;
        else
            iof__worker_submit(wk, split_run, &j);
    }
    int rc = write_cols(w, t, 0, cut, &g, &unc, &comp);
    uint64_t base = 0;
    if (wk) {
        rc = split_append(w, &j, &base, rc);
        iof__worker_stop(wk); /* the helper's range is written (it touches the f_ stage) */
        if (rc == 0 && (rc = split_place(w, t, &j, base)) == 0)
            unc += j.unc, comp += j.comp, w->splits++;
    }
    if (j.g)
        split_free(&j, w->regions);
    IOF_TRY(rc);
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
        return iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory");
    w->rg_count++;
    w->f_rg_rows = 0;
    iof__pqw_rgs_spill(w);
    return 0;
}

/* write_rg(), then the run's written side goes back (emptied, failed or not). */
static int flush_body(iof__pq_writer *w)
{
    int rc = write_rg(w);
    if (rc < 0)
        stage16_clear(w, w->f_sblk, &w->f_srows, &w->f_spans); /* its chunks back to the run */
    if (!w->f_own)
        iof__pqw_side_give(w);
    return rc;
}

/* ---- the flush thread ---------------------------------------------------------------- */

static void bg_job(void *arg)
{
    iof__pqw_on_flush_thread = true;
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

uint32_t iof__pq_writer_test_split(iof__pq_writer *w, size_t col)
{
    (void)bg_wait(w); /* no row group is being written meanwhile */
    w->split_test = col;
    return w->splits;
}

void iof__pq_writer_test_split_fail(iof__pq_writer *w, uint32_t n)
{
    (void)bg_wait(w);
    w->split_fail = n;
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
 * row count, waits for the previous row group's flush and for the run's written side, hands
 * this one over (its buffers go to fcols, the side's emptied ones come to cols: no copy; the
 * staged blocks' chunk lists and rows swap with the f_ ones) and writes it on the
 * flush thread, or here when `sync` or without one. */
int iof__pqw_flush_rg(iof__pq_writer *w, bool sync)
{
    if (w->failed)
        return w->failed;
    if (w->st64_rows && iof__pqw_drain64(w) < 0)
        return w->failed;
    if (w->st16_rows) { /* some rows went the dense way (cell API): then all do */
        bool dense = false;
        for (size_t j = 0; j < w->n16 && !dense; j++)
            dense = w->cols[w->simple_idx[j]].nrows > 0;
        if (dense && iof__pqw_drain16(w) < 0)
            return w->failed;
    }
    if (w->rg_rows == 0)
        return sync ? bg_wait(w) : 0;
    for (size_t i = 0; i < w->ncols; i++) {
        pq_col *c = &w->cols[i];
        uint64_t staged = w->simple[i] == 1 ? w->st16_rows : 0;
        if (c->nrows + staged != w->rg_rows || c->elems_left)
            return iof__pqw_fail(w, IOF_E_INVAL, "parquet: column %s has %llu values for %llu rows", c->name,
                         (unsigned long long)(c->nrows + staged), (unsigned long long)w->rg_rows);
        if (col_oom(c))
            return iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory");
    }
    IOF_TRY(bg_wait(w));
    /* The last row group (sync: finish) needs no emptied buffers to fill next: when the sink
     * completes two files side by side (iof__pq_regions_side_by_side) and the side is taken or
     * another writer is open, it is written with this writer's own column buffers and scratch,
     * not the run's side, instead of one writer waiting for the other's side (bench/README.md
     * 2026-12-07 "The tail"). Not without threads (--threads 1: nothing runs side by side, the
     * side's scratch is reused). Otherwise: waits while another writer's row group is
     * written. */
    int taken = iof__pqw_side_take(w, sync && w->bg);
    if (taken < 0)
        return taken;
    w->f_own = taken == 0;
    for (size_t i = 0; i < w->ncols; i++) {
        pq_col *a = &w->cols[i], *b = &w->fcols[i];
        if (w->f_own) { /* the full buffers are written where they are (fcols' are empty) */
            pq_col t = *b;
            b->def = a->def, b->rep = a->rep, b->vals = a->vals;
            a->def = t.def, a->rep = t.rep, a->vals = t.vals;
        }
        b->nentries = a->nentries, b->nvals = a->nvals, b->nrows = a->nrows;
        a->nentries = a->nvals = a->nrows = 0;
    }
    pq_buf t;
    sblock *tb = w->sblk;
    w->sblk = w->f_sblk;
    w->f_sblk = tb;
    t = w->srows, w->srows = w->f_srows, w->f_srows = t;
    t = w->spans, w->spans = w->f_spans, w->f_spans = t;
    w->f_st16_rows = w->st16_rows;
    w->f_rg_rows = w->rg_rows;
    w->st16_rows = w->rg_rows = w->buffered = 0;
    iof__pqw_budget_release(w); /* its row group is no longer being filled */
    if (!sync && bg_start(w))
        return 0;
    return flush_body(w);
}
