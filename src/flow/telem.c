/* Per-second flow telemetry: see telem.h. */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/grow.h"
#include "flow/key.h"
#include "flow/telem.h"

#define NS_PER_S IOF_NS_PER_S
#define MAX_ACTIVE (1ull << 32) /* flows with packets in one second: at most the live flows */

typedef struct telflow {
    union {
        iof__flow flow;
        struct { IOF__FLOW_FIELDS };
    };
    iof__telkey k;
    uint8_t mac[6];
    uint8_t mac_state;        /* 0 none, 1 from a downstream packet, 2 from an upstream one */
    int64_t first_ns, last_ns;
    size_t active_ix;         /* its place in the active list while pending */
    bool pending;             /* has packets in the second being filled */
    iof__telrow acc;          /* that second's row so far */
} telflow;

struct iof__telem {
    iof__tel_config cfg;
    iof__tel_emit_fn emit;
    void *ctx;
    int err;
    iof__ftab tab;
    uint64_t npkt;
    int64_t cur_sec;          /* the second being filled (have_sec) */
    bool have_sec;
    int64_t clock_ns;
    uint64_t max_live;        /* max_flows, or fewer for max_bytes */
    telflow **active;         /* flows with packets in cur_sec (NULL: left early) */
    size_t n_active, cap_active;
    iof__tel_stats st;
};

static inline telflow *flow_of(iof__flow *f) { return (telflow *)(void *)f; }


int iof__telem_create(iof__telem **out, const iof__tel_config *cfg, iof__tel_emit_fn emit, void *ctx)
{
    *out = NULL;
    if (cfg->idle_ns <= 0 || cfg->max_flows == 0)
        return IOF_E_INVAL;
    iof__telem *t = calloc(1, sizeof(*t));
    if (!t)
        return IOF_E_NOMEM;
    t->cfg = *cfg;
    t->emit = emit;
    t->ctx = ctx;
    t->clock_ns = INT64_MIN;
    iof__ftab_config tc = { .rec_size = sizeof(telflow), .max_live = cfg->max_flows, .activity = true };
    int rc = iof__ftab_init(&t->tab, &tc);
    if (rc != IOF_OK) {
        free(t);
        return rc;
    }
    /* max_bytes: a flow costs its slab entry, about two bucket pointers and an active-list slot;
     * the fixed part (minimum buckets, one slab) comes off first */
    t->max_live = cfg->max_flows;
    if (cfg->max_bytes) {
        uint64_t per = iof__ftab_entry_bytes(&t->tab) + 3 * sizeof(void *);
        uint64_t fixed = (uint64_t)IOF_FTAB_MIN_BUCKETS * sizeof(void *) + (uint64_t)iof__ftab_slab_records(&t->tab) * per;
        uint64_t cap = cfg->max_bytes > fixed ? (cfg->max_bytes - fixed) / per : 1;
        if (cap < t->max_live)
            t->max_live = cap ? cap : 1;
    }
    *out = t;
    return IOF_OK;
}

void iof__telem_destroy(iof__telem *t)
{
    if (!t)
        return;
    iof__ftab_fini(&t->tab);
    free(t->active);
    free(t);
}

static void emit_row(iof__telem *t, telflow *f)
{
    f->pending = false;
    t->st.rows++;
    if (!t->err)
        t->err = t->emit(t->ctx, &f->acc);
}

