/* Joy flow policy on the generic flow table (table.h): see joyflow.h and docs/JOY.md. The rules
 * follow Joy 3.0.3 (pkt_proc.c process_packet / process_tcp / process_udp / process_icmp /
 * process_ip, p2f.c flow_key_get_record / flow_record_is_expired / flow_record_print_json),
 * learnt from its source and checked against its outputs (tests/integration/joy_golden.py). */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "flow/joyflow.h"
#include "flow/key.h"

#define JF_TTL_INIT 255     /* Joy's MAX_TTL: a record's ttl before its first packet */
#define JF_IDENTIFY_UPTO 2  /* Joy identifies the application while op <= 2: op counts its
                               packets[] entries (at most 50), so up to the 2nd data packet */
#define JF_JOY_ENTRIES 50   /* Joy's NUM_PKT_LEN: its rules count entries up to this, even
                               when cfg.packets prints fewer or more */
#define JF_IP_MIN_LEN 20    /* sizeof(struct ip_hdr): shorter IP lengths are dropped */
#define JF_TCP_SYN 0x02
#define JF_TCP_SYNACK 0x12

struct iof__joyflow {
    iof__jf_config cfg;
    iof__jf_emit_fn emit;
    void *ctx;
    int err;                 /* sticky emitter error */
    iof__ftab tab;           /* embedded: no pointer to follow on the packet path */
    uint64_t npkt;           /* packets taken so far: the ordinal seq is made of */
    uint64_t frames;         /* frames counted by iof__joyflow_frame */
    int64_t clock_us;        /* largest packet time (Joy's global_time) */
    uint64_t max_live;       /* the cap in force (max_flows, or max_bytes' record count) */
    uint64_t record_bytes;   /* memory per live record */
    bool capped_by_memory;
    iof__jf_stats st;
};

static inline iof__joyrec *rec_of(iof__flow *f) { return (iof__joyrec *)(void *)f; }

static inline int64_t ns_to_us(int64_t ns)
{
    /* floor, as a µs timeval of a negative time would be */
    return ns >= 0 ? ns / 1000 : -((-(ns + 1)) / 1000) - 1;
}

static void rec_init(void *ctx, iof__flow *f)
{
    const iof__joyflow *t = ctx;
    iof__joyrec *r = rec_of(f);
    unsigned char *p = (unsigned char *)(r + 1);
    r->pkt_us = (int64_t *)(void *)p;
    r->pkt_len = (uint16_t *)(void *)(p + (size_t)t->cfg.packets * sizeof(int64_t));
    r->ext = t->cfg.hooks.ext_size ? iof__ftab_ext(&t->tab, f) : NULL;
}

int iof__joyflow_create(iof__joyflow **out, const iof__jf_config *cfg, iof__jf_emit_fn emit,
                        void *ctx)
{
    *out = NULL;
    if (cfg->packets == 0 || cfg->packets > IOF_JOY_MAX_PACKETS || cfg->max_flows == 0)
        return IOF_E_INVAL;
    iof__joyflow *t = calloc(1, sizeof(*t));
    if (!t)
        return IOF_E_NOMEM;
    t->cfg = *cfg;
    t->emit = emit;
    t->ctx = ctx;
    t->clock_us = INT64_MIN;
    /* expiry walks the creation queue (Joy's chronological list, head-of-line): no activity
     * queue (docs/JOY.md, "Why not the activity queue") */
    iof__ftab_config tc = {
        .rec_size = sizeof(iof__joyrec) + (size_t)cfg->packets * (sizeof(int64_t) + sizeof(uint16_t)),
        .ext_size = cfg->hooks.ext_size,
        .ext_by_policy = cfg->hooks.created != NULL,   /* it prepares the area */
        .nhot = cfg->hooks.nhot,
        .slab_ahead = cfg->helpers,
        .max_live = cfg->max_flows,
        .init = rec_init,
        .ctx = t,
    };
    memcpy(tc.hot, cfg->hooks.hot, sizeof(tc.hot));
    int rc = iof__ftab_init(&t->tab, &tc);
    if (rc != IOF_OK) {
        free(t);
        return rc;
    }
    /* max_bytes: every record costs the same (its slab entry, with the packets[] arrays and
     * the feature states, and about two bucket pointers at the table's load), so the byte
     * bound is a record cap; the fixed part (buckets' minimum, one slab) comes off first */
    t->record_bytes = iof__ftab_entry_bytes(&t->tab) + 2 * sizeof(void *);
    t->max_live = cfg->max_flows;
    if (cfg->max_bytes) {
        uint64_t fixed = (uint64_t)IOF_FTAB_MIN_BUCKETS * sizeof(void *) +
                         (uint64_t)iof__ftab_slab_records(&t->tab) * t->record_bytes;
        uint64_t cap = cfg->max_bytes > fixed ? (cfg->max_bytes - fixed) / t->record_bytes : 0;
        if (cap < 2)
            cap = 2; /* a pair */
        if (cap < t->max_live) {
            t->max_live = cap;
            t->capped_by_memory = true;
            iof__ftab_set_max_live(&t->tab, cap);
        }
    }
    *out = t;
    return IOF_OK;
}

