/* Custom-flow table: see cflow.h for the contract. */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "flow/cflow.h"
#include "flow/key.h"

#define CF_SLAB_RECORDS 256            /* records allocated together */
#define CF_MIN_BUCKETS (1u << 12)
#define CF_MAX_BUCKETS (1ull << 26)    /* 512 MiB of bucket pointers: beyond any sane max_flows */
#define CF_KEEP_PAYLOAD_CAP 1024u     /* recycled records keep payload buffers up to this size:
                                          most records need less, and a pool of live records
                                          that once held large payloads must not pin them */

typedef struct cf_slab {
    struct cf_slab *next;
    unsigned char mem[];
} cf_slab;

struct iof__cflow {
    iof__cf_config cfg;
    iof__cf_emit_fn emit;
    void *ctx;
    int err;                 /* sticky emitter error */

    iof__cfrec **buckets;
    uint64_t mask;
    iof__cfrec *qhead, *qtail;
    iof__cfrec *free_list;
    cf_slab *slabs;
    size_t rec_size;         /* record + slot arrays, 8-byte aligned */

    int64_t clock_ns;
    bool have_clock;
    uint64_t mem_bytes;
    iof__cf_stats st;
};

/* End of a record's window: first_ns + window, saturating (capture readers clamp absurd
 * timestamps to INT64_MAX; the window of such a record never ends before end of input). */
static inline int64_t window_end(const iof__cflow *t, const iof__cfrec *r)
{
    return r->first_ns > INT64_MAX - t->cfg.window_ns ? INT64_MAX : r->first_ns + t->cfg.window_ns;
}

static inline bool rec_matches(const iof__cfrec *r, uint64_t h, const iof__view *v)
{
    return r->hash == h && r->dev_port == v->dev_port && r->rem_port == v->rem_port &&
           r->proto == v->proto && r->ipver == v->ipver && r->device == v->device &&
           memcmp(r->dev_ip, v->dev_ip, 16) == 0 && memcmp(r->rem_ip, v->rem_ip, 16) == 0;
}

size_t iof__cfrec_slot_bytes(size_t n)
{
    return n * (sizeof(int64_t) + sizeof(int32_t) + 2 * sizeof(uint32_t) + sizeof(int8_t));
}

unsigned char *iof__cfrec_bind_slots(iof__cfrec *r, unsigned char *p, size_t n)
{
    r->off_us = (int64_t *)(void *)p;
    p += n * sizeof(int64_t);
    r->size = (int32_t *)(void *)p;
    p += n * sizeof(int32_t);
    r->pay_off = (uint32_t *)(void *)p;
    p += n * sizeof(uint32_t);
    r->pay_len = (uint32_t *)(void *)p;
    p += n * sizeof(uint32_t);
    r->dir = (int8_t *)(void *)p;
    return p + n * sizeof(int8_t);
}

int iof__cflow_create(iof__cflow **out, const iof__cf_config *cfg, iof__cf_emit_fn emit, void *ctx)
{
    *out = NULL;
    if (cfg->packets > IOF_MAX_PACKET_SLOTS || cfg->payload > IOF_MAX_PAYLOAD_BYTES ||
        cfg->window_ns <= 0 || cfg->max_flows == 0)
        return IOF_E_INVAL;
    iof__cflow *t = calloc(1, sizeof(*t));
    if (!t)
        return IOF_E_NOMEM;
    t->cfg = *cfg;
    t->emit = emit;
    t->ctx = ctx;
    uint64_t nb = CF_MIN_BUCKETS;
    t->buckets = calloc(nb, sizeof(*t->buckets));
    if (!t->buckets) {
        free(t);
        return IOF_E_NOMEM;
    }
    t->mask = nb - 1;
    t->mem_bytes = nb * sizeof(*t->buckets) + sizeof(*t);
    size_t sz = sizeof(iof__cfrec) + iof__cfrec_slot_bytes(cfg->packets);
    t->rec_size = (sz + 7) & ~(size_t)7;
    *out = t;
    return IOF_OK;
}

void iof__cflow_destroy(iof__cflow *t)
{
    if (!t)
        return;
    /* every record lives in a slab; payload buffers are per record */
    for (cf_slab *s = t->slabs; s;) {
        for (size_t k = 0; k < CF_SLAB_RECORDS; k++) {
            iof__cfrec *r = (iof__cfrec *)(void *)(s->mem + k * t->rec_size);
            free(r->pay);
        }
        cf_slab *n = s->next;
        free(s);
        s = n;
    }
    free(t->buckets);
    free(t);
}

