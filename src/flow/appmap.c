/* The run's application map (see appmap.h).
 *  - Connections: a canonical five-tuple (the lower address and port first), the first and
 *    last packet's times, the feed numbers of its first packet and of its answer, the answer's
 *    name id (common/strtab.h), appended in packet order; an open-addressing index finds the
 *    newest connection of a key, which links to the older ones of the same key.
 *  - Inspections: IOF_APPMAP_INSPECT slots, each with nDPI's flow state for one connection
 *    being inspected, on a list in order of their last packet (the head is the longest idle,
 *    which gives way when a new connection needs a slot).
 * nDPI runs on the feeding thread only; the write lock is taken to add a connection or an
 * answer, which lookups from other threads may read. The run's lookups are on the feeding
 * thread (the emitters store a record's answer in it: kinds/labelcols.h iof__lbl_attrs_stored):
 * with lookups on the sink's helper, the two threads handed the lock back and forth. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "common/grow.h"
#include "common/idx.h"
#include "common/mix.h"
#include "common/strtab.h"
#include "flow/appmap.h"
#include "iotflow/iotflow.h"

#ifdef IOF_HAVE_NDPI
#include <ndpi_api.h>
#endif

#define AM_NONE UINT32_MAX

typedef struct am_key {
    uint8_t ipver, proto;
    uint16_t lport, hport;           /* the lower endpoint's port, the higher one's */
    uint8_t lip[16], hip[16];
} am_key;

typedef struct am_conn {
    am_key k;
    uint32_t answer;                 /* its newest answer (AM_NONE: none yet) */
    uint32_t older;                  /* the previous connection of the same key (AM_NONE) */
    uint32_t slot;                   /* its inspection slot while inspected (AM_NONE) */
    uint32_t syn_seq;                /* the sequence number of its SYN (has_syn) */
    int64_t first_ns, last_ns;
    uint64_t added;                  /* feed number of its first packet */
    uint64_t ended_fed;              /* a newer connection the map could not keep began at this
                                        feed number (UINT64_MAX: none), at ended_ns */
    int64_t ended_ns;
    bool has_syn;
} am_conn;

/* What nDPI said of a connection from feed number fed on: a name while it reads, then its
 * final answer (when that differs). */
typedef struct am_answer {
    uint32_t app;                    /* name id; IOF_STRTAB_NONE: no answer */
    uint32_t older;                  /* the connection's previous answer (AM_NONE) */
    uint64_t fed;
} am_answer;

#ifdef IOF_HAVE_NDPI
typedef struct am_slot {
    struct ndpi_flow_struct *flow;   /* nDPI's state (allocated once, zeroed for each use) */
    ndpi_protocol last;              /* what the last packet gave */
    ndpi_protocol shown;             /* the last name published while reading */
    uint32_t conn;                   /* the connection (AM_NONE: free) */
    uint32_t packets;
    uint32_t shown_count;            /* names published while reading */
    uint32_t prev, next;             /* the list by last packet */
} am_slot;
#endif

struct iof__appmap {
    pthread_rwlock_t lock;
    uint64_t seed;
    iof__strtab names;
    am_conn *conns;
    size_t n, cap, max_conns;
    am_answer *answers;
    size_t n_answers, answers_cap;
    iof__idx idx;                    /* the newest connection of each key */
#ifdef IOF_HAVE_NDPI
    struct ndpi_detection_module_struct *ndpi;
    am_slot *slots;                  /* IOF_APPMAP_INSPECT */
    uint32_t n_slots;                /* slots used so far (never freed: reused from the list) */
    uint32_t head, tail;             /* the list: the longest idle first */
    uint32_t free_slot;              /* a free slot, chained through next (AM_NONE: none) */
#endif
    uint64_t live;                   /* connections being inspected */
    iof__appmap_stats st;
};

bool iof__appmap_available(void)
{
#ifdef IOF_HAVE_NDPI
    return true;
#else
    return false;
#endif
}