void iof__joyflow_destroy(iof__joyflow *t)
{
    if (!t)
        return;
    iof__ftab_fini(&t->tab);
    free(t);
}

typedef struct jf_key {
    uint8_t ipver, proto;
    uint16_t sp, dp;
    const uint8_t *sa, *da;
} jf_key;

static inline bool rec_matches(const iof__joyrec *r, uint64_t h, const jf_key *k)
{
    return r->hash == h && r->sp == k->sp && r->dp == k->dp && r->proto == k->proto &&
           r->ipver == k->ipver && memcmp(r->sa, k->sa, 16) == 0 && memcmp(r->da, k->da, 16) == 0;
}

static inline uint64_t key_hash(const iof__joyflow *t, const jf_key *k)
{
    return iof__key_tuple_hash(t->cfg.hash_seed, k->ipver, k->proto, k->sa, k->da, k->sp, k->dp);
}

static iof__joyrec *find(iof__joyflow *t, const jf_key *k, uint64_t h)
{
    for (iof__flow *f = iof__ftab_bucket(&t->tab, h); f; f = f->hnext)
        if (rec_matches(rec_of(f), h, k))
            return rec_of(f);
    return NULL;
}

/* Joy flow_key_get_record: the record of k, or a new one; a new record whose reverse key is in
 * the table without a twin becomes its twin (a reverse key equal to k, or a reverse record that
 * already has a twin, leaves it on its own: a primary). */
static iof__joyrec *get_rec(iof__joyflow *t, const jf_key *k, uint64_t ordinal)
{
    uint64_t h = key_hash(t, k);
    iof__joyrec *r = find(t, k, h);
    if (r)
        return r;
    jf_key rk = { k->ipver, k->proto, k->dp, k->sp, k->da, k->sa };
    iof__joyrec *tw = find(t, &rk, key_hash(t, &rk));
    if (tw && tw->twin)
        tw = NULL;
    /* one record per packet at most: the packet's ordinal is the seq */
    iof__flow *f = iof__ftab_insert(&t->tab, h, ordinal);
    if (!f)
        return NULL;
    r = rec_of(f);
    r->ipver = k->ipver;
    r->proto = k->proto;
    r->sp = k->sp;
    r->dp = k->dp;
    memcpy(r->sa, k->sa, 16);
    memcpy(r->da, k->da, 16);
    r->twin = tw;
    r->primary = tw == NULL;
    if (tw)
        tw->twin = r;
    r->end = IOF_JF_END_NONE;
    r->app = r->app_dir = 0;
    r->app_tls = false;
    r->ttl = JF_TTL_INIT;
    r->tcp_flags = r->opt_len = 0;
    r->first_win = 0;
    r->first_seq = r->last_seq = 0;
    r->start_us = r->end_us = 0;
    r->np = r->ob = 0;
    r->retrans = r->invalid = r->op = r->num_id = 0;
    r->ndata = 0;
    t->st.records_created++;
    if (t->cfg.hooks.created)
        t->cfg.hooks.created(t->cfg.hooks.ctx, r, iof__ftab_fresh(&t->tab));
    return r;
}

