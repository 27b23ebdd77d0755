#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/grow.h"
#include "common/sysmem.h"
#include "output/cluster.h"

#define PREFETCH_AHEAD 2  /* records */
#define PREFETCH_LINES 8  /* 64-byte lines of each: the record, its slots, the payload start */
/* The arena is allocated once, at its bound: max_bytes plus room for the record that crosses
 * it (a larger record grows it once more). The allocation is address space: only the pages the
 * records reach are touched, so a small batch costs what it holds. It is kept while the file
 * is open, and its part past the first ARENA_SMALL bytes is backed by huge pages
 * (iof__mem_hugepages). Why: the arena used to grow from 1 MiB by doubling through realloc,
 * and the first touch of its pages was ~17% of the page faults of a dense `-f parquet` run and
 * 8.5% of its CPU (bench/README.md, "Where the time goes", "Fresh pages"). */
#define ARENA_ROOM ((size_t)1 << 20)  /* past max_bytes: the record that fills the batch */
#define ARENA_SMALL ((size_t)2 << 20) /* small pages below this offset */

/* A record copy's place in the batch and its sort key's first 128 bits (the kind's). The sort
 * orders by these keys and reads the records only on ties, so it does not walk the arena at
 * random for every comparison. Offsets grow with arrival, so they are also the arrival order
 * that breaks the kind's ties. */
typedef struct ckey {
    uint64_t k, k2;
    size_t off;
} ckey;

struct iof__cluster {
    const iof__row_kind *kind;
    unsigned char *arena;   /* record copies, 8-byte aligned, addressed by offset */
    size_t used, cap, max_bytes;
    ckey *off;              /* each record copy */
    ckey *tmp;              /* radix sort scratch */
    size_t n, max_rows;
};

int iof__cluster_create(iof__cluster **out, const iof__row_kind *kind, size_t max_rows, size_t max_bytes)
{
    iof__cluster *c = calloc(1, sizeof(*c));
    if (!c || !(c->off = malloc(max_rows * sizeof(*c->off))) || !(c->tmp = malloc(max_rows * sizeof(*c->tmp)))) {
        if (c)
            free(c->off);
        free(c);
        return IOF_E_NOMEM;
    }
    c->kind = kind;
    c->max_rows = max_rows;
    c->max_bytes = max_bytes;
    *out = c;
    return IOF_OK;
}

void iof__cluster_destroy(iof__cluster *c)
{
    if (!c)
        return;
    free(c->arena);
    free(c->off);
    free(c->tmp);
    free(c);
}

bool iof__cluster_full(const iof__cluster *c) { return c->n >= c->max_rows || c->used >= c->max_bytes; }

int iof__cluster_add(iof__cluster *c, const void *r)
{
    size_t sz = (c->kind->copy_size(r) + 7) & ~(size_t)7;
    if (sz > c->cap - c->used) {
        /* a batch is drained once it holds max_bytes, so the arena never needs more than
         * max_bytes + one record: it is allocated at that bound the first time (above) */
        const size_t bound = c->max_bytes + (sz > ARENA_ROOM ? sz : ARENA_ROOM);
        const size_t need = c->cap ? c->used + sz : bound;
        IOF_TRY(iof__grow((void **)&c->arena, &c->cap, need, 1, bound));
        iof__mem_hugepages(c->arena, c->cap, ARENA_SMALL);
    }
    size_t off = c->used;
    uint64_t key[2];
    c->kind->copy(c->arena + off, r, key);
    c->off[c->n++] = (ckey){ key[0], key[1], off };
    c->used += sz;
    return IOF_OK;
}

/* qsort_r's context: the arena and the kind that compares its copies */
typedef struct cmp_ctx {
    const unsigned char *base;
    int (*compare)(const void *a, const void *b);
} cmp_ctx;

static int cmp_rec(const void *pa, const void *pb, void *ctx)
{
    const ckey *ka = pa, *kb = pb;
    if (ka->k != kb->k)
        return ka->k < kb->k ? -1 : 1;
    if (ka->k2 != kb->k2)
        return ka->k2 < kb->k2 ? -1 : 1;
    const cmp_ctx *cc = ctx;
    int d = cc->compare(cc->base + ka->off, cc->base + kb->off);
    if (d)
        return d;
    return ka->off < kb->off ? -1 : ka->off > kb->off; /* arrival: a deterministic total order */
}

/* Sorts the batch as cmp_rec orders it: an LSD radix sort on the 128-bit key prefix (byte
 * passes whose byte is the same in every key are skipped), then each run of equal prefixes by
 * cmp_rec. The key orders records as cmp_rec does, so the result is cmp_rec's (total) order. */
static void sort_batch(iof__cluster *c)
{
    const size_t n = c->n;
    ckey *a = c->off, *b = c->tmp;
    for (unsigned pass = 0; pass < 16; pass++) {
        const unsigned shift = 8 * (pass % 8);
#define DIGIT(e) ((unsigned)(((pass < 8 ? (e).k2 : (e).k) >> shift) & 0xff))
        size_t cnt[256] = {0};
        for (size_t i = 0; i < n; i++)
            cnt[DIGIT(a[i])]++;
        if (cnt[DIGIT(a[0])] == n)
            continue; /* every key has this byte: the pass would not move anything */
        size_t at = 0;
        for (unsigned d = 0; d < 256; d++) {
            size_t m = cnt[d];
            cnt[d] = at;
            at += m;
        }
        for (size_t i = 0; i < n; i++)
            b[cnt[DIGIT(a[i])]++] = a[i];
#undef DIGIT
        ckey *t = a;
        a = b;
        b = t;
    }
    if (a != c->off)
        memcpy(c->off, a, n * sizeof *a);
    cmp_ctx cc = { c->arena, c->kind->compare };
    for (size_t i = 0; i < n;) {
        size_t e = i + 1;
        while (e < n && c->off[e].k == c->off[i].k && c->off[e].k2 == c->off[i].k2)
            e++;
        if (e - i > 1)
            qsort_r(c->off + i, e - i, sizeof(*c->off), cmp_rec, &cc);
        i = e;
    }
}

int iof__cluster_drain(iof__cluster *c, iof__cluster_fn fn, void *ctx)
{
    int rc = IOF_OK;
    for (size_t i = 0; i < c->n; i++)
        c->kind->rebase(c->arena + c->off[i].off); /* the arena may have moved since the copy */
    if (c->n > 1)
        sort_batch(c);
    for (size_t i = 0; i < c->n && rc == IOF_OK; i++) {
        /* sorted order jumps around the arena (and the copies were made on another core):
         * start loading the next records' first lines while this one is written */
        if (i + PREFETCH_AHEAD < c->n) {
            const unsigned char *q = c->arena + c->off[i + PREFETCH_AHEAD].off;
            for (unsigned l = 0; l < PREFETCH_LINES; l++)
                __builtin_prefetch(q + 64 * l);
        }
        rc = fn(ctx, c->arena + c->off[i].off);
    }
    c->n = 0;
    c->used = 0;
    return rc;
}