const char *iof_ndpi_version(void)
{
#ifdef IOF_HAVE_NDPI
    return ndpi_revision();
#else
    return NULL;
#endif
}

/* ---- keys ---------------------------------------------------------------------------------- */

static uint64_t key_hash(const iof__appmap *m, const am_key *k)
{
    return iof__hash_addr_pair(m->seed, (uint64_t)k->ipver << 40 | (uint64_t)k->proto << 32 | (uint64_t)k->lport << 16 | k->hport,
                               k->lip, k->hip);
}

/* Whether connection id has key k (iof__idx_eq_fn). */
static bool key_eq(const void *owner, uint32_t id, const void *k)
{
    const am_key *a = &((const iof__appmap *)owner)->conns[id].k, *b = k;
    return a->ipver == b->ipver && a->proto == b->proto && a->lport == b->lport && a->hport == b->hport &&
           memcmp(a->lip, b->lip, 16) == 0 && memcmp(a->hip, b->hip, 16) == 0;
}

/* The canonical key: the endpoint with the lower address (then port) first. Ports only for TCP
 * and UDP. */
static void make_key(am_key *k, uint8_t ipver, uint8_t proto, const uint8_t a_ip[16], uint16_t a_port,
                     const uint8_t b_ip[16], uint16_t b_port)
{
    memset(k, 0, sizeof(*k));
    k->ipver = ipver;
    k->proto = proto;
    if (proto != 6 && proto != 17)
        a_port = b_port = 0;
    int c = memcmp(a_ip, b_ip, 16);
    bool a_low = c < 0 || (c == 0 && a_port <= b_port);
    memcpy(k->lip, a_low ? a_ip : b_ip, 16);
    memcpy(k->hip, a_low ? b_ip : a_ip, 16);
    k->lport = a_low ? a_port : b_port;
    k->hport = a_low ? b_port : a_port;
}

static uint32_t newest_of(const iof__appmap *m, const am_key *k)
{
    uint32_t i = iof__idx_lookup(&m->idx, key_hash(m, k), key_eq, m, k);
    return i ? i - 1 : AM_NONE;
}

/* ---- lookups (any thread) ------------------------------------------------------------------ */

/* The connection of key k a record whose last packet is at at_ns, written at horizon, belongs
 * to: the newest added by the horizon that had begun by at_ns, unless a newer one the map could
 * not keep had begun by then (AM_NONE: an older connection's answer never stands in for
 * another's). The one rule for lookups and for settling (lock held, or the feeding thread). */
static uint32_t record_conn(const iof__appmap *m, const am_key *k, int64_t at_ns, uint64_t horizon)
{
    for (uint32_t c = newest_of(m, k); c != AM_NONE; c = m->conns[c].older) {
        const am_conn *cn = &m->conns[c];
        if (cn->added > horizon || cn->first_ns > at_ns)
            continue;
        return cn->ended_fed <= horizon && cn->ended_ns <= at_ns ? AM_NONE : c;
    }
    return AM_NONE;
}

const char *iof__appmap_lookup(const iof__appmap *m, uint8_t ipver, uint8_t proto, const uint8_t a_ip[16],
                               uint16_t a_port, const uint8_t b_ip[16], uint16_t b_port, int64_t at_ns,
                               uint64_t horizon)
{
    am_key k;
    make_key(&k, ipver, proto, a_ip, a_port, b_ip, b_port);
    const char *name = NULL;
    pthread_rwlock_rdlock((pthread_rwlock_t *)&m->lock);
    uint32_t c = record_conn(m, &k, at_ns, horizon);
    /* its newest answer given by the horizon */
    for (uint32_t a = c != AM_NONE ? m->conns[c].answer : AM_NONE; a != AM_NONE; a = m->answers[a].older)
        if (m->answers[a].fed <= horizon) {
            if (m->answers[a].app != IOF_STRTAB_NONE)
                name = iof__strtab_get(&m->names, m->answers[a].app);
            break;
        }
    pthread_rwlock_unlock((pthread_rwlock_t *)&m->lock);
    return name;
}

