/* The generic flow table (src/flow/table.h): insert / lookup / remove, the cap and the order
 * of eviction, the activity queue, the extension area, seq, memory accounting. A tiny policy
 * of its own: a record is a header plus a 32-bit key and an array bound by the init callback. */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/err.h"
#include "flow/table.h"
#include "test.h"

#define NSLOT 3 /* words in each record's bound array */

typedef struct trec {
    union {
        iof__flow flow;
        struct { IOF__FLOW_FIELDS };
    };
    uint32_t key;
    uint32_t *arr;  /* bound once per slab entry by init: must survive recycling */
} trec;

static int n_init, n_fini;

static void t_init(void *ctx, iof__flow *f)
{
    (void)ctx;
    trec *r = (trec *)(void *)f;
    r->arr = (uint32_t *)(void *)(r + 1);
    n_init++;
}

static void t_fini(void *ctx, iof__flow *f)
{
    (void)ctx;
    trec *r = (trec *)(void *)f;
    ASSERT_TRUE(r->arr == (uint32_t *)(void *)(r + 1));
    n_fini++;
}

static iof__ftab *mk(uint64_t cap, size_t ext, int activity)
{
    iof__ftab_config c = { .rec_size = sizeof(trec) + NSLOT * sizeof(uint32_t), .ext_size = ext,
                           .max_live = cap, .activity = activity != 0, .init = t_init, .fini = t_fini };
    iof__ftab *t;
    n_init = n_fini = 0;
    ASSERT_EQ_INT(iof__ftab_create(&t, &c), IOF_OK);
    return t;
}

/* a deliberately weak hash so that chains hold several keys */
static uint64_t h_of(uint32_t key) { return key % 7; }

static trec *add(iof__ftab *t, uint32_t key, uint64_t seq)
{
    iof__flow *f = iof__ftab_insert(t, h_of(key), seq);
    ASSERT_TRUE(f != NULL);
    trec *r = (trec *)(void *)f;
    r->key = key;
    return r;
}

static trec *find(const iof__ftab *t, uint32_t key)
{
    uint64_t h = h_of(key);
    for (iof__flow *f = iof__ftab_bucket(t, h); f; f = f->hnext)
        if (f->hash == h && ((trec *)(void *)f)->key == key)
            return (trec *)(void *)f;
    return NULL;
}

static void test_insert_lookup_remove(void)
{
    iof__ftab *t = mk(1000, 0, 0);
    for (uint32_t k = 0; k < 100; k++)
        add(t, k, k);
    ASSERT_EQ_U64(iof__ftab_live(t), 100);
    for (uint32_t k = 0; k < 100; k++) {
        trec *r = find(t, k);
        ASSERT_TRUE(r && r->key == k && r->seq == k && r->hash == h_of(k));
    }
    ASSERT_TRUE(find(t, 100) == NULL);
    /* remove from the middle, the head and the tail of chains and of the queue */
    for (uint32_t k = 0; k < 100; k += 3)
        iof__ftab_remove(t, &find(t, k)->flow);
    for (uint32_t k = 0; k < 100; k++)
        ASSERT_TRUE((find(t, k) != NULL) == (k % 3 != 0));
    ASSERT_EQ_U64(iof__ftab_live(t), 66);
    /* the creation queue lost exactly the removed ones and kept its order */
    uint64_t prev = 0, n = 0;
    for (iof__flow *f = iof__ftab_oldest(t); f; f = iof__ftab_newer(f), n++) {
        ASSERT_TRUE(f->seq % 3 != 0);
        ASSERT_TRUE(n == 0 || f->seq > prev);
        prev = f->seq;
    }
    ASSERT_EQ_U64(n, 66);
    /* recycled records keep their bound arrays; reinsertion works */
    for (uint32_t k = 0; k < 100; k += 3)
        ASSERT_TRUE(add(t, k, 1000 + k)->arr != NULL);
    for (uint32_t k = 0; k < 100; k++)
        ASSERT_TRUE(find(t, k) != NULL);
    const iof__ftab_stats *st = iof__ftab_get_stats(t);
    ASSERT_EQ_U64(st->inserted, 134);
    ASSERT_EQ_U64(st->inserted - st->live, 34); /* removed */
    iof__ftab_destroy(t);
    ASSERT_EQ_INT(n_fini, n_init);
    ASSERT_EQ_INT(n_init, IOF_FTAB_SLAB_RECORDS);
}

