/* Generic flow table: the machinery every flow policy (fixed window today, Joy-style timeouts
 * next) keeps its records in. A policy decides when records start and end; the table only
 * stores them.
 *
 * - Records live in slabs (at most IOF_FTAB_SLAB_RECORDS, IOF_FTAB_SLAB_BYTES) and come from a free list: no allocation
 *   per packet. Each slab entry is [policy record | extension area]; the policy record starts
 *   with an iof__flow header (the table's links), the rest of it (key, counters, arrays bound
 *   once per slab entry by the policy's init callback) is the policy's business.
 * - Buckets: doubly-linked chains keyed by a hash the policy computes (flow/key.h), so removal
 *   is O(1). The table never compares keys: the policy walks a bucket with its own inline match.
 * - Creation queue: records in insertion order, which is ascending seq (insert refuses a seq
 *   that does not increase). Its head is the oldest record: eviction takes it.
 * - Activity queue (optional, cfg.activity): records in last-packet order, a record moves to
 *   the tail when the policy touches it (O(1)); its head is the longest idle record, which an
 *   inactive timeout needs. A policy that has no inactive timeout leaves it off and pays nothing
 *   (its links are the table's, after the policy's record: iof__ftab_alink).
 * - Cap: max_live records. The table counts and reports (iof__ftab_evictable); the policy emits
 *   and removes, since only it knows what leaving early means for its records.
 * - seq: a per-record creation sequence number given by the policy at insertion; output order
 *   is defined on it (docs/ARCHITECTURE.md, "Defined output order").
 * - Extension area: ext_size bytes after each record, aligned to IOF_FTAB_EXT_ALIGN, zeroed at
 *   every insertion (unless ext_by_policy: the policy prepares it), for the per-flow state of a
 *   policy or feature extractor.
 * - Fresh entries: slabs are calloc'd, so an entry that no record has used since is all zero
 *   past what cfg.init wrote (the policy record): iof__ftab_fresh says whether the last insertion
 *   took one, and nobody needs to zero its extension area. Fresh entries are taken in address
 *   order from the newest slab (refill pushes them in reverse onto an empty free list; a removed
 *   record goes on top), so one pointer (fresh_next) tells them apart. Why: zeroing a new record's
 *   feature state wrote 1.9-2.9 KB a direction into fresh slab pages that were zero already, and
 *   faulted in pages no module then wrote (bench/README.md, "Fresh slab entries").
 */
#ifndef IOF_FLOW_TABLE_H
#define IOF_FLOW_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define IOF_FTAB_SLAB_RECORDS 256        /* records allocated together, at most ... */
#define IOF_FTAB_SLAB_BYTES (1u << 20)   /* ... and no more than this many bytes of them (a
                                            -f joy record is ~23 KB: 256 would be 6 MB, above
                                            a small --max-memory before any record lives) ... */
#define IOF_FTAB_SLAB_MIN_RECORDS 16u    /* ... but at least this many */
#define IOF_FTAB_MIN_BUCKETS (1u << 12)
#define IOF_FTAB_MAX_BUCKETS (1ull << 26) /* 512 MiB of bucket pointers: beyond any sane cap */
#define IOF_FTAB_EXT_ALIGN 16u           /* extension areas: aligned for any scalar type */
#define IOF_FTAB_MAX_EXT (1u << 20)      /* extension bytes per record: 1 MiB is far beyond any
                                            fixed-size per-flow state; bounds entry size math */
#define IOF_FTAB_MAX_HOT 32u             /* stretches of the extension area prefaulted (cfg.hot) */
#define IOF_FTAB_MAX_REC ((size_t)64 << 20) /* policy record bytes: custom flows need ~21 KB at
                                               --packets 1000; more is a caller bug */

/* The table's part of a record. The fields are listed once, in a macro, so a policy's record
 * can hold them both as one iof__flow (what the table works on) and as its own named members
 * (r->hash, r->seq: what the policy and its consumers read), through an anonymous union:
 *     union { iof__flow flow; struct { IOF__FLOW_FIELDS }; };
 * The chain link and the hash come last, so they sit right before the policy's key: a bucket
 * walk touches the same bytes as when the record was all the policy's. */
#define IOF__FLOW_FIELDS                                                                       \
    struct iof__flow *qprev, *qnext;   /* creation queue (ascending seq) */                    \
    uint64_t seq;                      /* creation sequence number (see the policy) */         \
    struct iof__flow **hpprev;         /* the pointer that points at this record (O(1) unlink); \
                                          NULL once unhashed */                                \
    struct iof__flow *hnext;           /* hash chain; free list while unused */                \
    uint64_t hash;