void iof__appmap_get_stats(const iof__appmap *m, iof__appmap_stats *st)
{
    *st = m->st;
    st->inspecting = m->live;
}

#ifndef IOF_HAVE_NDPI

int iof__appmap_create(iof__appmap **out, uint64_t max_memory)
{
    (void)max_memory;
    *out = NULL;
    return IOF_E_UNSUPPORTED;
}

void iof__appmap_destroy(iof__appmap *m) { (void)m; }

int iof__appmap_packet(iof__appmap *m, const iof__pkt *p, uint64_t fed)
{
    (void)m, (void)p, (void)fed;
    return IOF_E_UNSUPPORTED;
}

int iof__appmap_settle(iof__appmap *m, uint8_t ipver, uint8_t proto, const uint8_t a_ip[16], uint16_t a_port,
                       const uint8_t b_ip[16], uint16_t b_port, int64_t at_ns, uint64_t fed)
{
    (void)m, (void)ipver, (void)proto, (void)a_ip, (void)a_port, (void)b_ip, (void)b_port, (void)at_ns, (void)fed;
    return IOF_E_UNSUPPORTED;
}

#else /* IOF_HAVE_NDPI */

int iof__appmap_create(iof__appmap **out, uint64_t max_memory)
{
    *out = NULL;
    iof__appmap *m = calloc(1, sizeof(*m));
    if (!m)
        return IOF_E_NOMEM;
    if (pthread_rwlock_init(&m->lock, NULL) != 0) {
        free(m);
        return IOF_E_NOMEM;
    }
    m->head = m->tail = m->free_slot = AM_NONE;
    m->max_conns = iof__idx_cap(max_memory, IOF_APPMAP_CONN_COST, IOF_APPMAP_MIN_CONNS, IOF_APPMAP_MAX_CONNS);
    m->st.max_conns = m->max_conns;
    m->seed = iof__idx_seed(m);
    m->names.seed = m->seed;
    m->names.max_bytes = 1u << 20; /* nDPI has a few hundred protocols: far below */
    m->slots = calloc(IOF_APPMAP_INSPECT, sizeof(*m->slots));
    /* every protocol nDPI knows, its default host and IP lists (no file of ours) */
    m->ndpi = m->slots ? ndpi_init_detection_module(ndpi_no_prefs) : NULL;
    if (!m->ndpi) {
        iof__appmap_destroy(m);
        return IOF_E_NOMEM;
    }
    NDPI_PROTOCOL_BITMASK all;
    NDPI_BITMASK_SET_ALL(all);
    ndpi_set_protocol_detection_bitmask2(m->ndpi, &all);
    ndpi_finalize_initialization(m->ndpi);
    *out = m;
    return IOF_OK;
}

void iof__appmap_destroy(iof__appmap *m)
{
    if (!m)
        return;
    if (m->slots) {
        for (uint32_t i = 0; i < m->n_slots; i++) {
            if (m->slots[i].conn != AM_NONE)
                ndpi_free_flow_data(m->slots[i].flow);
            free(m->slots[i].flow);
        }
        free(m->slots);
    }
    if (m->ndpi)
        ndpi_exit_detection_module(m->ndpi);
    iof__strtab_free(&m->names);
    free(m->conns);
    free(m->answers);
    iof__idx_free(&m->idx);
    pthread_rwlock_destroy(&m->lock);
    free(m);
}

static uint64_t conn_hash(const void *owner, uint32_t id)
{
    const iof__appmap *m = owner;
    return key_hash(m, &m->conns[id].k);
}

/* ---- inspections --------------------------------------------------------------------------- */