static void test_bucket_growth_keeps_records(void)
{
    iof__ftab *t = mk(1u << 20, 0, 0);
    /* enough records to double the buckets several times; a real hash this time */
    const uint32_t n = IOF_FTAB_MIN_BUCKETS * 5;
    for (uint32_t k = 0; k < n; k++) {
        iof__flow *f = iof__ftab_insert(t, (uint64_t)k * 0x9e3779b97f4a7c15ULL, k);
        ASSERT_TRUE(f != NULL);
        ((trec *)(void *)f)->key = k;
    }
    for (uint32_t k = 0; k < n; k++) {
        uint64_t h = (uint64_t)k * 0x9e3779b97f4a7c15ULL;
        int hit = 0;
        for (iof__flow *f = iof__ftab_bucket(t, h); f; f = f->hnext)
            hit += f->hash == h && ((trec *)(void *)f)->key == k;
        ASSERT_EQ_INT(hit, 1);
    }
    iof__ftab_destroy(t);
}

/* The cap: the table says which record to evict (the oldest) while live > cap; the policy
 * removes it. Eviction order is creation order, whatever the removal pattern before. */
static void test_cap_and_eviction_order(void)
{
    iof__ftab *t = mk(4, 0, 0);
    uint64_t evicted[16];
    int ne = 0;
    for (uint32_t k = 0; k < 10; k++) {
        add(t, k, 10 * k);
        if (k == 2)
            iof__ftab_remove(t, &find(t, 1)->flow); /* a record leaving on its own */
        for (iof__flow *f; (f = iof__ftab_evictable(t));) {
            evicted[ne++] = f->seq;
            iof__ftab_remove(t, f);
        }
        iof__ftab_mark_peak(t);
        ASSERT_TRUE(iof__ftab_live(t) <= 4);
    }
    /* 10 inserted, 1 removed, 4 live: 5 evicted, oldest first (seq 10 had left already) */
    static const uint64_t want[] = { 0, 20, 30, 40, 50 };
    ASSERT_EQ_INT(ne, 5);
    for (int i = 0; i < ne; i++)
        ASSERT_EQ_U64(evicted[i], want[i]);
    ASSERT_EQ_U64(iof__ftab_get_stats(t)->peak_live, 4);
    ASSERT_TRUE(iof__ftab_evictable(t) == NULL);
    iof__ftab_destroy(t);
}

static void expect_activity(const iof__ftab *t, const uint32_t *keys, int n)
{
    int i = 0;
    const iof__flow *last = NULL;
    for (const iof__flow *f = iof__ftab_idlest(t); f; last = f, f = iof__ftab_less_idle(t, f), i++) {
        ASSERT_TRUE(i < n);
        ASSERT_EQ_INT(((const trec *)(const void *)f)->key, keys[i]);
        ASSERT_TRUE(iof__ftab_alink_of(t, f)->prev == last);
    }
    ASSERT_EQ_INT(i, n);
}