typedef struct iof__flow {
    IOF__FLOW_FIELDS
} iof__flow;

/* A record's activity-queue links (cfg.activity): kept by the table after the policy's record
 * (iof__ftab_alink_of), not in the header, so the policies without the queue (custom flows,
 * Joy) do not carry 16 unused bytes a slab entry (bench/README.md 2026-12-07, branch rss5). */
typedef struct iof__ftab_alink {
    struct iof__flow *prev, *next;
} iof__ftab_alink;

/* A stretch of an extension area: offset and bytes. */
typedef struct iof__ftab_span {
    uint32_t off, len;
} iof__ftab_span;

typedef struct iof__ftab_config {
    size_t rec_size;     /* policy record bytes, iof__flow header at offset 0, arrays included */
    size_t ext_size;     /* extension area bytes per record (0: none), <= IOF_FTAB_MAX_EXT */
    uint64_t max_live;   /* cap on live records (> 0) */
    bool activity;       /* keep the activity queue */
    bool ext_by_policy;  /* the extension area is left as it is at insertion: the policy zeroes
                            what must start zeroed (feature states: only their clean parts) */
    /* The stretches of the extension area that every record writes (the feature states' clean
     * parts; nhot 0: none, ascending or not): when a slab is allocated, the pages of its
     * entries' headers and of these stretches are mapped in runs (iof__mem_prefault),
     * not faulted in one at a time by their first writes (bench/README.md, "Fresh slab
     * entries"). Pages no stretch touches stay unmapped until used. */
    uint32_t nhot;
    iof__ftab_span hot[IOF_FTAB_MAX_HOT];
    /* With nhot: the next slab is allocated and its pages mapped on a helper thread of the
     * table's (common/thread.h iof__worker) while this one is used, one slab ahead; the table's
     * thread binds its entries (init) when it takes it. Off: --threads 1 (no helper threads).
     * Why: the kernel's zeroing of those pages was 4-12 % of `--features all`'s samples, on the
     * pipeline thread, the run's critical path, while the other core had time
     * (bench/README.md "Slabs made ahead"). The spare slab (made at init: a table holds one
     * before its first record) is counted in mem_bytes when taken: the table holds one slab
     * (at most max(IOF_FTAB_SLAB_BYTES, IOF_FTAB_SLAB_MIN_RECORDS entries)) beyond them, its
     * hot pages mapped. One helper thread per such table: a sharded run's workers have one each. */
    bool slab_ahead;
    /* once per record when its slab is allocated (bind the record's arrays), and once per
     * record at destroy (free what it owns); either may be NULL */
    void (*init)(void *ctx, iof__flow *f);
    void (*fini)(void *ctx, iof__flow *f);
    void *ctx;
} iof__ftab_config;

typedef struct iof__ftab_stats {
    uint64_t inserted;   /* removed = inserted - live */
    uint64_t live;
    uint64_t peak_live;  /* largest live count at a iof__ftab_mark_peak() */
} iof__ftab_stats;

typedef struct iof__ftab_slab iof__ftab_slab;
struct iof__worker;

/* Fields are read by the inline helpers below only; everything else goes through calls. */
typedef struct iof__ftab {
    iof__ftab_config cfg;
    iof__flow **buckets;
    uint64_t mask;
    iof__flow *qhead, *qtail;
    iof__flow *ahead, *atail;
    iof__flow *free_list;
    iof__ftab_slab *slabs;
    size_t act_off;      /* activity links' offset in an entry (cfg.activity) */
    size_t ext_off;      /* extension area's offset in an entry */
    size_t stride;       /* entry bytes */
    size_t slab_records; /* entries per slab (iof__ftab_slab_records) */
    unsigned char *fresh_next, *fresh_end; /* the newest slab's entries never used: [next, end) */
    bool fresh;          /* the last insertion took a fresh entry (iof__ftab_fresh) */
    uint64_t min_seq;    /* smallest seq the next insertion may have */
    uint64_t mem_bytes;
    iof__ftab_stats st;
    struct iof__worker *maker; /* cfg.slab_ahead: the helper that makes the spare slab */
    iof__ftab_slab *spare;     /* its last slab (NULL: none, or it could not allocate), read
                                  by the table's thread only after waiting for the job */
    bool spare_pending;        /* a job handed to maker and not waited for */
} iof__ftab;

