/* Generic flow table: see table.h for the contract. */
#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/sysmem.h"
#include "common/thread.h"
#include "flow/table.h"

/* A slab's entries start IOF_FTAB_EXT_ALIGN-aligned: the header is padded to it, and calloc
 * returns memory aligned for any scalar type (max_align_t, at least 16 on our targets). */
struct iof__ftab_slab {
    union {
        iof__ftab_slab *next;
        unsigned char pad_[IOF_FTAB_EXT_ALIGN];
    } h;
    unsigned char mem[];
};

_Static_assert(IOF_FTAB_EXT_ALIGN <= alignof(max_align_t), "calloc must give the entry alignment");
_Static_assert(offsetof(iof__ftab_slab, mem) % IOF_FTAB_EXT_ALIGN == 0, "slab entries misaligned");

static inline size_t round_up(size_t n, size_t a) { return (n + a - 1) / a * a; }
static void ask_spare(iof__ftab *t);

static inline iof__flow *entry(const iof__ftab *t, iof__ftab_slab *s, size_t k)
{
    return (iof__flow *)(void *)(s->mem + k * t->stride);
}

int iof__ftab_init(iof__ftab *t, const iof__ftab_config *cfg)
{
    memset(t, 0, sizeof(*t));
    /* a record or an extension beyond its cap is a caller bug, not a workload */
    if (cfg->rec_size < sizeof(iof__flow) || cfg->rec_size > IOF_FTAB_MAX_REC ||
        cfg->ext_size > IOF_FTAB_MAX_EXT || cfg->max_live == 0)
        return IOF_E_INVAL;
    t->cfg = *cfg;
    if (cfg->nhot > IOF_FTAB_MAX_HOT)
        return IOF_E_INVAL;
    for (uint32_t i = 0; i < cfg->nhot; i++) {
        if (cfg->hot[i].off > cfg->ext_size || cfg->hot[i].len > cfg->ext_size - cfg->hot[i].off)
            return IOF_E_INVAL;
        /* ascending offsets: the prefault's runs are built in one pass over a slab */
        for (uint32_t k = i; k > 0 && t->cfg.hot[k - 1].off > t->cfg.hot[k].off; k--) {
            iof__ftab_span x = t->cfg.hot[k];
            t->cfg.hot[k] = t->cfg.hot[k - 1];
            t->cfg.hot[k - 1] = x;
        }
    }
    uint64_t nb = IOF_FTAB_MIN_BUCKETS;
    t->buckets = calloc(nb, sizeof(*t->buckets));
    if (!t->buckets)
        return IOF_E_NOMEM;
    t->mask = nb - 1;
    t->mem_bytes = nb * sizeof(*t->buckets);
    /* an entry: the policy's record, the activity links if kept, the extension area */
    size_t rec_end = cfg->rec_size;
    if (cfg->activity) {
        t->act_off = round_up(rec_end, alignof(iof__ftab_alink));
        rec_end = t->act_off + sizeof(iof__ftab_alink);
    }
    if (cfg->ext_size) {
        /* entries are multiples of the alignment, so every entry's area is aligned */
        t->ext_off = round_up(rec_end, IOF_FTAB_EXT_ALIGN);
        t->stride = round_up(t->ext_off + cfg->ext_size, IOF_FTAB_EXT_ALIGN);
    } else {
        /* without an extension, 8 bytes (the header's alignment) are enough */
        t->ext_off = round_up(rec_end, alignof(iof__flow));
        t->stride = t->ext_off;
    }
    /* a slab is at most IOF_FTAB_SLAB_RECORDS entries: its size must not wrap (32-bit size_t) */
    if (t->stride > (SIZE_MAX - sizeof(iof__ftab_slab)) / IOF_FTAB_SLAB_RECORDS)
        return IOF_E_INVAL;
    t->slab_records = IOF_FTAB_SLAB_BYTES / t->stride;
    if (t->slab_records > IOF_FTAB_SLAB_RECORDS)
        t->slab_records = IOF_FTAB_SLAB_RECORDS;
    if (t->slab_records < IOF_FTAB_SLAB_MIN_RECORDS)
        t->slab_records = IOF_FTAB_SLAB_MIN_RECORDS;
    /* the first slab is made ahead too (no helper: refill makes each one). The thread creating
     * the table hands this job over; a sharded run's worker thread, started after, then owns
     * the helper (thread.h's one owner at a time: pthread_create orders the two) */
    if (cfg->slab_ahead && cfg->nhot && (t->maker = iof__worker_start()) != NULL)
        ask_spare(t);
    return IOF_OK;
}

void iof__ftab_fini(iof__ftab *t)
{
    iof__worker_stop(t->maker); /* waits for a slab being made: t->spare is then ours */
    free(t->spare);             /* no entry of it was bound (init): nothing to fini */
    /* every record, live or free, lives in a slab */
    for (iof__ftab_slab *s = t->slabs; s;) {
        if (t->cfg.fini)
            for (size_t k = 0; k < t->slab_records; k++)
                t->cfg.fini(t->cfg.ctx, entry(t, s, k));
        iof__ftab_slab *n = s->h.next;
        free(s);
        s = n;
    }
    free(t->buckets);
    memset(t, 0, sizeof(*t));
}

