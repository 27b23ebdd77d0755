/* Device table: see devtab.h. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "common/grow.h"
#include "common/idx.h"
#include "common/macidx.h"
#include "common/mix.h"
#include "common/rd.h"
#include "devices/devtab.h"
#include "devices/text.h"
#include "flow/attrib.h"
#include "proto/dhcp.h"
#include "proto/dns.h"
#include "proto/ssdp.h"

enum { FACT_SRC = 1, FACT_SIDE, FACT_FORWARDED, FACT_CLIENT, FACT_NAME };

typedef struct fact {
    uint32_t row1;  /* row + 1; 0 = empty slot */
    uint8_t kind;
    uint8_t ver;
    uint8_t a[16];  /* address, client MAC, or a digest of a name */
} fact;

struct iof__devtab {
    iof__devrow *rows;
    size_t n, cap;
    iof__macidx idx;   /* MAC -> row */
    fact *facts;       /* open addressing, at most half full */
    size_t n_facts, facts_mask;
    iof__dev_addr routers[IOF_DEV_MAX_ROUTER_IPS];
    size_t n_routers;
    uint64_t seed;
    bool nomem;
    iof__devtab_stats st;
};

iof__devtab *iof__devtab_create(void)
{
    iof__devtab *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    /* the output never depends on the seed (rows are sorted): it only spreads hostile keys */
    t->seed = iof__idx_seed(t);
    iof__macidx_init(&t->idx, iof__mix64(t->seed));
    return t;
}

void iof__devtab_free(iof__devtab *t)
{
    if (!t)
        return;
    free(t->rows);
    iof__macidx_free(&t->idx);
    free(t->facts);
    free(t);
}

bool iof__devtab_nomem(const iof__devtab *t) { return t->nomem; }
void iof__devtab_get_stats(const iof__devtab *t, iof__devtab_stats *st) { *st = t->st; }
size_t iof__devtab_count(const iof__devtab *t) { return t->n; }
const iof__devrow *iof__devtab_row(const iof__devtab *t, size_t i) { return &t->rows[i]; }

size_t iof__devtab_router_ips(const iof__devtab *t, const iof__dev_addr **ips)
{
    *ips = t->routers;
    return t->n_routers;
}

bool iof__mac_is_device(const uint8_t m[6])
{
    return !(m[0] & 1) && (m[0] | m[1] | m[2] | m[3] | m[4] | m[5]) != 0;
}

bool iof__devrow_is_next_hop(const iof__devrow *r)
{
    return r->side_v4 >= IOF_DEV_NEXTHOP_V4 || r->side_v6 >= IOF_DEV_NEXTHOP_V6 || r->forwarded > 0;
}

/* ---- rows ----------------------------------------------------------------------------- */

static iof__macrows dev_rows(const iof__devtab *t)
{
    return (iof__macrows){ t->rows, sizeof *t->rows, offsetof(iof__devrow, mac) };
}

/* Row of mac, created on first sight; -1 when the table is full (or memory ran out). */
static long row_get(iof__devtab *t, const uint8_t mac[6])
{
    long i = iof__macidx_find(&t->idx, dev_rows(t), mac);
    if (i >= 0)
        return i;
    if (t->n >= IOF_DEVTAB_MAX_DEVICES) {
        t->st.rows_dropped++;
        return -1;
    }
    if (iof__grow((void **)&t->rows, &t->cap, t->n + 1, sizeof *t->rows, IOF_DEVTAB_MAX_DEVICES) != IOF_OK) {
        t->nomem = true;
        t->st.rows_dropped++;
        return -1;
    }
    iof__devrow *r = &t->rows[t->n];
    memset(r, 0, sizeof(*r));
    memcpy(r->mac, mac, 6);
    r->first_ns = INT64_MAX;
    r->last_ns = INT64_MIN;
    if (iof__macidx_add(&t->idx, dev_rows(t), t->n) != IOF_OK) {
        t->nomem = true;
        t->st.rows_dropped++;
        return -1;
    }
    return (long)t->n++;
}

/* ---- the fact set: distinct (row, kind, value) ------------------------------------------ */