/* A table embedded in its policy's struct (no pointer to follow on the packet path): init /
 * fini; or a table of its own: create / destroy. The end calls cfg.fini on every record
 * (live or free), then frees everything. */
int iof__ftab_init(iof__ftab *t, const iof__ftab_config *cfg);
void iof__ftab_fini(iof__ftab *t);
int iof__ftab_create(iof__ftab **out, const iof__ftab_config *cfg);
void iof__ftab_destroy(iof__ftab *t);

/* Slow paths of iof__ftab_insert, out of line: a new slab on the free list (IOF_E_NOMEM), and
 * doubling the bucket array (a failed allocation only means longer chains). */
int iof__ftab_refill(iof__ftab *t);
void iof__ftab_grow_buckets(iof__ftab *t);

/* Insert and remove run once per record, every few packets on short flows: inline, so the
 * policy's packet path has no call on them (measured: out of line, +3 % instructions on a
 * short-flow capture). */

/* f's activity links (cfg.activity only). */
static inline iof__ftab_alink *iof__ftab_alink_of(const iof__ftab *t, const iof__flow *f)
{
    return (iof__ftab_alink *)(void *)((unsigned char *)(uintptr_t)f + t->act_off);
}

/* Takes a record from the free list, links it into bucket hash, the tail of the creation queue
 * and of the activity queue, zeroes its extension area (unless ext_by_policy). The policy record's own fields are as
 * the previous user left them (arrays stay bound; buffers it owns may be reused): the policy
 * sets them. NULL when out of memory or when seq does not increase (a policy bug). */
static inline iof__flow *iof__ftab_insert(iof__ftab *t, uint64_t hash, uint64_t seq)
{
    /* the creation queue is ascending seq only if seq increases: refuse otherwise */
    if (seq < t->min_seq)
        return NULL;
    if (!t->free_list && iof__ftab_refill(t) != 0)
        return NULL;
    iof__flow *f = t->free_list;
    t->free_list = f->hnext;
    /* fresh entries come off the list in address order, after any reused one */
    t->fresh = (unsigned char *)f == t->fresh_next && t->fresh_next < t->fresh_end;
    if (t->fresh)
        t->fresh_next += t->stride;
    t->min_seq = seq + 1;
    f->seq = seq;
    f->hash = hash;
    iof__flow **b = &t->buckets[hash & t->mask];
    f->hnext = *b;
    if (*b)
        (*b)->hpprev = &f->hnext;
    f->hpprev = b;
    *b = f;
    f->qnext = NULL;
    f->qprev = t->qtail;
    if (t->qtail)
        t->qtail->qnext = f;
    else
        t->qhead = f;
    t->qtail = f;
    if (t->cfg.activity) {
        iof__ftab_alink *a = iof__ftab_alink_of(t, f);
        a->next = NULL;
        a->prev = t->atail;
        if (t->atail)
            iof__ftab_alink_of(t, t->atail)->next = f;
        else
            t->ahead = f;
        t->atail = f;
    }
    if (t->cfg.ext_size && !t->cfg.ext_by_policy && !t->fresh)
        memset((unsigned char *)f + t->ext_off, 0, t->cfg.ext_size);
    t->st.inserted++;
    t->st.live++;
    /* more live records than buckets: double them (rare: amortised O(1) per record) */
    if (t->st.live > t->mask + 1)
        iof__ftab_grow_buckets(t);
    return f;
}

/* Takes f out of its bucket (lookups no longer find it) and leaves it in the queues: a record
 * its policy has closed for packets but that must wait for its turn in output order. O(1). */
static inline void iof__ftab_unhash(iof__ftab *t, iof__flow *f)
{
    (void)t;
    if (!f->hpprev)
        return;
    *f->hpprev = f->hnext;
    if (f->hnext)
        f->hnext->hpprev = f->hpprev;
    f->hpprev = NULL;
    f->hnext = NULL;
}

/* Unlinks f from its bucket (unless unhashed) and queues and returns it to the free list. */
static inline void iof__ftab_remove(iof__ftab *t, iof__flow *f)
{
    iof__ftab_unhash(t, f);
    if (f->qprev) f->qprev->qnext = f->qnext; else t->qhead = f->qnext;
    if (f->qnext) f->qnext->qprev = f->qprev; else t->qtail = f->qprev;
    if (t->cfg.activity) {
        const iof__ftab_alink *a = iof__ftab_alink_of(t, f);
        if (a->prev) iof__ftab_alink_of(t, a->prev)->next = a->next; else t->ahead = a->next;
        if (a->next) iof__ftab_alink_of(t, a->next)->prev = a->prev; else t->atail = a->prev;
    }
    t->st.live--;
    f->hnext = t->free_list;
    t->free_list = f;
}

