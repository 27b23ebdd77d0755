/* Parquet writer: what a run's writers share (pq_writer.h, iof__pq_regions). The staging
 * chunks (pq_writer_int.h): carved from the run's regions, taken by the blocks of the row groups
 * being filled, given back as soon as they are read, so the writers of a run reuse each other's
 * chunks. The run's written side: one row group of the run is written at a
 * time, with the column buffers of that side (below). The budget of held
 * bytes: see pq_writer.h. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/grow.h"
#include "common/sysmem.h"
#include "output/parquet/pq_writer_int.h"

/* The scratch buffers that only the writing of a row group uses: the side lends them to the
 * writer whose row group it takes (the largest, blk, holds a block's cells of a whole row
 * group: ~10 MB for smallpkt's unidirectional row groups). */
void iof__pqw_scratch_of(iof__pq_writer *w, pq_buf **b)
{
    pq_buf *l[] = { &w->page, &w->cbuf, &w->hdr, &w->dict, &w->idx, &w->dvals, &w->ck.raw, &w->ck.pages,
                    &w->ck.cheld, &w->act, &w->skip8, &w->blk, &w->sdec };
    _Static_assert(sizeof l / sizeof l[0] + T_BLOCK == SCRATCH_N, "scratch buffers");
    memcpy(b, l, sizeof l);
    for (size_t k = 0; k < T_BLOCK; k++)
        b[sizeof l / sizeof l[0] + k] = &w->lzplain[k];
}

/* Swaps the writer's scratch with the side's (emptied: taken or given, lengths mean nothing). */
static void scratch_swap(pq_buf *side, iof__pq_writer *w)
{
    pq_buf *b[SCRATCH_N];
    iof__pqw_scratch_of(w, b);
    for (size_t k = 0; k < SCRATCH_N; k++) {
        pq_buf t = *b[k];
        *b[k] = side[k];
        side[k] = t;
        if (side[k].oom)
            iof__pq_buf_free(&side[k]);
        side[k].len = 0;
    }
}

struct iof__pq_regions {
    pthread_mutex_t mu;
    unsigned char **reg;    /* every region of the run (the first in small pages) */
    size_t nreg, regcap;
    size_t carved;          /* chunks carved from the last region */
    unsigned char **free;   /* chunks given back, ready for any writer's block */
    size_t n, cap;
    uint64_t budget;        /* 0: none */
    _Atomic uint64_t held;  /* the writers' counted bytes (iof__pqw_budget_*) */
    /* The run's written side (iof__pqw_side_take / _give): while no writer's row group is being
     * written (busy false) it holds empty buffers kept for reuse, three per column (def, rep,
     * vals: col[3 * i ...]). */
    pthread_cond_t cv;
    bool busy;
    unsigned writers;       /* open writers of the run (iof__pqw_writers_add) */
    _Atomic bool side_by_side; /* iof__pq_regions_side_by_side */
    _Atomic bool closing;   /* iof__pq_regions_closing */
    pq_buf *col;
    size_t ncol;            /* columns col has room for */
    pq_buf scratch[SCRATCH_N]; /* the writing's scratch buffers (iof__pqw_scratch_of) */
};

iof__pq_regions *iof__pq_regions_new(uint64_t budget)
{
    iof__pq_regions *p = calloc(1, sizeof *p);
    if (p && pthread_mutex_init(&p->mu, NULL) != 0) {
        free(p);
        return NULL;
    }
    if (p && pthread_cond_init(&p->cv, NULL) != 0) {
        pthread_mutex_destroy(&p->mu);
        free(p);
        return NULL;
    }
    if (p) {
        p->budget = budget;
        atomic_init(&p->held, 0);
        atomic_init(&p->closing, false);
    }
    return p;
}

void iof__pq_regions_free(iof__pq_regions *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nreg; i++)
        free(p->reg[i]);
    free(p->reg);
    free(p->free);
    for (size_t i = 0; i < 3 * p->ncol; i++)
        iof__pq_buf_free(&p->col[i]);
    for (size_t k = 0; k < SCRATCH_N; k++)
        iof__pq_buf_free(&p->scratch[k]);
    free(p->col);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