static int grow_free_list(iof__cflow *t)
{
    cf_slab *s = calloc(1, sizeof(cf_slab) + CF_SLAB_RECORDS * t->rec_size);
    if (!s)
        return IOF_E_NOMEM;
    s->next = t->slabs;
    t->slabs = s;
    t->mem_bytes += sizeof(cf_slab) + CF_SLAB_RECORDS * t->rec_size;
    size_t i = t->cfg.packets;
    for (size_t k = 0; k < CF_SLAB_RECORDS; k++) {
        iof__cfrec *r = (iof__cfrec *)(void *)(s->mem + k * t->rec_size);
        iof__cfrec_bind_slots(r, (unsigned char *)(r + 1), i);
        r->hnext = t->free_list;
        t->free_list = r;
    }
    return IOF_OK;
}

/* Doubles the bucket array (rare: amortised O(1) per record). */
static void maybe_grow_buckets(iof__cflow *t)
{
    uint64_t nb = t->mask + 1;
    if (t->st.live_records <= nb || nb >= CF_MAX_BUCKETS)
        return;
    iof__cfrec **b = calloc(nb * 2, sizeof(*b));
    if (!b)
        return; /* keep working with longer chains */
    uint64_t mask = nb * 2 - 1;
    for (uint64_t i = 0; i < nb; i++) {
        for (iof__cfrec *r = t->buckets[i], *n; r; r = n) {
            n = r->hnext;
            iof__cfrec **slot = &b[r->hash & mask];
            r->hnext = *slot;
            if (*slot)
                (*slot)->hpprev = &r->hnext;
            r->hpprev = slot;
            *slot = r;
        }
    }
    free(t->buckets);
    t->buckets = b;
    t->mask = mask;
    t->mem_bytes += nb * sizeof(*b);
}

static void unlink_rec(iof__cflow *t, iof__cfrec *r)
{
    *r->hpprev = r->hnext;
    if (r->hnext)
        r->hnext->hpprev = r->hpprev;
    if (r->qprev) r->qprev->qnext = r->qnext; else t->qhead = r->qnext;
    if (r->qnext) r->qnext->qprev = r->qprev; else t->qtail = r->qprev;
    t->st.live_records--;
    if (r->pay_cap > CF_KEEP_PAYLOAD_CAP) {
        t->mem_bytes -= r->pay_cap;
        free(r->pay);
        r->pay = NULL;
        r->pay_cap = 0;
    }
    r->hnext = t->free_list;
    t->free_list = r;
}

static int emit_rec(iof__cflow *t, iof__cfrec *r, iof__cf_end end)
{
    r->end = (uint8_t)end;
    t->st.records_emitted[r->variant]++;
    if (end == IOF_CF_END_EVICTED)
        t->st.records_evicted[r->variant]++;
    if (t->err == IOF_OK) {
        int rc = t->emit(t->ctx, r);
        if (rc != IOF_OK)
            t->err = rc;
    }
    unlink_rec(t, r);
    return t->err;
}

static iof__cfrec *new_rec(iof__cflow *t, const iof__view *v, uint8_t variant, uint64_t h, int64_t ts)
{
    if (!t->free_list && grow_free_list(t) != IOF_OK)
        return NULL;
    iof__cfrec *r = t->free_list;
    t->free_list = r->hnext;
    r->variant = variant;
    r->ipver = v->ipver;
    r->proto = v->proto;
    r->mac_state = 0;
    r->dev_port = v->dev_port;
    r->rem_port = v->rem_port;
    memcpy(r->dev_ip, v->dev_ip, 16);
    memcpy(r->rem_ip, v->rem_ip, 16);
    r->device = v->device;
    memset(r->mac, 0, 6);
    r->end = 0;
    r->first_ns = ts;
    r->bytes = 0;
    r->packets = 0;
    r->nslots = 0;
    r->pay_used = 0;
    r->hash = h;
    iof__cfrec **b = &t->buckets[h & t->mask];
    r->hnext = *b;
    if (*b)
        (*b)->hpprev = &r->hnext;
    r->hpprev = b;
    *b = r;
    r->qnext = NULL;
    r->qprev = t->qtail;
    if (t->qtail) t->qtail->qnext = r; else t->qhead = r;
    t->qtail = r;
    t->st.records_created[variant]++;
    t->st.live_records++;
    maybe_grow_buckets(t);
    return r;
}

static int reserve_payload(iof__cflow *t, iof__cfrec *r, uint32_t n)
{
    if (n <= r->pay_cap - r->pay_used)
        return IOF_OK;
    uint64_t max = (uint64_t)t->cfg.packets * t->cfg.payload;
    uint64_t cap = r->pay_cap ? r->pay_cap : 256;
    while (cap < (uint64_t)r->pay_used + n)
        cap *= 2;
    if (cap > max)
        cap = max;
    uint8_t *p = realloc(r->pay, cap);
    if (!p)
        return IOF_E_NOMEM;
    t->mem_bytes += cap - r->pay_cap;
    r->pay = p;
    r->pay_cap = (uint32_t)cap;
    return IOF_OK;
}

