/* Fragment table (see frag.h for the decisions). One allocation at create: the header, the
 * entry pool and the bucket array. Links are entry indices + 1 (0 = none). */
#include <stdlib.h>
#include <string.h>

#include "decode/decode_int.h"
#include "decode/frag.h"

typedef struct frag_entry {
    uint8_t src[16], dst[16];
    uint32_t id;
    uint8_t ipver, proto;
    uint16_t sport, dport;
    uint8_t done;        /* every byte seen: kept only to serve late duplicates */
    int64_t last_ns;     /* table clock at last use */
    uint32_t contig;     /* data bytes [0, contig) seen without a gap (0: first not seen) */
    uint32_t total;      /* datagram data length, known once the last fragment is seen */
    uint32_t bucket;     /* bucket index */
    uint32_t hnext;      /* next in bucket chain / free list */
    uint32_t lprev, lnext; /* LRU list: head = most recently used */
} frag_entry;

struct iof__fragtab {
    frag_entry *e;
    uint32_t *buckets;
    uint32_t capacity, nbuckets_mask, live;
    uint32_t free_head;  /* freed entries (a stack) ... */
    uint32_t fresh_next; /* ... then the ones never used, fresh_next..capacity, in order: the
                            free list is not built at create, so an entry's page is first
                            touched when a datagram needs it (65,536 entries are 5.2 MB, all of
                            it resident from the start when the list was built, on every run) */
    uint32_t lru_head, lru_tail;
    uint32_t seed;
    int64_t timeout_ns;
    int64_t clock;
    int clock_set;
    iof__fragtab_stats st;
};

/* Entries removed from the LRU tail per call when timed out: keeps per-packet cost bounded. */
#define SWEEP_PER_CALL 4

iof__fragtab *iof__fragtab_create(uint32_t capacity, int64_t timeout_ns)
{
    if (capacity == 0)
        capacity = 1;
    if (capacity > IOF_FRAGTAB_MAX_CAPACITY)
        return NULL;
    uint32_t nb = 1;
    while (nb < capacity)
        nb <<= 1;
    size_t sz = sizeof(iof__fragtab) + (size_t)capacity * sizeof(frag_entry) +
                (size_t)nb * sizeof(uint32_t);
    unsigned char *mem = calloc(1, sz);
    if (!mem)
        return NULL;
    iof__fragtab *t = (iof__fragtab *)(void *)mem;
    t->e = (frag_entry *)(void *)(mem + sizeof(iof__fragtab));
    t->buckets = (uint32_t *)(void *)(mem + sizeof(iof__fragtab) + (size_t)capacity * sizeof(frag_entry));
    t->capacity = capacity;
    t->nbuckets_mask = nb - 1;
    t->timeout_ns = timeout_ns < 0 ? 0 : timeout_ns;
    t->fresh_next = 1; /* the free list is empty: entries 1, 2, ... come from fresh_next */
    t->seed = (uint32_t)(((uintptr_t)t >> 4) * 0x9e3779b1u) | 1u;
    return t;
}

void iof__fragtab_destroy(iof__fragtab *t) { free(t); }

void iof__fragtab_get_stats(const iof__fragtab *t, iof__fragtab_stats *st)
{
    if (t)
        *st = t->st;
    else
        memset(st, 0, sizeof *st);
}

uint32_t iof__fragtab_live(const iof__fragtab *t) { return t ? t->live : 0; }

static inline uint32_t mix(uint32_t h, uint32_t w)
{
    h ^= w;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    return h;
}

static uint32_t key_hash(const iof__fragtab *t, const iof__pkt *pkt)
{
    uint32_t h = t->seed;
    uint32_t w;
    unsigned n = pkt->ipver == 6 ? 16 : 4;
    for (unsigned i = 0; i < n; i += 4) {
        memcpy(&w, pkt->src_ip + i, 4);
        h = mix(h, w);
        memcpy(&w, pkt->dst_ip + i, 4);
        h = mix(h, w);
    }
    h = mix(h, pkt->ip_id);
    h = mix(h, (uint32_t)pkt->proto << 8 | pkt->ipver);
    h ^= h >> 16;
    return h;
}

static inline int key_eq(const frag_entry *e, const iof__pkt *pkt)
{
    return e->id == pkt->ip_id && e->proto == pkt->proto && e->ipver == pkt->ipver &&
           memcmp(e->src, pkt->src_ip, 16) == 0 && memcmp(e->dst, pkt->dst_ip, 16) == 0;
}

static uint32_t lookup(const iof__fragtab *t, const iof__pkt *pkt, uint32_t bucket)
{
    for (uint32_t i = t->buckets[bucket]; i; i = t->e[i - 1].hnext)
        if (key_eq(&t->e[i - 1], pkt))
            return i;
    return 0;
}

static void lru_unlink(iof__fragtab *t, uint32_t i)
{
    frag_entry *e = &t->e[i - 1];
    if (e->lprev)
        t->e[e->lprev - 1].lnext = e->lnext;
    else
        t->lru_head = e->lnext;
    if (e->lnext)
        t->e[e->lnext - 1].lprev = e->lprev;
    else
        t->lru_tail = e->lprev;
    e->lprev = e->lnext = 0;
}

static void lru_push_head(iof__fragtab *t, uint32_t i)
{
    frag_entry *e = &t->e[i - 1];
    e->lprev = 0;
    e->lnext = t->lru_head;
    if (t->lru_head)
        t->e[t->lru_head - 1].lprev = i;
    else
        t->lru_tail = i;
    t->lru_head = i;
}

