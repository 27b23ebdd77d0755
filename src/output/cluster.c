#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "output/cluster.h"

#define PREFETCH_AHEAD 2  /* records */
#define PREFETCH_LINES 8  /* 64-byte lines of each: the record, its slots, the payload start */
#define CLUSTER_PREFIX 256 /* leading payload bytes (all slots, back to back) in the sort key */

/* A record copy's place in the batch and its sort key's first 128 bits: protocol, remote
 * port and the first 13 payload bytes (zero-padded, which orders as cmp_rec does: a shorter
 * prefix first). The sort orders by these keys and reads the records only on ties, so it
 * does not walk the arena at random for every comparison. */
typedef struct ckey {
    uint64_t k, k2;
    size_t off;
} ckey;

struct iof__cluster {
    unsigned char *arena;   /* record copies, 8-byte aligned, addressed by offset */
    size_t used, cap, max_bytes;
    ckey *off;              /* each record copy */
    ckey *tmp;              /* radix sort scratch */
    size_t n, max_rows;
};

static size_t clone_size(const iof__cfrec *r)
{
    size_t sz = sizeof(iof__cfrec) + iof__cfrec_slot_bytes(r->nslots) + r->pay_used;
    return (sz + 7) & ~(size_t)7;
}

/* Points the copy's arrays (and its payload) at the bytes that follow it. */
static iof__cfrec *fixup(unsigned char *base, size_t off)
{
    iof__cfrec *r = (iof__cfrec *)(void *)(base + off);
    r->pay = iof__cfrec_bind_slots(r, (unsigned char *)(r + 1), r->nslots);
    return r;
}

int iof__cluster_create(iof__cluster **out, size_t max_rows, size_t max_bytes)
{
    iof__cluster *c = calloc(1, sizeof(*c));
    if (!c || !(c->off = malloc(max_rows * sizeof(*c->off))) || !(c->tmp = malloc(max_rows * sizeof(*c->tmp)))) {
        if (c)
            free(c->off);
        free(c);
        return IOF_E_NOMEM;
    }
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

int iof__cluster_add(iof__cluster *c, const iof__cfrec *r)
{
    size_t sz = clone_size(r);
    if (sz > c->cap - c->used) {
        size_t cap = c->cap ? c->cap : (1u << 20);
        while (cap - c->used < sz)
            cap *= 2;
        unsigned char *a = realloc(c->arena, cap);
        if (!a)
            return IOF_E_NOMEM;
        c->arena = a;
        c->cap = cap;
    }
    size_t off = c->used;
    memcpy(c->arena + off, r, sizeof(*r));
    iof__cfrec *d = fixup(c->arena, off);
    size_t n = r->nslots;
    memcpy(d->off_us, r->off_us, n * sizeof(int64_t));
    memcpy(d->size, r->size, n * sizeof(int32_t));
    memcpy(d->pay_off, r->pay_off, n * sizeof(uint32_t));
    memcpy(d->pay_len, r->pay_len, n * sizeof(uint32_t));
    memcpy(d->dir, r->dir, n);
    if (r->pay_used)
        memcpy(d->pay, r->pay, r->pay_used);
    d->hnext = d->qprev = d->qnext = NULL;
    d->hpprev = NULL;
    d->hash = c->n; /* arrival order: the final tie-break keeps the sort deterministic */
    uint64_t k = (uint64_t)r->proto << 56 | (uint64_t)r->rem_port << 40, k2 = 0;
    for (uint32_t b = 0; b < 5 && b < r->pay_used && b < CLUSTER_PREFIX; b++)
        k |= (uint64_t)r->pay[b] << (32 - 8 * b);
    for (uint32_t b = 5; b < 13 && b < r->pay_used && b < CLUSTER_PREFIX; b++)
        k2 |= (uint64_t)r->pay[b] << (56 - 8 * (b - 5));
    c->off[c->n++] = (ckey){ k, k2, off };
    c->used += sz;
    return IOF_OK;
}

static int cmp_rec(const void *pa, const void *pb, void *base)
{
    const ckey *ka = pa, *kb = pb;
    if (ka->k != kb->k)
        return ka->k < kb->k ? -1 : 1;
    if (ka->k2 != kb->k2)
        return ka->k2 < kb->k2 ? -1 : 1;
    const iof__cfrec *a = (const iof__cfrec *)(const void *)((unsigned char *)base + ka->off);
    const iof__cfrec *b = (const iof__cfrec *)(const void *)((unsigned char *)base + kb->off);
    int d;
    if (a->proto != b->proto)
        return a->proto < b->proto ? -1 : 1;
    if (a->rem_port != b->rem_port)
        return a->rem_port < b->rem_port ? -1 : 1;
    /* the leading payload bytes, then their length: same message sequences side by side
     * (pointers are valid: fixed up before sorting) */
    uint32_t la = a->pay_used, lb = b->pay_used;
    uint32_t l = la < lb ? la : lb;
    if (l > CLUSTER_PREFIX)
        l = CLUSTER_PREFIX;
    if (l && (d = memcmp(a->pay, b->pay, l)) != 0)
        return d;
    if (la != lb && (la < CLUSTER_PREFIX || lb < CLUSTER_PREFIX))
        return la < lb ? -1 : 1;
    if (a->nslots != b->nslots)
        return a->nslots < b->nslots ? -1 : 1;
    if (a->device != b->device)
        return a->device < b->device ? -1 : 1;
    if ((d = memcmp(a->mac, b->mac, 6)) != 0)
        return d;
    if ((d = memcmp(a->dev_ip, b->dev_ip, 16)) != 0)
        return d;
    if ((d = memcmp(a->rem_ip, b->rem_ip, 16)) != 0)
        return d;
    if (a->dev_port != b->dev_port)
        return a->dev_port < b->dev_port ? -1 : 1;
    if (a->first_ns != b->first_ns)
        return a->first_ns < b->first_ns ? -1 : 1;
    return a->hash < b->hash ? -1 : a->hash > b->hash;
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
    for (size_t i = 0; i < n;) {
        size_t e = i + 1;
        while (e < n && c->off[e].k == c->off[i].k && c->off[e].k2 == c->off[i].k2)
            e++;
        if (e - i > 1)
            qsort_r(c->off + i, e - i, sizeof(*c->off), cmp_rec, c->arena);
        i = e;
    }
}

int iof__cluster_drain(iof__cluster *c, iof__cluster_fn fn, void *ctx)
{
    int rc = IOF_OK;
    for (size_t i = 0; i < c->n; i++)
        fixup(c->arena, c->off[i].off); /* the arena may have moved since the copy was made */
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
        rc = fn(ctx, (const iof__cfrec *)(const void *)(c->arena + c->off[i].off));
    }
    c->n = 0;
    c->used = 0;
    return rc;
}
