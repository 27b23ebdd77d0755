/* Custom-flow policy on the generic flow table (table.h): see cflow.h for the contract. */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/grow.h"
#include "flow/cflow.h"
#include "flow/key.h"

/* A record's payload buffer starts at CF_PAYLOAD_FIRST bytes and doubles; a recycled record
 * keeps it only up to that size (a record slot that once held a large payload must not pin it,
 * and slots that grew their buffers one record after another must not ratchet up). Why 64: on
 * smallpkt (bench/README.md, 2026-12-07) 75 % of records keep at most 64 payload bytes (2.4 M
 * records: 0.23 M <= 32, 1.57 M <= 64, 0.41 M <= 256, 0.21 M more); with 256 / 1024 kept the
 * 146 k slab entries each held a 256-1024-byte buffer, 66 MB for the ~16 MB the live records
 * used (`iotflow stats` peak RSS 154 MB); 64 / 64: 107 MB, CPU unchanged. */
#define CF_PAYLOAD_FIRST 64u

struct iof__cflow {
    iof__cf_config cfg;
    iof__cf_emit_fn emit;
    void *ctx;
    int err;                 /* sticky emitter error */

    iof__ftab tab;           /* records, buckets, creation queue, cap (flow/table.h); embedded:
                                no pointer to follow on the packet path */
    uint64_t npkt;           /* packets fed so far: the ordinal that seq is made of */
    int64_t clock_ns;
    bool have_clock;
    uint64_t pay_bytes;      /* payload buffers held (the table counts the rest) */
    uint64_t kept_bytes;     /* of those: buffers recycled records keep for reuse */
    iof__cf_stats st;
};

static inline iof__cfrec *rec_of(iof__flow *f) { return (iof__cfrec *)(void *)f; }

/* seq of the record of a packet's view vi (0/1) and variant: the packet's ordinal among the
 * packets fed to the policy, then the view, then the variant, so records are numbered in the
 * order they are created and a sharded run, which knows every packet's ordinal, numbers them
 * the same way (docs/ARCHITECTURE.md, "Defined output order"). */
static inline uint64_t rec_seq(uint64_t ordinal, int vi, unsigned variant)
{
    return ordinal * (2u * IOF_VAR__COUNT) + (uint64_t)vi * IOF_VAR__COUNT + variant;
}

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
    return n * IOF_CFSLOT_BYTES; /* the layout: cflow.h */
}

unsigned char *iof__cfrec_bind_slots(iof__cfrec *r, unsigned char *p, size_t n)
{
    r->slots = p;
    r->slot_cap = (uint16_t)n; /* n <= IOF_MAX_PACKET_SLOTS */
    return p + iof__cfrec_slot_bytes(n);
}

/* Table callbacks: a slab entry's slot arrays follow the record (bound once), its payload
 * buffer is its own. */
static void rec_init(void *ctx, iof__flow *f)
{
    const iof__cflow *t = ctx;
    iof__cfrec *r = rec_of(f);
    iof__cfrec_bind_slots(r, (unsigned char *)(r + 1), t->cfg.packets);
    r->feat_bytes = (uint32_t)(2 * t->cfg.hooks.ext_size);
    r->feat_packed = false;
    r->feat = r->feat_bytes ? iof__ftab_ext(&t->tab, f) : NULL;
    r->feat_set = t->cfg.hooks.ctx;
}

static void rec_fini(void *ctx, iof__flow *f)
{
    (void)ctx;
    free(rec_of(f)->pay);
}

int iof__cflow_create(iof__cflow **out, const iof__cf_config *cfg, iof__cf_emit_fn emit, void *ctx)
{
    *out = NULL;
    if (cfg->packets > IOF_MAX_PACKET_SLOTS || cfg->payload > IOF_MAX_PAYLOAD_BYTES ||
        cfg->window_ns <= 0 || cfg->max_flows == 0 || cfg->hooks.ext_size > IOF_FTAB_MAX_EXT / 2 ||
        (cfg->hooks.ext_size && (!cfg->hooks.packet || !cfg->hooks.created)) ||
        cfg->hooks.nhot > IOF_FTAB_MAX_HOT / 2)
        return IOF_E_INVAL;
    iof__cflow *t = calloc(1, sizeof(*t));
    if (!t)
        return IOF_E_NOMEM;
    t->cfg = *cfg;
    t->emit = emit;
    t->ctx = ctx;
    /* a fixed window needs no activity order: the table does not keep it; the feature state is
     * the extension area, so the table's live bytes (max_bytes) count it; created() prepares it */
    iof__ftab_config tc = {
        .rec_size = sizeof(iof__cfrec) + iof__cfrec_slot_bytes(cfg->packets),
        .ext_size = 2 * cfg->hooks.ext_size,
        .ext_by_policy = true,
        .max_live = cfg->max_flows,
        .slab_ahead = cfg->helpers,
        .init = rec_init,
        .fini = rec_fini,
        .ctx = t,
    };
    for (uint32_t h = 0; h < 2; h++)   /* both halves' */
        for (uint32_t i = 0; i < cfg->hooks.nhot; i++)
            tc.hot[tc.nhot++] = (iof__ftab_span){ (uint32_t)(cfg->hooks.hot[i].off + h * cfg->hooks.ext_size),
                                                  cfg->hooks.hot[i].len };
    int rc = iof__ftab_init(&t->tab, &tc);
    if (rc != IOF_OK) {
        free(t);
        return rc;
    }
    *out = t;
    return IOF_OK;
}