static size_t fact_slot(const iof__devtab *t, const fact *f)
{
    uint64_t a = 0, b = 0;
    for (int i = 0; i < 8; i++) {
        a = a << 8 | f->a[i];
        b = b << 8 | f->a[8 + i];
    }
    uint64_t h = iof__mix64(a ^ t->seed ^ ((uint64_t)f->row1 << 16 | (uint64_t)f->kind << 8 | f->ver));
    return (size_t)iof__mix64(h ^ b) & t->facts_mask;
}

static bool fact_eq(const fact *x, const fact *y)
{
    return x->row1 == y->row1 && x->kind == y->kind && x->ver == y->ver && memcmp(x->a, y->a, 16) == 0;
}

static bool facts_grow(iof__devtab *t)
{
    size_t size = t->facts ? (t->facts_mask + 1) * 2 : 1024;
    fact *nf = calloc(size, sizeof(*nf));
    if (!nf)
        return false;
    fact *old = t->facts;
    size_t old_size = old ? t->facts_mask + 1 : 0;
    t->facts = nf;
    t->facts_mask = size - 1;
    for (size_t i = 0; i < old_size; i++) {
        if (!old[i].row1)
            continue;
        size_t h = fact_slot(t, &old[i]);
        while (nf[h].row1)
            h = (h + 1) & t->facts_mask;
        nf[h] = old[i];
    }
    free(old);
    return true;
}

static bool fact_find(const iof__devtab *t, const fact *f)
{
    if (!t->facts)
        return false;
    for (size_t h = fact_slot(t, f);; h = (h + 1) & t->facts_mask) {
        if (!t->facts[h].row1)
            return false;
        if (fact_eq(&t->facts[h], f))
            return true;
    }
}

static fact make_fact(long row, uint8_t kind, uint8_t ver, const uint8_t a[16])
{
    fact f = { (uint32_t)row + 1, kind, ver, { 0 } };
    memcpy(f.a, a, 16);
    return f;
}

/* 1: new fact, 0: known, -1: not counted (set full or no memory). */
static int fact_add(iof__devtab *t, long row, uint8_t kind, uint8_t ver, const uint8_t a[16])
{
    fact f = make_fact(row, kind, ver, a);
    if (fact_find(t, &f))
        return 0;
    if (t->n_facts >= IOF_DEV_MAX_FACTS) {
        t->st.facts_dropped++;
        return -1;
    }
    if (!t->facts || (t->n_facts + 1) * 2 > t->facts_mask + 1) {
        if (!facts_grow(t)) {
            t->nomem = true;
            t->st.facts_dropped++;
            return -1;
        }
    }
    size_t h = fact_slot(t, &f);
    while (t->facts[h].row1)
        h = (h + 1) & t->facts_mask;
    t->facts[h] = f;
    t->n_facts++;
    return 1;
}

/* ---- addresses ------------------------------------------------------------------------ */

/* A unicast address a host can own: not unspecified, loopback, multicast or broadcast. */
static bool addr_usable(uint8_t ver, const uint8_t a[16])
{
    if (iof__ip_is_group(ver, a))
        return false;
    if (ver == 4)
        return a[0] != 0 && a[0] != 127;
    static const uint8_t zero[15];
    return !(memcmp(a, zero, 15) == 0 && a[15] <= 1); /* :: and ::1 */
}

static void side_addr(iof__devtab *t, long row, uint8_t ver, const uint8_t a[16])
{
    if (fact_add(t, row, FACT_SIDE, ver, a) == 1) {
        if (ver == 4)
            t->rows[row].side_v4++;
        else
            t->rows[row].side_v6++;
    }
}

static void own_source(iof__devtab *t, long row, const iof__pkt *p)
{
    if (!addr_usable(p->ipver, p->src_ip))
        return;
    bool local = iof__ip_is_local(p->ipver, p->src_ip);
    if (fact_add(t, row, FACT_SRC, p->ipver, p->src_ip) == 1) {
        iof__devrow *r = &t->rows[row];
        uint8_t *n = local ? &r->n_local : &r->n_public;
        iof__dev_addr *list = local ? r->local : r->public_;
        if (local)
            r->local_total++;
        else
            r->public_total++;
        if (*n < IOF_DEV_MAX_IPS) {
            list[*n].ver = p->ipver;
            memcpy(list[*n].a, p->src_ip, 16);
            (*n)++;
        }
    }
    if (local)
        return;
    side_addr(t, row, p->ipver, p->src_ip);
    bool initial = p->ttl == 32 || p->ttl == 64 || p->ttl == 128 || p->ttl == 255;
    if (!initial && fact_add(t, row, FACT_FORWARDED, p->ipver, p->src_ip) == 1)
        t->rows[row].forwarded++;
}

