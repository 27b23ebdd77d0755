/* The run's DNS map (see dnsmap.h). Three append-only tables under one read-write lock:
 *  - names: distinct lowercase name texts (common/strtab.h: they never move, so lookups hand
 *    out pointers);
 *  - pairs: (IP version, client, address), found through another index, each with the chain of
 *    its associations;
 *  - associations: (name, learnt at, the packet's feed number, next in the pair's chain),
 *    appended in packet order, so a chain is in learning order and a horizon cuts its tail.
 * The feeding thread parses a response into its own scratch first and takes the write lock only
 * to add what it found: lookups (one per labelled record) wait at most that long. */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "common/grow.h"
#include "common/idx.h"
#include "common/mix.h"
#include "common/rd.h"
#include "common/strtab.h"
#include "flow/dnsmap.h"
#include "proto/dns.h"

#define DM_NONE UINT32_MAX

typedef struct dm_pair {
    uint8_t ipver;
    uint8_t client[16], addr[16];
    uint32_t head, tail;             /* first and last association (DM_NONE: none yet) */
    uint32_t n;
} dm_pair;

typedef struct dm_assoc {
    uint32_t name;
    uint32_t next;                   /* next association of the same pair (DM_NONE: last) */
    int64_t ts_ns;                   /* the response's timestamp */
    uint64_t fed;                    /* the packet that taught it (its feed number) */
} dm_assoc;

struct iof__dnsmap {
    pthread_rwlock_t lock;
    uint64_t seed;
    iof__strtab names;               /* lowercase name texts */
    /* pairs */
    dm_pair *pairs;
    size_t npairs, pairs_cap;
    iof__idx pidx;                   /* the pairs by (client, address) */
    /* associations */
    dm_assoc *assoc;
    size_t nassoc, assoc_cap, max_assoc;
    iof__dnsmap_stats st;
    /* the feeding thread's scratch: one response's names and addresses */
    char msg_names[IOF_DNSMAP_MSG_NAMES][IOF_DNS_NAME_TEXT];
    size_t n_msg_names;
    uint8_t msg_addrs[IOF_DNSMAP_MSG_ADDRS][16];
    size_t n_msg_addrs;
};

int iof__dnsmap_create(iof__dnsmap **out, uint64_t max_memory)
{
    *out = NULL;
    iof__dnsmap *m = calloc(1, sizeof(*m));
    if (!m)
        return IOF_E_NOMEM;
    if (pthread_rwlock_init(&m->lock, NULL) != 0) {
        free(m);
        return IOF_E_NOMEM;
    }
    m->max_assoc = iof__idx_cap(max_memory, IOF_DNSMAP_ASSOC_COST, IOF_DNSMAP_MIN_ASSOC, IOF_DNSMAP_MAX_ASSOC);
    m->st.max_assoc = m->max_assoc;
    m->seed = iof__idx_seed(m);
    m->names.seed = m->seed;
    m->names.max_bytes = IOF_DNSMAP_MAX_NAME_BYTES;
    *out = m;
    return IOF_OK;
}

void iof__dnsmap_destroy(iof__dnsmap *m)
{
    if (!m)
        return;
    iof__strtab_free(&m->names);
    free(m->pairs);
    iof__idx_free(&m->pidx);
    free(m->assoc);
    pthread_rwlock_destroy(&m->lock);
    free(m);
}

/* ---- hashing and the two indexes --------------------------------------------------------- */

static uint64_t pair_hash(const iof__dnsmap *m, uint8_t ipver, const uint8_t *client, const uint8_t *addr)
{
    return iof__hash_addr_pair(m->seed, ipver, client, addr);
}

static uint64_t pair_id_hash(const void *owner, uint32_t id)
{
    const iof__dnsmap *m = owner;
    const dm_pair *p = &m->pairs[id];
    return pair_hash(m, p->ipver, p->client, p->addr);
}

typedef struct dm_pair_key {
    uint8_t ipver;
    const uint8_t *client, *addr;
} dm_pair_key;

/* Whether pair id is key (iof__idx_eq_fn). */
static bool pair_eq(const void *owner, uint32_t id, const void *key)
{
    const dm_pair *p = &((const iof__dnsmap *)owner)->pairs[id];
    const dm_pair_key *k = key;
    return p->ipver == k->ipver && memcmp(p->client, k->client, 16) == 0 && memcmp(p->addr, k->addr, 16) == 0;
}

/* The pair's index, or DM_NONE (lock held, read or write). */
static uint32_t pair_find(const iof__dnsmap *m, uint8_t ipver, const uint8_t *client, const uint8_t *addr)
{
    uint32_t i = iof__idx_lookup(&m->pidx, pair_hash(m, ipver, client, addr), pair_eq, m,
                                 &(dm_pair_key){ ipver, client, addr });
    return i ? i - 1 : DM_NONE;
}