static void list_unlink(iof__appmap *m, uint32_t s)
{
    am_slot *x = &m->slots[s];
    if (x->prev != AM_NONE)
        m->slots[x->prev].next = x->next;
    else
        m->head = x->next;
    if (x->next != AM_NONE)
        m->slots[x->next].prev = x->prev;
    else
        m->tail = x->prev;
    x->prev = x->next = AM_NONE;
}

static void list_append(iof__appmap *m, uint32_t s)
{
    am_slot *x = &m->slots[s];
    x->prev = m->tail;
    x->next = AM_NONE;
    if (m->tail != AM_NONE)
        m->slots[m->tail].next = s;
    else
        m->head = s;
    m->tail = s;
}

static bool same(ndpi_protocol a, ndpi_protocol b)
{
    return a.app_protocol == b.app_protocol && a.master_protocol == b.master_protocol;
}

/* The name id of nDPI's answer p (IOF_STRTAB_NONE: Unknown, or the name table is full). */
static uint32_t name_of(iof__appmap *m, ndpi_protocol p, int *rc)
{
    *rc = IOF_OK;
    if (p.app_protocol == NDPI_PROTOCOL_UNKNOWN && p.master_protocol == NDPI_PROTOCOL_UNKNOWN)
        return IOF_STRTAB_NONE;
    char text[IOF_APPMAP_MAX_NAME];
    ndpi_protocol2name(m->ndpi, p, text, sizeof(text));
    text[sizeof(text) - 1] = '\0';
    size_t len = strlen(text);
    uint32_t id = iof__strtab_find(&m->names, text, len); /* the feeding thread is the only writer */
    if (id == IOF_STRTAB_NONE) {
        pthread_rwlock_wrlock(&m->lock);
        id = iof__strtab_add(&m->names, text, len, rc);
        pthread_rwlock_unlock(&m->lock);
        if (id == IOF_STRTAB_NONE && *rc == IOF_OK)
            m->st.dropped_name++;
    }
    return id;
}

/* Adds answer app to conn c from feed number fed on, unless it is its newest already. */
static int publish(iof__appmap *m, uint32_t c, uint32_t app, uint64_t fed)
{
    am_conn *cn = &m->conns[c];
    if (cn->answer != AM_NONE ? m->answers[cn->answer].app == app : app == IOF_STRTAB_NONE)
        return IOF_OK;
    pthread_rwlock_wrlock(&m->lock);
    int rc = iof__grow((void **)&m->answers, &m->answers_cap, m->n_answers + 1, sizeof(*m->answers),
                       (size_t)m->max_conns * (IOF_APPMAP_MAX_SHOWN + 1));
    if (rc == IOF_OK) {
        m->answers[m->n_answers] = (am_answer){ .app = app, .older = cn->answer, .fed = fed };
        cn->answer = (uint32_t)m->n_answers++;
    }
    pthread_rwlock_unlock(&m->lock);
    return rc;
}

/* Ends conn c's inspection with nDPI's answer, published with feed number fed: the protocol it
 * named, else its give-up guess (as ndpiReader: whenever no application was named); its slot
 * goes back to the free chain. */
static int settle(iof__appmap *m, uint32_t c, enum iof__appmap_by by, uint64_t fed)
{
    am_conn *cn = &m->conns[c];
    uint32_t s = cn->slot;
    am_slot *x = &m->slots[s];
    ndpi_protocol p = x->last;
    if (p.app_protocol != NDPI_PROTOCOL_UNKNOWN) {
        m->st.named++;
    } else {
        uint8_t guessed = 0;
        p = ndpi_detection_giveup(m->ndpi, x->flow, 1, &guessed);
        if (p.app_protocol != NDPI_PROTOCOL_UNKNOWN || p.master_protocol != NDPI_PROTOCOL_UNKNOWN)
            m->st.guessed++;
        else
            m->st.unknown++;
    }
    m->st.settled[by]++;
    int rc;
    uint32_t id = name_of(m, p, &rc);
    if (rc == IOF_OK)
        rc = publish(m, c, id, fed);
    cn->slot = AM_NONE; /* read by the feeding thread only */
    ndpi_free_flow_data(x->flow);
    list_unlink(m, s);
    m->live--;
    x->conn = AM_NONE;
    x->next = m->free_slot;
    m->free_slot = s;
    return rc;
}

