/* zstd frames for PLAIN pages of byte-sized integers: our parse, libzstd's entropy coding.
 * See pq_lz.h for why. */
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_compressSequences, ZSTD_Sequence */
#include "output/parquet/pq_lz.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "common/thread.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "pq_lz.c compares 8 bytes at a time and assumes a little-endian host"
#endif

struct iof__pq_lz {
    ZSTD_CCtx *zc;
    ZSTD_Sequence *seq; /* IOF_PQ_LZ_MAX_VALUES * 4 + 1: at most one sequence per byte */
};

iof__pq_lz *iof__pq_lz_new(int level)
{
#if defined(ZSTD_c_searchForExternalRepcodes)
    if (ZSTD_versionNumber() / 100 != ZSTD_VERSION_NUMBER / 100)
        return NULL; /* experimental API: only with the library it was compiled against */
    iof__pq_lz *lz = calloc(1, sizeof *lz);
    if (!lz)
        return NULL;
    lz->zc = ZSTD_createCCtx();
    lz->seq = malloc(((size_t)IOF_PQ_LZ_MAX_VALUES * 4 + 1) * sizeof *lz->seq);
    ZSTD_CCtx *z = lz->zc;
    if (!z || !lz->seq || ZSTD_isError(ZSTD_CCtx_setParameter(z, ZSTD_c_compressionLevel, level)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(z, ZSTD_c_blockDelimiters, ZSTD_sf_explicitBlockDelimiters)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(z, ZSTD_c_validateSequences, 1)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(z, ZSTD_c_searchForExternalRepcodes, ZSTD_ps_enable)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(z, ZSTD_c_minMatch, 3)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(z, ZSTD_c_windowLog, 17)) ||
        /* the match finder is never used: keep its tables (reset for every frame) tiny */
        ZSTD_isError(ZSTD_CCtx_setParameter(z, ZSTD_c_hashLog, 6)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(z, ZSTD_c_chainLog, 6))) {
        iof__pq_lz_free(lz);
        return NULL;
    }
    return lz;
#else
    (void)level;
    return NULL;
#endif
}

void iof__pq_lz_free(iof__pq_lz *lz)
{
    if (!lz)
        return;
    ZSTD_freeCCtx(lz->zc);
    free(lz->seq);
    free(lz);
}

/* Length of the match between b[p..] and b[q..] (q < p), up to end. */
static size_t match_len(const uint8_t *b, size_t p, size_t q, size_t end)
{
    size_t l = 0;
    while (p + l + 8 <= end) {
        uint64_t x, y;
        memcpy(&x, b + p + l, 8);
        memcpy(&y, b + q + l, 8);
        if (x != y)
            return l + ((size_t)__builtin_ctzll(x ^ y) >> 3);
        l += 8;
    }
    while (p + l < end && b[p + l] == b[q + l])
        l++;
    return l;
}

/* 0 / 1 when b[p..p+2] are the upper bytes of a non-negative / negative byte-sized value. */
static inline int hi_class(const uint8_t *b, size_t p, size_t end)
{
    if (p + 3 > end || b[p] != b[p + 1] || b[p] != b[p + 2])
        return -1;
    return b[p] == 0 ? 0 : b[p] == 0xff ? 1 : -1;
}

/* Greedy parse of a PLAIN INT32 page. At every byte: the longest match at one of zstd's three
 * repeat offsets (cheap to code), else, on a value's upper bytes, the last value whose upper
 * bytes were the same 00 00 00 or ff ff ff; a match needs 3 bytes. rep[] follows zstd's repeat
 * offset history for sequences with literals (a greedy match never continues at the offset
 * that just ended, so the zero-literal special cases do not arise); it only steers the choice,
 * libzstd recomputes the real history. */
static size_t parse(const uint8_t *b, size_t end, ZSTD_Sequence *s)
{
    size_t ns = 0, lit = 0, p = 0;
    size_t rep[3] = { 1, 4, 8 }; /* zstd's initial repeat offsets */
    size_t last_hi[2] = { 0, 0 };  /* 1 + position of a value's upper bytes: 00.. / ff.. */
    while (p < end) {
        size_t best = 0, off = 0;
        int which = -1;
        for (int r = 0; r < 3; r++) {
            if (rep[r] > p || b[p] != b[p - rep[r]]) /* most tries end at the first byte */
                continue;
            size_t l = match_len(b, p, p - rep[r], end);
            if (l > best) {
                best = l;
                off = rep[r];
                which = r;
            }
        }
        const int k = (p & 3) == 1 ? hi_class(b, p, end) : -1;
        if (k >= 0) {
            if (best < 3 && last_hi[k]) {
                size_t q = last_hi[k] - 1, l = match_len(b, p, q, end);
                if (l >= 3) {
                    best = l;
                    off = p - q;
                    which = -1;
                }
            }
            last_hi[k] = p + 1;
        }
        if (best < 3) {
            lit++;
            p++;
            continue;
        }
        s[ns++] = (ZSTD_Sequence){ .offset = (unsigned)off, .litLength = (unsigned)lit, .matchLength = (unsigned)best };
        if (which == 1) {
            rep[1] = rep[0];
            rep[0] = off;
        } else if (which == 2 || which < 0) {
            rep[2] = rep[1];
            rep[1] = rep[0];
            rep[0] = off;
        }
        /* the last upper bytes inside the match (the only position last_hi keeps) */
        size_t e = p + best - 1;
        if (e > p) {
            size_t k1 = (e & ~(size_t)3) + 1;
            if (k1 > e)
                k1 -= 4;
            const int k2 = k1 > p ? hi_class(b, k1, end) : -1;
            if (k2 >= 0)
                last_hi[k2] = k1 + 1;
        }
        p += best;
        lit = 0;
    }
    s[ns++] = (ZSTD_Sequence){ .offset = 0, .litLength = (unsigned)lit, .matchLength = 0 }; /* block end */
    return ns;
}