static void test_activity_queue_order(void)
{
    iof__ftab *t = mk(100, 0, 1);
    for (uint32_t k = 0; k < 5; k++)
        add(t, k, k);
    expect_activity(t, (const uint32_t[]){ 0, 1, 2, 3, 4 }, 5);
    iof__ftab_touch(t, &find(t, 0)->flow); /* head to tail */
    iof__ftab_touch(t, &find(t, 2)->flow); /* middle to tail */
    iof__ftab_touch(t, &find(t, 2)->flow); /* already the tail: nothing */
    expect_activity(t, (const uint32_t[]){ 1, 3, 4, 0, 2 }, 5);
    iof__ftab_remove(t, &find(t, 1)->flow); /* head */
    iof__ftab_remove(t, &find(t, 2)->flow); /* tail */
    iof__ftab_remove(t, &find(t, 4)->flow); /* middle */
    expect_activity(t, (const uint32_t[]){ 3, 0 }, 2);
    add(t, 9, 9);
    iof__ftab_touch(t, &find(t, 3)->flow);
    expect_activity(t, (const uint32_t[]){ 0, 9, 3 }, 3);
    /* the creation queue is not affected by activity */
    uint32_t want[] = { 0, 3, 9 }, i = 0;
    for (iof__flow *f = iof__ftab_oldest(t); f; f = iof__ftab_newer(f))
        ASSERT_EQ_INT(((trec *)(void *)f)->key, want[i++]);
    ASSERT_EQ_INT(i, 3);
    iof__ftab_destroy(t);

    /* not kept: touching is harmless and there is no idlest record */
    t = mk(100, 0, 0);
    trec *r = add(t, 1, 1);
    add(t, 2, 2);
    iof__ftab_touch(t, &r->flow);
    ASSERT_TRUE(iof__ftab_idlest(t) == NULL);
    iof__ftab_destroy(t);
}

static void test_extension_zeroed_and_aligned(void)
{
    /* odd record and extension sizes: the area must still be aligned, and entries must not
     * overlap (writing a whole area never touches another record) */
    iof__ftab_config c = { .rec_size = sizeof(trec) + 5, .ext_size = 40, .max_live = 1000,
                           .init = t_init, .fini = t_fini };
    iof__ftab *t;
    ASSERT_EQ_INT(iof__ftab_create(&t, &c), IOF_OK);
    trec *rs[600];
    for (uint32_t k = 0; k < 600; k++) {
        rs[k] = add(t, k, k);
        unsigned char *e = iof__ftab_ext(t, &rs[k]->flow);
        ASSERT_EQ_U64((uintptr_t)e % IOF_FTAB_EXT_ALIGN, 0);
        ASSERT_TRUE(e >= (unsigned char *)rs[k] + sizeof(trec) + 5);
        for (int b = 0; b < 40; b++)
            ASSERT_EQ_INT(e[b], 0);
        memset(e, 0xAB, 40);
    }
    for (uint32_t k = 0; k < 600; k++)
        ASSERT_TRUE(find(t, k) == rs[k] && rs[k]->key == k);
    /* a recycled record's area is zeroed again */
    for (uint32_t k = 0; k < 600; k++)
        iof__ftab_remove(t, &rs[k]->flow);
    for (uint32_t k = 0; k < 600; k++) {
        unsigned char *e = iof__ftab_ext(t, &add(t, k, 600 + k)->flow);
        for (int b = 0; b < 40; b++)
            ASSERT_EQ_INT(e[b], 0);
    }
    iof__ftab_destroy(t);
}

/* fresh entries (never used since their slab was calloc'd) are told apart from reused ones, so
 * a policy that prepares the extension area itself (ext_by_policy) may skip zeroing only those */