static int seq_cmp(const void *a, const void *b)
{
    const telflow *x = *(telflow *const *)a, *y = *(telflow *const *)b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The rows of the second being filled, in ascending seq of their flows. */
static void complete_second(iof__telem *t)
{
    if (t->n_active == 0)
        return;
    qsort(t->active, t->n_active, sizeof(*t->active), seq_cmp);
    for (size_t i = 0; i < t->n_active; i++)
        emit_row(t, t->active[i]);
    t->n_active = 0;
}

/* Flows idle for idle_ns at the clock have ended (none of them is pending: their seconds are
 * complete). */
static void expire_idle(iof__telem *t)
{
    int64_t limit;
    if (__builtin_sub_overflow(t->clock_ns, t->cfg.idle_ns, &limit))
        return; /* the clock is within idle_ns of the earliest time: nothing can be idle that long */
    for (iof__flow *f; (f = iof__ftab_idlest(&t->tab)) && flow_of(f)->last_ns <= limit;) {
        if (flow_of(f)->pending)
            break; /* a late packet kept it in the second being filled */
        iof__ftab_remove(&t->tab, f);
    }
}

/* The clock moved to ns: a later second completes the current one and ends idle flows. */
static void move_clock(iof__telem *t, int64_t ns)
{
    if (t->have_sec && ns <= t->clock_ns)
        return;
    t->clock_ns = ns;
    int64_t s = iof__sec_of(ns);
    if (!t->have_sec) {
        t->cur_sec = s;
        t->have_sec = true;
    } else if (s > t->cur_sec) {
        complete_second(t);
        t->cur_sec = s;
    }
    expire_idle(t);
}

static inline bool flow_matches(const telflow *f, uint64_t h, const iof__view *v)
{
    const iof__telkey *k = &f->k;
    return f->hash == h && k->dev_port == v->dev_port && k->rem_port == v->rem_port && k->proto == v->proto &&
           k->ipver == v->ipver && k->device == v->device && memcmp(k->dev_ip, v->dev_ip, 16) == 0 &&
           memcmp(k->rem_ip, v->rem_ip, 16) == 0;
}

static telflow *find(iof__telem *t, const iof__view *v, uint64_t h)
{
    for (iof__flow *f = iof__ftab_bucket(&t->tab, h); f; f = f->hnext)
        if (flow_matches(flow_of(f), h, v))
            return flow_of(f);
    return NULL;
}

static telflow *create(iof__telem *t, const iof__view *v, uint64_t h, const iof__pkt *p)
{
    iof__flow *ff = iof__ftab_insert(&t->tab, h, t->npkt - 1);
    if (!ff)
        return NULL;
    telflow *f = flow_of(ff);
    f->k = (iof__telkey){ .device = v->device, .ipver = v->ipver, .proto = v->proto, .first_dir = v->dir,
                          .dev_port = v->dev_port, .rem_port = v->rem_port };
    memcpy(f->k.dev_ip, v->dev_ip, 16);
    memcpy(f->k.rem_ip, v->rem_ip, 16);
    memset(f->mac, 0, 6);
    f->mac_state = 0;
    f->first_ns = f->last_ns = p->ts_ns;
    f->pending = false;
    t->st.flows++;
    return f;
}

/* The least recently active flow leaves (its row of this second first). */
static void evict_one(iof__telem *t, const telflow *keep)
{
    iof__flow *ff = iof__ftab_idlest(&t->tab);
    if (!ff || flow_of(ff) == keep)
        return;
    telflow *f = flow_of(ff);
    if (f->pending) { /* out of the active list by swap: it stays bounded by the live flows */
        f->acc.evicted = true;
        telflow *last = t->active[--t->n_active];
        t->active[f->active_ix] = last;
        last->active_ix = f->active_ix;
        emit_row(t, f);
    }
    t->st.flows_evicted++;
    iof__ftab_remove(&t->tab, ff);
}

static int add(iof__telem *t, telflow *f, const iof__view *v, const iof__pkt *p)
{
    iof__telrow *a = &f->acc;
    if (!f->pending) {
        IOF_TRY(iof__grow((void **)&t->active, &t->cap_active, t->n_active + 1, sizeof(*t->active), MAX_ACTIVE));
        f->active_ix = t->n_active;
        t->active[t->n_active++] = f;
        f->pending = true;
        memset(a, 0, sizeof(*a));
        a->sec_ns = t->cur_sec;
        a->flow_first_ns = f->first_ns;
        a->first_ns = a->last_ns = p->ts_ns;
        a->seq = f->seq;
        a->k = f->k;
    }
    if (p->ts_ns < t->cur_sec)
        t->st.late_packets++;
    if (p->ts_ns < f->first_ns) /* a timestamp going back: the flow started then (duration >= 0) */
        f->first_ns = a->flow_first_ns = p->ts_ns;
    a->packets++;
    a->bytes += p->ip_len;
    if (p->ts_ns < a->first_ns)
        a->first_ns = p->ts_ns;
    if (p->ts_ns > a->last_ns)
        a->last_ns = p->ts_ns;
    if (p->ts_ns > f->last_ns)
        f->last_ns = p->ts_ns;
    uint8_t bit = v->dir ? 1u : 2u, *ttl = v->dir ? &a->ttl_out : &a->ttl_in;
    if (v->dir) {
        a->packets_out++;
        a->bytes_out += p->ip_len;
    } else {
        a->packets_in++;
        a->bytes_in += p->ip_len;
    }
    if (!(a->ttl_seen & bit) || p->ttl < *ttl) {
        *ttl = p->ttl;
        a->ttl_seen |= bit;
    }
    /* the device's MAC: an upstream packet's source wins over a downstream packet's destination */
    if (v->dir == 1 && f->mac_state < 2 && (p->flags & IOF_PKT_HAS_SRC_MAC)) {
        memcpy(f->mac, p->src_mac, 6);
        f->mac_state = 2;
    } else if (v->dir == 0 && f->mac_state == 0 && (p->flags & IOF_PKT_HAS_DST_MAC)) {
        memcpy(f->mac, p->dst_mac, 6);
        f->mac_state = 1;
    }
    memcpy(a->mac, f->mac, 6);
    a->has_mac = f->mac_state != 0;
    t->st.packets++;
    return IOF_OK;
}

int iof__telem_packet(iof__telem *t, const iof__pkt *p, const iof__view *views, int nviews)
{
    if (t->err)
        return t->err;
    t->npkt++;
    move_clock(t, p->ts_ns);
    if (nviews <= 0)
        return t->err;
    /* the flow either device already has for this packet, else a new one of its sender */
    telflow *f = NULL;
    int vi = 0;
    for (int i = 0; i < nviews && !f; i++) {
        f = find(t, &views[i], iof__key_view_hash(t->cfg.hash_seed, &views[i]));
        vi = i;
    }
    if (!f) {
        vi = 0;
        for (int i = 0; i < nviews; i++)
            if (views[i].dir == 1) {
                vi = i;
                break;
            }
        f = create(t, &views[vi], iof__key_view_hash(t->cfg.hash_seed, &views[vi]), p);
        if (!f)
            return t->err = IOF_E_NOMEM;
    }
    iof__ftab_touch(&t->tab, &f->flow);
    int rc = add(t, f, &views[vi], p);
    if (rc != IOF_OK)
        return t->err = rc;
    while (iof__ftab_live(&t->tab) > t->max_live && iof__ftab_idlest(&t->tab) != &f->flow)
        evict_one(t, f);
    iof__ftab_mark_peak(&t->tab);
    return t->err;
}

int iof__telem_advance(iof__telem *t, int64_t clock_ns)
{
    if (!t->err)
        move_clock(t, clock_ns);
    return t->err;
}

int iof__telem_flush(iof__telem *t)
{
    if (!t->err)
        complete_second(t);
    for (iof__flow *f; (f = iof__ftab_oldest(&t->tab));)
        iof__ftab_remove(&t->tab, f);
    return t->err;
}

void iof__telem_get_stats(const iof__telem *t, iof__tel_stats *st)
{
    *st = t->st;
    st->peak_live = iof__ftab_get_stats(&t->tab)->peak_live;
    st->max_live = t->max_live;
}