size_t iof__pq_lz_compress(iof__pq_lz *lz, const uint8_t *plain, size_t n, pq_buf *out)
{
    out->len = 0;
    if (!lz || n == 0 || n > IOF_PQ_LZ_MAX_VALUES)
        return 0;
    const size_t raw = n * 4, bound = ZSTD_compressBound(raw);
    if (!pq_buf_reserve(out, bound))
        return 0;
    size_t ns = parse(plain, raw, lz->seq);
    size_t r = ZSTD_compressSequences(lz->zc, out->p, bound, lz->seq, ns, plain, raw);
    if (ZSTD_isError(r)) {
        ZSTD_CCtx_reset(lz->zc, ZSTD_reset_session_only);
        return 0;
    }
    out->len = r;
    return r;
}

/* ---- a pool: the caller's thread and helpers take pages from one counter ------------ */

#define LZ_MAX_THREADS 2

typedef struct lz_helper {
    struct iof__pq_lz_pool *pool;
    unsigned id, gen; /* its iof__pq_lz, the last generation it ran */
} lz_helper;

struct iof__pq_lz_pool {
    iof__pq_lz *lz[LZ_MAX_THREADS];
    lz_helper hs[LZ_MAX_THREADS];
    unsigned nthreads, started; /* wanted, helper threads running */
    pthread_t th[LZ_MAX_THREADS];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned gen, done, quit;  /* a run's generation; helpers finished with it */
    iof__pq_lz_page *pages;
    size_t npages;
    atomic_size_t next;
};

static void pool_work(iof__pq_lz_pool *pool, iof__pq_lz *lz)
{
    for (;;) {
        size_t k = atomic_fetch_add(&pool->next, 1);
        if (k >= pool->npages)
            return;
        iof__pq_lz_page *pg = &pool->pages[k];
        pg->clen = pg->n ? iof__pq_lz_compress(lz, pg->plain, pg->n, &pg->out) : 0;
    }
}

static void *pool_helper(void *arg)
{
    lz_helper *h = arg;
    iof__pq_lz_pool *pool = h->pool;
    pthread_mutex_lock(&pool->mu);
    for (;;) {
        while (pool->gen == h->gen && !pool->quit)
            pthread_cond_wait(&pool->cv, &pool->mu);
        if (pool->quit)
            break;
        h->gen = pool->gen;
        pthread_mutex_unlock(&pool->mu);
        pool_work(pool, pool->lz[h->id]);
        pthread_mutex_lock(&pool->mu);
        pool->done++;
        pthread_cond_broadcast(&pool->cv);
    }
    pthread_mutex_unlock(&pool->mu);
    return NULL;
}

iof__pq_lz_pool *iof__pq_lz_pool_new(int level, unsigned threads)
{
    if (threads == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cpus >= 2 ? 2 : 1;
    }
    threads = threads > LZ_MAX_THREADS ? LZ_MAX_THREADS : threads;
    iof__pq_lz_pool *pool = calloc(1, sizeof *pool);
    if (!pool)
        return NULL;
    pool->nthreads = threads;
    pthread_mutex_init(&pool->mu, NULL);
    pthread_cond_init(&pool->cv, NULL);
    for (unsigned i = 0; i < threads; i++)
        if (!(pool->lz[i] = iof__pq_lz_new(level))) {
            iof__pq_lz_pool_free(pool);
            return NULL;
        }
    return pool;
}

void iof__pq_lz_pool_free(iof__pq_lz_pool *pool)
{
    if (!pool)
        return;
    pthread_mutex_lock(&pool->mu);
    pool->quit = 1;
    pthread_cond_broadcast(&pool->cv);
    pthread_mutex_unlock(&pool->mu);
    for (unsigned i = 1; i <= pool->started; i++)
        pthread_join(pool->th[i], NULL);
    for (unsigned i = 0; i < LZ_MAX_THREADS; i++)
        iof__pq_lz_free(pool->lz[i]);
    pthread_cond_destroy(&pool->cv);
    pthread_mutex_destroy(&pool->mu);
    free(pool);
}

void iof__pq_lz_pool_run(iof__pq_lz_pool *pool, iof__pq_lz_page *pages, size_t n)
{
    pool->pages = pages;
    pool->npages = n;
    atomic_store(&pool->next, 0);
    pthread_mutex_lock(&pool->mu);
    while (pool->started + 1 < pool->nthreads) { /* helpers start on first use */
        lz_helper *h = &pool->hs[++pool->started];
        *h = (lz_helper){ pool, pool->started, pool->gen };
        if (iof__thread_spawn(&pool->th[pool->started], pool_helper, h) != 0) {
            pool->started--;
            pool->nthreads = pool->started + 1; /* run with what we have */
        }
    }
    const unsigned helpers = pool->started;
    pool->done = 0;
    pool->gen++;
    pthread_cond_broadcast(&pool->cv);
    pthread_mutex_unlock(&pool->mu);
    pool_work(pool, pool->lz[0]);
    pthread_mutex_lock(&pool->mu);
    while (pool->done < helpers)
        pthread_cond_wait(&pool->cv, &pool->mu);
    pthread_mutex_unlock(&pool->mu);
}