static void test_fresh_entries(void)
{
    iof__ftab_config c = { .rec_size = sizeof(trec), .ext_size = 40, .max_live = 100000,
                           .ext_by_policy = true, .init = t_init, .fini = t_fini };
    iof__ftab *t;
    ASSERT_EQ_INT(iof__ftab_create(&t, &c), IOF_OK);
    size_t per = iof__ftab_slab_records(t);
    trec *rs[600];
    ASSERT_TRUE(per < 300);
    uint64_t seq = 0;
    for (uint32_t k = 0; k < 300; k++) {   /* one slab and part of a second: all fresh, all zero */
        rs[k] = add(t, k, seq++);
        ASSERT_TRUE(iof__ftab_fresh(t));
        unsigned char *e = iof__ftab_ext(t, &rs[k]->flow);
        for (int b = 0; b < 40; b++)
            ASSERT_EQ_INT(e[b], 0);
        memset(e, 0xAB, 40);
    }
    /* removed entries come back first: not fresh (their bytes are the last user's) */
    for (uint32_t k = 10; k < 20; k++)
        iof__ftab_remove(t, &rs[k]->flow);
    for (uint32_t k = 10; k < 20; k++) {
        rs[k] = add(t, 1000 + k, seq++);
        ASSERT_TRUE(!iof__ftab_fresh(t));
        ASSERT_EQ_INT(((unsigned char *)iof__ftab_ext(t, &rs[k]->flow))[0], 0xAB);
    }
    /* then the second slab's unused entries, still fresh; a removed fresh one is reused */
    rs[300] = add(t, 300, seq++);
    ASSERT_TRUE(iof__ftab_fresh(t));
    memset(iof__ftab_ext(t, &rs[300]->flow), 0xCD, 40);
    iof__ftab_remove(t, &rs[300]->flow);
    ASSERT_TRUE(&add(t, 300, seq++)->flow == &rs[300]->flow && !iof__ftab_fresh(t));
    for (uint32_t k = 301; k < 2 * per; k++) {
        add(t, k, seq++);
        ASSERT_TRUE(iof__ftab_fresh(t));
    }
    /* the second slab used up: the third's entries are fresh */
    add(t, 5000, seq++);
    ASSERT_TRUE(iof__ftab_fresh(t));
    iof__ftab_destroy(t);
}

/* ThreadSanitizer's allocator maps what it hands out: residency says nothing there (gcc says
 * __SANITIZE_THREAD__, clang __has_feature) */
#if defined(__SANITIZE_THREAD__)
#define RESIDENCY_MEANINGFUL 0
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RESIDENCY_MEANINGFUL 0
#endif
#endif
#ifndef RESIDENCY_MEANINGFUL
#define RESIDENCY_MEANINGFUL 1
#endif

/* whether the page of p is resident (mincore) */
static bool resident(const void *p)
{
    unsigned char v = 0;
    uintptr_t a = (uintptr_t)p & ~(uintptr_t)4095;
    ASSERT_EQ_INT(mincore((void *)a, 4096, &v), 0);
    return v & 1;
}

/* cfg.hot: a new slab's entries have their policy records' and hot stretches' pages mapped at
 * once; a page between the stretches is left for its first use */
static void test_hot_prefault(void)
{
#ifdef MADV_POPULATE_WRITE
    /* a kernel without MADV_POPULATE_WRITE (before 5.14) prefaults nothing: nothing to test */
    void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_TRUE(m != MAP_FAILED);
    bool works = madvise(m, 4096, MADV_POPULATE_WRITE) == 0;
    munmap(m, 4096);
    if (!works || !RESIDENCY_MEANINGFUL)
        return;
    iof__ftab_config c = { .rec_size = sizeof(trec), .ext_size = 20000, .max_live = 1000, .ext_by_policy = true,
                           .nhot = 2, .hot = { { 12000, 64 }, { 0, 100 } }, .init = t_init, .fini = t_fini };
    iof__ftab *t;
    ASSERT_EQ_INT(iof__ftab_create(&t, &c), IOF_OK);
    trec *r = add(t, 1, 1);
    unsigned char *e = iof__ftab_ext(t, &r->flow);
    for (size_t k = 0; k < iof__ftab_slab_records(t); k++) {   /* every entry of the slab */
        unsigned char *x = e + k * iof__ftab_entry_bytes(t);
        ASSERT_TRUE(resident(x) && resident(x + 99) && resident(x + 12000) && resident(x + 12063));
        ASSERT_TRUE(!resident(x + 6000));
    }
    iof__ftab_destroy(t);
    c.hot[0] = (iof__ftab_span){ 19990, 11 };   /* past the area: refused */
    ASSERT_EQ_INT(iof__ftab_create(&t, &c), IOF_E_INVAL);
    c.hot[0] = (iof__ftab_span){ 12000, 64 };
    c.nhot = IOF_FTAB_MAX_HOT + 1;
    ASSERT_EQ_INT(iof__ftab_create(&t, &c), IOF_E_INVAL);
#endif
}