/* ---- adding (write lock held) ------------------------------------------------------------- */

/* The pair's index, created if new (DM_NONE: out of memory, *rc set). */
static uint32_t pair_get(iof__dnsmap *m, uint8_t ipver, const uint8_t *client, const uint8_t *addr, int *rc)
{
    uint32_t i = pair_find(m, ipver, client, addr);
    if (i != DM_NONE)
        return i;
    if ((*rc = iof__idx_room(&m->pidx, m->npairs, pair_id_hash, m)) != IOF_OK ||
        (*rc = iof__grow((void **)&m->pairs, &m->pairs_cap, m->npairs + 1, sizeof(*m->pairs), UINT32_MAX - 1)) != IOF_OK)
        return DM_NONE;
    dm_pair *p = &m->pairs[m->npairs];
    p->ipver = ipver;
    memcpy(p->client, client, 16);
    memcpy(p->addr, addr, 16);
    p->head = p->tail = DM_NONE;
    p->n = 0;
    iof__idx_put(&m->pidx, pair_hash(m, ipver, client, addr), (uint32_t)m->npairs);
    return (uint32_t)m->npairs++;
}

static bool pair_has(const iof__dnsmap *m, const dm_pair *p, uint32_t name)
{
    for (uint32_t a = p->head; a != DM_NONE; a = m->assoc[a].next)
        if (m->assoc[a].name == name)
            return true;
    return false;
}

/* One association; caps counted. */
static int learn(iof__dnsmap *m, uint8_t ipver, const uint8_t *client, const uint8_t *addr, const char *name,
                 int64_t ts_ns, uint64_t fed)
{
    int rc = IOF_OK;
    size_t len = strlen(name);
    uint32_t pi = pair_find(m, ipver, client, addr);
    uint32_t ni = iof__strtab_find(&m->names, name, len);
    if (pi != DM_NONE) {
        /* known already: the first time stays (a later response says nothing new) */
        if (ni != IOF_STRTAB_NONE && pair_has(m, &m->pairs[pi], ni)) {
            m->st.known++;
            return IOF_OK;
        }
        if (m->pairs[pi].n >= IOF_DNSMAP_MAX_PER_PAIR) {
            m->st.dropped_pair++;
            return IOF_OK;
        }
    }
    if (m->nassoc >= m->max_assoc) {
        m->st.dropped_cap++;
        return IOF_OK;
    }
    if (ni == IOF_STRTAB_NONE && (ni = iof__strtab_add(&m->names, name, len, &rc)) == IOF_STRTAB_NONE) {
        if (rc == IOF_OK)
            m->st.dropped_text++;
        return rc;
    }
    if (pi == DM_NONE && (pi = pair_get(m, ipver, client, addr, &rc)) == DM_NONE)
        return rc;
    if ((rc = iof__grow((void **)&m->assoc, &m->assoc_cap, m->nassoc + 1, sizeof(*m->assoc), m->max_assoc)) != IOF_OK)
        return rc;
    uint32_t ai = (uint32_t)m->nassoc++;
    m->assoc[ai] = (dm_assoc){ .name = ni, .next = DM_NONE, .ts_ns = ts_ns, .fed = fed };
    dm_pair *p = &m->pairs[pi];
    if (p->tail == DM_NONE)
        p->head = ai;
    else
        m->assoc[p->tail].next = ai;
    p->tail = ai;
    p->n++;
    m->st.assoc++;
    return IOF_OK;
}

/* ---- reading a response (no lock: the feeding thread's scratch) -------------------------- */