/* Joy proto_identify: keyword prefixes of a direction's first data packets. */
static bool prefix_is(const uint8_t *p, uint32_t n, const char *s, uint32_t len)
{
    return n >= len && memcmp(p, s, len) == 0;
}

static uint8_t identify_tcp(const uint8_t *p, uint32_t n)
{
    static const char *const client[] = { "GET ", "POST ", "OPTIONS ", "HEAD ", "PUT ",
                                          "DELETE ", "TRACE ", "CONNECT " };
    for (size_t i = 0; i < sizeof(client) / sizeof(client[0]); i++)
        if (prefix_is(p, n, client[i], (uint32_t)strlen(client[i])))
            return IOF_JF_APP_CLIENT;
    if (prefix_is(p, n, "HTTP/1.1 ", 9))
        return IOF_JF_APP_SERVER;
    /* TLS 1.0-1.2 handshake record: ClientHello / ServerHello */
    if (n >= 6 && p[0] == 0x16 && p[1] == 0x03 && p[2] >= 1 && p[2] <= 3) {
        if (p[5] == 1)
            return IOF_JF_APP_CLIENT;
        if (p[5] == 2)
            return IOF_JF_APP_SERVER;
    }
    return IOF_JF_APP_UNKNOWN;
}

static uint8_t identify_udp(const uint8_t *p, uint32_t n)
{
    /* Joy's DNS keyword: a standard query with RD, one question (it calls that side "server") */
    static const uint8_t dns[6] = { 0x01, 0x00, 0x00, 0x01, 0x00, 0x00 };
    return n >= 8 && memcmp(p + 2, dns, 6) == 0 ? IOF_JF_APP_SERVER : IOF_JF_APP_UNKNOWN;
}

static inline void add_len(const iof__joyflow *t, iof__joyrec *r, uint32_t len, int64_t ts_us)
{
    if (len != 0 && r->ndata < UINT8_MAX)
        r->ndata++;
    if (len != 0 && r->op < t->cfg.packets) {
        r->pkt_len[r->op] = (uint16_t)len;
        r->pkt_us[r->op] = ts_us;
        r->op++;
    }
}

/* Joy process_tcp; returns false when Joy falls back to its "IP" path (a retransmission). */
static bool tcp_packet(const iof__joyflow *t, iof__joyrec *r, const iof__pkt *p, uint32_t size,
                       int64_t ts_us)
{
    if (size > 0 && p->tcp_seq < r->last_seq) {
        r->retrans++;
        return false;
    }
    if (size > 0) {
        /* Joy follows the sequence number while its own 50 packets[] entries are not full,
         * whatever this policy's packets[] cap is */
        if (r->ndata < JF_JOY_ENTRIES)
            r->last_seq = p->tcp_seq;
        add_len(t, r, size, ts_us);
    }
    if (p->tcp_flags == JF_TCP_SYN || p->tcp_flags == JF_TCP_SYNACK) {
        if (!r->tcp_flags)
            r->tcp_flags = p->tcp_flags;
        if (p->tcp_flags == JF_TCP_SYN && r->first_seq == 0)
            r->first_seq = p->tcp_seq;
        if (!r->first_win)
            r->first_win = p->tcp_win;
        uint32_t opt = p->l4_hlen - 20;
        if (opt > 0) {
            /* Joy keeps the options of the latest SYN / SYN-ACK, at most 24 bytes; only the
             * captured ones can be copied */
            uint32_t n = opt > IOF_JOY_TCP_OPT_LEN ? IOF_JOY_TCP_OPT_LEN : opt;
            uint32_t have = p->caplen > p->l4_off + 20 ? p->caplen - (p->l4_off + 20) : 0;
            r->opt_len = (uint8_t)n;
            memset(r->opts, 0, sizeof(r->opts));
            memcpy(r->opts, p->data + p->l4_off + 20, n < have ? n : have);
        }
    }
    r->ob += size;
    if (!r->app && r->ndata <= JF_IDENTIFY_UPTO && size) {
        uint32_t n = size < p->payload_caplen ? size : p->payload_caplen;
        r->app_dir = identify_tcp(p->data + p->payload_off, n);
        r->app = r->app_dir != IOF_JF_APP_UNKNOWN;
        r->app_tls = r->app && p->data[p->payload_off] == 0x16;   /* HTTP's keywords are text */
    }
    return true;
}