void iof__cflow_destroy(iof__cflow *t)
{
    if (!t)
        return;
    iof__ftab_fini(&t->tab);
    free(t);
}

static void unlink_rec(iof__cflow *t, iof__cfrec *r)
{
    /* a recycled record keeps a small buffer for its next user, unless max_bytes is set and
     * the kept buffers would take more than an eighth of it: otherwise, after a burst of short
     * payload-carrying records, buffers nobody uses would hold the budget for good */
    if (r->pay_cap > CF_PAYLOAD_FIRST ||
        (t->cfg.max_bytes && t->kept_bytes + r->pay_cap > t->cfg.max_bytes / 8)) {
        t->pay_bytes -= r->pay_cap;
        free(r->pay);
        r->pay = NULL;
        r->pay_cap = 0;
    }
    t->kept_bytes += r->pay_cap;
    iof__ftab_remove(&t->tab, &r->flow);
}

static int emit_rec(iof__cflow *t, iof__cfrec *r, iof__cf_end end)
{
    r->end = (uint8_t)end;
    r->app = NULL; /* the record is no longer live: the union's other life (cflow.h) */
    t->st.records_emitted[r->variant]++;
    if (r->feat && t->cfg.hooks.finished) {
        t->cfg.hooks.finished(t->cfg.hooks.ctx, r->feat);
        t->cfg.hooks.finished(t->cfg.hooks.ctx, r->feat + t->cfg.hooks.ext_size);
    }
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

static iof__cfrec *new_rec(iof__cflow *t, const iof__view *v, uint8_t variant, uint64_t h,
                           uint64_t seq, int64_t ts)
{
    iof__flow *f = iof__ftab_insert(&t->tab, h, seq);
    if (!f)
        return NULL;
    iof__cfrec *r = rec_of(f);
    t->kept_bytes -= r->pay_cap; /* its kept buffer (if any) is in use again */
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
    r->last_ns = ts;
    r->opened_clock_ns = t->clock_ns;
    r->ttl_seen = 0;
    r->bytes = 0;
    r->packets = 0;
    r->nslots = 0;
    r->pay_used = 0;
    if (r->feat) {
        bool zeroed = iof__ftab_fresh(&t->tab);
        t->cfg.hooks.created(t->cfg.hooks.ctx, r->feat, zeroed);
        t->cfg.hooks.created(t->cfg.hooks.ctx, r->feat + t->cfg.hooks.ext_size, zeroed);
    }
    t->st.records_created[variant]++;
    return r;
}

static int reserve_payload(iof__cflow *t, iof__cfrec *r, uint32_t n)
{
    if (n <= r->pay_cap - r->pay_used)
        return IOF_OK;
    /* i slots of at most j bytes; the first buffer is CF_PAYLOAD_FIRST bytes */
    size_t max = (size_t)t->cfg.packets * t->cfg.payload, cap = r->pay_cap;
    size_t need = (size_t)r->pay_used + n;
    if (!cap && need < CF_PAYLOAD_FIRST && max >= CF_PAYLOAD_FIRST)
        need = CF_PAYLOAD_FIRST;
    if (t->cfg.count_payload_only && need <= max)
        cap = iof__grow_cap(cap, need, max);
    else
        IOF_TRY(iof__grow((void **)&r->pay, &cap, need, 1, max));
    t->pay_bytes += cap - r->pay_cap;
    r->pay_cap = (uint32_t)cap;
    return IOF_OK;
}

static int update_rec(iof__cflow *t, iof__cfrec *r, const iof__pkt *p, uint8_t dir)
{
    if (r->packets == 0)
        r->first_dir = dir;
    r->packets++;
    r->bytes += p->ip_len;
    if (p->ts_ns > r->last_ns)
        r->last_ns = p->ts_ns;
    /* smallest TTL per direction; bit 0 out, bit 1 in */
    uint8_t bit = dir ? 1u : 2u, *ttl = dir ? &r->ttl_out : &r->ttl_in;
    if (!(r->ttl_seen & bit) || p->ttl < *ttl) {
        *ttl = p->ttl;
        r->ttl_seen |= bit;
    }
    if (dir == 1 && r->mac_state < 2 && (p->flags & IOF_PKT_HAS_SRC_MAC)) {
        memcpy(r->mac, p->src_mac, 6);
        r->mac_state = 2;
    } else if (dir == 0 && r->mac_state == 0 && (p->flags & IOF_PKT_HAS_DST_MAC)) {
        memcpy(r->mac, p->dst_mac, 6);
        r->mac_state = 1;
    }
    if (p->ts_ns < r->first_ns)
        t->st.pkt_before_first++;
    if (r->feat) /* every packet of the record, its direction's half */
        t->cfg.hooks.packet(t->cfg.hooks.ctx, r->feat + (dir ? 0 : t->cfg.hooks.ext_size), p);
    if (r->nslots >= t->cfg.packets)
        return IOF_OK;
    uint32_t k = r->nslots++;
    /* offsets in whole µs of the µs-truncated timestamps, so FirstSeen + offset = packet µs */
    int64_t off = p->ts_ns / 1000 - r->first_ns / 1000;
    iof__cfrec_off_us(r)[k] = off > 0 ? off : 0;
    iof__cfrec_size(r)[k] = (int32_t)p->ip_len;
    iof__cfrec_dir(r)[k] = (int8_t)dir;
    uint32_t n = p->payload_caplen < t->cfg.payload ? p->payload_caplen : t->cfg.payload;
    iof__cfrec_pay_off(r)[k] = r->pay_used;
    iof__cfrec_pay_len(r)[k] = 0;
    if (n) {
        IOF_TRY(reserve_payload(t, r, n));
        if (!t->cfg.count_payload_only)
            memcpy(r->pay + r->pay_used, p->data + p->payload_off, n);
        r->pay_used += n;
        iof__cfrec_pay_len(r)[k] = (uint16_t)n; /* n <= j <= IOF_MAX_PAYLOAD_BYTES */
        t->st.payload_bytes_kept += n;
    }
    return IOF_OK;
}

int iof__cflow_set_ordinal(iof__cflow *t, uint64_t next_ordinal)
{
    if (next_ordinal < t->npkt)
        return IOF_E_INVAL;
    t->npkt = next_ordinal;
    return IOF_OK;
}

int iof__cflow_advance(iof__cflow *t, int64_t clock_ns)
{
    if (t->have_clock && clock_ns <= t->clock_ns)
        return t->err;
    t->clock_ns = clock_ns;
    t->have_clock = true;
    /* windows close in creation order: the oldest record's window is checked first, and a
     * younger record whose window has closed (it started with an out-of-order timestamp)
     * waits behind it (docs/ARCHITECTURE.md, "Defined output order") */
    for (iof__flow *f; (f = iof__ftab_oldest(&t->tab)) && window_end(t, rec_of(f)) <= clock_ns;)
        emit_rec(t, rec_of(f), IOF_CF_END_WINDOW);
    return t->err;
}

static int cflow_packet(iof__cflow *t, const iof__pkt *p, const iof__view *views, int nviews,
                        int64_t *until)
{
    /* seq numbers 2 views per packet (rec_seq): a third would collide with the next packet's */
    if (nviews < 0 || nviews > 2)
        return IOF_E_INVAL;
    int rc = iof__cflow_advance(t, p->ts_ns);
    if (rc != IOF_OK)
        return rc;
    uint64_t ordinal = t->npkt++;
    for (int vi = 0; vi < nviews; vi++) {
        if (until)
            until[vi] = INT64_MAX;
        const iof__view *v = &views[vi];
        uint64_t h = iof__key_view_hash(t->cfg.hash_seed, v);
        iof__cfrec *found[IOF_VAR__COUNT] = { NULL, NULL };
        /* variants this view feeds: both for upstream packets, bidirectional for downstream */
        unsigned want = t->cfg.variants & (v->dir ? 3u : 1u << IOF_VAR_BI), seen = 0;
        for (iof__flow *f = iof__ftab_bucket(&t->tab, h); f && seen != want; f = f->hnext) {
            iof__cfrec *r = rec_of(f);
            if (rec_matches(r, h, v)) {
                found[r->variant] = r;
                seen |= 1u << r->variant;
            }
        }
        for (uint8_t var = 0; var < IOF_VAR__COUNT; var++) {
            if (!(t->cfg.variants & (1u << var)) || (var == IOF_VAR_UNI && v->dir == 0))
                continue;
            iof__cfrec *r = found[var];
            /* r is closed for this packet when the packet lies at or past its window's end, or
             * when the clock has moved forward to or past that end since r was created (r began
             * with an out-of-order timestamp and waits behind an older open record). A closed r
             * leaves the bucket, keeps its place in output order, and this packet starts a new
             * record: what a record holds depends on its own key's packets and the clock only,
             * never on which records share its table (docs/ARCHITECTURE.md, "Defined output
             * order"). A record made while the clock stands still (a late input) keeps its
             * window by packet time until the clock moves. A saturated window (clamped
             * timestamps) never closes by a packet. */
            if (r && window_end(t, r) != INT64_MAX &&
                (p->ts_ns >= window_end(t, r) ||
                 (window_end(t, r) <= t->clock_ns && t->clock_ns > r->opened_clock_ns))) {
                t->st.records_closed_waiting += p->ts_ns < window_end(t, r);
                iof__ftab_unhash(&t->tab, &r->flow);
                r = NULL;
            }
            if (!r) {
                r = new_rec(t, v, var, h, rec_seq(ordinal, vi, var), p->ts_ns);
                if (!r)
                    return IOF_E_NOMEM;
            }
            if (until && window_end(t, r) < until[vi])
                until[vi] = window_end(t, r);
            IOF_TRY(update_rec(t, r, p, v->dir));
        }
    }
    /* exact caps after each packet: emit the oldest records early */
    for (iof__flow *f; (f = iof__ftab_evictable(&t->tab));)
        emit_rec(t, rec_of(f), IOF_CF_END_EVICTED);
    iof__ftab_mark_peak(&t->tab);
    uint64_t held = iof__cflow_live_bytes(t);
    for (iof__flow *f; t->cfg.max_bytes && held > t->cfg.max_bytes && (f = iof__ftab_oldest(&t->tab));) {
        t->st.records_evicted_memory++;
        emit_rec(t, rec_of(f), IOF_CF_END_EVICTED);
        held = iof__cflow_live_bytes(t);
    }
    if (held > t->st.peak_live_bytes)
        t->st.peak_live_bytes = held;
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
    /* a record the clock closed while it waited behind an older open one ended by its window */
    for (iof__flow *f; (f = iof__ftab_oldest(&t->tab));)
        emit_rec(t, rec_of(f),
                 t->have_clock && window_end(t, rec_of(f)) <= t->clock_ns ? IOF_CF_END_WINDOW : reason);
    return t->err;
}

uint64_t iof__cflow_oldest_seq(const iof__cflow *t)
{
    const iof__flow *f = iof__ftab_oldest(&t->tab);
    return f ? f->seq : UINT64_MAX;
}

int iof__cflow_evict_oldest(iof__cflow *t)
{
    iof__flow *f = iof__ftab_oldest(&t->tab);
    if (f)
        emit_rec(t, rec_of(f), IOF_CF_END_EVICTED);
    return t->err;
}

void iof__cflow_get_stats(const iof__cflow *t, iof__cf_stats *st)
{
    *st = t->st;
    const iof__ftab_stats *ts = iof__ftab_get_stats(&t->tab);
    st->live_records = ts->live;
    st->peak_live_records = ts->peak_live;
}

iof__end_reason iof__cf_end_reason(const iof__cfrec *r)
{
    static const iof__end_reason map[] = { [IOF_CF_END_WINDOW] = IOF_END_WINDOW, [IOF_CF_END_EOF] = IOF_END_INPUT,
                                           [IOF_CF_END_EVICTED] = IOF_END_EVICTED,
                                           [IOF_CF_END_SHUTDOWN] = IOF_END_STOPPED };
    return r->end < sizeof(map) / sizeof(map[0]) ? map[r->end] : IOF_END__COUNT;
}

uint64_t iof__cflow_live_bytes(const iof__cflow *t)
{
    return iof__ftab_live_bytes(&t->tab) + t->pay_bytes;
}

uint64_t iof__cflow_memory(const iof__cflow *t)
{
    return sizeof(*t) + iof__ftab_memory(&t->tab) + t->pay_bytes;
}