/* cfg.slab_ahead: each slab is made (allocated, hot pages mapped) on the table's helper thread
 * while the one before it is used: the same entries, fresh and zero, with their hot pages
 * mapped, the same bytes counted; the slab made ahead is never bound (init) nor finished (fini)
 * unless taken, and destroy frees it. Also run under ThreadSanitizer (scripts/test.sh). Pages
 * between the stretches are not checked: the helper's calloc comes from its own malloc arena,
 * where glibc zeroes with memset the part it cannot prove fresh (after earlier tests freed
 * slabs, ~33 pages of the first slab, a page of later ones: a release build failed it). */
static void test_slab_ahead(void)
{
    iof__ftab_config c = { .rec_size = sizeof(trec), .ext_size = 20000, .max_live = 100000, .ext_by_policy = true,
                           .nhot = 2, .hot = { { 12000, 64 }, { 0, 100 } }, .init = t_init, .fini = t_fini };
    iof__ftab *plain, *t;
    n_init = n_fini = 0;
    ASSERT_EQ_INT(iof__ftab_create(&plain, &c), IOF_OK);
    c.slab_ahead = true;
    ASSERT_EQ_INT(iof__ftab_create(&t, &c), IOF_OK);
    ASSERT_TRUE(t->maker != NULL && t->spare_pending);   /* the first slab is being made */
    ASSERT_TRUE(plain->maker == NULL && !plain->spare_pending);
    size_t per = iof__ftab_slab_records(t);
    bool prefaults = false;
#ifdef MADV_POPULATE_WRITE
    void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_TRUE(m != MAP_FAILED);
    prefaults = madvise(m, 4096, MADV_POPULATE_WRITE) == 0 && RESIDENCY_MEANINGFUL;
    munmap(m, 4096);
#endif
    uint64_t seq = 0;
    for (uint32_t k = 0; k < 3 * per; k++) {
        add(plain, k, seq);
        trec *r = add(t, k, seq++);
        ASSERT_TRUE(iof__ftab_fresh(t));
        unsigned char *e = iof__ftab_ext(t, &r->flow);
        ASSERT_TRUE(e[0] == 0 && e[12063] == 0 && e[19999] == 0);
        if (prefaults && k % per == 0)   /* a new slab: its entries' hot pages are mapped */
            for (size_t i = 0; i < per; i++) {
                unsigned char *x = e + i * iof__ftab_entry_bytes(t);
                ASSERT_TRUE(resident(x) && resident(x + 99) && resident(x + 12000) && resident(x + 12063));
            }
        memset(e, 0xAB, 100);
        ASSERT_TRUE(t->spare_pending);   /* the next slab is always on its way */
    }
    ASSERT_EQ_U64(t->mem_bytes, plain->mem_bytes);   /* the slab ahead is counted when taken */
    ASSERT_EQ_INT(n_init, (int)(2 * 3 * per));
    iof__ftab_destroy(plain);
    iof__ftab_destroy(t);
    ASSERT_EQ_INT(n_fini, n_init);
    /* without hot stretches there is nothing to make ahead: no helper */
    c.nhot = 0;
    ASSERT_EQ_INT(iof__ftab_create(&t, &c), IOF_OK);
    ASSERT_TRUE(t->maker == NULL);
    iof__ftab_destroy(t);
}