/* A slot for conn c: a free one, a new one, or the longest idle's (settled first). */
static int take_slot(iof__appmap *m, uint32_t c, uint64_t fed)
{
    uint32_t s;
    if (m->free_slot == AM_NONE && m->n_slots == IOF_APPMAP_INSPECT)
        IOF_TRY(settle(m, m->slots[m->head].conn, IOF_APPMAP_BY_FULL, fed));
    if (m->free_slot != AM_NONE) {
        s = m->free_slot;
        m->free_slot = m->slots[s].next;
    } else {
        s = m->n_slots;
        if (!(m->slots[s].flow = malloc(SIZEOF_FLOW_STRUCT)))
            return IOF_E_NOMEM;
        m->n_slots++;
    }
    am_slot *x = &m->slots[s];
    memset(x->flow, 0, SIZEOF_FLOW_STRUCT); /* nDPI wants a zeroed flow */
    x->last = x->shown = (ndpi_protocol){ 0 };
    x->conn = c;
    x->packets = x->shown_count = 0;
    list_append(m, s);
    m->live++;
    m->conns[c].slot = s;
    return IOF_OK;
}

/* A new connection of key k from packet p (fed): AM_NONE when the map is full. */
static int add_conn(iof__appmap *m, const am_key *k, const iof__pkt *p, uint64_t fed, uint32_t *out)
{
    *out = AM_NONE;
    if (m->n >= m->max_conns)
        return IOF_OK;
    pthread_rwlock_wrlock(&m->lock);
    int rc = iof__idx_room(&m->idx, m->n, conn_hash, m);
    if (rc == IOF_OK)
        rc = iof__grow((void **)&m->conns, &m->cap, m->n + 1, sizeof(*m->conns), m->max_conns);
    if (rc == IOF_OK) {
        uint32_t older = iof__idx_replace(&m->idx, key_hash(m, k), key_eq, m, k, (uint32_t)m->n);
        bool syn = p->proto == 6 && (p->tcp_flags & 0x12) == 0x02;
        m->conns[m->n] = (am_conn){ .k = *k, .answer = AM_NONE, .older = older ? older - 1 : AM_NONE,
                                    .slot = AM_NONE, .syn_seq = syn ? p->tcp_seq : 0, .has_syn = syn,
                                    .first_ns = p->ts_ns, .last_ns = p->ts_ns, .added = fed,
                                    .ended_fed = UINT64_MAX };
        if (older)
            m->st.reused++;
        *out = (uint32_t)m->n++;
        m->st.conns++;
    }
    pthread_rwlock_unlock(&m->lock);
    return rc == IOF_OK ? take_slot(m, *out, fed) : rc;
}