/* ---- application messages ------------------------------------------------------------- */

/* Keeps untrusted text in dst unless it cleans to nothing. */
static void keep_text(char *dst, size_t cap, iof__span s)
{
    char tmp[IOF_DEV_SSDP_STR];
    size_t n = cap < sizeof tmp ? cap : sizeof tmp;
    if (s.len && iof__dev_text(tmp, n, s.p, s.len) > 0)
        memcpy(dst, tmp, strlen(tmp) + 1);
}

static bool valid_chaddr(const iof__dhcp_msg *m)
{
    return m->htype == 1 && m->hlen == 6 && iof__mac_is_device(m->chaddr);
}

static void router_ip(iof__devtab *t, const uint8_t ip4[4])
{
    uint8_t a[16] = { 0 };
    memcpy(a, ip4, 4);
    if (!addr_usable(4, a))
        return;
    for (size_t i = 0; i < t->n_routers; i++)
        if (memcmp(t->routers[i].a, a, 16) == 0)
            return;
    if (t->n_routers == IOF_DEV_MAX_ROUTER_IPS) {
        t->st.values_dropped++;
        return;
    }
    t->routers[t->n_routers].ver = 4;
    memcpy(t->routers[t->n_routers++].a, a, 16);
}

static void dhcp(iof__devtab *t, long src, const iof__pkt *p, iof__span pl)
{
    iof__dhcp_msg m;
    iof__proto_status st = iof__dhcp_parse(pl.p, pl.len, &m);
    if (st == IOF_PROTO_OTHER)
        return; /* BOOTP without options */
    if (st != IOF_PROTO_OK)
        t->st.malformed++;
    t->st.dhcp++;
    if (m.op == IOF_DHCP_BOOTREQUEST) {
        /* the client is chaddr (a relay forwards other hosts' requests) */
        long c = valid_chaddr(&m) && memcmp(m.chaddr, p->src_mac, 6) != 0 ? row_get(t, m.chaddr) : src;
        if (c < 0)
            return;
        keep_text(t->rows[c].dhcp_host, IOF_DEV_STR, m.hostname);
        keep_text(t->rows[c].dhcp_vc, IOF_DEV_STR, m.vendor_class);
    } else if (m.op == IOF_DHCP_BOOTREPLY &&
               (m.msg_type == IOF_DHCP_OFFER || m.msg_type == IOF_DHCP_ACK || m.msg_type == IOF_DHCP_NAK)) {
        t->rows[src].dhcp_replies++;
        if (m.msg_type != IOF_DHCP_NAK && valid_chaddr(&m) && memcmp(m.chaddr, p->src_mac, 6) != 0) {
            uint8_t a[16] = { 0 };
            memcpy(a, m.chaddr, 6);
            if (fact_add(t, src, FACT_CLIENT, 0, a) == 1)
                t->rows[src].dhcp_clients++;
        }
        if (m.has_router)
            router_ip(t, m.router);
    }
}

static bool ends_with_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strncasecmp(s + n - k, suffix, k) == 0;
}

