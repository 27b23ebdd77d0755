/* The run's SNI map (see snimap.h).
 *  - Connections: (IP version, client address and port, server address and port) with the
 *    name's id (common/strtab.h), the hello's time and its packet's feed number, appended in
 *    packet order; an open-addressing index finds the newest connection of a key, which links
 *    to the older ones of the same key (a reused port).
 *  - Gatherings: a hello that goes on past its first segment is copied into a buffer of its
 *    record's size and completed from the next segments in TCP order. Two slots per key hash
 *    (IOF_SNIMAP_PENDING in all), so finding one costs two compares, and nothing at all while
 *    none is open (the common case).
 * The feeding thread parses without the lock; the write lock is taken to add a connection. */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "common/grow.h"
#include "common/idx.h"
#include "common/mix.h"
#include "common/nametext.h"
#include "common/rd.h"
#include "common/strtab.h"
#include "flow/snimap.h"
#include "proto/tls.h"

#define SM_NONE UINT32_MAX

typedef struct sm_key {
    uint8_t ipver;
    uint16_t cport, sport;           /* client's and server's ports */
    uint8_t cip[16], sip[16];
} sm_key;

typedef struct sm_conn {
    sm_key k;
    uint32_t name;                   /* IOF_STRTAB_NONE: a hello that gave no name (a mask) */
    uint32_t older;                  /* the previous connection of the same key (SM_NONE) */
    int64_t ts_ns;
    uint64_t fed;
} sm_conn;

typedef struct sm_pending {
    bool used;
    sm_key k;
    uint32_t expect;                 /* TCP sequence number of the next byte */
    uint32_t need, have;             /* the record's bytes (header included), bytes so far */
    int64_t last_ns;                 /* the last segment taken */
    uint8_t *buf;
} sm_pending;

struct iof__snimap {
    pthread_rwlock_t lock;
    uint64_t seed;
    iof__strtab names;
    sm_conn *conns;
    size_t n, cap, max_conns;
    iof__idx idx;                    /* the newest connection of each key */
    sm_pending pend[IOF_SNIMAP_PENDING];
    size_t n_pending;
    iof__snimap_stats st;
};

int iof__snimap_create(iof__snimap **out, uint64_t max_memory)
{
    *out = NULL;
    iof__snimap *m = calloc(1, sizeof(*m));
    if (!m)
        return IOF_E_NOMEM;
    if (pthread_rwlock_init(&m->lock, NULL) != 0) {
        free(m);
        return IOF_E_NOMEM;
    }
    m->max_conns = iof__idx_cap(max_memory, IOF_SNIMAP_CONN_COST, IOF_SNIMAP_MIN_CONNS, IOF_SNIMAP_MAX_CONNS);
    m->st.max_conns = m->max_conns;
    m->seed = iof__idx_seed(m);
    m->names.seed = m->seed;
    m->names.max_bytes = IOF_SNIMAP_MAX_NAME_BYTES;
    *out = m;
    return IOF_OK;
}

void iof__snimap_destroy(iof__snimap *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < IOF_SNIMAP_PENDING; i++)
        free(m->pend[i].buf);
    iof__strtab_free(&m->names);
    free(m->conns);
    iof__idx_free(&m->idx);
    pthread_rwlock_destroy(&m->lock);
    free(m);
}

/* ---- keys ---------------------------------------------------------------------------------- */

static uint64_t key_hash(const iof__snimap *m, const sm_key *k)
{
    return iof__hash_addr_pair(m->seed, (uint64_t)k->ipver << 32 | (uint64_t)k->cport << 16 | k->sport, k->cip, k->sip);
}

static bool keys_same(const sm_key *a, const sm_key *b)
{
    return a->ipver == b->ipver && a->cport == b->cport && a->sport == b->sport &&
           memcmp(a->cip, b->cip, 16) == 0 && memcmp(a->sip, b->sip, 16) == 0;
}

/* Whether connection id has key k (iof__idx_eq_fn). */
static bool key_eq(const void *owner, uint32_t id, const void *k)
{
    return keys_same(&((const iof__snimap *)owner)->conns[id].k, k);
}

/* The id + 1 of k's newest connection (0: none). */
static uint32_t newest_of(const iof__snimap *m, const sm_key *k)
{
    return iof__idx_lookup(&m->idx, key_hash(m, k), key_eq, m, k);
}