/* First record of the bucket of hash (continue with ->hnext; compare ->hash first). */
static inline iof__flow *iof__ftab_bucket(const iof__ftab *t, uint64_t hash)
{
    return t->buckets[hash & t->mask];
}

/* Oldest record (smallest seq), or NULL. */
static inline iof__flow *iof__ftab_oldest(const iof__ftab *t) { return t->qhead; }
/* Next record in creation order. */
static inline iof__flow *iof__ftab_newer(const iof__flow *f) { return f->qnext; }
/* Longest idle record (activity queue head), or NULL; NULL too when the queue is not kept. */
static inline iof__flow *iof__ftab_idlest(const iof__ftab *t) { return t->ahead; }
/* The record after f in the activity queue (less idle), or NULL; NULL too when the queue is
 * not kept (no links after the record then). */
static inline iof__flow *iof__ftab_less_idle(const iof__ftab *t, const iof__flow *f)
{
    return t->cfg.activity ? iof__ftab_alink_of(t, f)->next : NULL;
}

/* A packet went into f: moves it to the activity queue's tail. O(1); nothing when it is
 * already there (a burst of one flow) or when the table keeps no activity queue. */
static inline void iof__ftab_touch(iof__ftab *t, iof__flow *f)
{
    if (f == t->atail || !t->cfg.activity)
        return;
    iof__ftab_alink *a = iof__ftab_alink_of(t, f);
    /* f is not the tail, so a->next is set */
    iof__ftab_alink_of(t, a->next)->prev = a->prev;
    if (a->prev)
        iof__ftab_alink_of(t, a->prev)->next = a->next;
    else
        t->ahead = a->next;
    a->prev = t->atail;
    a->next = NULL;
    iof__ftab_alink_of(t, t->atail)->next = f;
    t->atail = f;
}

/* The record to evict now (the oldest) while live records exceed the cap, else NULL. */
static inline iof__flow *iof__ftab_evictable(const iof__ftab *t)
{
    return t->st.live > t->cfg.max_live ? t->qhead : NULL;
}

/* Records the live count as a peak candidate (the policy calls it once the cap holds). */
static inline void iof__ftab_mark_peak(iof__ftab *t)
{
    if (t->st.live > t->st.peak_live)
        t->st.peak_live = t->st.live;
}

/* Whether the record the last iof__ftab_insert returned sits in an entry no record used since
 * its slab was allocated: its extension area is all zero bytes. */
static inline bool iof__ftab_fresh(const iof__ftab *t) { return t->fresh; }

static inline void *iof__ftab_ext(const iof__ftab *t, iof__flow *f)
{
    return (unsigned char *)f + t->ext_off;
}

static inline uint64_t iof__ftab_live(const iof__ftab *t) { return t->st.live; }
/* Bytes of the live records' entries and of the buckets (a policy adds what records own). */
static inline uint64_t iof__ftab_live_bytes(const iof__ftab *t)
{
    return t->st.live * t->stride + (t->mask + 1) * sizeof(*t->buckets);
}
static inline const iof__ftab_stats *iof__ftab_get_stats(const iof__ftab *t) { return &t->st; }
/* Bytes held by the table: buckets, slabs (records, their arrays, extension areas), and the
 * table itself when it was created (not embedded). */
static inline uint64_t iof__ftab_memory(const iof__ftab *t) { return t->mem_bytes; }
/* Entries per slab: IOF_FTAB_SLAB_BYTES of them, within IOF_FTAB_SLAB_MIN_RECORDS..
 * IOF_FTAB_SLAB_RECORDS (a policy's fixed memory when it turns a byte bound into a record cap). */
static inline size_t iof__ftab_slab_records(const iof__ftab *t) { return t->slab_records; }
/* Bytes of one slab entry (policy record + extension area + the activity links when the queue is
 * kept, aligned). */
static inline size_t iof__ftab_entry_bytes(const iof__ftab *t) { return t->stride; }
/* Changes the cap on live records (> 0); the policy evicts down to it on its next packets. */
static inline void iof__ftab_set_max_live(iof__ftab *t, uint64_t n) { t->cfg.max_live = n ? n : 1; }

#endif