static int update_rec(iof__cflow *t, iof__cfrec *r, const iof__pkt *p, uint8_t dir)
{
    r->packets++;
    r->bytes += p->ip_len;
    if (dir == 1 && r->mac_state < 2 && (p->flags & IOF_PKT_HAS_SRC_MAC)) {
        memcpy(r->mac, p->src_mac, 6);
        r->mac_state = 2;
    } else if (dir == 0 && r->mac_state == 0 && (p->flags & IOF_PKT_HAS_DST_MAC)) {
        memcpy(r->mac, p->dst_mac, 6);
        r->mac_state = 1;
    }
    if (p->ts_ns < r->first_ns)
        t->st.pkt_before_first++;
    if (r->nslots >= t->cfg.packets)
        return IOF_OK;
    uint32_t k = r->nslots++;
    /* offsets in whole µs of the µs-truncated timestamps, so FirstSeen + offset = packet µs */
    int64_t off = p->ts_ns / 1000 - r->first_ns / 1000;
    r->off_us[k] = off > 0 ? off : 0;
    r->size[k] = (int32_t)p->ip_len;
    r->dir[k] = (int8_t)dir;
    uint32_t n = p->payload_caplen < t->cfg.payload ? p->payload_caplen : t->cfg.payload;
    r->pay_off[k] = r->pay_used;
    r->pay_len[k] = 0;
    if (n) {
        IOF_TRY(reserve_payload(t, r, n));
        memcpy(r->pay + r->pay_used, p->data + p->payload_off, n);
        r->pay_used += n;
        r->pay_len[k] = n;
        t->st.payload_bytes_kept += n;
    }
    return IOF_OK;
}

int iof__cflow_advance(iof__cflow *t, int64_t clock_ns)
{
    if (t->have_clock && clock_ns <= t->clock_ns)
        return t->err;
    t->clock_ns = clock_ns;
    t->have_clock = true;
    while (t->qhead && window_end(t, t->qhead) <= clock_ns)
        emit_rec(t, t->qhead, IOF_CF_END_WINDOW);
    return t->err;
}

static int cflow_packet(iof__cflow *t, const iof__pkt *p, const iof__view *views, int nviews,
                        int64_t *until)
{
    int rc = iof__cflow_advance(t, p->ts_ns);
    if (rc != IOF_OK)
        return rc;
    for (int vi = 0; vi < nviews; vi++) {
        if (until)
            until[vi] = INT64_MAX;
        const iof__view *v = &views[vi];
        uint64_t h = iof__key_view_hash(t->cfg.hash_seed, v);
        iof__cfrec *found[IOF_VAR__COUNT] = { NULL, NULL };
        /* variants this view feeds: both for upstream packets, bidirectional for downstream */
        unsigned want = t->cfg.variants & (v->dir ? 3u : 1u << IOF_VAR_BI), seen = 0;
        for (iof__cfrec *r = t->buckets[h & t->mask]; r && seen != want; r = r->hnext)
            if (rec_matches(r, h, v)) {
                found[r->variant] = r;
                seen |= 1u << r->variant;
            }
        for (uint8_t var = 0; var < IOF_VAR__COUNT; var++) {
            if (!(t->cfg.variants & (1u << var)) || (var == IOF_VAR_UNI && v->dir == 0))
                continue;
            iof__cfrec *r = found[var];
            /* a saturated window (clamped timestamps) is never closed by a packet */
            if (r && p->ts_ns >= window_end(t, r) && window_end(t, r) != INT64_MAX) {
                emit_rec(t, r, IOF_CF_END_WINDOW);
                r = NULL;
            }
            if (!r) {
                r = new_rec(t, v, var, h, p->ts_ns);
                if (!r)
                    return IOF_E_NOMEM;
            }
            if (until && window_end(t, r) < until[vi])
                until[vi] = window_end(t, r);
            IOF_TRY(update_rec(t, r, p, v->dir));
        }
    }
    /* exact cap after each packet: emit the oldest records early */
    while (t->st.live_records > t->cfg.max_flows)
        emit_rec(t, t->qhead, IOF_CF_END_EVICTED);
    if (t->st.live_records > t->st.peak_live_records)
        t->st.peak_live_records = t->st.live_records;
    return t->err;
}

int iof__cflow_packet(iof__cflow *t, const iof__pkt *p, const iof__view *views, int nviews)
{
    return cflow_packet(t, p, views, nviews, NULL);
}

int iof__cflow_packet_until(iof__cflow *t, const iof__pkt *p, const iof__view *views, int nviews,
                            int64_t *until_ns)
{
    return cflow_packet(t, p, views, nviews, until_ns);
}

int iof__cflow_flush(iof__cflow *t, iof__cf_end reason)
{
    while (t->qhead)
        emit_rec(t, t->qhead, reason);
    return t->err;
}

void iof__cflow_get_stats(const iof__cflow *t, iof__cf_stats *st) { *st = t->st; }
uint64_t iof__cflow_memory(const iof__cflow *t) { return t->mem_bytes; }