/* Appends connection c of key k as k's newest (room made; write lock held). */
static void append_conn(iof__snimap *m, sm_conn c)
{
    uint32_t older = iof__idx_replace(&m->idx, key_hash(m, &c.k), key_eq, m, &c.k, (uint32_t)m->n);
    c.older = older ? older - 1 : SM_NONE;
    m->conns[m->n++] = c;
}

static uint64_t conn_hash(const void *owner, uint32_t id)
{
    const iof__snimap *m = owner;
    return key_hash(m, &m->conns[id].k);
}

/* ---- learning (write lock) ----------------------------------------------------------------- */

/* The name as text, escaped as DNS names are (common/nametext.h: a NUL must not cut a name
 * short, invalid UTF-8 must not collide; the timeline writes these texts beside DNS names, so
 * one rule for both), ASCII in lowercase. out holds 4 * n + 1 bytes. */
static size_t name_text(const uint8_t *p, size_t n, char *out)
{
    size_t k = 0;
    iof__name_escape(p, n, IOF_NAME_LOWER, out, 4 * n + 1, &k);
    out[k] = '\0';
    return k;
}

static int mask(iof__snimap *m, const sm_key *k, int64_t ts_ns, uint64_t fed);

static int learn(iof__snimap *m, const sm_key *k, const iof__span *sni, int64_t ts_ns, uint64_t fed)
{
    if (sni->len == 0 || sni->len > IOF_SNIMAP_MAX_NAME) { /* an empty host_name is invalid too */
        m->st.damaged++;
        return mask(m, k, ts_ns, fed);
    }
    char text[IOF_SNIMAP_MAX_NAME * 4 + 1];
    size_t len = name_text(sni->p, sni->len, text);
    m->st.named++;
    int rc = IOF_OK;
    pthread_rwlock_wrlock(&m->lock);
    uint32_t newest = newest_of(m, k);
    uint32_t ni = iof__strtab_find(&m->names, text, len);
    if (newest && ni != IOF_STRTAB_NONE && m->conns[newest - 1].name == ni) {
        m->st.known++; /* the same hello again (a retransmission): the first time stays */
    } else if (m->n >= m->max_conns) {
        m->st.dropped_cap++;
    } else if (ni == IOF_STRTAB_NONE && (ni = iof__strtab_add(&m->names, text, len, &rc)) == IOF_STRTAB_NONE) {
        if (rc == IOF_OK)
            m->st.dropped_text++;
    } else if ((rc = iof__idx_room(&m->idx, m->n, conn_hash, m)) == IOF_OK &&
               (rc = iof__grow((void **)&m->conns, &m->cap, m->n + 1, sizeof(*m->conns), m->max_conns)) == IOF_OK) {
        append_conn(m, (sm_conn){ .k = *k, .name = ni, .ts_ns = ts_ns, .fed = fed });
        m->st.conns++;
    }
    pthread_rwlock_unlock(&m->lock);
    return rc;
}

/* A hello of k that gave no name (none, damaged, not read): when k's newest connection has a
 * name, a nameless entry masks it, so a newer connection on a reused five-tuple does not take
 * the older one's name. */
static int mask(iof__snimap *m, const sm_key *k, int64_t ts_ns, uint64_t fed)
{
    int rc = IOF_OK;
    pthread_rwlock_wrlock(&m->lock);
    uint32_t newest = newest_of(m, k);
    if (newest && m->conns[newest - 1].name != IOF_STRTAB_NONE) {
        if (m->n >= m->max_conns) {
            m->st.masks_dropped++;
        } else if ((rc = iof__idx_room(&m->idx, m->n, conn_hash, m)) == IOF_OK &&
                   (rc = iof__grow((void **)&m->conns, &m->cap, m->n + 1, sizeof(*m->conns), m->max_conns)) == IOF_OK) {
            append_conn(m, (sm_conn){ .k = *k, .name = IOF_STRTAB_NONE, .ts_ns = ts_ns, .fed = fed });
            m->st.masks++;
        }
    }
    pthread_rwlock_unlock(&m->lock);
    return rc;
}

/* A whole hello record (header included): its name learnt, or why not counted. */
static int read_hello(iof__snimap *m, const sm_key *k, const uint8_t *p, size_t n, int64_t ts_ns, uint64_t fed,
                      bool gathered)
{
    iof__tls_hello h;
    iof__proto_status st = iof__tls_hello_parse(p + IOF_TLS_RECORD_HDR, n - IOF_TLS_RECORD_HDR, &h);
    if (st != IOF_PROTO_OK) {
        m->st.damaged++;
        return mask(m, k, ts_ns, fed);
    }
    m->st.gathered += gathered;
    if (!h.sni.p) {
        m->st.no_name++;
        return mask(m, k, ts_ns, fed);
    }
    return learn(m, k, &h.sni, ts_ns, fed);
}