static int emit_flow(iof__joyflow *t, iof__joyrec *r, iof__jf_end end)
{
    r->end = (uint8_t)end;
    t->st.flows_emitted++;
    t->st.flows_bidir += r->twin != NULL;
    if (end == IOF_JF_END_EVICTED)
        t->st.flows_evicted++;
    else if (end == IOF_JF_END_INACTIVE)
        t->st.expired_inactive++;
    else if (end == IOF_JF_END_ACTIVE)
        t->st.expired_active++;
    if (t->err == IOF_OK) {
        int rc = t->emit(t->ctx, r);
        if (rc != IOF_OK)
            t->err = rc;
    }
    if (r->twin)
        iof__ftab_remove(&t->tab, &r->twin->flow);
    iof__ftab_remove(&t->tab, &r->flow);
    return t->err;
}

/* Joy flow_record_is_expired: active first (both starts before clock - 30 s), then inactive
 * (both last packets before clock - 10 s); strict comparisons of µs times. */
static iof__jf_end expired(const iof__joyflow *t, const iof__joyrec *r)
{
    int64_t inactive_cut = t->clock_us - IOF_JOY_INACTIVE_US;
    int64_t active_cut = t->clock_us - IOF_JOY_ACTIVE_US;
    if (r->start_us < active_cut && (!r->twin || r->twin->start_us < active_cut))
        return IOF_JF_END_ACTIVE;
    if (r->end_us < inactive_cut && (!r->twin || r->twin->end_us < inactive_cut))
        return IOF_JF_END_INACTIVE;
    return IOF_JF_END_NONE;
}

int iof__joyflow_expire(iof__joyflow *t)
{
    if (t->clock_us == INT64_MIN)
        return t->err;
    /* the creation queue's head is always a primary: a twin is younger than its primary and
     * leaves with it */
    for (iof__flow *f; (f = iof__ftab_oldest(&t->tab));) {
        iof__jf_end e = expired(t, rec_of(f));
        if (e == IOF_JF_END_NONE)
            break;
        emit_flow(t, rec_of(f), e);
    }
    return t->err;
}

int iof__joyflow_frame(iof__joyflow *t)
{
    if (++t->frames % IOF_JOY_CHECK_FRAMES == 0)
        return iof__joyflow_expire(t);
    return t->err;
}

bool iof__joyflow_filter(uint32_t linktype, const uint8_t *data, uint32_t caplen, bool decoded,
                         const iof__pkt *p)
{
    if (linktype == IOF_LINKTYPE_ETHERNET) {
        if (caplen < 14)
            return false;
        uint16_t et = (uint16_t)(data[12] << 8 | data[13]);
        return et == 0x0800 || et == 0x8100 || et == 0x88a8 || et == 0x9100;
    }
    return decoded && p->ipver == 4;
}

int iof__joyflow_set_ordinal(iof__joyflow *t, uint64_t next_ordinal)
{
    if (next_ordinal < t->npkt)
        return IOF_E_INVAL;
    t->npkt = next_ordinal;
    return IOF_OK;
}