static void remove_entry(iof__fragtab *t, uint32_t i)
{
    frag_entry *e = &t->e[i - 1];
    uint32_t *link = &t->buckets[e->bucket];
    while (*link && *link != i)
        link = &t->e[*link - 1].hnext;
    if (*link == i)
        *link = e->hnext;
    lru_unlink(t, i);
    e->hnext = t->free_head;
    t->free_head = i;
    if (!e->done)
        t->live--;
}

static inline int is_expired(const iof__fragtab *t, const frag_entry *e)
{
    /* clock >= last_ns always (last_ns is a past clock value); unsigned: no overflow with
     * extreme timestamps from damaged files */
    return (uint64_t)t->clock - (uint64_t)e->last_ns > (uint64_t)t->timeout_ns;
}

static void sweep(iof__fragtab *t)
{
    for (int n = 0; n < SWEEP_PER_CALL && t->lru_tail; n++) {
        frag_entry *e = &t->e[t->lru_tail - 1];
        if (!is_expired(t, e))
            break;
        if (!e->done)
            t->st.expired++;
        remove_entry(t, t->lru_tail);
    }
}

/* A free entry, replacing the least recently used one when the pool is full. */
static uint32_t take_free(iof__fragtab *t)
{
    if (!t->free_head && t->fresh_next <= t->capacity)
        return t->fresh_next++;
    if (!t->free_head) {
        uint32_t victim = t->lru_tail; /* non-zero: the pool is full, so the list is not empty */
        if (t->e[victim - 1].done)
            ; /* a completed datagram: nothing is lost */
        else if (is_expired(t, &t->e[victim - 1]))
            t->st.expired++;
        else
            t->st.evicted++;
        remove_entry(t, victim);
    }
    uint32_t i = t->free_head;
    t->free_head = t->e[i - 1].hnext;
    return i;
}

/* Fragment data bytes carried by this packet. For a first fragment: the datagram bytes after
 * the IP header (+ IPv6 extension headers up to L4); for later ones the decoder's payload. */
static inline uint32_t frag_data_len(const iof__pkt *pkt)
{
    if (pkt->flags & IOF_PKT_FIRST_FRAG) {
        uint32_t hdrs = pkt->l4_off - pkt->l3_off;
        return pkt->ip_len > hdrs ? pkt->ip_len - hdrs : 0;
    }
    return pkt->payload_len;
}

/* Records data [off, off+len). Completion needs the bytes from 0 to the end without a gap;
 * duplicates do not count twice; a fragment past a gap is not merged (the entry then simply
 * ages out). A completed entry stays findable for late duplicates until it is reused. */
static void note_data(iof__fragtab *t, frag_entry *e, uint32_t off, uint32_t len)
{
    if (off <= e->contig && off + len > e->contig)
        e->contig = off + len;
    if (!e->done && e->total != 0 && e->contig >= e->total) {
        e->done = 1;
        t->live--;
    }
}

iof__drop iof__fragtab_resolve(iof__fragtab *t, iof__pkt *pkt)
{
    if (!(pkt->flags & IOF_PKT_FRAGMENT))
        return IOF_DROP_OK;
    if (pkt->proto != IOF_IPPROTO_TCP && pkt->proto != IOF_IPPROTO_UDP)
        return IOF_DROP_OK;
    if (!t->clock_set || pkt->ts_ns > t->clock) {
        t->clock = pkt->ts_ns;
        t->clock_set = 1;
    }
    sweep(t);

    uint32_t bucket = key_hash(t, pkt) & t->nbuckets_mask;
    uint32_t i = lookup(t, pkt, bucket);
    if (i && is_expired(t, &t->e[i - 1])) {
        if (!t->e[i - 1].done)
            t->st.expired++;
        remove_entry(t, i);
        i = 0;
    }

    if (pkt->flags & IOF_PKT_FIRST_FRAG) {
        if (!(pkt->flags & IOF_PKT_HAS_PORTS))
            return IOF_DROP_OK; /* nothing to remember */
        frag_entry *e;
        if (i && t->e[i - 1].done) {
            /* id reused for a new datagram (or a late duplicate first fragment): start over */
            e = &t->e[i - 1];
            lru_unlink(t, i);
            e->done = 0;
            e->contig = e->total = 0;
            t->live++;
            t->st.inserted++;
        } else if (i) {
            e = &t->e[i - 1];
            lru_unlink(t, i);
        } else {
            i = take_free(t);
            e = &t->e[i - 1];
            memcpy(e->src, pkt->src_ip, 16);
            memcpy(e->dst, pkt->dst_ip, 16);
            e->id = pkt->ip_id;
            e->proto = pkt->proto;
            e->ipver = pkt->ipver;
            e->done = 0;
            e->contig = e->total = 0;
            e->bucket = bucket;
            e->hnext = t->buckets[bucket];
            t->buckets[bucket] = i;
            t->live++;
            t->st.inserted++;
        }
        e->sport = pkt->sport;
        e->dport = pkt->dport;
        e->last_ns = t->clock;
        note_data(t, e, 0, frag_data_len(pkt));
        lru_push_head(t, i);
        return IOF_DROP_OK;
    }

    if (!i) {
        t->st.orphans++;
        return IOF_DROP_FRAG_ORPHAN;
    }
    frag_entry *e = &t->e[i - 1];
    pkt->sport = e->sport;
    pkt->dport = e->dport;
    pkt->flags |= IOF_PKT_HAS_PORTS;
    t->st.resolved++;
    e->last_ns = t->clock;
    if (!(pkt->flags & IOF_PKT_MORE_FRAGS))
        e->total = pkt->frag_offset + pkt->payload_len;
    note_data(t, e, pkt->frag_offset, pkt->payload_len);
    lru_unlink(t, i);
    lru_push_head(t, i);
    return IOF_DROP_OK;
}