static void lowercase(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

/* Adds name text at `off` (or an rdata target already in text) to the message's names. */
static void msg_name(iof__dnsmap *m, const char *text)
{
    if (!text[0] || strcmp(text, ".") == 0)
        return; /* the root names nothing */
    char low[IOF_DNS_NAME_TEXT];
    strcpy(low, text);
    lowercase(low);
    for (size_t i = 0; i < m->n_msg_names; i++)
        if (strcmp(m->msg_names[i], low) == 0)
            return;
    if (m->n_msg_names == IOF_DNSMAP_MSG_NAMES) {
        m->st.beyond_message++;
        return;
    }
    strcpy(m->msg_names[m->n_msg_names++], low);
}

/* Reads the message's names and A / AAAA addresses into the scratch. false: nothing to learn. */
static bool read_response(iof__dnsmap *m, const uint8_t *p, size_t n, uint8_t client_ver)
{
    m->n_msg_names = m->n_msg_addrs = 0;
    iof__dns_msg msg;
    if (iof__dns_open(&msg, p, n) != IOF_PROTO_OK) {
        m->st.not_dns++;
        return false;
    }
    if (!(msg.flags & IOF_DNS_FLAG_QR))
        return false; /* a query: nothing resolved */
    m->st.responses++;
    if (IOF_DNS_OPCODE(msg.flags) != 0 || IOF_DNS_RCODE(msg.flags) != 0) {
        m->st.no_answer++;
        return false;
    }
    char text[IOF_DNS_NAME_TEXT];
    bool first_q = true;
    for (iof__dns_rr rr; iof__dns_next(&msg, &rr);) {
        if (rr.section == IOF_DNS_QD) {
            if (first_q && iof__dns_name(&msg, rr.name_off, text, sizeof(text), NULL) == IOF_PROTO_OK)
                msg_name(m, text);
            first_q = false;
            continue;
        }
        if (rr.section != IOF_DNS_AN || rr.rclass != 1)
            continue;
        if (rr.type == IOF_DNS_T_CNAME) {
            if (iof__dns_name(&msg, rr.name_off, text, sizeof(text), NULL) == IOF_PROTO_OK)
                msg_name(m, text);
            if (iof__dns_rr_target(&msg, &rr, text, sizeof(text)) == IOF_PROTO_OK)
                msg_name(m, text);
            continue;
        }
        size_t alen = rr.type == IOF_DNS_T_A ? 4 : rr.type == IOF_DNS_T_AAAA ? 16 : 0;
        if (!alen || rr.rdlen != alen)
            continue;
        m->st.answers++;
        if ((alen == 4 ? 4 : 6) != client_ver) {
            m->st.other_family++;
            continue;
        }
        if (iof__dns_name(&msg, rr.name_off, text, sizeof(text), NULL) == IOF_PROTO_OK)
            msg_name(m, text);
        if (m->n_msg_addrs == IOF_DNSMAP_MSG_ADDRS) {
            m->st.beyond_message++;
            continue;
        }
        iof__rd r = rd_init(msg.base + rr.rdata_off, rr.rdlen);
        uint8_t *a = m->msg_addrs[m->n_msg_addrs++];
        memset(a, 0, 16);
        rd_copy(&r, a, alen);
    }
    if (msg.status != IOF_PROTO_OK)
        m->st.damaged++;
    if (!m->n_msg_addrs && msg.status == IOF_PROTO_OK)
        m->st.no_answer++;
    return m->n_msg_addrs > 0 && m->n_msg_names > 0;
}

int iof__dnsmap_packet(iof__dnsmap *m, const iof__pkt *p, uint64_t fed)
{
    if (!(p->flags & IOF_PKT_HAS_PORTS) || p->sport != 53 || p->payload_caplen == 0 ||
        ((p->flags & IOF_PKT_FRAGMENT) && !(p->flags & IOF_PKT_FIRST_FRAG)))
        return IOF_OK; /* a later fragment's bytes are no DNS header */
    iof__rd r = rd_init(p->data + p->payload_off, p->payload_caplen);
    size_t n = p->payload_caplen;
    if (p->proto == 6) {
        /* DNS over TCP: a 2-byte length, then the message; only a segment holding exactly one
         * whole message is read (no stream reassembly) */
        uint16_t len = rd_be16(&r);
        if (r.err || (size_t)len + 2 != p->payload_len || p->payload_caplen != p->payload_len) {
            m->st.not_dns++;
            return IOF_OK;
        }
        n = len;
    } else if (p->proto != 17) {
        return IOF_OK;
    }
    if (!read_response(m, rd_bytes(&r, n), n, p->ipver))
        return IOF_OK;
    int rc = IOF_OK;
    pthread_rwlock_wrlock(&m->lock);
    for (size_t a = 0; a < m->n_msg_addrs && rc == IOF_OK; a++)
        for (size_t k = 0; k < m->n_msg_names && rc == IOF_OK; k++)
            rc = learn(m, p->ipver, p->dst_ip, m->msg_addrs[a], m->msg_names[k], p->ts_ns, fed);
    pthread_rwlock_unlock(&m->lock);
    return rc;
}

size_t iof__dnsmap_lookup(const iof__dnsmap *m, uint8_t ipver, const uint8_t client[16], const uint8_t addr[16],
                          int64_t at_ns, uint64_t horizon, const char **out, size_t max)
{
    size_t k = 0;
    pthread_rwlock_rdlock((pthread_rwlock_t *)&m->lock);
    uint32_t pi = pair_find(m, ipver, client, addr);
    if (pi != DM_NONE)
        for (uint32_t a = m->pairs[pi].head; a != DM_NONE && m->assoc[a].fed <= horizon && k < max;
             a = m->assoc[a].next)
            if (m->assoc[a].ts_ns <= at_ns)
                out[k++] = iof__strtab_get(&m->names, m->assoc[a].name);
    pthread_rwlock_unlock((pthread_rwlock_t *)&m->lock);
    return k;
}

void iof__dnsmap_get_stats(const iof__dnsmap *m, iof__dnsmap_stats *st)
{
    *st = m->st; /* the feeding thread's own counters */
}