int iof__joyflow_packet(iof__joyflow *t, const iof__pkt *p)
{
    if (t->err != IOF_OK)
        return t->err;
    /* Joy 3.0.3 reads IPv4 only, and drops a packet whose IP length is below a header or
     * beyond the captured frame */
    if ((p->ipver != 4 && !(p->ipver == 6 && t->cfg.ipv6)) || p->ip_len < JF_IP_MIN_LEN ||
        p->ip_len > p->caplen || p->l4_off < p->l3_off || p->l4_off - p->l3_off > p->ip_len) {
        t->st.skipped++;
        return IOF_OK;
    }
    /* the IP header (IPv6: with its extension headers); the decoder checked it */
    uint32_t ihl = p->l4_off - p->l3_off;
    uint32_t tlen = p->ip_len - ihl;   /* Joy's transport_len */
    int64_t ts_us = ns_to_us(p->ts_ns);
    if (ts_us > t->clock_us)
        t->clock_us = ts_us;
    uint64_t ordinal = t->npkt++;
    t->st.packets++;

    bool later_frag = (p->flags & IOF_PKT_FRAGMENT) && !(p->flags & IOF_PKT_FIRST_FRAG);
    jf_key k = { p->ipver, later_frag ? 0 : p->proto, 0, 0, p->src_ip, p->dst_ip };
    bool ports = p->flags & IOF_PKT_HAS_PORTS;
    /* Joy's transport parsers: TCP needs 20 <= header <= transport length, UDP and ICMP 8
     * bytes; otherwise the packet goes to its "IP" path with ports 0 and counts as invalid */
    bool as_ip = true, invalid = false;
    uint32_t size = tlen;
    if (!later_frag && k.proto == 6) {
        invalid = !ports || p->l4_hlen < 20 || p->l4_hlen > tlen;
        as_ip = invalid;
    } else if (!later_frag && k.proto == 17) {
        invalid = !ports || tlen < 8;
        as_ip = invalid;
    } else if (!later_frag && k.proto == 1) {
        invalid = tlen < 8;
        as_ip = invalid;
    }
    if (!invalid && (k.proto == 6 || k.proto == 17)) {
        k.sp = p->sport;
        k.dp = p->dport;
    }
    iof__joyrec *r = get_rec(t, &k, ordinal);
    if (!r)
        return IOF_E_NOMEM;
    /* the data as Joy's parsers see it, for the hooks: after the transport header, or from
     * its start on the "IP" path */
    iof__jf_data d = { p, p->l4_off, tlen, false, ts_us };
    if (!as_ip) {
        size = k.proto == 6 ? tlen - p->l4_hlen : tlen - 8;
        if (k.proto == 6) {
            as_ip = !tcp_packet(t, r, p, size, ts_us);
            invalid = as_ip;  /* a retransmission: Joy's IP path, counted invalid */
            if (!as_ip)
                d = (iof__jf_data){ p, p->l4_off + p->l4_hlen, size, true, ts_us };
            size = tlen;
        } else {
            d = (iof__jf_data){ p, p->l4_off + 8, size, false, ts_us };
            add_len(t, r, size, ts_us);
            r->ob += size;
            if (k.proto == 17 && !r->app && r->ndata <= JF_IDENTIFY_UPTO && size) {
                uint32_t n = size < p->payload_caplen ? size : p->payload_caplen;
                r->app_dir = identify_udp(p->data + p->payload_off, n);
                r->app = r->app_dir != IOF_JF_APP_UNKNOWN;
            }
        }
    }
    if (as_ip) {
        add_len(t, r, size, ts_us);
        r->ob += size;
        r->invalid += invalid;
    }
    if (r->num_id < IOF_JOY_MAX_IP_ID)
        r->ip_id[r->num_id++] = (uint16_t)p->ip_id;
    if (p->ttl < r->ttl)
        r->ttl = p->ttl;
    if (r->np++ == 0)
        r->start_us = ts_us;
    r->end_us = ts_us;
    if (t->cfg.hooks.packet)
        t->cfg.hooks.packet(t->cfg.hooks.ctx, r, &d);

    /* the cap: the oldest flow leaves early */
    for (iof__flow *f; (f = iof__ftab_evictable(&t->tab));)
        emit_flow(t, rec_of(f), IOF_JF_END_EVICTED);
    iof__ftab_mark_peak(&t->tab);
    return t->err;
}

