/* truth.csv: the records `iotflow extract --devices devices.csv` produces from the frames
 * actually written, with the label of the traffic that opened each. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "common/err.h"
#include "output/textbuf.h"
#include "synth/synth_int.h"

static uint64_t mac_key(const uint8_t *m)
{
    return ((uint64_t)m[0] << 40 | (uint64_t)m[1] << 32 | (uint64_t)m[2] << 24 |
            (uint64_t)m[3] << 16 | (uint64_t)m[4] << 8 | m[5]) + 1;
}

void iof__sy_inv_add(gen *g, const host *h)
{
    uint64_t k = mac_key(h->mac);
    size_t i = (size_t)(k * 0x9e3779b97f4a7c15ull >> 56);
    while (g->inv[i] && g->inv[i] != k)
        i = (i + 1) & 255;
    g->inv[i] = k;
    g->inv_dev[i] = (uint8_t)(h - g->dev);
}

/* The inventoried device with MAC m, or NULL. */
static host *inv_find(gen *g, const uint8_t *m)
{
    if (m[0] & 1)
        return NULL; /* group address */
    uint64_t k = mac_key(m);
    size_t i = (size_t)(k * 0x9e3779b97f4a7c15ull >> 56);
    while (g->inv[i]) {
        if (g->inv[i] == k)
            return &g->dev[g->inv_dev[i]];
        i = (i + 1) & 255;
    }
    return NULL;
}

static uint64_t tkey_hash(const tkey *k)
{
    uint64_t a, b;
    memcpy(&a, k, 8);
    memcpy(&b, (const uint8_t *)k + 8, 8);
    uint64_t h = (a ^ (b * 0x9e3779b97f4a7c15ull)) * 0xbf58476d1ce4e5b9ull; /* splitmix-style */
    return h ^ (h >> 31);
}

/* The key form of an address (see tkey). */
static uint32_t key_addr(gen *g, const uint8_t *ip, int ipver)
{
    uint32_t v;
    if (ipver == 4) {
        memcpy(&v, ip, 4);
        return v;
    }
    for (int i = 0; i < g->nv6; i++)
        if (!memcmp(g->v6[i], ip, 16))
            return (uint32_t)i + 1;
    if (g->nv6 == MAX_V6) {
        g->err = IOF_E_LIMIT;
        return 0;
    }
    memcpy(g->v6[g->nv6], ip, 16);
    return (uint32_t)++g->nv6;
}

/* The truth table: a large one is probed at random once per new conversation side, so it is
 * backed by huge pages where the system allows (fewer TLB misses). */
static tent *tab_alloc(size_t n)
{
    const size_t huge = 2u << 20;
    size_t bytes = n * sizeof(tent);
    if (bytes < huge)
        return calloc(n, sizeof(tent));
    void *p = aligned_alloc(huge, (bytes + huge - 1) & ~(huge - 1));
    if (!p)
        return NULL;
    madvise(p, bytes, MADV_HUGEPAGE); /* advice only: failure is harmless */
    return memset(p, 0, bytes);
}

static int tab_resize(gen *g)
{
    size_t live = 0;
    for (size_t i = 0; i < g->tcap; i++)
        live += g->tab[i].start && g->tab[i].start + WINDOW_US > g->now;
    size_t ncap = 1024;
    while (ncap < live * 2)
        ncap *= 2;
    tent *nt = tab_alloc(ncap);
    if (!nt)
        return IOF_E_NOMEM;
    size_t used = 0;
    for (size_t i = 0; i < g->tcap; i++) {
        tent *e = &g->tab[i];
        if (!e->start || e->start + WINDOW_US <= g->now)
            continue; /* an expired window is the same as no entry */
        size_t j = (size_t)tkey_hash(&e->k) & (ncap - 1);
        while (nt[j].start)
            j = (j + 1) & (ncap - 1);
        nt[j] = *e;
        used++;
    }
    free(g->tab);
    g->tab = nt;
    g->tcap = ncap;
    g->tused = used;
    return 0;
}

static int row_cmp(const void *a, const void *b)
{
    const trow *x = a, *y = b;
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    int c = memcmp(x->mac, y->mac, 6);
    if (c)
        return c;
    c = strcmp(x->rem, y->rem);
    if (c)
        return c;
    if (x->proto != y->proto)
        return x->proto < y->proto ? -1 : 1;
    if (x->dport != y->dport)
        return x->dport < y->dport ? -1 : 1;
    if (x->rport != y->rport)
        return x->rport < y->rport ? -1 : 1;
    return strcmp(lbl_name[x->label], lbl_name[y->label]);
}

/* Writes the rows of one first_seen instant, sorted. */
static void flush_rows(gen *g)
{
    if (!g->ngrp)
        return;
    qsort(g->grp, g->ngrp, sizeof *g->grp, row_cmp);
    for (size_t i = 0; i < g->ngrp; i++)
        iof__sy_write_truth(g, &g->grp[i]);
    g->ngrp = 0;
}

