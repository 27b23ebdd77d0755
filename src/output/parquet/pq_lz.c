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
    ZSTD_Sequence *seq; /* IOF_PQ_LZ_MAX_VALUES + 1: at most one sequence per value, and the block end */
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
    lz->seq = malloc(((size_t)IOF_PQ_LZ_MAX_VALUES + 1) * sizeof *lz->seq);
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

static inline uint32_t ld32(const uint8_t *b, size_t i)
{
    uint32_t x;
    memcpy(&x, b + 4 * i, 4);
    return x;
}

/* How many of the values i, i + 1, ... (up to n) equal the values d before them. */
static inline size_t run_len(const uint8_t *b, size_t i, size_t d, size_t n)
{
    size_t k = 0;
    while (i + k + 2 <= n) { /* two values (8 bytes) at a time */
        uint64_t x, y;
        memcpy(&x, b + 4 * (i + k), 8);
        memcpy(&y, b + 4 * (i + k - d), 8);
        if (x != y)
            return k + ((uint32_t)x == (uint32_t)y);
        k += 2;
    }
    return k + (i + k < n && ld32(b, i + k) == ld32(b, i + k - d));
}

/* 0 / 1 for upper bytes 00 00 00 / ff ff ff (a byte-sized value's), else -1. */
static inline int hi_class(uint32_t hi)
{
    return hi == 0 ? 0 : hi == 0xffffff ? 1 : -1;
}

/* Runs at an older repeat offset are taken from this many values on (shorter ones cost more
 * than they save: they push the offsets of the common case out of zstd's history). */
#define LZ_REP_MIN_RUN 8

/* Greedy parse of a PLAIN INT32 page of n values, a value at a time:
 *  - a value equal to the one before starts a match at offset 4 over the whole run;
 *  - else a run of at least LZ_REP_MIN_RUN values at one of zstd's older repeat offsets
 *    (periodic pages);
 *  - else the low byte is a literal and the upper bytes, with the run of whole values after
 *    them, match: the value before's when they are the same (offset 4); the low byte just
 *    written when the value is 0 or -1 (offset 1: four equal bytes); else the last value whose
 *    upper bytes were the same 00 00 00 / ff ff ff; else they are literals too.
 * Matches start and end on value boundaries or right after a low byte. On payload columns this
 * makes one sequence of one literal per stored byte and one per fill run, with offsets 4 and 1
 * that zstd codes as repeats. rep[] follows zstd's repeat-offset history only to steer the
 * choice (libzstd recomputes the real one: ZSTD_c_searchForExternalRepcodes). */
static size_t parse(const uint8_t *b, size_t n, ZSTD_Sequence *s)
{
    size_t ns = 0, lit = 0, i = 0;
    uint32_t rep[3] = { 1, 4, 8 }; /* zstd's initial repeat offsets, in bytes */
    size_t last_hi[2] = { 0, 0 };  /* 1 + index of the last value with upper bytes 00.. / ff.. */
    uint32_t prev = 0;             /* value i - 1 */
    while (i < n) {
        const uint32_t x = ld32(b, i);
        size_t len = 0;
        uint32_t off = 0;
        if (i && x == prev) {
            off = 4;
            len = 4 * (1 + run_len(b, i + 1, 1, n));
        } else {
            for (int r = 1; r < 3 && !len; r++) {
                const size_t d = rep[r] / 4;
                if (rep[r] % 4 || d > i || ld32(b, i - d) != x) /* offsets are >= 1: d >= 1 */
                    continue;
                const size_t k = 1 + run_len(b, i + 1, d, n);
                if (k >= LZ_REP_MIN_RUN) {
                    off = rep[r];
                    len = 4 * k;
                }
            }
        }
        if (!len) { /* a literal low byte, then the upper bytes */
            const uint32_t hi = x >> 8;
            const int cls = hi_class(hi);
            size_t d = 0;
            lit++;
            if (i && prev >> 8 == hi) {
                d = 1;
                off = 4;
            } else if (x == 0 || x == UINT32_MAX) {
                d = 1; /* the run after: values equal to x, which are equal to the one before */
                off = 1;
            } else if (cls >= 0 && last_hi[cls]) {
                d = i - (last_hi[cls] - 1);
                off = (uint32_t)(4 * d);
            }
            if (cls >= 0)
                last_hi[cls] = i + 1;
            if (!d) {
                lit += 3;
                prev = x;
                i++;
                continue;
            }
            len = 3 + 4 * run_len(b, i + 1, d, n);
        }
        i += (len + 3) / 4; /* 4k bytes: k values; 3 + 4k: the value of the literal and k */
        s[ns++] = (ZSTD_Sequence){ .offset = off, .litLength = (unsigned)lit, .matchLength = (unsigned)len };
        if (off == rep[1]) {
            rep[1] = rep[0];
            rep[0] = off;
        } else if (off != rep[0]) {
            rep[2] = rep[1];
            rep[1] = rep[0];
            rep[0] = off;
        }
        prev = ld32(b, i - 1);
        const int ce = hi_class(prev >> 8); /* the last value inside the match */
        if (ce >= 0)
            last_hi[ce] = i;
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
    size_t ns = parse(plain, n, lz->seq);
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