/* slabs hold at most IOF_FTAB_SLAB_BYTES of entries (at least IOF_FTAB_SLAB_MIN_RECORDS): a
 * table of large records (-f joy's ~23 KB) does not allocate 256 of them at its first insert */
static void test_slab_size_by_bytes(void)
{
    iof__ftab_config c = { .rec_size = sizeof(trec), .ext_size = 23000, .max_live = 1000 };
    iof__ftab *t;
    ASSERT_EQ_INT(iof__ftab_create(&t, &c), IOF_OK);
    size_t stride = iof__ftab_entry_bytes(t);
    ASSERT_EQ_U64(iof__ftab_slab_records(t), IOF_FTAB_SLAB_BYTES / stride);
    uint64_t m0 = iof__ftab_memory(t);
    add(t, 1, 1);
    ASSERT_TRUE(iof__ftab_memory(t) - m0 <= IOF_FTAB_SLAB_BYTES + 4096);
    for (uint32_t k = 2; k <= 100; k++) /* more slabs as needed: every record still works */
        add(t, k, k);
    for (uint32_t k = 1; k <= 100; k++)
        ASSERT_TRUE(find(t, k) != NULL);
    iof__ftab_destroy(t);
    c.ext_size = IOF_FTAB_MAX_EXT; /* 1 MiB records: the minimum count */
    ASSERT_EQ_INT(iof__ftab_create(&t, &c), IOF_OK);
    ASSERT_EQ_U64(iof__ftab_slab_records(t), IOF_FTAB_SLAB_MIN_RECORDS);
    iof__ftab_destroy(t);
    c.ext_size = 0; /* small records: the most */
    ASSERT_EQ_INT(iof__ftab_create(&t, &c), IOF_OK);
    ASSERT_EQ_U64(iof__ftab_slab_records(t), IOF_FTAB_SLAB_RECORDS);
    iof__ftab_destroy(t);
}

static void test_seq_must_increase(void)
{
    iof__ftab *t = mk(100, 0, 0);
    ASSERT_TRUE(iof__ftab_insert(t, 1, 0) != NULL); /* 0 is a valid first seq */
    ASSERT_TRUE(iof__ftab_insert(t, 1, 5) != NULL);
    ASSERT_TRUE(iof__ftab_insert(t, 1, 5) == NULL); /* equal: refused */
    ASSERT_TRUE(iof__ftab_insert(t, 1, 3) == NULL); /* smaller: refused */
    ASSERT_TRUE(iof__ftab_insert(t, 1, 6) != NULL);
    ASSERT_EQ_U64(iof__ftab_live(t), 3);
    uint64_t want[] = { 0, 5, 6 }, i = 0;
    for (iof__flow *f = iof__ftab_oldest(t); f; f = iof__ftab_newer(f))
        ASSERT_EQ_U64(f->seq, want[i++]);
    iof__ftab_destroy(t);
}