static void rem_text(char *out, const uint8_t *ip, int ipver)
{
    if (ipver == 4) {
        if (ip[0] == 10 || (ip[0] == 172 && (ip[1] & 0xf0) == 16) ||
            (ip[0] == 192 && ip[1] == 168) || (ip[0] == 169 && ip[1] == 254)) {
            strcpy(out, "0.0.0.0");
            return;
        }
        char *p = out; /* inet_ntop's text; glibc formats it with sprintf, once per record */
        for (int i = 0; i < 4; i++) {
            p = iof__put_dec(p, ip[i]);
            *p++ = i < 3 ? '.' : 0;
        }
    } else {
        if ((ip[0] & 0xfe) == 0xfc || (ip[0] == 0xfe && (ip[1] & 0xc0) == 0x80)) {
            strcpy(out, "::");
            return;
        }
        inet_ntop(AF_INET6, ip, out, 46);
    }
}

/* Accounts one packet at time t to dev's key; returns the start of the key's current record. */
static int64_t truth_side(gen *g, int64_t t, host *dev, const uint8_t *dip, const uint8_t *rip,
                          int ipver, uint8_t proto, uint16_t dport, uint16_t rport, int label)
{
    tkey k;
    memset(&k, 0, sizeof k);
    k.dev = key_addr(g, dip, ipver);
    k.rem = key_addr(g, rip, ipver);
    k.ipver = (uint8_t)ipver;
    k.dev_idx = (uint8_t)(dev - g->dev);
    k.proto = proto;
    k.dport = dport;
    k.rport = rport;
    if (g->tused * 4 >= g->tcap * 3 && tab_resize(g) < 0) {
        g->err = IOF_E_NOMEM;
        return t;
    }
    size_t j = (size_t)tkey_hash(&k) & (g->tcap - 1);
    while (g->tab[j].start) {
        if (memcmp(&g->tab[j].k, &k, sizeof k) == 0) {
            if (t < g->tab[j].start + WINDOW_US)
                return g->tab[j].start; /* inside the current record */
            goto newrec;
        }
        j = (j + 1) & (g->tcap - 1);
    }
    g->tab[j].k = k;
    g->tused++;
newrec:
    g->tab[j].start = t;
    if (g->ngrp && g->grp[0].first != t)
        flush_rows(g);
    if (g->ngrp == g->capgrp) {
        size_t nc = g->capgrp ? g->capgrp * 2 : 256;
        trow *nr = realloc(g->grp, nc * sizeof *nr);
        if (!nr) {
            g->err = IOF_E_NOMEM;
            return t;
        }
        g->grp = nr;
        g->capgrp = nc;
    }
    trow *r = &g->grp[g->ngrp++];
    r->first = t;
    memcpy(r->mac, dev->mac, 6);
    r->proto = proto;
    r->label = (uint8_t)label;
    r->dport = dport;
    r->rport = rport;
    rem_text(r->rem, rip, ipver);
    g->rows++;
    g->rows_lbl[label]++;
    dev->recs++;
    if (label != LBL_BENIGN)
        g->rows_atk++;
    return t;
}

/* Applies the record rule to a packet of conversation c sent by side dir (sender's view
 * first). Every packet of c has the same key as seen from a side's device, so while that
 * key's current record runs (until rec_until) the packet needs no lookup: a record only ends
 * with a packet at or after its end, and time never goes back. */
void iof__sy_truth_account(gen *g, conv *c, int dir)
{
    if (!c->inv_done) {
        c->inv[0] = inv_find(g, c->side[0].mac);
        c->inv[1] = inv_find(g, c->side[1].mac);
        c->inv_done = 1;
    }
    int ported = c->proto == 6 || c->proto == 17;
    for (int k = 0; k < 2; k++) {
        int x = k ? !dir : dir;
        host *h = c->inv[x];
        if (!h)
            continue;
        h->pkts++;
        if (g->now < c->rec_until[x])
            continue;
        const ep *me = &c->side[x], *peer = &c->side[!x];
        c->rec_until[x] = truth_side(g, g->now, h, me->ip, peer->ip, c->ipver, c->proto,
                                     ported ? me->port : 0, ported ? peer->port : 0, c->label) +
                          WINDOW_US;
    }
}


void iof__sy_truth_arp(gen *g, const uint8_t *eth_dst, const uint8_t *sha)
{
    host *a = inv_find(g, sha), *b = inv_find(g, eth_dst); /* counted, but not records */
    if (a)
        a->pkts++;
    if (b)
        b->pkts++;
}

int iof__sy_truth_init(gen *g)
{
    g->tcap = 1024;
    g->tab = tab_alloc(g->tcap);
    return g->tab ? 0 : IOF_E_NOMEM;
}

void iof__sy_truth_finish(gen *g) { flush_rows(g); }

void iof__sy_truth_free(gen *g)
{
    free(g->tab);
    free(g->grp);
}