static void mdns_name(iof__devtab *t, long row, const char *text, bool host)
{
    if (text[0] == '_' || !ends_with_ci(text, ".local") || strlen(text) <= 6)
        return; /* service types, and names outside .local */
    uint8_t digest[16];
    uint64_t h1 = 0xcbf29ce484222325ULL, h2 = 0x84222325cbf29ce4ULL;
    for (const char *c = text; *c; c++) {
        uint8_t b = (uint8_t)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
        h1 = (h1 ^ b) * 0x100000001b3ULL;
        h2 = (h2 ^ b) * 0x1000193ULL + (h2 >> 29);
    }
    for (int i = 0; i < 8; i++) {
        digest[i] = (uint8_t)(h1 >> (8 * i));
        digest[8 + i] = (uint8_t)(h2 >> (8 * i));
    }
    int added = fact_add(t, row, FACT_NAME, 0, digest);
    iof__devrow *r = &t->rows[row];
    if (added == 1)
        r->mdns_total++;
    char clean[IOF_DEV_STR];
    if (iof__dev_text(clean, sizeof clean, (const uint8_t *)text, strlen(text)) == 0)
        return;
    size_t label = strcspn(clean, "."); /* a service instance's own label */
    unsigned slot = r->n_mdns, last_service = IOF_DEV_MAX_MDNS;
    for (unsigned i = 0; i < r->n_mdns; i++) {
        bool is_host = (r->mdns_host >> i) & 1;
        if (strcasecmp(r->mdns[i], clean) == 0) {
            if (host)
                r->mdns_host |= (uint8_t)(1u << i);
            return;
        }
        if (!is_host)
            last_service = i;
        /* one service per instance is enough to list ("Cam._http._tcp", "Cam._hap._tcp") */
        if (!host && !is_host && strncasecmp(r->mdns[i], clean, label + 1) == 0)
            return;
    }
    if (added != 1)
        return;
    if (slot == IOF_DEV_MAX_MDNS) {
        if (!host || last_service == IOF_DEV_MAX_MDNS)
            return;
        slot = last_service; /* host names before service instances */
    } else {
        r->n_mdns++;
    }
    memcpy(r->mdns[slot], clean, sizeof clean);
    r->mdns_host = (uint8_t)((r->mdns_host & ~(1u << slot)) | (host ? 1u << slot : 0u));
}

/* An A/AAAA record: 1 when its address is one of the row's own sources (the packet's source
 * among them), 0 when not, -1 for other records. */
static int addr_rr_own(const iof__devtab *t, long row, const iof__dns_msg *m, const iof__dns_rr *rr)
{
    size_t len = rr->type == IOF_DNS_T_A ? 4 : rr->type == IOF_DNS_T_AAAA ? 16 : 0;
    if (len == 0 || rr->rdlen != len || rr->section == IOF_DNS_QD)
        return -1;
    uint8_t a[16] = { 0 };
    iof__rd r = rd_init(m->base + rr->rdata_off, rr->rdlen);
    rd_copy(&r, a, len);
    fact f = make_fact(row, FACT_SRC, len == 4 ? 4 : 6, a);
    return fact_find(t, &f);
}

static void mdns(iof__devtab *t, long src, iof__span pl)
{
    iof__dns_msg m;
    if (iof__dns_open(&m, pl.p, pl.len) != IOF_PROTO_OK) {
        t->st.malformed++;
        return;
    }
    if (!(m.flags & IOF_DNS_FLAG_QR) || IOF_DNS_OPCODE(m.flags) != 0)
        return; /* queries, probes */
    t->st.mdns++;
    /* Whose records are these? A responder speaks for itself; an mDNS proxy or reflector
     * answers with other hosts' addresses: its names are not the sender's. An address record
     * is the sender's when the sender has used that address as a source (an IPv6 message from
     * a link-local address may well list the IPv4 and ULA addresses of the same host). */
    bool own = false, other = false;
    iof__dns_rr rr;
    for (unsigned k = 0; k < IOF_DEV_MAX_MDNS_RRS && iof__dns_next(&m, &rr); k++) {
        int match = addr_rr_own(t, src, &m, &rr);
        own |= match == 1;
        other |= match == 0;
    }
    if (m.status != IOF_PROTO_OK)
        t->st.malformed++;
    if (other && !own) {
        t->rows[src].mdns_foreign++;
        return;
    }
    iof__dns_open(&m, pl.p, pl.len);
    char text[IOF_DNS_NAME_TEXT];
    for (unsigned k = 0; k < IOF_DEV_MAX_MDNS_RRS && iof__dns_next(&m, &rr); k++) {
        if (rr.section == IOF_DNS_QD)
            continue;
        if (rr.type == IOF_DNS_T_A || rr.type == IOF_DNS_T_AAAA) {
            if (addr_rr_own(t, src, &m, &rr) == 1 && iof__dns_name(&m, rr.name_off, text, sizeof text, NULL) == IOF_PROTO_OK)
                mdns_name(t, src, text, true); /* host name */
        } else if (rr.type == IOF_DNS_T_SRV) {
            if (iof__dns_name(&m, rr.name_off, text, sizeof text, NULL) == IOF_PROTO_OK)
                mdns_name(t, src, text, false); /* service instance */
        } else if (rr.type == IOF_DNS_T_PTR) {
            if (iof__dns_name(&m, rr.name_off, text, sizeof text, NULL) != IOF_PROTO_OK)
                continue;
            /* reverse mapping -> a host name; DNS-SD service type -> a service instance */
            bool reverse = ends_with_ci(text, ".in-addr.arpa") || ends_with_ci(text, ".ip6.arpa");
            if ((reverse || text[0] == '_') && iof__dns_rr_target(&m, &rr, text, sizeof text) == IOF_PROTO_OK)
                mdns_name(t, src, text, reverse);
        }
    }
}