static void test_memory_accounting(void)
{
    iof__ftab *t = mk(1u << 20, 24, 0);
    uint64_t m0 = iof__ftab_memory(t);
    ASSERT_EQ_U64(m0, sizeof(iof__ftab) + IOF_FTAB_MIN_BUCKETS * sizeof(iof__flow *));
    add(t, 1, 1);
    uint64_t m1 = iof__ftab_memory(t);
    /* one slab: its records, each at least record + extension bytes */
    ASSERT_TRUE(m1 - m0 >= IOF_FTAB_SLAB_RECORDS * (sizeof(trec) + NSLOT * sizeof(uint32_t) + 24));
    ASSERT_TRUE(m1 - m0 <= IOF_FTAB_SLAB_RECORDS * (sizeof(trec) + NSLOT * sizeof(uint32_t) + 24 +
                                                    2 * IOF_FTAB_EXT_ALIGN) + 64);
    for (uint32_t k = 2; k <= IOF_FTAB_SLAB_RECORDS; k++)
        add(t, k, k);
    ASSERT_EQ_U64(iof__ftab_memory(t), m1); /* the slab is full, nothing more yet */
    add(t, 100000, 100000);
    ASSERT_EQ_U64(iof__ftab_memory(t), m0 + 2 * (m1 - m0)); /* a second slab */
    /* removal keeps slabs (records are recycled, never freed before destroy) */
    iof__ftab_remove(t, &find(t, 1)->flow);
    ASSERT_EQ_U64(iof__ftab_memory(t), m0 + 2 * (m1 - m0));
    /* bucket doubling adds exactly the new array's extra half */
    uint64_t before = iof__ftab_memory(t);
    uint32_t k = 200000;
    while (iof__ftab_live(t) <= IOF_FTAB_MIN_BUCKETS)
        add(t, k, k), k++;
    /* records are recycled: slabs hold the live ones (never fewer live than now) */
    uint64_t slabs = (iof__ftab_live(t) + IOF_FTAB_SLAB_RECORDS - 1) / IOF_FTAB_SLAB_RECORDS;
    ASSERT_EQ_U64(iof__ftab_memory(t), m0 + slabs * (m1 - m0) + IOF_FTAB_MIN_BUCKETS * sizeof(iof__flow *));
    ASSERT_TRUE(iof__ftab_memory(t) > before);
    iof__ftab_destroy(t);
}

static void test_bad_config(void)
{
    iof__ftab *t = (iof__ftab *)(uintptr_t)1;
    iof__ftab_config c = { .rec_size = sizeof(iof__flow), .max_live = 0 };
    ASSERT_EQ_INT(iof__ftab_create(&t, &c), IOF_E_INVAL);
    ASSERT_TRUE(t == NULL);
    c.max_live = 1;
    c.rec_size = sizeof(iof__flow) - 1;
    ASSERT_EQ_INT(iof__ftab_create(&t, &c), IOF_E_INVAL);
    c.rec_size = sizeof(iof__flow);
    c.ext_size = IOF_FTAB_MAX_EXT + 1;
    ASSERT_EQ_INT(iof__ftab_create(&t, &c), IOF_E_INVAL);
    c.ext_size = 0;
    ASSERT_EQ_INT(iof__ftab_create(&t, &c), IOF_OK); /* a bare header, no callbacks */
    ASSERT_TRUE(iof__ftab_insert(t, 3, 0) != NULL);
    iof__ftab_destroy(t);
}

/* A table without the activity queue keeps no links for it: its entries are the policy's record
 * (and extension) only; with the queue, each entry gets them after the record. The header is
 * the creation queue, seq, the hash chain and the hash: six words. */
static void test_activity_links_only_when_kept(void)
{
    ASSERT_EQ_U64(sizeof(iof__flow), 6 * 8);
    iof__ftab *a = mk(4, 0, 0), *b = mk(4, 0, 1);
    const size_t rec = sizeof(trec) + NSLOT * sizeof(uint32_t);
    ASSERT_EQ_U64(a->stride, (rec + 7) / 8 * 8);
    ASSERT_EQ_U64(b->stride, a->stride + sizeof(iof__ftab_alink));
    iof__ftab_destroy(a);
    iof__ftab_destroy(b);
}

static const iof_test tests[] = {
    TEST(test_insert_lookup_remove), TEST(test_bucket_growth_keeps_records),
    TEST(test_cap_and_eviction_order), TEST(test_activity_queue_order),
    TEST(test_extension_zeroed_and_aligned), TEST(test_seq_must_increase),
    TEST(test_memory_accounting), TEST(test_bad_config), TEST(test_slab_size_by_bytes),
    TEST(test_fresh_entries), TEST(test_hot_prefault), TEST(test_slab_ahead), TEST(test_activity_links_only_when_kept),
    { 0, 0 },
};

int main(void) { return iof_test_run(tests); }
