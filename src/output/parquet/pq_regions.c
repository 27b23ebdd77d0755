/* Parquet writer: what a run's writers share (pq_writer.h, iof__pq_regions). The staging regions'
 * pool: a staging side keeps its first region (small pages) and takes the others from the pool,
 * giving them back when the side is emptied (its row group flushed), so the writers of a run
 * reuse each other's regions. The run's written side: one row group of the run is written at a
 * time, with the column buffers and staging spool of that side (below). The budget of held
 * bytes: see pq_writer.h. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/grow.h"
#include "common/sysmem.h"
#include "output/parquet/pq_writer_int.h"

struct iof__pq_regions {
    pthread_mutex_t mu;
    unsigned char **free; /* regions given back, ready for any writer's staging side */
    size_t n, cap;
    uint64_t budget;        /* 0: none */
    _Atomic uint64_t held;  /* the writers' counted bytes (iof__pqw_budget_*) */
    /* The run's written side (iof__pqw_side_take / _give): while no writer's row group is being
     * written (busy false) it holds empty buffers kept for reuse, three per column (def, rep,
     * vals: col[3 * i ...]) and a staging spool with its first region. */
    pthread_cond_t cv;
    bool busy;
    pq_buf *col;
    size_t ncol;            /* columns col has room for */
    spool sp;
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
    }
    return p;
}

void iof__pq_regions_free(iof__pq_regions *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        free(p->free[i]);
    free(p->free);
    for (size_t i = 0; i < 3 * p->ncol; i++)
        iof__pq_buf_free(&p->col[i]);
    free(p->col);
    for (size_t r = 0; r < p->sp.nreg; r++)
        free(p->sp.reg[r]);
    free(p->sp.reg);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

unsigned char *iof__pqw_region_take(iof__pq_regions *p)
{
    unsigned char *r = NULL;
    pthread_mutex_lock(&p->mu);
    if (p->n)
        r = p->free[--p->n];
    pthread_mutex_unlock(&p->mu);
    if (!r && (r = malloc(SREGION)))
        iof__mem_hugepages(r, SREGION, 0);
    return r;
}

void iof__pqw_spool_give_back(iof__pq_regions *p, spool *sp)
{
    if (sp->nreg <= 1)
        return;
    pthread_mutex_lock(&p->mu);
    while (sp->nreg > 1) {
        unsigned char *r = sp->reg[sp->nreg - 1];
        if (iof__grow((void **)&p->free, &p->cap, p->n + 1, sizeof *p->free, SREGIONS_MAX) != IOF_OK) {
            free(r); /* no room to keep it: the next side allocates a new one */
        } else {
            p->free[p->n++] = r;
        }
        sp->nreg--;
    }
    pthread_mutex_unlock(&p->mu);
}

bool iof__pqw_budget_cut(iof__pq_writer *w)
{
    iof__pq_regions *p = w->regions;
    if (!p->budget)
        return false;
    /* relaxed: the writers of a run are fed by one thread at a time (the sink's), which also
     * makes the sum, and so the cuts, the same from run to run */
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
int iof__pqw_side_take(iof__pq_writer *w)
{
    iof__pq_regions *p = w->regions;
    int rc = 0;
    pthread_mutex_lock(&p->mu);
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
    w->f_sp = w->sp;
    w->sp = p->sp;
    memset(&p->sp, 0, sizeof p->sp);
    p->busy = true;
out:
    pthread_mutex_unlock(&p->mu);
    return rc;
}

void iof__pqw_side_give(iof__pq_writer *w)
{
    iof__pq_regions *p = w->regions;
    iof__pqw_spool_give_back(p, &w->f_sp); /* a flush that failed did not (stage16_clear) */
    w->f_sp.next = 0;
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
    p->sp = w->f_sp;
    memset(&w->f_sp, 0, sizeof w->f_sp);
    p->busy = false;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}