static void ssdp(iof__devtab *t, long src, iof__span pl)
{
    iof__ssdp_msg m;
    iof__proto_status st = iof__ssdp_parse(pl.p, pl.len, &m);
    if (st == IOF_PROTO_OTHER)
        return;
    if (st != IOF_PROTO_OK)
        t->st.malformed++;
    t->st.ssdp++;
    if (m.kind == IOF_SSDP_MSEARCH)
        return; /* a searcher says nothing about itself but its user agent */
    iof__devrow *r = &t->rows[src];
    if (!r->ssdp_server[0])
        keep_text(r->ssdp_server, IOF_DEV_SSDP_STR, m.server);
    if (!r->ssdp_location[0])
        keep_text(r->ssdp_location, IOF_DEV_SSDP_STR, m.location);
}

static bool dhcp_port(uint16_t port) { return port == 67 || port == 68; }

static void application(iof__devtab *t, long src, const iof__pkt *p)
{
    if (p->proto != 17 || !(p->flags & IOF_PKT_HAS_PORTS) || p->payload_caplen == 0)
        return;
    if ((p->flags & IOF_PKT_FRAGMENT) && !(p->flags & IOF_PKT_FIRST_FRAG))
        return; /* a later fragment's data is not the message's start */
    iof__span pl = { p->data + p->payload_off, p->payload_caplen };
    if (dhcp_port(p->sport) && dhcp_port(p->dport))
        dhcp(t, src, p, pl);
    else if (p->sport == 5353)
        mdns(t, src, pl);
    else if (p->sport == 1900 || p->dport == 1900)
        ssdp(t, src, pl);
}

/* ---- the packet ----------------------------------------------------------------------- */

static void touch(iof__devrow *r, int64_t ts)
{
    if (ts < r->first_ns)
        r->first_ns = ts;
    if (ts > r->last_ns)
        r->last_ns = ts;
}

void iof__devtab_packet(iof__devtab *t, const iof__pkt *p)
{
    t->st.packets++;
    bool has_src = (p->flags & IOF_PKT_HAS_SRC_MAC) != 0;
    if (!has_src)
        t->st.without_mac++;
    long s = has_src && iof__mac_is_device(p->src_mac) ? row_get(t, p->src_mac) : -1;
    long d = (p->flags & IOF_PKT_HAS_DST_MAC) && iof__mac_is_device(p->dst_mac) ? row_get(t, p->dst_mac) : -1;
    if (s >= 0) {
        iof__devrow *r = &t->rows[s];
        r->sent = true;
        touch(r, p->ts_ns);
        r->pkts_sent++;
        r->bytes_sent += p->wirelen;
        own_source(t, s, p);
    }
    if (d >= 0) {
        iof__devrow *r = &t->rows[d];
        touch(r, p->ts_ns);
        r->pkts_recv++;
        r->bytes_recv += p->wirelen;
        if (addr_usable(p->ipver, p->dst_ip) && !iof__ip_is_local(p->ipver, p->dst_ip))
            side_addr(t, d, p->ipver, p->dst_ip);
    }
    if (s >= 0)
        application(t, s, p);
}