/* ---- gatherings ------------------------------------------------------------------------------- */

static sm_pending *pending_find(iof__snimap *m, const sm_key *k, uint64_t h)
{
    size_t s = (size_t)h % IOF_SNIMAP_PENDING & ~(size_t)1;
    for (size_t i = s; i < s + 2; i++)
        if (m->pend[i].used && keys_same(&m->pend[i].k, k))
            return &m->pend[i];
    return NULL;
}

static void pending_end(iof__snimap *m, sm_pending *g)
{
    free(g->buf);
    g->buf = NULL;
    g->used = false;
    m->n_pending--;
}

/* A free slot of key hash h (a stale gathering gives its slot up: *rc from masking its
 * connection), or NULL. */
static sm_pending *pending_slot(iof__snimap *m, uint64_t h, int64_t now_ns, uint64_t fed, int *rc)
{
    size_t s = (size_t)h % IOF_SNIMAP_PENDING & ~(size_t)1;
    for (size_t i = s; i < s + 2; i++)
        if (!m->pend[i].used)
            return &m->pend[i];
    if (now_ns < INT64_MIN + IOF_SNIMAP_STALE_NS)
        return NULL;
    for (size_t i = s; i < s + 2; i++)
        if (m->pend[i].last_ns < now_ns - IOF_SNIMAP_STALE_NS) {
            m->st.pending_dropped++;
            m->st.stale++;
            *rc = mask(m, &m->pend[i].k, now_ns, fed);
            pending_end(m, &m->pend[i]);
            return &m->pend[i];
        }
    return NULL;
}

/* The next segment of a gathering: in order, it adds its bytes (and the hello is read once
 * whole); a retransmission of bytes already taken is ignored; a gap ends the gathering, and
 * the segment is then looked at as any other (*again: it may start a new hello). */
static int pending_segment(iof__snimap *m, sm_pending *g, const iof__pkt *p, const uint8_t *data, uint64_t fed,
                           bool *again)
{
    *again = false;
    int32_t d = (int32_t)(p->tcp_seq - g->expect);
    uint32_t back = g->expect - p->tcp_seq; /* how far before the expected byte it starts (d < 0) */
    if (d < 0 && back >= p->payload_len)
        return IOF_OK; /* wholly before what is expected: a retransmission */
    if (d != 0 || p->payload_caplen < p->payload_len) {
        m->st.cut++; /* a gap, an overlap we do not merge, or a snaplen cut */
        sm_key k = g->k;
        pending_end(m, g);
        *again = d != 0;
        return mask(m, &k, p->ts_ns, fed);
    }
    uint32_t take = g->need - g->have < p->payload_caplen ? g->need - g->have : p->payload_caplen;
    iof__rd r = rd_init(data, p->payload_caplen);
    rd_copy(&r, g->buf + g->have, take);
    g->have += take;
    g->expect += p->payload_len;
    g->last_ns = p->ts_ns;
    if (g->have < g->need)
        return IOF_OK;
    int rc = read_hello(m, &g->k, g->buf, g->need, p->ts_ns, fed, true);
    pending_end(m, g);
    return rc;
}