static int flush_all(iof__joyflow *t, iof__jf_end end)
{
    iof__joyflow_expire(t);
    for (iof__flow *f; (f = iof__ftab_oldest(&t->tab));)
        emit_flow(t, rec_of(f), end);
    return t->err;
}

int iof__joyflow_flush(iof__joyflow *t) { return flush_all(t, IOF_JF_END_NONE); }

int iof__joyflow_stop(iof__joyflow *t) { return flush_all(t, IOF_JF_END_STOPPED); }

iof__end_reason iof__jf_end_reason(const iof__joyrec *r)
{
    static const iof__end_reason map[] = { [IOF_JF_END_NONE] = IOF_END_INPUT, [IOF_JF_END_INACTIVE] = IOF_END_IDLE,
                                           [IOF_JF_END_ACTIVE] = IOF_END_ACTIVE,
                                           [IOF_JF_END_EVICTED] = IOF_END_EVICTED,
                                           [IOF_JF_END_STOPPED] = IOF_END_STOPPED };
    return r->end < sizeof(map) / sizeof(map[0]) ? map[r->end] : IOF_END__COUNT;
}

void iof__joyflow_get_stats(const iof__joyflow *t, iof__jf_stats *st)
{
    *st = t->st;
    const iof__ftab_stats *ts = iof__ftab_get_stats(&t->tab);
    st->live_records = ts->live;
    st->peak_live_records = ts->peak_live;
    st->max_live = t->max_live;
    st->record_bytes = t->record_bytes;
    st->capped_by_memory = t->capped_by_memory;
}

uint64_t iof__joyflow_memory(const iof__joyflow *t)
{
    return sizeof(*t) + iof__ftab_memory(&t->tab);
}

/* Joy get_client_flow / tcp_client_flow: the client side of a pair, or NULL. */
static const iof__joyrec *client_of(const iof__joyrec *a, const iof__joyrec *b)
{
    if (a->app_dir == IOF_JF_APP_CLIENT)
        return a;
    if (b->app_dir == IOF_JF_APP_CLIENT)
        return b;
    if (a->app_dir == IOF_JF_APP_SERVER)
        return b;
    if (b->app_dir == IOF_JF_APP_SERVER)
        return a;
    /* the handshake: a SYN marks the client, a SYN/ACK its peer; undecided when both agree */
    uint8_t fa = a->tcp_flags, fb = b->tcp_flags;
    if (fa == JF_TCP_SYN || fb == JF_TCP_SYN)
        return fa == fb ? NULL : fa == JF_TCP_SYN ? a : b;
    if (fa == JF_TCP_SYNACK || fb == JF_TCP_SYNACK)
        return fa == fb ? NULL : fa == JF_TCP_SYNACK ? b : a;
    return NULL;
}

void iof__joyflow_orient(const iof__joyrec *primary, const iof__joyrec **out,
                         const iof__joyrec **in, int64_t *start_us, int64_t *end_us)
{
    const iof__joyrec *tw = primary->twin;
    if (!tw) {
        *out = primary;
        *in = NULL;
        *start_us = primary->start_us;
        *end_us = primary->end_us;
        return;
    }
    const iof__joyrec *c = client_of(primary, tw);
    if (c) {
        *start_us = c->start_us;
        *end_us = primary->end_us;
    } else {
        c = primary->start_us < tw->start_us ? primary : tw;
        *start_us = c->start_us;
        *end_us = primary->end_us < tw->end_us ? tw->end_us : primary->end_us;
    }
    *out = c;
    *in = c == primary ? tw : primary;
}