int iof__appmap_packet(iof__appmap *m, const iof__pkt *p, uint64_t fed)
{
    if (p->ipver != 4 && p->ipver != 6)
        return IOF_OK;
    am_key k;
    make_key(&k, p->ipver, p->proto, p->src_ip, p->sport, p->dst_ip, p->dport);
    uint32_t c = newest_of(m, &k);
    bool syn = p->proto == 6 && (p->tcp_flags & 0x12) == 0x02;
    uint32_t ended = AM_NONE;
    if (c != AM_NONE) {
        am_conn *cn = &m->conns[c];
        /* TCP: a SYN starts a new connection (a retransmitted one does not), however long the
         * old one idled (a connection kept open for minutes goes on); others: idleness */
        bool end = p->proto == 6 ? syn && (!cn->has_syn || cn->syn_seq != p->tcp_seq)
                                 : p->ts_ns > cn->last_ns && p->ts_ns - cn->last_ns > IOF_APPMAP_IDLE_NS;
        if (end && cn->ended_fed == UINT64_MAX) {
            if (cn->slot != AM_NONE)
                IOF_TRY(settle(m, c, IOF_APPMAP_BY_ENDED, fed));
            ended = c;
            c = AM_NONE;
        } else if (cn->ended_fed != UINT64_MAX) {
            c = AM_NONE; /* its successor was not kept: neither is this packet */
        }
    }
    if (c == AM_NONE) {
        if (ended != AM_NONE || newest_of(m, &k) == AM_NONE)
            IOF_TRY(add_conn(m, &k, p, fed, &c));
        if (c == AM_NONE) {
            /* the map is full: records of the new connection must not take the old one's answer */
            if (ended != AM_NONE) {
                pthread_rwlock_wrlock(&m->lock);
                m->conns[ended].ended_fed = fed;
                m->conns[ended].ended_ns = p->ts_ns;
                pthread_rwlock_unlock(&m->lock);
            }
            m->st.dropped_cap++;
            return IOF_OK;
        }
    }
    am_conn *cn = &m->conns[c];
    m->st.packets++;
    if (p->ts_ns > cn->last_ns)
        cn->last_ns = p->ts_ns;
    if (cn->slot == AM_NONE)
        return IOF_OK; /* settled: nDPI has nothing more to say */
    uint32_t s = cn->slot;
    am_slot *x = &m->slots[s];
    /* the IP packet as captured, from its header, whole (as ndpiReader, which skips a packet
     * cut by the snaplen: nDPI reads the lengths it holds) */
    uint32_t len = p->caplen - p->l3_off;
    if (len < p->ip_len) {
        m->st.cut++;
        return IOF_OK;
    }
    len = p->ip_len; /* link-layer padding is not the packet's */
    if (len > UINT16_MAX)
        len = UINT16_MAX;
    uint64_t ms = p->ts_ns >= 0 ? (uint64_t)(p->ts_ns / 1000000) : 0;
    x->last = ndpi_detection_process_packet(m->ndpi, x->flow, p->data + p->l3_off, (unsigned short)len, ms);
    x->packets++;
    m->st.inspected++;
    list_unlink(m, s);
    list_append(m, s);
    bool enough = (p->proto == 6 && x->packets > IOF_APPMAP_TCP_PACKETS) ||
                  (p->proto == 17 && x->packets > IOF_APPMAP_UDP_PACKETS);
    if (enough)
        return settle(m, c, IOF_APPMAP_BY_LIMIT, fed);
    if (x->last.app_protocol == NDPI_PROTOCOL_UNKNOWN)
        return IOF_OK;
    if (!ndpi_extra_dissection_possible(m->ndpi, x->flow))
        return settle(m, c, IOF_APPMAP_BY_DONE, fed);
    /* named, but nDPI reads on (a TLS certificate, a DNS response): the name is shown meanwhile */
    if (!same(x->last, x->shown) && x->shown_count < IOF_APPMAP_MAX_SHOWN) {
        int rc;
        uint32_t id = name_of(m, x->last, &rc);
        IOF_TRY(rc);
        x->shown = x->last;
        x->shown_count++;
        m->st.shown++;
        return publish(m, c, id, fed);
    }
    return IOF_OK;
}

int iof__appmap_settle(iof__appmap *m, uint8_t ipver, uint8_t proto, const uint8_t a_ip[16], uint16_t a_port,
                       const uint8_t b_ip[16], uint16_t b_port, int64_t at_ns, uint64_t fed)
{
    am_key k;
    make_key(&k, ipver, proto, a_ip, a_port, b_ip, b_port);
    uint32_t c = record_conn(m, &k, at_ns, fed); /* the record is written now: horizon = fed */
    return c != AM_NONE && m->conns[c].slot != AM_NONE ? settle(m, c, IOF_APPMAP_BY_RECORD, fed) : IOF_OK;
}

#endif /* IOF_HAVE_NDPI */