int iof__snimap_packet(iof__snimap *m, const iof__pkt *p, uint64_t fed)
{
    if (p->proto != 6 || !(p->flags & IOF_PKT_HAS_PORTS) || p->payload_caplen == 0 ||
        ((p->flags & IOF_PKT_FRAGMENT) && !(p->flags & IOF_PKT_FIRST_FRAG)))
        return IOF_OK;
    const uint8_t *data = p->data + p->payload_off;
    sm_key k = { .ipver = p->ipver, .cport = p->sport, .sport = p->dport };
    memcpy(k.cip, p->src_ip, 16);
    memcpy(k.sip, p->dst_ip, 16);
    uint64_t h = 0;
    if (m->n_pending) {
        h = key_hash(m, &k);
        sm_pending *g = pending_find(m, &k, h);
        bool again = false;
        if (g) {
            int rc = pending_segment(m, g, p, data, fed, &again);
            if (rc != IOF_OK || !again)
                return rc;
        }
    }
    /* a hello starts a segment: a handshake record, then handshake type 1 */
    iof__rd r = rd_init(data, p->payload_caplen);
    iof__tls_record rec;
    if (p->payload_caplen < IOF_TLS_RECORD_HDR + 1 || rd_peek_u8(&r, 0) != IOF_TLS_HANDSHAKE ||
        rd_peek_u8(&r, IOF_TLS_RECORD_HDR) != IOF_TLS_CLIENT_HELLO ||
        iof__tls_record_hdr(data, p->payload_caplen, &rec) != IOF_PROTO_OK)
        return IOF_OK;
    m->st.hellos++;
    uint32_t need = IOF_TLS_RECORD_HDR + (uint32_t)rec.len;
    if (rd_left(&r) >= IOF_TLS_RECORD_HDR + 4) {
        /* a hello longer than its record goes on in the next record: not gathered */
        rd_skip(&r, IOF_TLS_RECORD_HDR + 1);
        uint32_t hlen = (uint32_t)rd_u8(&r) << 16;
        hlen |= rd_be16(&r);
        if (hlen + 4 > rec.len) {
            m->st.too_long++;
            return mask(m, &k, p->ts_ns, fed);
        }
    }
    if (need > IOF_SNIMAP_MAX_HELLO) {
        m->st.too_long++;
        return mask(m, &k, p->ts_ns, fed);
    }
    if (p->payload_caplen >= need)
        return read_hello(m, &k, data, need, p->ts_ns, fed, false);
    if (p->payload_caplen < p->payload_len) {
        m->st.cut++; /* the capture kept only part of the segment */
        return mask(m, &k, p->ts_ns, fed);
    }
    if (!m->n_pending)
        h = key_hash(m, &k);
    int rc = IOF_OK;
    sm_pending *g = pending_slot(m, h, p->ts_ns, fed, &rc);
    if (rc != IOF_OK)
        return rc;
    if (!g) {
        m->st.pending_full++;
        return mask(m, &k, p->ts_ns, fed);
    }
    if (!(g->buf = malloc(need)))
        return IOF_E_NOMEM;
    g->used = true;
    g->k = k;
    g->need = need;
    g->have = p->payload_caplen;
    memcpy(g->buf, data, g->have);
    g->expect = p->tcp_seq + p->payload_len;
    g->last_ns = p->ts_ns;
    m->n_pending++;
    return IOF_OK;
}

/* ---- lookups (any thread) ------------------------------------------------------------------ */

/* k's newest connection a record at at_ns below horizon can see (maybe a mask), or SM_NONE. */
static uint32_t newest_fit(const iof__snimap *m, const sm_key *k, int64_t at_ns, uint64_t horizon)
{
    uint32_t i = newest_of(m, k);
    for (uint32_t c = i ? i - 1 : SM_NONE; c != SM_NONE; c = m->conns[c].older)
        if (m->conns[c].fed <= horizon && m->conns[c].ts_ns <= at_ns)
            return c;
    return SM_NONE;
}

const char *iof__snimap_lookup(const iof__snimap *m, uint8_t ipver, const uint8_t a_ip[16], uint16_t a_port,
                               const uint8_t b_ip[16], uint16_t b_port, int64_t at_ns, uint64_t horizon)
{
    sm_key ab = { .ipver = ipver, .cport = a_port, .sport = b_port }, ba = { .ipver = ipver, .cport = b_port,
                                                                              .sport = a_port };
    memcpy(ab.cip, a_ip, 16);
    memcpy(ab.sip, b_ip, 16);
    memcpy(ba.cip, b_ip, 16);
    memcpy(ba.sip, a_ip, 16);
    const char *name = NULL;
    pthread_rwlock_rdlock((pthread_rwlock_t *)&m->lock);
    uint32_t c = newest_fit(m, &ab, at_ns, horizon), d = newest_fit(m, &ba, at_ns, horizon);
    /* both ways only when each side spoke first once: the later hello */
    if (c != SM_NONE && d != SM_NONE)
        c = m->conns[d].fed > m->conns[c].fed ? d : c;
    else if (c == SM_NONE)
        c = d;
    if (c != SM_NONE && m->conns[c].name != IOF_STRTAB_NONE)
        name = iof__strtab_get(&m->names, m->conns[c].name);
    pthread_rwlock_unlock((pthread_rwlock_t *)&m->lock);
    return name;
}

void iof__snimap_get_stats(const iof__snimap *m, iof__snimap_stats *st)
{
    *st = m->st; /* the feeding thread's own counters */
    st->pending_dropped += m->n_pending;
}
