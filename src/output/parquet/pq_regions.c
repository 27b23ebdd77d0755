/* Parquet writer: what a run's writers share (pq_writer.h, iof__pq_regions). The staging regions'
 * pool: a staging side keeps its first region (small pages) and takes the others from the pool,
 * giving them back when the side is emptied (its row group flushed), so the writers of a run
 * reuse each other's regions. The budget of held bytes: see pq_writer.h. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "common/grow.h"
#include "common/sysmem.h"
#include "output/parquet/pq_writer_int.h"

struct iof__pq_regions {
    pthread_mutex_t mu;
    unsigned char **free; /* regions given back, ready for any writer's staging side */
    size_t n, cap;
    uint64_t budget;        /* 0: none */
    _Atomic uint64_t held;  /* the writers' counted bytes (iof__pqw_budget_*) */
};

iof__pq_regions *iof__pq_regions_new(uint64_t budget)
{
    iof__pq_regions *p = calloc(1, sizeof *p);
    if (p && pthread_mutex_init(&p->mu, NULL) != 0) {
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