void iof__pq_regions_chunks(iof__pq_regions *p, size_t *carved, size_t *free_now)
{
    pthread_mutex_lock(&p->mu);
    *carved = p->nreg ? (p->nreg - 1) * (SREGION / SCHUNK) + p->carved : 0;
    *free_now = p->n;
    pthread_mutex_unlock(&p->mu);
}

void iof__pq_regions_hold_side(iof__pq_regions *p, bool hold)
{
    pthread_mutex_lock(&p->mu);
    while (hold && p->busy)
        pthread_cond_wait(&p->cv, &p->mu);
    p->busy = hold;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

unsigned char *iof__pqw_chunk_take(iof__pq_regions *p)
{
    const size_t per = SREGION / SCHUNK;
    unsigned char *c = NULL;
    pthread_mutex_lock(&p->mu);
    if (p->n) {
        c = p->free[--p->n];
    } else if (p->nreg && p->carved < per) {
        c = p->reg[p->nreg - 1] + p->carved++ * SCHUNK;
    } else if (iof__grow((void **)&p->reg, &p->regcap, p->nreg + 1, sizeof *p->reg, SREGIONS_MAX) == IOF_OK &&
               iof__grow((void **)&p->free, &p->cap, (p->nreg + 1) * per, sizeof *p->free, SCHUNKS_MAX) == IOF_OK) {
        unsigned char *r = malloc(SREGION); /* room in free for all its chunks: giving back cannot fail */
        if (r) {
            if (p->nreg)
                iof__mem_hugepages(r, SREGION, 0);
            p->reg[p->nreg++] = r;
            p->carved = 1;
            c = r;
        }
    }
    pthread_mutex_unlock(&p->mu);
    return c;
}

void iof__pqw_chunks_give(iof__pq_regions *p, sblock *s)
{
    if (!s->nch)
        return;
    pthread_mutex_lock(&p->mu);
    memcpy(p->free + p->n, s->ch, s->nch * sizeof *s->ch); /* room for every chunk carved */
    p->n += s->nch;
    pthread_mutex_unlock(&p->mu);
    s->nch = 0;
}

/* the sink's close relies on it (below) */
_Static_assert(IOF_PQ_RUN_BUDGET_BYTES >= 2 * (uint64_t)IOF_PQ_DEFAULT_ROW_GROUP_BYTES,
               "two writers at their row-group caps fit the run's budget");

bool iof__pqw_budget_cut(iof__pq_writer *w)
{
    iof__pq_regions *p = w->regions;
    /* relaxed: the writers of a run are fed by one thread at a time (the sink's), which also
     * makes the sum, and so the cuts, the same from run to run. The one exception, the sink's
     * close, feeds two writers from two threads and never more (iof__sink_close): there the
     * budget cuts nothing, as it would cut nothing if the two were completed one after the
     * other (--threads 1): two writers pass it (2 x the 64 MiB row-group cap, the run's
     * default) only when one reaches its own cap, which cuts anyway. Counting the sum there
     * made the cuts depend on timing: a writer over its cap adds its bytes before it hands
     * its row group over and gives them back, and the other writer, fed at that moment, saw
     * the sum over the budget and cut one row early (dense --features all, 2026-12-07).
     * side_by_side may turn on while the sink's helper feeds a writer: only when the budget
     * cuts nothing for two writers (iof__pq_regions_cuts_two), so the cuts do not depend on
     * when it did. */
    if (!p->budget || atomic_load_explicit(&p->side_by_side, memory_order_relaxed))
        return false;
    uint64_t add = w->buffered - w->b_fill;
    w->b_fill = w->buffered;
    uint64_t sum = atomic_fetch_add_explicit(&p->held, add, memory_order_relaxed) + add;
    return sum > p->budget && w->buffered >= IOF_PQ_BUDGET_MIN_RG(p->budget);
}

void iof__pqw_budget_release(iof__pq_writer *w)
{
    if (w->regions && w->regions->budget)
        atomic_fetch_sub_explicit(&w->regions->held, w->b_fill, memory_order_relaxed);
    w->b_fill = 0;
}

/* Why one written side per run rather than one per writer: each side keeps its column buffers
 * and its first staging region for the next row group (releasing them cost page faults), and
 * with two writers (both variants) the four sides were ~55 MB each on smallpkt, most of its
 * peak RSS (bench/README.md, 2026-12-07 "one written side per run"). Now a writer's full row
 * group is handed to the run's side, the writer goes on filling with the side's emptied
 * buffers, and the side comes back when that row group is written: the writers fill N sides
 * and write one. The price: a writer whose row group is full waits while another writer's
 * flush is in flight. Which buffers a column gets does not change what is written. */
void iof__pqw_writers_add(iof__pq_regions *p, int d)
{
    pthread_mutex_lock(&p->mu);
    p->writers += (unsigned)d;
    pthread_mutex_unlock(&p->mu);
}

void iof__pq_regions_side_by_side(iof__pq_regions *p, bool on)
{
    pthread_mutex_lock(&p->mu);
    atomic_store_explicit(&p->side_by_side, on, memory_order_relaxed);
    pthread_mutex_unlock(&p->mu);
}

bool iof__pq_regions_cuts_two(const iof__pq_regions *p, uint64_t row_group_bytes)
{
    /* two writers fed one after the other each hold less than their cap after a row (a row
     * that reaches it cuts the row group anyway), so their sum stays below 2 x cap */
    return p->budget && p->budget < 2 * iof__pq_rg_bytes(row_group_bytes);
}

void iof__pq_regions_closing(iof__pq_regions *p, bool on)
{
    atomic_store_explicit(&p->closing, on, memory_order_relaxed);
}

bool iof__pqw_closing(const iof__pq_writer *w)
{
    return w->regions && atomic_load_explicit(&w->regions->closing, memory_order_relaxed);
}

int iof__pqw_side_take(iof__pq_writer *w, bool last)
{
    iof__pq_regions *p = w->regions;
    int rc = 1;
    pthread_mutex_lock(&p->mu);
    if (last && atomic_load_explicit(&p->side_by_side, memory_order_relaxed) && (p->busy || p->writers > 1)) {
        rc = 0;
        goto out;
    }
    while (p->busy)
        pthread_cond_wait(&p->cv, &p->mu);
    if (p->ncol < w->ncols) {
        pq_buf *c = realloc(p->col, 3 * w->ncols * sizeof *c);
        if (!c) {
            rc = iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory");
            goto out;
        }
        memset(c + 3 * p->ncol, 0, 3 * (w->ncols - p->ncol) * sizeof *c);
        p->col = c;
        p->ncol = w->ncols;
    }
    for (size_t i = 0; i < w->ncols; i++) { /* full: to be written; the side's: to be filled */
        pq_col *a = &w->cols[i], *b = &w->fcols[i];
        pq_buf *s = &p->col[3 * i];
        b->def = a->def, b->rep = a->rep, b->vals = a->vals;
        a->def = s[0], a->rep = s[1], a->vals = s[2];
        memset(s, 0, 3 * sizeof *s);
    }
    scratch_swap(p->scratch, w);
    p->busy = true;
out:
    pthread_mutex_unlock(&p->mu);
    return rc;
}

void iof__pqw_side_give(iof__pq_writer *w)
{
    iof__pq_regions *p = w->regions;
    pthread_mutex_lock(&p->mu);
    for (size_t i = 0; i < w->ncols; i++) { /* p->ncol >= w->ncols since the take */
        pq_col *b = &w->fcols[i];
        pq_buf *s = &p->col[3 * i];
        s[0] = b->def, s[1] = b->rep, s[2] = b->vals;
        for (int k = 0; k < 3; k++) {
            if (s[k].oom) /* its writer failed: the next one starts afresh */
                iof__pq_buf_free(&s[k]);
            s[k].len = 0;
        }
        memset(&b->def, 0, sizeof b->def);
        memset(&b->rep, 0, sizeof b->rep);
        memset(&b->vals, 0, sizeof b->vals);
    }
    scratch_swap(p->scratch, w);
    p->busy = false;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}