int iof__ftab_create(iof__ftab **out, const iof__ftab_config *cfg)
{
    *out = NULL;
    iof__ftab *t = malloc(sizeof(*t));
    if (!t)
        return IOF_E_NOMEM;
    int rc = iof__ftab_init(t, cfg);
    if (rc != IOF_OK) {
        free(t);
        return rc;
    }
    t->mem_bytes += sizeof(*t);
    *out = t;
    return IOF_OK;
}

void iof__ftab_destroy(iof__ftab *t)
{
    if (!t)
        return;
    iof__ftab_fini(t);
    free(t);
}

/* Maps the pages of slab s's entries that every record writes (table.h, cfg.hot): each entry's
 * header (cfg.init writes it right after) and hot stretches, merged into runs of whole pages, one
 * call per run. The rest of a policy record (its arrays: ~21 KB of custom-flow slots at
 * --packets 1000) is left to its first use, as the stretches' tails are. */
static void prefault(const iof__ftab *t, iof__ftab_slab *s)
{
    const uintptr_t page = IOF_MEM_PAGE;
    uintptr_t ra = 0, re = 0;   /* the run being built: pages [ra, re) as addresses */
    for (size_t k = 0; k < t->slab_records; k++) {
        uintptr_t e = (uintptr_t)entry(t, s, k);
        for (uint32_t i = 0; i <= t->cfg.nhot; i++) {
            /* i == 0: the header; then the stretches */
            uintptr_t a = i ? e + t->ext_off + t->cfg.hot[i - 1].off : e;
            uintptr_t b = i ? a + t->cfg.hot[i - 1].len : e + sizeof(iof__flow);
            if (a == b)
                continue;
            a &= ~(page - 1);
            b = (b + page - 1) & ~(page - 1);
            if (a <= re && re) {
                if (b > re)
                    re = b;
                continue;
            }
            if (re)
                iof__mem_prefault((void *)ra, re - ra);
            ra = a;
            re = b;
        }
    }
    if (re)
        iof__mem_prefault((void *)ra, re - ra);
}

static size_t slab_bytes(const iof__ftab *t) { return sizeof(iof__ftab_slab) + t->slab_records * t->stride; }

/* A zeroed slab with its hot pages mapped (NULL: out of memory). Reads only what init set: any
 * thread. */
static iof__ftab_slab *make_slab(const iof__ftab *t)
{
    iof__ftab_slab *s = calloc(1, slab_bytes(t));
    if (s && t->cfg.nhot)
        prefault(t, s);
    return s;
}

static void make_spare(void *arg)
{
    iof__ftab *t = arg;
    t->spare = make_slab(t);
}

/* Hands the making of the next slab to the helper (none: nothing, refill makes it). */
static void ask_spare(iof__ftab *t)
{
    if (t->maker) {
        iof__worker_submit(t->maker, make_spare, t);
        t->spare_pending = true;
    }
}

int iof__ftab_refill(iof__ftab *t)
{
    iof__ftab_slab *s = NULL;
    if (t->spare_pending) {
        iof__worker_wait(t->maker);
        t->spare_pending = false;
        s = t->spare;
        t->spare = NULL;
    }
    if (!s && !(s = make_slab(t)))   /* no helper, or it could not allocate: here */
        return IOF_E_NOMEM;
    ask_spare(t);                    /* the next one (nothing without a helper) */
    size_t bytes = slab_bytes(t);
    s->h.next = t->slabs;
    t->slabs = s;
    t->mem_bytes += bytes;
    /* pushed in reverse so records are taken in address order */
    for (size_t k = t->slab_records; k-- > 0;) {
        iof__flow *f = entry(t, s, k);
        if (t->cfg.init)
            t->cfg.init(t->cfg.ctx, f);
        f->hnext = t->free_list;
        t->free_list = f;
    }
    /* refill runs on an empty free list: every older entry has been used */
    t->fresh_next = s->mem;
    t->fresh_end = s->mem + t->slab_records * t->stride;
    return IOF_OK;
}

void iof__ftab_grow_buckets(iof__ftab *t)
{
    uint64_t nb = t->mask + 1;
    if (nb >= IOF_FTAB_MAX_BUCKETS)
        return;
    iof__flow **b = calloc(nb * 2, sizeof(*b));
    if (!b)
        return; /* keep working with longer chains */
    uint64_t mask = nb * 2 - 1;
    for (uint64_t i = 0; i < nb; i++) {
        for (iof__flow *f = t->buckets[i], *n; f; f = n) {
            n = f->hnext;
            iof__flow **slot = &b[f->hash & mask];
            f->hnext = *slot;
            if (*slot)
                (*slot)->hpprev = &f->hnext;
            f->hpprev = slot;
            *slot = f;
        }
    }
    free(t->buckets);
    t->buckets = b;
    t->mask = mask;
    t->mem_bytes += nb * sizeof(*b);
}
