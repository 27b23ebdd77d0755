/* Parquet writer: closing a row group and writing it, on the flush thread or the caller's
 * (pq_writer_int.h). */
#include <string.h>

#include "common/err.h"
#include "common/thread.h"
#include "output/parquet/pq_writer_int.h"

/* Writes the row group handed over by iof__pqw_flush_rg() (fcols and the f_ stage): on the
 * flush thread, or on the caller's. */
static int write_rg(iof__pq_writer *w)
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
                IOF_TRY(iof__pqw_gather16(w, j, j1));
                iof__pqw_chunks_give(w->regions, &w->f_sblk[j / T_BLOCK]); /* read: for others */
                if (lz_on)
                    IOF_TRY(iof__pqw_lz_prepare(w, j, j1, tv_same, tv));
            }
            IOF_TRY(iof__pqw_write_chunk16(w, c, t, j, tv_same, tv, lz_on ? &w->lzpg[j % T_BLOCK] : NULL, &unc, &comp));
            continue;
        }
        IOF_TRY(iof__pqw_write_chunk(w, c, t, &unc, &comp));
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
