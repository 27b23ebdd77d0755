/* iotflow synth: synthetic smart-home traffic, sensor readings, attacks and ground truth.
 *
 * Engine: a binary heap of events ordered by (time µs, creation order). An event is either a
 * behaviour timer (a device's periodic activity, a sensor tick, an attack tick) or a
 * conversation: a script of steps (TCP handshake, messages segmented at the MSS with delayed
 * ACKs, FIN/RST teardown, UDP datagrams, ICMP, IGMP, ARP) that emits one packet per firing.
 * Every conversation packet goes through truth_account(), which applies extract's record rules
 * (shared/spec/customflow.md) to produce truth.csv. All randomness comes from xoshiro256**
 * streams seeded from the configured seed; nothing reads the clock except the stats timer.
 * See docs/SYNTH.md for the devices, couplings and attacks. */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capture/pcap_write.h"
#include "common/err.h"
#include "common/timefmt.h"
#include "iotflow/iotflow.h"
#include "output/textbuf.h"
#include "synth/pkt.h"
#include "synth/proto.h"

#define SEC 1000000LL
#define MS 1000LL
#define WINDOW_US (60 * SEC)  /* extract's default record lifetime */
#define MSS 1460u
#define MAX_DEV 100           /* --devices cap: device IPs are 192.168.1.100 + i */
#define MAX_STEP 16           /* steps queued per conversation (long ones refill) */
#define HDR_MAX 1024          /* literal head of one message (ClientHello, HTTP head...) */
#define MAX_HOSTS 32
#define MAX_CONVS (1u << 22)  /* live conversations cap (memory bound) */

enum { LBL_BENIGN, LBL_MIRAI, LBL_DDOS, LBL_RECON };
static const char *const lbl_name[] = {"benign", "mirai", "ddos", "recon"};

enum dtype { T_GATEWAY, T_CAMERA, T_VOICE, T_THERMO, T_PLUG, T_MOTION, T_NAS };
static const char *const type_name[] = {"gateway", "camera", "voice_assistant", "thermostat",
                                        "smart_plug", "motion_sensor", "nas"};
static const uint8_t type_oui[][3] = {{0xd0, 0xcf, 0x5e}, {0x74, 0xda, 0x38}, {0xf4, 0xf5, 0xd8},
                                      {0x64, 0x16, 0x66}, {0x50, 0xc7, 0xbf}, {0x00, 0x17, 0x88},
                                      {0x00, 0x11, 0x32}};

/* A traffic profile (docs/SYNTH.md "Profiles"): the device mix and the knobs that differ. */
typedef struct profile {
    const char *name;
    unsigned devices;      /* default --devices */
    const int *cycle;      /* device types after the first eight, cyclically */
    int ncycle;
    int nas_video;         /* camera SMB snapshots and motion streams to the NAS */
    int telemetry;         /* sensor-class devices post CoAP telemetry to the cloud */
    int timed_ticks;       /* device timers wake at their next deadline (no 1 s polling) */
    double voice_mean_s;   /* voice assistant TLS sessions: mean interval */
    double voice_up[3], voice_down[3]; /* heavy(median, sigma, cap) sizes */
    uint32_t setpoint_bytes; /* set-point burst: up B..2B, down 1.5B..3.5B */
    double flood_gap_us;   /* UDP flood datagram spacing at scale 1 */
    double scan_burst_per_scale; /* extra Mirai scan units per tick per unit of scale */
} profile;

static const int home_cycle[] = {T_PLUG, T_MOTION, T_THERMO, T_CAMERA};
static const int small_cycle[] = {T_PLUG, T_MOTION, T_THERMO, T_PLUG, T_MOTION,
                                  T_VOICE, T_PLUG, T_MOTION, T_GATEWAY, T_CAMERA};
static const profile profiles[] = {
    [IOF_SYNTH_HOME] = {.name = "home", .devices = 8, .cycle = home_cycle, .ncycle = 4,
                        .nas_video = 1, .voice_mean_s = 15.0, .voice_up = {700, 1.0, 100000},
                        .voice_down = {3000, 1.5, 3000000}, .setpoint_bytes = 20000,
                        .flood_gap_us = 2 * MS},
    [IOF_SYNTH_SMALL] = {.name = "small", .devices = 60, .cycle = small_cycle, .ncycle = 10,
                         .telemetry = 1, .timed_ticks = 1, .voice_mean_s = 60.0,
                         .voice_up = {300, 0.6, 4000}, .voice_down = {900, 0.8, 20000},
                         .setpoint_bytes = 2000, .flood_gap_us = 200 * MS,
                         .scan_burst_per_scale = 0.08},
};

typedef struct gen gen;
typedef struct ev ev;
typedef void (*fire_fn)(gen *g, ev *e);
struct ev {
    int64_t t;
    uint64_t order;
    fire_fn fire;
};
/* A heap slot holds its event's sort key: sifting compares without touching the events. */
typedef struct hslot {
    int64_t t;
    uint64_t order;
    ev *e;
} hslot;

typedef struct host {
    ev tick;               /* the device's behaviour timer */
    int type, idx;
    char name[24];
    uint8_t mac[6], ip[4], ip6[16];
    uint8_t ttl;           /* TTL of packets it sends */
    uint16_t ipid, eph;    /* IP id counter, next ephemeral port */
    int64_t dns_exp[MAX_HOSTS];
    iof__rng rng;
    /* sensor state */
    double temp, hum, power, setpoint, base_power;
    int motion, motion_left, alert, appliance;
    int64_t next_setpoint, next_appliance;
    /* periodic behaviour deadlines */
    int64_t nxt[8];
    uint16_t coap_mid;
    uint64_t dtls_seq;
    int infected;
    uint64_t pkts, recs;   /* frames from or to it; truth rows it opened (--stats) */
} host;

typedef struct remote {
    const char *name;
    uint8_t ip[4];
} remote;

enum stype { S_SYN, S_SYNACK, S_ACK3, S_DATA, S_ACK, S_FIN, S_RST, S_UDP, S_ICMP, S_IGMP,
             S_ARP };
/* payload kinds */
enum ptype { P_NONE, P_CH, P_SH, P_TLSAPP, P_HTTPGET, P_HTTPRESP, P_DNSQ, P_DNSA, P_NTPQ,
             P_NTPA, P_COAP_CON, P_COAP_ACK, P_DTLS, P_MQTT_CONN, P_MQTT_CONNACK, P_MQTT_PUB,
             P_MQTT_PING, P_MQTT_PONG, P_SSDP_NOTIFY, P_SSDP_MSEARCH, P_SSDP_REPLY, P_MDNS,
             P_MDNS_Q, P_DHCP, P_HEARTBEAT, P_HEARTBEAT_R, P_NBSS_REQ, P_NBSS_POS, P_SMB_WREQ,
             P_SMB_WRESP, P_TELNET_NEG, P_TELNET, P_C2, P_UDPFLOOD, P_ECHO, P_HTMLRESP, P_IGMP,
             P_COAP_TELEM };

typedef struct step {
    uint8_t type, dir, ptype, flags;
    uint32_t bulk; /* bytes after the literal head (random or TLS-framed) */
    uint32_t aux;  /* per-payload parameter */
    int64_t gap;   /* delay before this step */
    const char *text;
} step;

typedef struct ep {
    const uint8_t *mac;
    uint8_t ip[16];
    uint16_t port;
    uint8_t ttl;
    uint16_t *ipid;
    uint16_t ipid_own;
    uint32_t seq;
    uint16_t win;
} ep;

typedef struct conv conv;
typedef int (*refill_fn)(gen *g, conv *c);
struct conv {
    ev e;
    uint8_t proto, ipver, label, need_ack, bulk_tls;
    ep side[2]; /* 0 = client (initiator), 1 = server */
    host *dev;
    const char *host_name;
    step st[MAX_STEP];
    int nst, cur, segs;
    uint32_t off, total, hdr_len;
    uint64_t bulk_pos; /* where this conversation's next bulk bytes start in the bulk stream */
    int64_t half_rtt, seg_gap;
    refill_fn refill;
    host *inv[2];          /* inventoried device at each side (looked up at the first packet) */
    int64_t rec_until[2];  /* end of that device's current truth record for this key */
    uint8_t inv_done;
    int64_t until;
    uint64_t aux64;
    uint32_t aux;
    conv *next_free;
    uint8_t hdr[HDR_MAX];
};

/* ---- truth bookkeeping (extract's record rule) -------------------------------------- */
/* A record key in 16 bytes: the device (two can share an address: DHCP DISCOVERs all come
 * from 0.0.0.0), IPv4 addresses as they are, IPv6 ones (a few link-local and multicast
 * addresses) by their index + 1 in gen.v6, so that the table stays small. */
#define MAX_V6 256
typedef struct tkey {
    uint32_t dev, rem;
    uint16_t dport, rport;
    uint8_t ipver, proto, dev_idx, pad;
} tkey;

typedef struct tent {
    tkey k;
    int64_t start; /* window start µs; 0 = empty slot */
} tent;

typedef struct trow {
    int64_t first;
    uint8_t mac[6];
    uint8_t proto, label;
    uint16_t dport, rport;
    char rem[46];
} trow;

typedef struct evrow {
    int64_t start, end;
    char kind[32];
    char devices[96];
    char details[160];
} evrow;

typedef struct attack {
    int active, label;
    const char *kind;
    int64_t from, to, first, last;
    double quota; /* share of the projected attack records */
    uint64_t made;
    ev tick;
    uint16_t sport;
    int cursor;
    int evrow; /* index into events, -1 before first unit */
} attack;

struct gen {
    const iof_synth_config *cfg;
    const profile *prof;
    char *errbuf;
    size_t errlen;
    int err;
    iof__rng rng;
    int64_t t0, tend, now;
    double scale;
    uint64_t order;
    /* heap */
    hslot *heap;
    size_t nheap, capheap;
    ev *firing;         /* the event being fired: it stays at heap[0] meanwhile */
    int refired;        /* it rescheduled itself, to refire_at */
    hslot refire_at;
    /* conversations */
    conv *free_convs;
    size_t nconvs;
    /* network */
    host dev[MAX_DEV + 1];
    int ndev; /* IoT devices; dev[ndev] is the NAS */
    host *nas;
    uint8_t router_mac[6], router_ip[4], phone_mac[6], phone_ip[4], atk_mac[6], atk_ip[4];
    uint64_t inv[256]; /* open-addressing map of inventoried MACs (packed + 1) ... */
    uint8_t inv_dev[256]; /* ... to their index in dev[] */
    remote hosts[MAX_HOSTS];
    int nhosts;
    uint64_t bulk_key; /* keys the endless stream of bulk payload bytes (bulk_bytes) */
    /* output */
    FILE *fpcap, *fsens, *fev, *ftruth;
    iof__pcapw *pw;
    uint8_t frame[IOF_PKT_MAX_FRAME];
    uint64_t packets, bytes;
    /* truth */
    tent *tab;
    size_t tcap, tused;
    uint8_t v6[MAX_V6][16];
    int nv6;
    int64_t next_purge;
    trow *grp;
    size_t ngrp, capgrp;
    uint64_t rows, rows_atk, rows_lbl[4];
    /* events */
    evrow *evs;
    size_t nevs, capevs;
    /* attacks */
    attack atk[8];
    int natk;
    host *infected[2];
    int ninfected;
    conv *c2[2];
    ev sensor_tick;
    uint64_t sensor_rows;
    int motion_stream_active;
    int64_t pending_t;
    uint64_t pending;
    int64_t stream_until;
};

/* ---- small utilities ------------------------------------------------------------------ */
static int64_t jitter(iof__rng *r, int64_t base, double frac)
{
    double j = (iof__rng_unit(r) * 2 - 1) * frac;
    int64_t v = (int64_t)((double)base * (1 + j));
    return v < 1 ? 1 : v;
}

static int64_t expo(iof__rng *r, double mean_us)
{
    double u = iof__rng_unit(r);
    double v = -log(1 - u) * mean_us;
    return v < 1 ? 1 : (int64_t)v;
}

/* Lognormal-ish heavy tail: most values small, a few large. */
static uint32_t heavy(iof__rng *r, double median, double sigma, uint32_t cap)
{
    double u1 = iof__rng_unit(r) + 1e-12, u2 = iof__rng_unit(r);
    double z = sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
    double v = median * exp(sigma * z);
    if (v < 1)
        v = 1;
    return v > cap ? cap : (uint32_t)v;
}

static uint64_t mac_key(const uint8_t *m)
{
    return ((uint64_t)m[0] << 40 | (uint64_t)m[1] << 32 | (uint64_t)m[2] << 24 |
            (uint64_t)m[3] << 16 | (uint64_t)m[4] << 8 | m[5]) + 1;
}

static void inv_add(gen *g, const host *h)
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

/* ---- heap --------------------------------------------------------------------------- */
static int ev_less(const hslot *a, const hslot *b)
{
    return a->t < b->t || (a->t == b->t && a->order < b->order);
}

/* Moves x down from the root over the first n slots (a pop, or the root's new key). */
static void sift_down(gen *g, hslot x, size_t n)
{
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, m = l;
        if (l >= n)
            break;
        if (l + 1 < n && ev_less(&g->heap[l + 1], &g->heap[l]))
            m = l + 1;
        if (!ev_less(&g->heap[m], &x))
            break;
        g->heap[i] = g->heap[m];
        i = m;
    }
    g->heap[i] = x;
}

/* Schedules e at t (not before now). The firing event rescheduling itself only records its
 * new key: run_events() then sifts it down from the root instead of a pop and a push (most
 * events are conversation steps a few µs ahead, which stay near the root). Every key is
 * (t, creation order), unique, so the firing sequence is the same either way. */
static void push(gen *g, ev *e, int64_t t)
{
    if (t < g->now)
        t = g->now;
    e->t = t;
    e->order = g->order++;
    hslot x = {t, e->order, e};
    if (e == g->firing && !g->refired) {
        g->refired = 1;
        g->refire_at = x;
        return;
    }
    if (g->nheap == g->capheap) {
        size_t nc = g->capheap ? g->capheap * 2 : 1024;
        hslot *nh = realloc(g->heap, nc * sizeof *nh);
        if (!nh) {
            g->err = IOF_E_NOMEM;
            return;
        }
        g->heap = nh;
        g->capheap = nc;
    }
    size_t i = g->nheap++;
    while (i) {
        size_t p = (i - 1) / 2;
        if (!ev_less(&x, &g->heap[p]))
            break;
        g->heap[i] = g->heap[p];
        i = p;
    }
    g->heap[i] = x;
}

/* Fires the events in (time, order) until the end of the capture or an error. */
static void run_events(gen *g)
{
    while (g->nheap && !g->err && g->heap[0].t < g->tend) {
        ev *e = g->heap[0].e;
        g->now = g->heap[0].t;
        g->firing = e;
        g->refired = 0;
        e->fire(g, e);
        g->firing = NULL;
        if (g->refired) {
            sift_down(g, g->refire_at, g->nheap);
        } else {
            g->nheap--;
            if (g->nheap)
                sift_down(g, g->heap[g->nheap], g->nheap);
        }
    }
}

/* ---- truth ---------------------------------------------------------------------------- */
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

/* Writes the rows of one first_seen instant, sorted (a truth.csv line, hand-formatted: there
 * is one per record and printf would dominate the small profile's run time). */
static void flush_rows(gen *g)
{
    if (!g->ngrp)
        return;
    qsort(g->grp, g->ngrp, sizeof *g->grp, row_cmp);
    for (size_t i = 0; i < g->ngrp; i++) {
        const trow *r = &g->grp[i];
        char line[160], *p = line;
        for (int k = 0; k < 6; k++) {
            *p++ = "0123456789abcdef"[r->mac[k] >> 4];
            *p++ = "0123456789abcdef"[r->mac[k] & 15];
            *p++ = k < 5 ? ':' : ',';
        }
        p = iof__put_dec(p, (uint64_t)r->first);
        *p++ = ',';
        p = iof__put_str(p, r->rem);
        *p++ = ',';
        p = iof__put_dec(p, r->proto);
        *p++ = ',';
        p = iof__put_dec(p, r->dport);
        *p++ = ',';
        p = iof__put_dec(p, r->rport);
        *p++ = ',';
        p = iof__put_str(p, lbl_name[r->label]);
        *p++ = '\n';
        fwrite(line, 1, (size_t)(p - line), g->ftruth);
    }
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
static void truth_account(gen *g, conv *c, int dir)
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

/* ---- packet output -------------------------------------------------------------------- */
static void write_frame(gen *g, int64_t t, size_t n)
{
    if (!n) {
        g->err = IOF_E_INVAL;
        return;
    }
    int rc = iof__pcapw_write(g->pw, 0, t * 1000, g->frame, (uint32_t)n, (uint32_t)n);
    if (rc < 0) {
        g->err = rc;
        return;
    }
    g->packets++;
    g->bytes += 16 + n;
}

static void emit_arp(gen *g, int64_t t, const uint8_t *eth_dst, uint16_t op, const uint8_t *sha,
                     const uint8_t *spa, const uint8_t *tha, const uint8_t *tpa)
{
    write_frame(g, t, iof__pkt_build_arp(g->frame, sizeof g->frame, eth_dst, op, sha, spa, tha,
                                         tpa));
    host *a = inv_find(g, sha), *b = inv_find(g, eth_dst); /* counted, but not records */
    if (a)
        a->pkts++;
    if (b)
        b->pkts++;
}

/* ---- events.csv ------------------------------------------------------------------------ */
static int add_event(gen *g, int64_t start, int64_t end, const char *kind, const char *devs,
                     const char *details)
{
    if (g->nevs == g->capevs) {
        size_t nc = g->capevs ? g->capevs * 2 : 64;
        evrow *n = realloc(g->evs, nc * sizeof *n);
        if (!n) {
            g->err = IOF_E_NOMEM;
            return -1;
        }
        g->evs = n;
        g->capevs = nc;
    }
    evrow *e = &g->evs[g->nevs];
    e->start = start;
    e->end = end;
    snprintf(e->kind, sizeof e->kind, "%s", kind);
    snprintf(e->devices, sizeof e->devices, "%s", devs);
    snprintf(e->details, sizeof e->details, "%s", details);
    return (int)g->nevs++;
}

/* ---- conversations -------------------------------------------------------------------- */
static void conv_fire(gen *g, ev *e);

static conv *conv_new(gen *g, host *dev, int label, uint8_t proto, int ipver)
{
    conv *c = g->free_convs;
    if (c) {
        g->free_convs = c->next_free;
    } else {
        if (g->nconvs >= MAX_CONVS) {
            g->err = IOF_E_LIMIT;
            return NULL;
        }
        c = malloc(sizeof *c);
        if (!c) {
            g->err = IOF_E_NOMEM;
            return NULL;
        }
        g->nconvs++;
    }
    memset(c, 0, offsetof(conv, hdr));
    c->e.fire = conv_fire;
    c->dev = dev;
    c->label = (uint8_t)label;
    c->proto = proto;
    c->ipver = (uint8_t)ipver;
    c->half_rtt = 300;
    c->seg_gap = 40;
    c->bulk_pos = iof__rng_next(&g->rng);
    return c;
}

static void conv_free(gen *g, conv *c)
{
    c->next_free = g->free_convs;
    g->free_convs = c;
}

static void ep_host(ep *e, host *h, uint16_t port, int ipver)
{
    e->mac = h->mac;
    if (ipver == 4)
        memcpy(e->ip, h->ip, 4);
    else
        memcpy(e->ip, h->ip6, 16);
    e->port = port;
    e->ttl = h->ttl;
    e->ipid = &h->ipid;
    e->win = 64240;
}

static void ep_raw(gen *g, ep *e, const uint8_t *mac, const uint8_t *ip, uint16_t port,
                   uint8_t ttl)
{
    e->mac = mac;
    memcpy(e->ip, ip, 4);
    e->port = port;
    e->ttl = ttl;
    e->ipid_own = (uint16_t)iof__rng_next(&g->rng);
    e->ipid = &e->ipid_own;
    e->win = 65535;
}

static uint16_t eph_port(host *h)
{
    uint16_t p = h->eph++;
    if (h->eph < 32768 || h->eph > 60999)
        h->eph = 32768;
    return p;
}

static void add_step(conv *c, int type, int dir, int ptype, uint32_t bulk, int64_t gap)
{
    if (c->nst >= MAX_STEP)
        return;
    step *s = &c->st[c->nst++];
    s->type = (uint8_t)type;
    s->dir = (uint8_t)dir;
    s->ptype = (uint8_t)ptype;
    s->bulk = bulk;
    s->gap = gap;
    s->aux = 0;
    s->flags = 0;
    s->text = NULL;
}

static void tcp_open(conv *c, int64_t rtt)
{
    c->half_rtt = rtt / 2 > 0 ? rtt / 2 : 1;
    add_step(c, S_SYN, 0, P_NONE, 0, 0);
    add_step(c, S_SYNACK, 1, P_NONE, 0, c->half_rtt);
    add_step(c, S_ACK3, 0, P_NONE, 0, c->half_rtt);
}

static void tcp_close(conv *c, int64_t gap)
{
    add_step(c, S_FIN, 0, P_NONE, 0, gap);
    add_step(c, S_FIN, 1, P_NONE, 0, c->half_rtt);
    add_step(c, S_ACK, 0, P_NONE, 0, c->half_rtt);
}

static void start(gen *g, conv *c, int64_t t)
{
    if (c)
        push(g, &c->e, t);
}

/* Builds the literal head of a message into c->hdr; returns its length. */
static uint32_t build_head(gen *g, conv *c, step *s)
{
    uint8_t *b = c->hdr;
    host *d = c->dev;
    char txt[256];
    iof__rng *r = &g->rng;
    switch (s->ptype) {
    case P_CH: return (uint32_t)iof__tls_client_hello(b, c->host_name, r);
    case P_SH: return (uint32_t)iof__tls_server_hello(b, r);
    case P_HTTPGET:
        return (uint32_t)iof__http_get(b, c->host_name, s->text ? s->text : "/",
                                       d && d->type == T_VOICE ? "Dalvik/2.1.0 (Linux; Android)"
                                                               : "Mozilla/5.0 (IoT)");
    case P_HTTPRESP:
        if (s->aux == 204)
            return (uint32_t)iof__http_response_head(b, 204, "No Content", 0, "text/plain");
        return (uint32_t)iof__http_response_head(b, 200, "OK", s->bulk,
                                                 "application/octet-stream");
    case P_HTMLRESP: {
        static const char body[] = "<html><body>OK</body></html>\n";
        size_t n = iof__http_response_head(b, 200, "OK", sizeof body - 1, "text/html");
        memcpy(b + n, body, sizeof body - 1);
        return (uint32_t)(n + sizeof body - 1);
    }
    case P_DNSQ: return (uint32_t)iof__dns_query(b, (uint16_t)s->aux, c->host_name, 1, 0);
    case P_DNSA: {
        uint8_t ips[8];
        memcpy(ips, g->hosts[s->aux >> 16].ip, 4);
        memcpy(ips + 4, g->hosts[s->aux >> 16].ip, 4);
        ips[7] = (uint8_t)(ips[7] + 1);
        return (uint32_t)iof__dns_answer(b, (uint16_t)s->aux, c->host_name, 1, ips, 2, 300);
    }
    case P_NTPQ: return (uint32_t)iof__ntp(b, 0, g->now, 0);
    case P_NTPA: return (uint32_t)iof__ntp(b, 1, g->now, g->now - 2 * c->half_rtt);
    case P_COAP_CON:
        snprintf(txt, sizeof txt, "{\"motion\":%d,\"ts\":%lld}", d ? d->motion : 0,
                 (long long)(g->now / SEC));
        return (uint32_t)iof__coap(b, 0, 2, (uint16_t)s->aux, s->aux * 2654435761u, "motion", txt);
    case P_COAP_TELEM: { /* hand-formatted: one per report, and the small profile sends many */
        char *p = txt;
        if (d->type == T_PLUG) {
            p = iof__put_fixed(iof__put_str(p, "{\"power\":"), d->power, 1);
            p = iof__put_int(iof__put_str(p, ",\"on\":"), d->appliance);
        } else if (d->type == T_MOTION) {
            p = iof__put_int(iof__put_str(p, "{\"motion\":"), d->motion);
            p = iof__put_fixed(iof__put_str(p, ",\"temperature\":"), d->temp, 2);
        } else {
            p = iof__put_fixed(iof__put_str(p, "{\"temperature\":"), d->temp, 2);
            p = iof__put_fixed(iof__put_str(p, ",\"humidity\":"), d->hum, 1);
        }
        *p++ = '}';
        *p = 0;
        return (uint32_t)iof__coap(b, 0, 2, (uint16_t)s->aux, s->aux * 2654435761u, "telemetry",
                                   txt);
    }
    case P_COAP_ACK: return (uint32_t)iof__coap(b, 2, 0x44, (uint16_t)s->aux, s->aux * 2654435761u,
                                                NULL, NULL);
    case P_DTLS: return (uint32_t)iof__dtls_appdata(b, 1, c->aux64++, s->aux, r);
    case P_MQTT_CONN: return (uint32_t)iof__mqtt_connect(b, d ? d->name : "client", 60);
    case P_MQTT_CONNACK: return (uint32_t)iof__mqtt_connack(b);
    case P_MQTT_PUB: { /* hand-formatted (see put_fixed): long-lived sessions publish often */
        char *p = txt, topic[64];
        if (d && d->type == T_PLUG) {
            p = iof__put_fixed(iof__put_str(p, "{\"power\":"), d->power, 1);
            p = iof__put_int(iof__put_str(p, ",\"on\":"), d->appliance);
            p = iof__put_int(iof__put_str(p, ",\"ts\":"), g->now / SEC);
        } else if (d) {
            p = iof__put_fixed(iof__put_str(p, "{\"temperature\":"), d->temp, 2);
            p = iof__put_fixed(iof__put_str(p, ",\"humidity\":"), d->hum, 1);
            p = iof__put_fixed(iof__put_str(p, ",\"setpoint\":"), d->setpoint, 1);
            p = iof__put_int(iof__put_str(p, ",\"alert\":"), d->alert);
        } else {
            *p++ = '{';
        }
        *p++ = '}';
        *p = 0;
        *iof__put_str(iof__put_str(iof__put_str(topic, "home/"), d ? d->name : "x"), "/state") = 0;
        return (uint32_t)iof__mqtt_publish(b, topic, txt);
    }
    case P_MQTT_PING: return (uint32_t)iof__mqtt_ping(b, 0);
    case P_MQTT_PONG: return (uint32_t)iof__mqtt_ping(b, 1);
    case P_SSDP_NOTIFY:
        snprintf(txt, sizeof txt, "4d696e69-5550-6e50-%04x-%02x%02x%02x%02x%02x%02x",
                 d ? d->idx : 0, c->side[0].mac[0], c->side[0].mac[1], c->side[0].mac[2],
                 c->side[0].mac[3], c->side[0].mac[4], c->side[0].mac[5]);
        return (uint32_t)iof__ssdp_notify(b, txt, c->side[0].ip);
    case P_SSDP_MSEARCH: return (uint32_t)iof__ssdp_msearch(b);
    case P_MDNS:
        if (!d)
            return 0;
        snprintf(txt, sizeof txt, "%s.local", d->name);
        return (uint32_t)iof__mdns_announce(
            b, d->type == T_GATEWAY ? "_coap._udp.local" : "_googlecast._tcp.local", d->name,
            txt, d->ip);
    case P_MDNS_Q:
        return (uint32_t)iof__dns_query(b, 0, d && d->type == T_VOICE ? "_googlecast._tcp.local"
                                                                      : "_hap._tcp.local",
                                        12, 1);
    case P_DHCP: {
        /* aux: msgtype | renew<<8 */
        int mt = (int)(s->aux & 0xff), renew = (int)(s->aux >> 8);
        return (uint32_t)iof__dhcp(b, mt, (uint32_t)c->aux64, d->mac, renew ? d->ip : NULL,
                                   d->ip, g->router_ip, d->name);
    }
    case P_HEARTBEAT:
    case P_HEARTBEAT_R: {
        /* Edimax-style heartbeat: fixed ASCII tag + counter */
        int n = snprintf((char *)b, HDR_MAX, "%s %08x %s", s->ptype == P_HEARTBEAT ? "HB" : "HB-ACK",
                         (unsigned)(g->now / SEC), d ? d->name : "");
        return (uint32_t)n;
    }
    case P_NBSS_REQ: return (uint32_t)iof__nbss_request(b, "NAS", d ? d->name : "CAM");
    case P_NBSS_POS: return (uint32_t)iof__nbss_positive(b);
    case P_SMB_WREQ:
        return (uint32_t)iof__smb2_write_req_head(b, c->aux64, 0x0000040000000011ull, 5, s->bulk,
                                                  (uint64_t)c->aux * 65536u);
    case P_SMB_WRESP: {
        uint32_t n = (uint32_t)iof__smb2_write_resp(b, c->aux64, 0x0000040000000011ull, 5, s->aux);
        c->aux64++;
        c->aux++;
        return n;
    }
    case P_TELNET_NEG: return (uint32_t)iof__telnet_negotiate(b);
    case P_TELNET: return (uint32_t)iof__telnet_text(b, s->text ? s->text : "\r\n");
    case P_C2: b[0] = 0; b[1] = 0; return 2;
    case P_UDPFLOOD: b[0] = 0; return 1; /* version bits 0: no RTP/RTCP heuristic match */
    case P_IGMP: return (uint32_t)iof__igmp_report(b, c->side[1].ip);
    case P_ECHO: {
        for (int i = 0; i < 48; i++)
            b[i] = (uint8_t)(0x10 + i);
        return 48;
    }
    default: return 0;
    }
}

/* Bulk payload (encrypted or compressed content) is bytes [pos, pos + n) of an endless keyed
 * stream: SplitMix64 of (key, pos / 8). No two conversations or messages share bulk bytes, as
 * in real traffic, where encrypted and compressed payloads never repeat (a repeating pool would
 * hand every long-window compressor an advantage that no real capture gives). */
static void bulk_bytes(const gen *g, uint64_t pos, uint8_t *dst, uint32_t n)
{
    while (n) {
        uint64_t z = g->bulk_key ^ (pos >> 3);
        z += 0x9E3779B97F4A7C15ull;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        unsigned in = (unsigned)(pos & 7), k = 8 - in < n ? 8 - in : n;
        for (unsigned j = 0; j < k; j++)
            dst[j] = (uint8_t)(z >> (8 * (in + j)));
        dst += k;
        pos += k;
        n -= k;
    }
}

/* Copies bulk bytes [boff, boff+n) of the current message, TLS-framed if asked. */
static void copy_bulk(gen *g, conv *c, uint32_t L, uint32_t boff, uint8_t *dst, uint32_t n)
{
    if (!c->bulk_tls) {
        bulk_bytes(g, c->bulk_pos + boff, dst, n);
        return;
    }
    while (n) {
        uint32_t rec = boff / 16389u, in = boff % 16389u;
        uint32_t rlen = L - rec * 16389u - 5;
        if (rlen > 16384)
            rlen = 16384;
        if (in < 5) {
            uint8_t h[5] = {0x17, 3, 3, (uint8_t)(rlen >> 8), (uint8_t)rlen};
            uint32_t k = 5 - in < n ? 5 - in : n;
            memcpy(dst, h + in, k);
            dst += k;
            boff += k;
            n -= k;
        } else {
            uint32_t left = 5 + rlen - in, k = left < n ? left : n;
            bulk_bytes(g, c->bulk_pos + boff, dst, k);
            dst += k;
            boff += k;
            n -= k;
        }
    }
}

/* TLS-framed bulk lengths must not leave a record with an empty body. */
static uint32_t tls_len(uint32_t L)
{
    if (L < 6)
        L = 6;
    uint32_t r = L % 16389u;
    if (r && r < 6)
        L += 6;
    return L;
}

static void conv_emit(gen *g, conv *c, int dir, uint8_t flags, const uint8_t *pl, size_t plen,
                      uint8_t icmp_type)
{
    ep *a = &c->side[dir], *b = &c->side[!dir];
    iof_pktspec s = {0};
    s.src_mac = a->mac;
    s.dst_mac = b->mac;
    s.ipver = c->ipver;
    s.src_ip = a->ip;
    s.dst_ip = b->ip;
    s.ttl = a->ttl;
    s.ip_id = (*a->ipid)++;
    s.proto = c->proto;
    s.sport = a->port;
    s.dport = b->port;
    s.tcp_flags = flags;
    s.seq = a->seq;
    s.ack = (flags & IOF_TCP_ACK) ? b->seq : 0;
    s.win = a->win;
    s.icmp_type = icmp_type;
    s.payload = pl;
    s.payload_len = plen;
    if (c->proto == 1 || c->proto == 58) {
        s.sport = (uint16_t)c->aux;
        s.dport = (uint16_t)(c->aux >> 16);
    }
    write_frame(g, g->now, iof__pkt_build(g->frame, sizeof g->frame, &s));
    truth_account(g, c, dir);
}

static void conv_fire(gen *g, ev *e)
{
    conv *c = (conv *)e;
    if (c->cur >= c->nst) {
        c->nst = c->cur = 0;
        if (!c->refill || !c->refill(g, c) || c->nst == 0) {
            conv_free(g, c);
            return;
        }
        push(g, &c->e, g->now + c->st[0].gap);
        return;
    }
    step *s = &c->st[c->cur];
    ep *a = &c->side[s->dir], *b = &c->side[!s->dir];
    uint8_t pl[MSS];
    int advance = 1;
    switch (s->type) {
    case S_SYN:
        conv_emit(g, c, s->dir, IOF_TCP_SYN, NULL, 0, 0);
        a->seq++;
        break;
    case S_SYNACK:
        conv_emit(g, c, s->dir, IOF_TCP_SYN | IOF_TCP_ACK, NULL, 0, 0);
        a->seq++;
        break;
    case S_ACK3:
    case S_ACK: conv_emit(g, c, s->dir, IOF_TCP_ACK, NULL, 0, 0); break;
    case S_FIN:
        conv_emit(g, c, s->dir, IOF_TCP_FIN | IOF_TCP_ACK, NULL, 0, 0);
        a->seq++;
        break;
    case S_RST:
        conv_emit(g, c, s->dir, s->flags ? s->flags : IOF_TCP_RST, NULL, 0, 0);
        break;
    case S_DATA:
        if (c->need_ack) {
            conv_emit(g, c, !s->dir, IOF_TCP_ACK, NULL, 0, 0);
            c->need_ack = 0;
            if (c->off < c->total) {
                advance = 0;
                push(g, &c->e, g->now + c->seg_gap);
                return;
            }
            break;
        }
        if (c->off == 0) {
            c->hdr_len = build_head(g, c, s);
            c->bulk_tls = s->ptype == P_TLSAPP || s->ptype == P_SH;
            if (c->bulk_tls)
                s->bulk = tls_len(s->bulk);
            c->total = c->hdr_len + s->bulk;
            c->segs = 0;
            if (!c->total) {
                c->total = 1;
                c->hdr[0] = 0;
                c->hdr_len = 1;
            }
        }
        {
            uint32_t n = c->total - c->off < MSS ? c->total - c->off : MSS;
            uint32_t h = 0;
            if (c->off < c->hdr_len) {
                h = c->hdr_len - c->off < n ? c->hdr_len - c->off : n;
                memcpy(pl, c->hdr + c->off, h);
            }
            if (h < n)
                copy_bulk(g, c, s->bulk, c->off + h - c->hdr_len, pl + h, n - h);
            c->off += n;
            int last = c->off >= c->total;
            if (last) /* the next message continues the conversation's bulk stream */
                c->bulk_pos += s->bulk;
            conv_emit(g, c, s->dir, (uint8_t)(IOF_TCP_ACK | (last ? IOF_TCP_PSH : 0)), pl, n, 0);
            a->seq += n;
            c->segs++;
            if (last || (c->segs & 1) == 0) {
                c->need_ack = 1;
                push(g, &c->e, g->now + c->half_rtt);
            } else {
                push(g, &c->e, g->now + c->seg_gap);
            }
            return;
        }
    case S_UDP:
    case S_ICMP:
    case S_IGMP: {
        uint32_t n = build_head(g, c, s);
        if (s->bulk) {
            c->bulk_tls = 0;
            uint32_t k = s->bulk < MSS - n ? s->bulk : MSS - n;
            copy_bulk(g, c, k, 0, c->hdr + n, k);
            n += k;
            c->bulk_pos += k;
        }
        conv_emit(g, c, s->dir, 0, c->hdr, n, s->type == S_ICMP ? (uint8_t)s->aux : 0);
        break;
    }
    case S_ARP: {
        static const uint8_t bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, z[6] = {0};
        if (s->dir == 0)
            emit_arp(g, g->now, bc, 1, a->mac, a->ip, z, b->ip);
        else
            emit_arp(g, g->now, b->mac, 2, a->mac, a->ip, b->mac, b->ip);
        break;
    }
    }
    (void)b;
    if (advance) {
        c->off = 0;
        c->cur++;
        int64_t gap = c->cur < c->nst ? c->st[c->cur].gap : 0;
        push(g, &c->e, g->now + gap);
    }
}

/* ---- remotes, DNS ------------------------------------------------------------------- */
static const char *const host_names[] = {
    "fw.ota.homesmart.ikea.net", "api.homesmart.ikea.net", "www.myedimax.com", "google.com",
    "www.google.com", "clients4.google.com", "play.googleapis.com", "mtalk.google.com",
    "connectivitycheck.gstatic.com", "time.google.com", "frontdoor.nest.com",
    "transport.home.nest.com", "mqtt.plugcloud.net", "pool.ntp.org", "heartbeat.myedimax.com",
    "lwm2m.iotcloud.net"};
enum { H_IKEA_FW, H_IKEA_API, H_EDIMAX, H_GOOGLE, H_WWWGOOGLE, H_CLIENTS4, H_PLAY, H_MTALK,
       H_CONNCHECK, H_TIMEGOOGLE, H_NEST_FD, H_NEST_TR, H_MQTTPLUG, H_NTPPOOL, H_EDI_HB,
       H_TELEMETRY };
static const uint8_t cloud_octets[] = {34, 35, 52, 54, 104, 142, 151, 203};

static int is_cloud_octet(uint8_t o)
{
    for (size_t i = 0; i < sizeof cloud_octets; i++)
        if (cloud_octets[i] == o)
            return 1;
    return 0;
}

/* A random public IPv4 address outside the benign cloud prefixes and reserved ranges. */
static void random_public(iof__rng *r, uint8_t ip[4])
{
    for (;;) {
        uint32_t v = (uint32_t)iof__rng_next(r);
        ip[0] = (uint8_t)(v >> 24);
        ip[1] = (uint8_t)(v >> 16);
        ip[2] = (uint8_t)(v >> 8);
        ip[3] = (uint8_t)v;
        if (ip[0] == 0 || ip[0] == 10 || ip[0] == 127 || ip[0] >= 224 || is_cloud_octet(ip[0]) ||
            (ip[0] == 172 && (ip[1] & 0xf0) == 16) || (ip[0] == 192 && ip[1] == 168) ||
            (ip[0] == 169 && ip[1] == 254) || (ip[0] == 100 && (ip[1] & 0xc0) == 64) ||
            ip[3] == 0 || ip[3] == 255)
            continue;
        return;
    }
}

static int64_t lan_rtt(gen *g) { return 200 + (int64_t)iof__rng_below(&g->rng, 800); }
static int64_t wan_rtt(gen *g) { return 15 * MS + (int64_t)iof__rng_below(&g->rng, 60 * MS); }

/* A conversation from device d to a cloud host (through the router). */
static conv *conv_cloud(gen *g, host *d, int hid, uint8_t proto, uint16_t dport, int label)
{
    conv *c = conv_new(g, d, label, proto, 4);
    if (!c)
        return NULL;
    ep_host(&c->side[0], d, proto == 6 || proto == 17 ? eph_port(d) : 0, 4);
    ep_raw(g, &c->side[1], g->router_mac, g->hosts[hid].ip, dport,
           (uint8_t)(44 + iof__rng_below(&g->rng, 12)));
    c->side[0].seq = (uint32_t)iof__rng_next(&g->rng);
    c->side[1].seq = (uint32_t)iof__rng_next(&g->rng);
    c->host_name = g->hosts[hid].name;
    return c;
}

/* A conversation between two LAN hosts given by MAC/IP. */
static conv *conv_lan(gen *g, host *d, const uint8_t *cmac, const uint8_t *cip, uint16_t cport,
                      uint8_t cttl, const uint8_t *smac, const uint8_t *sip, uint16_t sport,
                      uint8_t sttl, uint8_t proto, int label)
{
    conv *c = conv_new(g, d, label, proto, 4);
    if (!c)
        return NULL;
    ep_raw(g, &c->side[0], cmac, cip, cport, cttl);
    ep_raw(g, &c->side[1], smac, sip, sport, sttl);
    c->side[0].seq = (uint32_t)iof__rng_next(&g->rng);
    c->side[1].seq = (uint32_t)iof__rng_next(&g->rng);
    c->half_rtt = lan_rtt(g) / 2;
    return c;
}

static void use_host_ipid(conv *c, int side, host *h)
{
    c->side[side].ipid = &h->ipid;
    c->side[side].win = 64240;
}

/* DNS lookup through the router when d's cache entry for hid has expired; returns the delay
 * after which the real connection may start. */
static int64_t dns_lookup(gen *g, host *d, int hid)
{
    if (d->dns_exp[hid] > g->now)
        return 0;
    d->dns_exp[hid] = g->now + 60 * SEC; /* short TTLs of cloud names (CDN answers) */
    conv *c = conv_lan(g, d, d->mac, d->ip, eph_port(d), d->ttl, g->router_mac, g->router_ip, 53,
                       64, 17, LBL_BENIGN);
    if (!c)
        return 0;
    use_host_ipid(c, 0, d);
    c->host_name = g->hosts[hid].name;
    uint16_t id = (uint16_t)iof__rng_next(&g->rng);
    add_step(c, S_UDP, 0, P_DNSQ, 0, 0);
    c->st[0].aux = id;
    int64_t lat = 2 * MS + (int64_t)iof__rng_below(&g->rng, 30 * MS);
    add_step(c, S_UDP, 1, P_DNSA, 0, lat);
    c->st[1].aux = (uint32_t)hid << 16 | id;
    start(g, c, g->now);
    return lat + 500;
}

/* A complete TLS session: ClientHello, ServerHello + encrypted handshake, request/response
 * application data of heavy-tailed sizes, close. */
static void tls_session(gen *g, host *d, int hid, uint16_t port, uint32_t up, uint32_t down,
                        int64_t delay)
{
    conv *c = conv_cloud(g, d, hid, 6, port, LBL_BENIGN);
    if (!c)
        return;
    use_host_ipid(c, 0, d);
    tcp_open(c, wan_rtt(g));
    add_step(c, S_DATA, 0, P_CH, 0, 200);
    add_step(c, S_DATA, 1, P_SH, 2500 + (uint32_t)iof__rng_below(&g->rng, 2000), c->half_rtt);
    c->st[c->nst - 1].ptype = P_SH; /* head = ServerHello+CCS; bulk = encrypted handshake */
    add_step(c, S_DATA, 0, P_TLSAPP, 80, 300);
    add_step(c, S_DATA, 0, P_TLSAPP, up, 2 * MS);
    add_step(c, S_DATA, 1, P_TLSAPP, down, c->half_rtt + 5 * MS);
    tcp_close(c, 50 * MS + (int64_t)iof__rng_below(&g->rng, 2 * SEC));
    start(g, c, g->now + delay);
}

static void http_session(gen *g, host *d, int hid, const char *path, int code, uint32_t body,
                         int64_t delay)
{
    conv *c = conv_cloud(g, d, hid, 6, 80, LBL_BENIGN);
    if (!c)
        return;
    use_host_ipid(c, 0, d);
    tcp_open(c, wan_rtt(g));
    add_step(c, S_DATA, 0, P_HTTPGET, 0, 200);
    c->st[c->nst - 1].text = path;
    add_step(c, S_DATA, 1, P_HTTPRESP, code == 204 ? 0 : body, c->half_rtt + 3 * MS);
    c->st[c->nst - 1].aux = (uint32_t)code;
    tcp_close(c, 2 * MS);
    start(g, c, g->now + delay);
}

static void udp_exchange(gen *g, host *d, int hid, uint16_t sport, uint16_t dport, int pq,
                         int pa, int64_t delay)
{
    conv *c = conv_cloud(g, d, hid, 17, dport, LBL_BENIGN);
    if (!c)
        return;
    use_host_ipid(c, 0, d);
    if (sport)
        c->side[0].port = sport;
    c->half_rtt = wan_rtt(g) / 2;
    add_step(c, S_UDP, 0, pq, 0, 0);
    add_step(c, S_UDP, 1, pa, 0, 2 * c->half_rtt);
    start(g, c, g->now + delay);
}

static void multicast(gen *g, host *d, const uint8_t gmac[6], const uint8_t gip[4],
                      uint16_t sport, uint16_t dport, int ptype, uint8_t ttl)
{
    conv *c = conv_new(g, d, LBL_BENIGN, 17, 4);
    if (!c)
        return;
    ep_host(&c->side[0], d, sport, 4);
    c->side[0].ttl = ttl;
    ep_raw(g, &c->side[1], gmac, gip, dport, 1);
    add_step(c, S_UDP, 0, ptype, 0, 0);
    start(g, c, g->now);
}

static const uint8_t mdns_mac[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb};
static const uint8_t mdns_ip[4] = {224, 0, 0, 251};
static const uint8_t ssdp_mac[6] = {0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfa};
static const uint8_t ssdp_ip[4] = {239, 255, 255, 250};
static const uint8_t bcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t bcast_ip[4] = {255, 255, 255, 255};
static const uint8_t zero_ip[4] = {0, 0, 0, 0};

static void mdns6(gen *g, host *d)
{
    static const uint8_t m6mac[6] = {0x33, 0x33, 0, 0, 0, 0xfb};
    static const uint8_t m6ip[16] = {0xff, 0x02, [15] = 0xfb};
    conv *c = conv_new(g, d, LBL_BENIGN, 17, 6);
    if (!c)
        return;
    ep_host(&c->side[0], d, 5353, 6);
    c->side[0].ttl = 255;
    c->side[1].mac = m6mac;
    memcpy(c->side[1].ip, m6ip, 16);
    c->side[1].port = 5353;
    c->side[1].ipid = &c->side[1].ipid_own;
    add_step(c, S_UDP, 0, P_MDNS_Q, 0, 0);
    start(g, c, g->now);
}

static void igmp_report(gen *g, host *d, const uint8_t gmac[6], const uint8_t gip[4])
{
    conv *c = conv_new(g, d, LBL_BENIGN, 2, 4);
    if (!c)
        return;
    ep_host(&c->side[0], d, 0, 4);
    c->side[0].ttl = 1;
    ep_raw(g, &c->side[1], gmac, gip, 0, 1);
    add_step(c, S_IGMP, 0, P_IGMP, 0, 0);
    start(g, c, g->now);
}

static int smb_refill(gen *g, conv *c);
static int udpflood_refill(gen *g, conv *c);

/* ---- device behaviours ---------------------------------------------------------------- */
static int64_t per(gen *g, host *d, double sec, double jit)
{
    return jitter(&d->rng, (int64_t)(sec * SEC / g->scale), jit);
}

static void dhcp_exchange(gen *g, host *d, int full)
{
    conv *c;
    if (full) {
        c = conv_lan(g, d, d->mac, zero_ip, 68, 64, bcast_mac, bcast_ip, 67, 64, 17, LBL_BENIGN);
        if (!c)
            return;
        c->aux64 = (uint32_t)iof__rng_next(&g->rng);
        /* router answers to the broadcast address: no record for the answers (the
         * destination MAC is not a device's) */
        memcpy(c->side[1].ip, bcast_ip, 4);
        add_step(c, S_UDP, 0, P_DHCP, 0, 0);
        c->st[0].aux = 1;
        start(g, c, g->now);
        conv *o = conv_lan(g, d, g->router_mac, g->router_ip, 67, 64, bcast_mac, bcast_ip, 68, 64,
                           17, LBL_BENIGN);
        if (!o)
            return;
        o->aux64 = c->aux64;
        add_step(o, S_UDP, 0, P_DHCP, 0, 0);
        o->st[0].aux = 2;
        add_step(o, S_UDP, 0, P_DHCP, 0, 4 * MS);
        o->st[1].aux = 5;
        start(g, o, g->now + 2 * MS);
        conv *r = conv_lan(g, d, d->mac, zero_ip, 68, 64, bcast_mac, bcast_ip, 67, 64, 17,
                           LBL_BENIGN);
        if (!r)
            return;
        r->aux64 = c->aux64;
        add_step(r, S_UDP, 0, P_DHCP, 0, 0);
        r->st[0].aux = 3;
        start(g, r, g->now + 4 * MS);
        return;
    }
    /* renewal: unicast request and ack (RENEWING state) */
    c = conv_lan(g, d, d->mac, d->ip, 68, 64, g->router_mac, g->router_ip, 67, 64, 17, LBL_BENIGN);
    if (!c)
        return;
    use_host_ipid(c, 0, d);
    c->aux64 = (uint32_t)iof__rng_next(&g->rng);
    add_step(c, S_UDP, 0, P_DHCP, 0, 0);
    c->st[0].aux = 3 | 1u << 8;
    add_step(c, S_UDP, 1, P_DHCP, 0, 3 * MS);
    c->st[1].aux = 5 | 1u << 8;
    start(g, c, g->now);
}

static void smb_stream(gen *g, host *cam, int64_t dur, int64_t delay)
{
    host *nas = g->nas;
    if (!nas)
        return;
    /* NetBIOS 139 session request first (accepted, then closed), then SMB2 writes on 445 */
    conv *n = conv_lan(g, cam, cam->mac, cam->ip, eph_port(cam), cam->ttl, nas->mac, nas->ip, 139,
                       nas->ttl, 6, LBL_BENIGN);
    if (!n)
        return;
    use_host_ipid(n, 0, cam);
    use_host_ipid(n, 1, nas);
    tcp_open(n, 2 * n->half_rtt);
    add_step(n, S_DATA, 0, P_NBSS_REQ, 0, 100);
    add_step(n, S_DATA, 1, P_NBSS_POS, 0, 400);
    tcp_close(n, 1 * MS);
    start(g, n, g->now + delay);
    conv *c = conv_lan(g, cam, cam->mac, cam->ip, eph_port(cam), cam->ttl, nas->mac, nas->ip, 445,
                       nas->ttl, 6, LBL_BENIGN);
    if (!c)
        return;
    use_host_ipid(c, 0, cam);
    use_host_ipid(c, 1, nas);
    c->aux64 = 1;
    tcp_open(c, 2 * c->half_rtt);
    c->until = g->now + delay + dur;
    c->seg_gap = 20; /* the writes go out at line rate; chunks are spaced by the bitrate */
    c->refill = smb_refill;
    start(g, c, g->now + delay + 10 * MS);
}

/* Refill for an SMB stream: one 64 KiB write per chunk interval until c->until. */
static int smb_refill(gen *g, conv *c)
{
    if (g->now >= c->until) {
        tcp_close(c, 5 * MS);
        c->refill = NULL;
        return 1;
    }
    uint32_t len = 32768 + (uint32_t)iof__rng_below(&g->rng, 32768);
    /* bitrate ~1.5 Mbit/s x scale */
    int64_t interval = (int64_t)((double)len * 8 / (1.5e6 * g->scale) * SEC);
    add_step(c, S_DATA, 0, P_SMB_WREQ, len, interval);
    add_step(c, S_DATA, 1, P_SMB_WRESP, 0, 300);
    c->st[1].aux = len;
    return 1;
}

/* Long-lived keepalive connections (MQTT, TLS 5228, C2): periodic small exchanges. */
static int mqtt_refill(gen *g, conv *c)
{
    host *d = c->dev;
    if (g->now >= g->tend)
        return 0;
    int64_t gap = jitter(&d->rng, (int64_t)(30 * SEC / g->scale), 0.1);
    if (iof__rng_below(&d->rng, 4) == 0) {
        add_step(c, S_DATA, 0, P_MQTT_PING, 0, gap);
        add_step(c, S_DATA, 1, P_MQTT_PONG, 0, c->half_rtt * 2);
    } else {
        add_step(c, S_DATA, 0, P_MQTT_PUB, 0, gap);
    }
    return 1;
}

static int tls_keepalive_refill(gen *g, conv *c)
{
    host *d = c->dev;
    if (g->now >= g->tend)
        return 0;
    int64_t gap = jitter(&d->rng, (int64_t)(45 * SEC / g->scale), 0.3);
    add_step(c, S_DATA, 0, P_TLSAPP, 24 + (uint32_t)iof__rng_below(&d->rng, 60), gap);
    add_step(c, S_DATA, 1, P_TLSAPP, heavy(&d->rng, 40, 1.2, 60000), c->half_rtt * 2);
    return 1;
}

static int c2_refill(gen *g, conv *c)
{
    if (g->now >= g->tend)
        return 0;
    add_step(c, S_DATA, 0, P_C2, 0, (int64_t)(60 * SEC / g->scale));
    return 1;
}

static conv *long_lived(gen *g, host *d, int hid, uint16_t port, int mqtt)
{
    conv *c = conv_cloud(g, d, hid, 6, port, LBL_BENIGN);
    if (!c)
        return NULL;
    use_host_ipid(c, 0, d);
    tcp_open(c, wan_rtt(g));
    if (mqtt) {
        add_step(c, S_DATA, 0, P_MQTT_CONN, 0, 200);
        add_step(c, S_DATA, 1, P_MQTT_CONNACK, 0, c->half_rtt);
        c->refill = mqtt_refill;
    } else {
        add_step(c, S_DATA, 0, P_CH, 0, 200);
        add_step(c, S_DATA, 1, P_SH, 3000 + (uint32_t)iof__rng_below(&g->rng, 1500), c->half_rtt);
        c->refill = tls_keepalive_refill;
    }
    return c;
}

static void coap_app_command(gen *g, host *gw)
{
    /* Phone app -> gateway CoAP over DTLS (UDP 5684); fixed length sequences per command */
    static const uint16_t seqs[3][4] = {{61, 45, 73, 0}, {77, 45, 45, 89}, {93, 61, 0, 0}};
    int cmd = (int)iof__rng_below(&gw->rng, 3);
    conv *c = conv_lan(g, gw, g->phone_mac, g->phone_ip, eph_port(gw), 64, gw->mac, gw->ip, 5684,
                       255, 17, LBL_BENIGN);
    if (!c)
        return;
    use_host_ipid(c, 1, gw);
    for (int i = 0; i < 4 && seqs[cmd][i]; i++) {
        add_step(c, S_UDP, i % 2, P_DTLS, 0, i ? 2 * MS + (int64_t)iof__rng_below(&gw->rng, 5 * MS) : 0);
        c->st[c->nst - 1].aux = seqs[cmd][i] - 13u;
    }
    start(g, c, g->now);
}

static void icmp_ping(gen *g, host *d, const uint8_t *dmac, const uint8_t *dip, int label,
                      uint8_t reply_ttl, int64_t rtt)
{
    conv *c = conv_lan(g, d, d->mac, d->ip, 0, d->ttl, dmac, dip, 0, reply_ttl, 1, label);
    if (!c)
        return;
    use_host_ipid(c, 0, d);
    c->aux = (uint32_t)(iof__rng_below(&g->rng, 65535) + 1) | 1u << 16;
    add_step(c, S_ICMP, 0, P_ECHO, 0, 0);
    c->st[0].aux = 8;
    add_step(c, S_ICMP, 1, P_ECHO, 0, rtt);
    c->st[1].aux = 0;
    start(g, c, g->now);
}

/* CoAP CON from d (ptype) answered by an ACK 2.04 after rtt; message id from d's counter. */
static void coap_con_ack(gen *g, conv *c, host *d, int ptype, int64_t rtt, int64_t delay)
{
    add_step(c, S_UDP, 0, ptype, 0, 0);
    c->st[0].aux = d->coap_mid;
    add_step(c, S_UDP, 1, P_COAP_ACK, 0, rtt);
    c->st[1].aux = d->coap_mid++;
    start(g, c, g->now + delay);
}

/* Motion sensor -> gateway CoAP POST /motion (UDP 5683 both sides). */
static void coap_motion(gen *g, host *d)
{
    host *gw = &g->dev[0];
    if (gw->type != T_GATEWAY)
        return;
    conv *c = conv_lan(g, d, d->mac, d->ip, 5683, d->ttl, gw->mac, gw->ip, 5683, gw->ttl, 17,
                       LBL_BENIGN);
    if (!c)
        return;
    use_host_ipid(c, 0, d);
    use_host_ipid(c, 1, gw);
    coap_con_ack(g, c, d, P_COAP_CON, 2 * MS, 0);
}

/* LwM2M-style telemetry (small profile): CoAP POST /telemetry of the device's readings to
 * the cloud collector's 5683 from a fresh ephemeral port (one short flow per report). */
static void coap_telemetry(gen *g, host *d)
{
    int64_t dl = dns_lookup(g, d, H_TELEMETRY);
    conv *c = conv_cloud(g, d, H_TELEMETRY, 17, 5683, LBL_BENIGN);
    if (!c)
        return;
    use_host_ipid(c, 0, d);
    c->half_rtt = wan_rtt(g) / 2;
    coap_con_ack(g, c, d, P_COAP_TELEM, 2 * c->half_rtt, dl);
}

/* When the profile's device timers are deadline-driven: the earliest pending deadline (a slot
 * a device type does not use stays in the past and is skipped). */
static int64_t next_deadline(const gen *g, const host *d)
{
    int64_t next = g->now + SEC;
    for (int i = 0; i < 8; i++)
        if (d->nxt[i] > g->now && d->nxt[i] < next)
            next = d->nxt[i];
    return next;
}

static void device_tick(gen *g, ev *e)
{
    host *d = (host *)e;
    /* behaviours check their own deadlines every second (every 1/scale s when scaled up) */
    int64_t tick = (int64_t)(SEC / (g->scale > 1 ? g->scale : 1));
    int64_t next = g->now + (tick < 10 * MS ? 10 * MS : tick);
    int64_t *nx = d->nxt;
    switch (d->type) {
    case T_GATEWAY:
        if (g->now >= nx[0]) { /* TLS webhook to the cloud */
            int64_t dl = dns_lookup(g, d, H_IKEA_API);
            tls_session(g, d, H_IKEA_API, 443, heavy(&d->rng, 300, 0.8, 20000),
                        heavy(&d->rng, 900, 1.0, 200000), dl);
            nx[0] = g->now + per(g, d, 60, 0.3);
        }
        if (g->now >= nx[1]) { /* firmware version check */
            int64_t dl = dns_lookup(g, d, H_IKEA_FW);
            http_session(g, d, H_IKEA_FW, "/version_info.json", 200,
                         600 + (uint32_t)iof__rng_below(&d->rng, 400), dl);
            nx[1] = g->now + per(g, d, 600, 0.2);
        }
        if (g->now >= nx[2]) {
            coap_app_command(g, d);
            nx[2] = g->now + expo(&d->rng, 40.0 * SEC / g->scale);
        }
        if (g->now >= nx[3]) {
            igmp_report(g, d, mdns_mac, mdns_ip);
            nx[3] = g->now + per(g, d, 125, 0.1);
        }
        if (g->now >= nx[4]) {
            multicast(g, d, mdns_mac, mdns_ip, 5353, 5353, P_MDNS, 255);
            nx[4] = g->now + per(g, d, 120, 0.2);
        }
        break;
    case T_CAMERA:
        if (g->now >= nx[0]) { /* UDP heartbeat to 9765 every 20 s */
            udp_exchange(g, d, H_EDI_HB, 28844, 9765, P_HEARTBEAT, P_HEARTBEAT_R, 0);
            nx[0] = g->now + per(g, d, 20, 0.02);
        }
        if (g->now >= nx[1]) { /* HTTP connectivity test every 60 s */
            int64_t dl = dns_lookup(g, d, H_GOOGLE);
            http_session(g, d, H_GOOGLE, "/", 200, 220 + (uint32_t)iof__rng_below(&d->rng, 40), dl);
            nx[1] = g->now + per(g, d, 60, 0.02);
        }
        if (g->now >= nx[2]) { /* TLS to myedimax.com:55443 */
            int64_t dl = dns_lookup(g, d, H_EDIMAX);
            tls_session(g, d, H_EDIMAX, 55443, heavy(&d->rng, 400, 0.7, 30000),
                        heavy(&d->rng, 600, 0.9, 60000), dl);
            nx[2] = g->now + per(g, d, 90, 0.3);
        }
        if (g->now >= nx[3]) {
            multicast(g, d, ssdp_mac, ssdp_ip, 1900, 1900, P_SSDP_NOTIFY, 4);
            nx[3] = g->now + per(g, d, 60, 0.05);
        }
        if (g->now >= nx[4]) {
            multicast(g, d, ssdp_mac, ssdp_ip, eph_port(d), 1900, P_SSDP_MSEARCH, 4);
            nx[4] = g->now + per(g, d, 120, 0.1);
        }
        if (g->prof->nas_video && g->now >= nx[5]) { /* periodic snapshot upload to the NAS */
            smb_stream(g, d, 3 * SEC, 0);
            nx[5] = g->now + per(g, d, 300, 0.1);
        }
        if (g->now >= nx[6]) {
            igmp_report(g, d, ssdp_mac, ssdp_ip);
            nx[6] = g->now + per(g, d, 125, 0.1);
        }
        break;
    case T_VOICE:
        if (g->now >= nx[0]) { /* TLS 443 to several Google services */
            static const int svc[] = {H_WWWGOOGLE, H_CLIENTS4, H_PLAY};
            int h = svc[iof__rng_below(&d->rng, 3)];
            int64_t dl = dns_lookup(g, d, h);
            const double *up = g->prof->voice_up, *down = g->prof->voice_down;
            tls_session(g, d, h, 443, heavy(&d->rng, up[0], up[1], (uint32_t)up[2]),
                        heavy(&d->rng, down[0], down[1], (uint32_t)down[2]), dl);
            nx[0] = g->now + expo(&d->rng, g->prof->voice_mean_s * SEC / g->scale);
        }
        if (g->now >= nx[1]) { /* HTTP connectivity check */
            int64_t dl = dns_lookup(g, d, H_CONNCHECK);
            http_session(g, d, H_CONNCHECK, "/generate_204", 204, 0, dl);
            nx[1] = g->now + per(g, d, 60, 0.1);
        }
        if (g->now >= nx[2]) { /* NTP */
            int64_t dl = dns_lookup(g, d, H_TIMEGOOGLE);
            udp_exchange(g, d, H_TIMEGOOGLE, 123, 123, P_NTPQ, P_NTPA, dl);
            nx[2] = g->now + per(g, d, 256, 0.05);
        }
        if (g->now >= nx[3]) {
            multicast(g, d, mdns_mac, mdns_ip, 5353, 5353, P_MDNS_Q, 255);
            mdns6(g, d);
            nx[3] = g->now + per(g, d, 90, 0.3);
        }
        if (g->now >= nx[4]) { /* ICMP echo to the router */
            icmp_ping(g, d, g->router_mac, g->router_ip, LBL_BENIGN, 64, lan_rtt(g));
            nx[4] = g->now + per(g, d, 120, 0.2);
        }
        if (g->now >= nx[5]) {
            dhcp_exchange(g, d, 0);
            nx[5] = g->now + per(g, d, 1800, 0.05);
        }
        break;
    case T_THERMO:
        if (g->now >= nx[1]) {
            int64_t dl = dns_lookup(g, d, H_NEST_FD);
            tls_session(g, d, H_NEST_FD, 443, heavy(&d->rng, 500, 0.6, 8000),
                        heavy(&d->rng, 800, 0.6, 12000), dl);
            nx[1] = g->now + per(g, d, 300, 0.2);
        }
        break;
    case T_PLUG:
        if (g->now >= nx[1]) {
            int64_t dl = dns_lookup(g, d, H_NTPPOOL);
            udp_exchange(g, d, H_NTPPOOL, 0, 123, P_NTPQ, P_NTPA, dl);
            nx[1] = g->now + per(g, d, 600, 0.1);
        }
        break;
    case T_MOTION:
        if (g->now >= nx[1]) { /* CoAP heartbeat to the gateway */
            coap_motion(g, d);
            nx[1] = g->now + per(g, d, 60, 0.05);
        }
        break;
    }
    if (g->prof->telemetry && (d->type == T_PLUG || d->type == T_MOTION || d->type == T_THERMO) &&
        g->now >= nx[7]) {
        coap_telemetry(g, d);
        nx[7] = g->now + per(g, d, 15, 0.2);
    }
    push(g, e, g->prof->timed_ticks ? next_deadline(g, d) : next);
}

/* Starts the long-lived connections of each device at boot. */
static void device_boot(gen *g, host *d)
{
    conv *c = NULL;
    switch (d->type) {
    case T_VOICE:
        dhcp_exchange(g, d, 1);
        c = long_lived(g, d, H_MTALK, 5228, 0);
        start(g, c, g->now + 2 * SEC);
        break;
    case T_THERMO:
        c = long_lived(g, d, H_NEST_TR, 1883, 1);
        start(g, c, g->now + 1 * SEC);
        break;
    case T_PLUG:
        c = long_lived(g, d, H_MQTTPLUG, 1883, 1);
        start(g, c, g->now + 1 * SEC + (int64_t)iof__rng_below(&d->rng, SEC));
        break;
    default: break;
    }
}

/* ---- sensors and couplings -------------------------------------------------------------- */
static void mqtt_burst(gen *g, host *d, int hid)
{
    /* A short MQTT session publishing one state report (device -> broker 1883). */
    conv *c = conv_cloud(g, d, hid, 6, 1883, LBL_BENIGN);
    if (!c)
        return;
    use_host_ipid(c, 0, d);
    tcp_open(c, wan_rtt(g));
    add_step(c, S_DATA, 0, P_MQTT_CONN, 0, 200);
    add_step(c, S_DATA, 1, P_MQTT_CONNACK, 0, c->half_rtt);
    add_step(c, S_DATA, 0, P_MQTT_PUB, 0, 300);
    tcp_close(c, 20 * MS);
    start(g, c, g->now);
}

typedef struct delayed {
    ev e;
    host *d;
    int what;
} delayed;

enum { DL_CAM_STREAM, DL_THERMO_BURST, DL_PLUG_REPORT, DL_ALERT, DL_MOTION_COAP };

static void delayed_fire(gen *g, ev *e)
{
    delayed *x = (delayed *)e;
    host *d = x->d;
    switch (x->what) {
    case DL_CAM_STREAM: {
        if (!g->prof->nas_video) { /* control only: a small TLS event notification */
            tls_session(g, d, H_EDIMAX, 55443, heavy(&d->rng, 600, 0.5, 4000),
                        heavy(&d->rng, 300, 0.5, 2000), 0);
            break;
        }
        int64_t dur = g->stream_until - g->now;
        if (dur < 5 * SEC)
            dur = 5 * SEC;
        smb_stream(g, d, dur, 0);
        break;
    }
    case DL_THERMO_BURST: {
        uint32_t b = g->prof->setpoint_bytes;
        tls_session(g, d, H_NEST_FD, 443, b + (uint32_t)iof__rng_below(&d->rng, b),
                    b / 2 * 3 + (uint32_t)iof__rng_below(&d->rng, 2 * b), 0);
        break;
    }
    case DL_PLUG_REPORT: mqtt_burst(g, d, H_MQTTPLUG); break;
    case DL_ALERT: mqtt_burst(g, d, H_NEST_TR); break;
    case DL_MOTION_COAP: coap_motion(g, d); break;
    }
    free(x);
}

static void later(gen *g, host *d, int what, int64_t t)
{
    delayed *x = calloc(1, sizeof *x);
    if (!x) {
        g->err = IOF_E_NOMEM;
        return;
    }
    x->e.fire = delayed_fire;
    x->d = d;
    x->what = what;
    push(g, &x->e, t);
}

static double gauss(iof__rng *r)
{
    double u1 = iof__rng_unit(r) + 1e-12, u2 = iof__rng_unit(r);
    return sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
}

static void sensor_tick(gen *g, ev *e)
{
    char ts[40], det[160];
    iof__utc_text(ts, sizeof ts, g->now, false);
    double hour = fmod((double)(g->now / SEC) / 3600.0, 24.0);
    double daily = sin((hour - 9.0) / 24.0 * 6.283185307179586); /* warmest mid-afternoon */
    host *cam = NULL;
    for (int i = 0; i < g->ndev; i++)
        if (g->dev[i].type == T_CAMERA && !cam)
            cam = &g->dev[i];
    for (int i = 0; i < g->ndev; i++) {
        host *d = &g->dev[i];
        iof__rng *r = &d->rng;
        int was_alert = d->alert;
        switch (d->type) {
        case T_THERMO: {
            if (g->now >= d->next_setpoint) {
                double old = d->setpoint;
                d->setpoint = 19.0 + (double)iof__rng_below(r, 9) * 0.5;
                if (d->setpoint == old)
                    d->setpoint += 1.0;
                later(g, d, DL_THERMO_BURST, g->now + 2 * SEC);
                snprintf(det, sizeof det, "setpoint %.1f->%.1f C; TLS burst to %s:443 lag_s=2; "
                         "HVAC power rise lag_s=5", old, d->setpoint, g->hosts[H_NEST_FD].name);
                add_event(g, g->now, g->now + 2 * SEC, "coupling_setpoint_burst", d->name, det);
                d->appliance = 5; /* HVAC starts in 5 s */
                d->next_setpoint = g->now + expo(r, 240.0 * SEC);
            }
            if (d->appliance > 0 && --d->appliance == 0)
                d->appliance = -1; /* running */
            int hvac = d->appliance < 0 && fabs(d->temp - d->setpoint) > 0.2;
            if (d->appliance < 0 && !hvac)
                d->appliance = 0;
            double target = hvac ? d->setpoint : 22.0 + 2.5 * daily;
            d->temp += (target - d->temp) * (hvac ? 0.004 : 0.0008) + gauss(r) * 0.02;
            d->hum += (50.0 - 8.0 * daily - d->hum) * 0.002 + gauss(r) * 0.15;
            d->power = (hvac ? 1450.0 : 4.5) + gauss(r) * (hvac ? 25.0 : 0.3);
            d->alert = d->temp > 27.0 || d->temp < 16.0 || d->hum > 70.0;
            fprintf(g->fsens, "%s,%s,%.2f,%.1f,%.1f,,%d\n", ts, d->name, d->temp, d->hum,
                    d->power, d->alert);
            break;
        }
        case T_PLUG: {
            if (g->now >= d->next_appliance) {
                d->appliance = !d->appliance;
                d->base_power = d->appliance ? 60.0 + (double)iof__rng_below(r, 1900) : 0.0;
                d->next_appliance = g->now + expo(r, 180.0 * SEC);
                later(g, d, DL_PLUG_REPORT, g->now + 1 * SEC);
                snprintf(det, sizeof det, "power step to %.0f W; MQTT publish to %s:1883 lag_s=1",
                         d->base_power, g->hosts[H_MQTTPLUG].name);
                add_event(g, g->now, g->now + 1 * SEC, "coupling_power_report", d->name, det);
            }
            d->power = d->appliance ? d->base_power + gauss(r) * d->base_power * 0.01 : 0.3 +
                       fabs(gauss(r)) * 0.05;
            d->alert = d->power > 1800.0;
            fprintf(g->fsens, "%s,%s,,,%.1f,,%d\n", ts, d->name, d->power, d->alert);
            break;
        }
        case T_MOTION: {
            if (d->motion) {
                if (--d->motion_left <= 0)
                    d->motion = 0;
            } else if (iof__rng_below(r, 150) == 0) {
                d->motion = 1;
                d->motion_left = 5 + (int)iof__rng_below(r, 35);
                later(g, d, DL_MOTION_COAP, g->now + 300 * MS);
                if (cam && g->nas) {
                    int64_t until = g->now + (int64_t)d->motion_left * SEC + 10 * SEC;
                    if (g->now >= g->stream_until) {
                        g->stream_until = until;
                        later(g, cam, DL_CAM_STREAM, g->now + 1 * SEC);
                        char devs[96];
                        if (g->prof->nas_video) {
                            snprintf(det, sizeof det, "motion onset; CoAP POST to gateway lag_s=0 "
                                     "(0.3 s); %s SMB stream to NAS:445 lag_s=1 until motion "
                                     "end+10 s", cam->name);
                            snprintf(devs, sizeof devs, "%s;%s;%s", d->name, cam->name,
                                     g->nas->name);
                        } else {
                            snprintf(det, sizeof det, "motion onset; CoAP POST to gateway lag_s=0 "
                                     "(0.3 s); %s TLS event notification to %s:55443 lag_s=1",
                                     cam->name, g->hosts[H_EDIMAX].name);
                            snprintf(devs, sizeof devs, "%s;%s", d->name, cam->name);
                        }
                        add_event(g, g->now, g->prof->nas_video ? until : g->now + 1 * SEC,
                                  "coupling_motion_camera", devs, det);
                    } else if (until > g->stream_until) {
                        g->stream_until = until; /* stream already running: extend it */
                    }
                }
            }
            d->temp += (21.5 + 2.0 * daily - d->temp) * 0.001 + gauss(r) * 0.01;
            d->alert = 0;
            fprintf(g->fsens, "%s,%s,%.2f,,,%d,%d\n", ts, d->name, d->temp, d->motion, d->alert);
            break;
        }
        default: continue;
        }
        g->sensor_rows++;
        if (d->alert && !was_alert && d->type == T_THERMO) {
            later(g, d, DL_ALERT, g->now + 1 * SEC);
            add_event(g, g->now, g->now + 1 * SEC, "coupling_alert_report", d->name,
                      "alert_flag 0->1; MQTT publish to broker lag_s=1");
        }
    }
    push(g, e, g->now + SEC);
}

/* ---- attacks --------------------------------------------------------------------------- */
static double attack_target(const gen *g)
{
    double R = g->cfg->attack_ratio;
    return R / (1 - R) * (double)(g->rows - g->rows_atk);
}

/* Projected total attack records for the whole capture (linear extrapolation). */
static double attack_projection(const gen *g)
{
    double el = (double)(g->now - g->t0), tot = (double)(g->tend - g->t0);
    if (el < tot * 0.05)
        el = tot * 0.05;
    return attack_target(g) * tot / el;
}

static void attack_unit_note(gen *g, attack *a, const char *devs, const char *details)
{
    if (a->evrow < 0) {
        a->first = g->now;
        a->evrow = add_event(g, g->now, g->now, a->kind, devs, details);
    }
    a->last = g->now;
    if (g->pending_t != g->now) {
        g->pending_t = g->now;
        g->pending = 0;
    }
    g->pending++; /* its first packet fires right after this tick, at the same time */
    if (a->evrow >= 0)
        g->evs[a->evrow].end = g->now;
    a->made++;
}

static int attack_allowed(gen *g, attack *a, int filler)
{
    double have = (double)g->rows_atk + (g->pending_t == g->now ? (double)g->pending : 0);
    if (filler)
        return have + 1 <= attack_target(g) + 0.5;
    return (double)a->made < a->quota * attack_projection(g) && have + 1 <= attack_target(g) + 0.5;
}

static host *find_host_ip(gen *g, const uint8_t ip[4])
{
    for (int i = 0; i <= g->ndev; i++)
        if (memcmp(g->dev[i].ip, ip, 4) == 0)
            return &g->dev[i];
    return NULL;
}

static const uint16_t scan_ports[] = {21, 22, 23, 25, 53, 80, 81, 110, 135, 139, 143, 443, 445,
                                      554, 1883, 1900, 2323, 3389, 5000, 5353, 5683, 8000, 8008,
                                      8009, 8080, 8443, 8883, 9000, 49152, 55443};

static int port_open(int type, uint16_t p)
{
    switch (type) {
    case T_CAMERA: return p == 80 || p == 554 || p == 55443;
    case T_VOICE: return p == 8008 || p == 8009 || p == 8443;
    case T_GATEWAY: return p == 80;
    case T_NAS: return p == 139 || p == 445 || p == 22 || p == 5000;
    case T_PLUG: return p == 23 || p == 80;
    default: return 0;
    }
}

static void recon_tick(gen *g, ev *e)
{
    attack *a = (attack *)(void *)((char *)e - offsetof(attack, tick)); /* container_of */
    if (g->now >= a->to)
        return;
    int64_t step_us = 20 * MS;
    /* phase 0: ARP sweep of the /24 (no records); phase 1: ping sweep of the devices that
     * answered; phase 2: SYN scan of every live device over the port list */
    if (a->cursor < 254) {
        int hostn = ++a->cursor;
        uint8_t tip[4] = {192, 168, 1, (uint8_t)hostn};
        conv *c = conv_lan(g, NULL, g->atk_mac, g->atk_ip, 0, 64, bcast_mac, tip, 0, 64, 0,
                           LBL_RECON);
        if (c) {
            add_step(c, S_ARP, 0, P_NONE, 0, 0);
            host *h = find_host_ip(g, tip);
            if (h) {
                c->side[1].mac = h->mac;
                add_step(c, S_ARP, 1, P_NONE, 0, 400);
            } else if (memcmp(tip, g->router_ip, 4) == 0) {
                c->side[1].mac = g->router_mac;
                add_step(c, S_ARP, 1, P_NONE, 0, 400);
            }
            start(g, c, g->now);
        }
        if (a->evrow < 0) {
            a->first = g->now;
            a->evrow = add_event(g, g->now, g->now, a->kind, "attacker 192.168.1.66",
                                 "ARP sweep 192.168.1.1-254, ping sweep, SYN port scan");
        }
        push(g, e, g->now + 2 * MS);
        return;
    }
    int ndev = g->ndev + 1;
    int i = a->cursor - 254;
    if (i < ndev) { /* ping sweep */
        if (attack_allowed(g, a, 0)) {
            host *h = &g->dev[i];
            conv *c = conv_lan(g, h, g->atk_mac, g->atk_ip, 0, 64, h->mac, h->ip, 0, h->ttl, 1,
                               LBL_RECON);
            if (c) {
                use_host_ipid(c, 1, h);
                c->aux = (uint32_t)(0x4d00 + i) | 1u << 16;
                add_step(c, S_ICMP, 0, P_NONE, 0, 0);
                c->st[0].aux = 8;
                add_step(c, S_ICMP, 1, P_NONE, 0, 600);
                c->st[1].aux = 0;
                start(g, c, g->now);
                attack_unit_note(g, a, "attacker 192.168.1.66", "");
            }
        }
        a->cursor++;
        push(g, e, g->now + step_us);
        return;
    }
    int j = i - ndev;
    int np = (int)(sizeof scan_ports / sizeof scan_ports[0]);
    if (j >= ndev * np)
        return;
    if (attack_allowed(g, a, 0)) {
        host *h = &g->dev[j % ndev];
        uint16_t port = scan_ports[j / ndev];
        conv *c = conv_lan(g, h, g->atk_mac, g->atk_ip, a->sport, 64, h->mac, h->ip, port, h->ttl,
                           6, LBL_RECON);
        if (c) {
            use_host_ipid(c, 1, h);
            c->side[0].win = 1024;
            add_step(c, S_SYN, 0, P_NONE, 0, 0);
            if (port_open(h->type, port)) {
                add_step(c, S_SYNACK, 1, P_NONE, 0, 400);
                add_step(c, S_RST, 0, P_NONE, 0, 300);
            } else {
                add_step(c, S_RST, 1, P_NONE, 0, 400);
                c->st[1].flags = IOF_TCP_RST | IOF_TCP_ACK;
                c->side[1].seq = 0;
            }
            start(g, c, g->now);
            attack_unit_note(g, a, "attacker 192.168.1.66", "");
        }
    }
    a->cursor++;
    push(g, e, g->now + 5 * MS);
}

static const char *const creds[][2] = {{"root", "xc3511"}, {"admin", "admin"}, {"root", "vizxv"},
                                       {"root", "888888"}, {"support", "support"},
                                       {"root", "default"}, {"admin", "1234"}, {"root", "54321"}};

static void bruteforce_tick(gen *g, ev *e)
{
    attack *a = (attack *)(void *)((char *)e - offsetof(attack, tick)); /* container_of */
    host *v = g->infected[0];
    if (!v || g->now >= a->to)
        return;
    int last = a->cursor >= 7 || g->now + 4 * SEC >= a->to;
    if (attack_allowed(g, a, 0) || last) {
        static const uint8_t atk_ip[4] = {185, 244, 25, 146};
        int k = a->cursor % 8;
        conv *c = conv_lan(g, v, g->router_mac, atk_ip,
                           (uint16_t)(40000 + iof__rng_below(&g->rng, 20000)), 49, v->mac, v->ip,
                           23, v->ttl, 6, LBL_MIRAI);
        if (c) {
            use_host_ipid(c, 1, v);
            c->half_rtt = 40 * MS;
            tcp_open(c, 80 * MS);
            add_step(c, S_DATA, 1, P_TELNET_NEG, 0, 5 * MS);
            add_step(c, S_DATA, 1, P_TELNET, 0, 100 * MS);
            c->st[c->nst - 1].text = "\r\nlogin: ";
            add_step(c, S_DATA, 0, P_TELNET, 0, 200 * MS);
            c->st[c->nst - 1].text = creds[k][0];
            add_step(c, S_DATA, 1, P_TELNET, 0, 50 * MS);
            c->st[c->nst - 1].text = "\r\nPassword: ";
            add_step(c, S_DATA, 0, P_TELNET, 0, 200 * MS);
            c->st[c->nst - 1].text = creds[k][1];
            add_step(c, S_DATA, 1, P_TELNET, 0, 300 * MS);
            c->st[c->nst - 1].text = last ? "\r\n# " : "\r\nLogin incorrect\r\n";
            if (last) {
                add_step(c, S_DATA, 0, P_TELNET, 0, 200 * MS);
                c->st[c->nst - 1].text = "enable\r\nsystem\r\nshell\r\nsh\r\n/bin/busybox MIRAI\r\n";
                add_step(c, S_DATA, 1, P_TELNET, 0, 100 * MS);
                c->st[c->nst - 1].text = "MIRAI: applet not found\r\n# ";
            }
            tcp_close(c, 100 * MS);
            start(g, c, g->now);
            char devs[64];
            snprintf(devs, sizeof devs, "%s", v->name);
            attack_unit_note(g, a, devs, "telnet credential brute force from 185.244.25.146 to "
                                         "port 23; last attempt succeeds (infection)");
        }
        if (last) {
            for (int i = 0; i < g->ninfected; i++)
                g->infected[i]->infected = 1;
            return;
        }
    }
    a->cursor++;
    push(g, e, g->now + 1500 * MS);
}

static const uint8_t c2_ip[4] = {45, 95, 168, 97};
static const uint8_t victim_ip[4] = {93, 184, 216, 34};

static void scan_tick(gen *g, ev *e)
{
    attack *a = (attack *)(void *)((char *)e - offsetof(attack, tick)); /* container_of */
    if (g->now >= a->to || g->now >= g->tend)
        return;
    for (int i = 0; i < 1; i++) { /* the first infected device holds the C2 connection */
        host *d = g->infected[i];
        if (!d->infected)
            continue;
        if (!g->c2[i]) { /* C2 connection (port 23), beacons every 60 s */
            conv *c = conv_lan(g, d, d->mac, d->ip, eph_port(d), d->ttl, g->router_mac, c2_ip, 23,
                               51, 6, LBL_MIRAI);
            if (c) {
                use_host_ipid(c, 0, d);
                c->half_rtt = 35 * MS;
                tcp_open(c, 70 * MS);
                c->refill = c2_refill;
                start(g, c, g->now);
                g->c2[i] = c;
                attack_unit_note(g, a, d->name, "");
            }
        }
    }
    int burst = 0, max_burst = 8 + (int)(g->prof->scan_burst_per_scale * g->scale);
    while (burst < max_burst && attack_allowed(g, a, 1)) {
        host *d = g->infected[burst % g->ninfected];
        if (!d->infected)
            break;
        uint8_t tip[4];
        random_public(&g->rng, tip);
        uint16_t dport = iof__rng_below(&g->rng, 10) == 0 ? 2323 : 23;
        conv *c = conv_lan(g, d, d->mac, d->ip, (uint16_t)(1024 + iof__rng_below(&g->rng, 64000)),
                           d->ttl, g->router_mac, tip, dport, 50, 6, LBL_MIRAI);
        if (!c)
            break;
        use_host_ipid(c, 0, d);
        c->side[0].seq = (uint32_t)tip[0] << 24 | (uint32_t)tip[1] << 16 | (uint32_t)tip[2] << 8 | tip[3];
        c->side[0].win = (uint16_t)(iof__rng_next(&g->rng) | 1);
        add_step(c, S_SYN, 0, P_NONE, 0, 0);
        uint64_t r = iof__rng_below(&g->rng, 100);
        if (r < 12) {
            add_step(c, S_RST, 1, P_NONE, 0, wan_rtt(g));
            c->st[1].flags = IOF_TCP_RST | IOF_TCP_ACK;
            c->side[1].seq = 0;
        } else if (r < 15) {
            add_step(c, S_SYNACK, 1, P_NONE, 0, wan_rtt(g));
            add_step(c, S_RST, 0, P_NONE, 0, 200);
        }
        start(g, c, g->now);
        attack_unit_note(g, a, d->name, "");
        burst++;
    }
    push(g, e, g->now + 25 * MS);
}

static void ddos_tick(gen *g, ev *e)
{
    attack *a = (attack *)(void *)((char *)e - offsetof(attack, tick)); /* container_of */
    if (g->now >= a->to)
        return;
    int64_t next = g->now + 50 * MS;
    for (int i = 0; i < g->ninfected; i++) {
        host *d = g->infected[i];
        if (!d->infected)
            continue;
        if (!strcmp(a->kind, "ddos_syn")) {
            for (int k = 0; k < 4 && attack_allowed(g, a, 0); k++) {
                conv *c = conv_lan(g, d, d->mac, d->ip,
                                   (uint16_t)(1024 + iof__rng_below(&g->rng, 64000)), d->ttl,
                                   g->router_mac, victim_ip, 80, 53, 6, LBL_DDOS);
                if (!c)
                    break;
                use_host_ipid(c, 0, d);
                add_step(c, S_SYN, 0, P_NONE, 0, 0);
                if (iof__rng_below(&g->rng, 3) == 0) {
                    add_step(c, S_SYNACK, 1, P_NONE, 0, wan_rtt(g));
                    add_step(c, S_RST, 0, P_NONE, 0, 100);
                }
                start(g, c, g->now);
                attack_unit_note(g, a, d->name, "SYN flood to 93.184.216.34:80");
            }
        } else if (!strcmp(a->kind, "ddos_udp")) {
            /* bursts of 20 s with a fixed (sport, dport); one unit per burst */
            if (a->made == 0 || g->now >= a->last + 20 * SEC) {
                if (!attack_allowed(g, a, 0) && a->made)
                    break;
                conv *c = conv_lan(g, d, d->mac, d->ip,
                                   (uint16_t)(1024 + iof__rng_below(&g->rng, 64000)), d->ttl,
                                   g->router_mac, victim_ip,
                                   (uint16_t)(40000 + iof__rng_below(&g->rng, 10000)), 53, 17,
                                   LBL_DDOS);
                if (!c)
                    break;
                use_host_ipid(c, 0, d);
                int n = (int)(300 * g->scale);
                if (n > MAX_STEP)
                    n = MAX_STEP;
                c->until = g->now + 19 * SEC;
                for (int k = 0; k < n; k++) {
                    add_step(c, S_UDP, 0, P_UDPFLOOD, 512,
                             k ? (int64_t)g->prof->flood_gap_us : 0);
                }
                c->refill = udpflood_refill;
                start(g, c, g->now);
                attack_unit_note(g, a, d->name, "UDP flood (512-byte datagrams) to 93.184.216.34");
            }
        } else { /* ddos_http */
            for (int k = 0; k < 2 && attack_allowed(g, a, 0); k++) {
                conv *c = conv_lan(g, d, d->mac, d->ip, eph_port(d), d->ttl, g->router_mac,
                                   victim_ip, 80, 53, 6, LBL_DDOS);
                if (!c)
                    break;
                use_host_ipid(c, 0, d);
                c->host_name = "www.example-victim.com";
                tcp_open(c, wan_rtt(g));
                add_step(c, S_DATA, 0, P_HTTPGET, 0, 100);
                add_step(c, S_DATA, 1, P_HTMLRESP, 0, c->half_rtt + 2 * MS);
                tcp_close(c, 1 * MS);
                start(g, c, g->now);
                attack_unit_note(g, a, d->name, "HTTP GET flood to 93.184.216.34:80");
            }
        }
    }
    push(g, e, next);
}

/* UDP flood conversations refill themselves until their 'until' time (one key per burst). */
static int udpflood_refill(gen *g, conv *c)
{
    if (g->now >= c->until || g->now >= g->tend)
        return 0;
    int64_t gap = (int64_t)(g->prof->flood_gap_us / g->scale);
    if (gap < 20)
        gap = 20;
    for (int k = 0; k < MAX_STEP; k++)
        add_step(c, S_UDP, 0, P_UDPFLOOD, 512, gap);
    return 1;
}

/* ---- setup ----------------------------------------------------------------------------- */
static void make_host(gen *g, host *h, int type, int idx, const char *name, const uint8_t ip[4])
{
    memset(h, 0, sizeof *h);
    h->type = type;
    h->idx = idx;
    snprintf(h->name, sizeof h->name, "%s", name);
    memcpy(h->mac, type_oui[type], 3);
    uint64_t r = iof__rng_next(&g->rng);
    h->mac[3] = (uint8_t)(r >> 8);
    h->mac[4] = (uint8_t)(r >> 16);
    h->mac[5] = (uint8_t)idx;
    memcpy(h->ip, ip, 4);
    h->ip6[0] = 0xfe;
    h->ip6[1] = 0x80;
    memcpy(h->ip6 + 8, h->mac, 3);
    h->ip6[8] ^= 2;
    h->ip6[11] = 0xff;
    h->ip6[12] = 0xfe;
    memcpy(h->ip6 + 13, h->mac + 3, 3);
    h->ttl = type == T_GATEWAY ? 128 : 64;
    iof__rng_seed(&h->rng, iof__rng_next(&g->rng));
    h->ipid = (uint16_t)iof__rng_next(&h->rng);
    h->eph = (uint16_t)(32768 + iof__rng_below(&h->rng, 20000));
    h->temp = 21.0 + iof__rng_unit(&h->rng) * 2;
    h->hum = 45.0 + iof__rng_unit(&h->rng) * 10;
    h->setpoint = 21.0;
    h->next_setpoint = g->t0 + 30 * SEC + expo(&h->rng, 120.0 * SEC);
    h->next_appliance = g->t0 + 10 * SEC + expo(&h->rng, 90.0 * SEC);
    for (int i = 0; i < 8; i++)
        h->nxt[i] = g->t0 + (int64_t)iof__rng_below(&h->rng, 20 * SEC);
}

static int setup(gen *g)
{
    const iof_synth_config *cfg = g->cfg;
    iof__rng_seed(&g->rng, cfg->seed ^ 0x696f74666c6f77ull);
    g->bulk_key = iof__rng_next(&g->rng);
    static const uint8_t rmac[6] = {0xe0, 0x46, 0x9a, 0x00, 0x00, 0x01};
    memcpy(g->router_mac, rmac, 6);
    g->router_mac[4] = (uint8_t)iof__rng_next(&g->rng);
    const uint8_t rip[4] = {192, 168, 1, 1}, pip[4] = {192, 168, 1, 50}, aip[4] = {192, 168, 1, 66};
    memcpy(g->router_ip, rip, 4);
    memcpy(g->phone_ip, pip, 4);
    memcpy(g->atk_ip, aip, 4);
    const uint8_t pmac[6] = {0x3c, 0x2e, 0xff, 0x10, 0x20, 0x30}, amac[6] = {0x08, 0x00, 0x27, 0x66, 0x66, 0x66};
    memcpy(g->phone_mac, pmac, 6);
    memcpy(g->atk_mac, amac, 6);
    g->nhosts = (int)(sizeof host_names / sizeof host_names[0]);
    for (int i = 0; i < g->nhosts; i++) {
        g->hosts[i].name = host_names[i];
        uint64_t h = 0xcbf29ce484222325ull ^ cfg->seed;
        for (const char *p = host_names[i]; *p; p++)
            h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
        g->hosts[i].ip[0] = cloud_octets[h % sizeof cloud_octets];
        g->hosts[i].ip[1] = (uint8_t)(h >> 8);
        g->hosts[i].ip[2] = (uint8_t)(h >> 16);
        g->hosts[i].ip[3] = (uint8_t)(1 + (h >> 24) % 250);
    }
    static const int order[] = {T_GATEWAY, T_CAMERA, T_VOICE, T_THERMO, T_PLUG, T_PLUG, T_MOTION,
                                T_MOTION};
    int count[7] = {0};
    g->ndev = (int)(cfg->devices ? cfg->devices : g->prof->devices);
    for (int i = 0; i < g->ndev; i++) {
        int t = i < 8 ? order[i] : g->prof->cycle[(i - 8) % g->prof->ncycle];
        char name[24];
        static const char *const base[] = {"gateway", "camera", "voice", "thermostat", "plug",
                                           "motion", "nas"};
        snprintf(name, sizeof name, "%s-%d", base[t], ++count[t]);
        uint8_t ip[4] = {192, 168, 1, (uint8_t)(100 + i)};
        make_host(g, &g->dev[i], t, i + 1, name, ip);
        inv_add(g, &g->dev[i]);
    }
    uint8_t nip[4] = {192, 168, 1, 5};
    make_host(g, &g->dev[g->ndev], T_NAS, 0xee, "nas-1", nip);
    g->nas = &g->dev[g->ndev];
    inv_add(g, g->nas);

    /* infected devices: the last plug (and the camera when there are 6+ devices) */
    host *plug = NULL, *cam = NULL;
    for (int i = 0; i < g->ndev; i++) {
        if (g->dev[i].type == T_PLUG)
            plug = &g->dev[i];
        if (g->dev[i].type == T_CAMERA && !cam)
            cam = &g->dev[i];
    }
    if (!plug)
        plug = &g->dev[g->ndev - 1];
    g->infected[g->ninfected++] = plug;
    if (cam && cam != plug && g->ndev >= 6)
        g->infected[g->ninfected++] = cam;

    g->tcap = 1024;
    g->tab = tab_alloc(g->tcap);
    if (!g->tab)
        return IOF_E_NOMEM;

    for (int i = 0; i < g->ndev; i++) {
        host *d = &g->dev[i];
        d->tick.fire = device_tick;
        push(g, &d->tick, g->t0 + (int64_t)iof__rng_below(&d->rng, SEC));
    }
    g->sensor_tick.fire = sensor_tick;
    push(g, &g->sensor_tick, g->t0);

    if (cfg->attack_ratio > 0) {
        int64_t T = g->tend - g->t0;
        struct { const char *kind; int label; double f0, f1, quota; fire_fn fn; } plan[] = {
            {"recon_scan", LBL_RECON, 0.10, 0.22, 0.15, recon_tick},
            {"mirai_bruteforce", LBL_MIRAI, 0.24, 0.30, 0.04, bruteforce_tick},
            {"mirai_scan_c2", LBL_MIRAI, 0.30, 1.01, 1.0, scan_tick},
            {"ddos_syn", LBL_DDOS, 0.45, 0.50, 0.10, ddos_tick},
            {"ddos_udp", LBL_DDOS, 0.60, 0.66, 0.02, ddos_tick},
            {"ddos_http", LBL_DDOS, 0.78, 0.83, 0.08, ddos_tick},
        };
        for (size_t i = 0; i < sizeof plan / sizeof plan[0]; i++) {
            attack *a = &g->atk[g->natk++];
            a->kind = plan[i].kind;
            a->label = plan[i].label;
            a->from = g->t0 + (int64_t)(plan[i].f0 * (double)T);
            a->to = g->t0 + (int64_t)(plan[i].f1 * (double)T);
            a->quota = plan[i].quota;
            a->evrow = -1;
            a->sport = (uint16_t)(40000 + iof__rng_below(&g->rng, 20000));
            a->tick.fire = plan[i].fn;
            push(g, &a->tick, a->from);
        }
    }
    return 0;
}

/* ---- files ----------------------------------------------------------------------------- */
static const char *const fnames[] = {"capture.pcap", "devices.csv", "sensors.csv", "events.csv",
                                     "truth.csv", "stats"};
enum { F_PCAP, F_DEV, F_SENS, F_EV, F_TRUTH, F_STATS, F_N };

/* Path of output file f (F_STATS: cfg->stats_json); 0 when the run does not write f. */
static int path_of(char *buf, size_t n, const iof_synth_config *cfg, int f, int tmp)
{
    if (f == F_STATS) {
        if (!cfg->stats_json)
            return 0;
        snprintf(buf, n, "%s%s", cfg->stats_json, tmp ? ".tmp" : "");
    } else {
        snprintf(buf, n, "%s/%s%s", cfg->output_dir, fnames[f], tmp ? ".tmp" : "");
    }
    return 1;
}

static int write_devices(gen *g, FILE *fp)
{
    fprintf(fp, "mac,name,type,ip\n");
    for (int i = 0; i <= g->ndev; i++) {
        host *h = &g->dev[i];
        fprintf(fp, "%02x:%02x:%02x:%02x:%02x:%02x,%s,%s,%u.%u.%u.%u\n", h->mac[0], h->mac[1],
                h->mac[2], h->mac[3], h->mac[4], h->mac[5], h->name, type_name[h->type], h->ip[0],
                h->ip[1], h->ip[2], h->ip[3]);
    }
    return 0;
}

static int ev_cmp(const void *a, const void *b)
{
    const evrow *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return strcmp(x->kind, y->kind);
}

static void csv_field(FILE *fp, const char *s)
{
    if (strpbrk(s, ",\"\n")) {
        fputc('"', fp);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', fp);
            fputc(*s, fp);
        }
        fputc('"', fp);
    } else {
        fputs(s, fp);
    }
}

static void write_events(gen *g)
{
    qsort(g->evs, g->nevs, sizeof *g->evs, ev_cmp);
    fprintf(g->fev, "start,end,kind,devices,details\n");
    for (size_t i = 0; i < g->nevs; i++) {
        char a[40], b[40];
        evrow *e = &g->evs[i];
        if (e->end > g->tend)
            e->end = g->tend;
        iof__utc_text(a, sizeof a, e->start, true);
        iof__utc_text(b, sizeof b, e->end, true);
        fprintf(g->fev, "%s,%s,%s,", a, b, e->kind);
        csv_field(g->fev, e->devices);
        fputc(',', g->fev);
        csv_field(g->fev, e->details);
        fputc('\n', g->fev);
    }
}

/* A JSON string through the library's one escaper (output/textbuf.h). */
static void json_str(FILE *fp, const char *s)
{
    iof_tbuf b = { 0 };
    iof__tb_json_str(&b, (const uint8_t *)s, strlen(s));
    if (!b.oom)
        fwrite(b.p, 1, b.len, fp);
    iof__tb_free(&b);
}

static void fill_stats(const gen *g, iof_synth_stats *s, double seconds)
{
    s->packets = g->packets;
    s->bytes = g->bytes;
    s->records = g->rows;
    s->attack_records = g->rows_atk;
    s->sensor_rows = g->sensor_rows;
    s->events = g->nevs;
    s->devices = (unsigned)g->ndev + 1;
    s->seconds = seconds;
}

/* --stats: the run's statistics, the configuration and per-device / per-label counts. */
static void write_stats_json(const gen *g, const iof_synth_stats *st, FILE *fp)
{
    const iof_synth_config *cfg = g->cfg;
    char start[40];
    iof__utc_text(start, sizeof start, g->t0, false);
    fprintf(fp, "{\"command\":\"synth\",\"config\":{\"output_dir\":");
    json_str(fp, cfg->output_dir);
    fprintf(fp, ",\"profile\":\"%s\",\"seed\":%llu,\"start\":\"%s\",\"duration_s\":%.15g,"
            "\"devices\":%d,\"attack_ratio\":%.15g,\"scale\":%.15g},\n", g->prof->name,
            (unsigned long long)cfg->seed, start, cfg->duration_s, g->ndev, cfg->attack_ratio,
            g->scale);
    uint64_t frames = st->bytes - 24 - 16 * st->packets; /* without pcap headers */
    fprintf(fp, "\"packets\":%llu,\"bytes\":%llu,\"avg_frame_bytes\":%.1f,\"records\":%llu,"
            "\"attack_records\":%llu,\"sensor_rows\":%llu,\"events\":%llu,\"devices\":%u,"
            "\"seconds\":%.3f,\"mb_per_s\":%.1f,\n\"records_by_label\":{",
            (unsigned long long)st->packets, (unsigned long long)st->bytes,
            st->packets ? (double)frames / (double)st->packets : 0.0,
            (unsigned long long)st->records, (unsigned long long)st->attack_records,
            (unsigned long long)st->sensor_rows, (unsigned long long)st->events, st->devices,
            st->seconds, st->seconds > 0 ? (double)st->bytes / 1e6 / st->seconds : 0.0);
    for (int l = 0; l < 4; l++)
        fprintf(fp, "%s\"%s\":%llu", l ? "," : "", lbl_name[l], (unsigned long long)g->rows_lbl[l]);
    fprintf(fp, "},\n\"per_device\":[");
    for (int i = 0; i <= g->ndev; i++) {
        const host *h = &g->dev[i];
        fprintf(fp, "%s\n{\"name\":\"%s\",\"mac\":\"%02x:%02x:%02x:%02x:%02x:%02x\",\"type\":\"%s\","
                "\"ip\":\"%u.%u.%u.%u\",\"packets\":%llu,\"records\":%llu}", i ? "," : "", h->name,
                h->mac[0], h->mac[1], h->mac[2], h->mac[3], h->mac[4], h->mac[5],
                type_name[h->type], h->ip[0], h->ip[1], h->ip[2], h->ip[3],
                (unsigned long long)h->pkts, (unsigned long long)h->recs);
    }
    fprintf(fp, "]}\n");
}

void iof_synth_config_init(iof_synth_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->seed = 1;
    cfg->start_us = 1719165600LL * SEC; /* 2024-06-23T18:00:00Z */
    cfg->duration_s = 600;
    cfg->attack_ratio = 0.1;
    cfg->scale = 1;
}

iof_err iof_synth_profile_parse(const char *name, iof_synth_profile *out)
{
    for (size_t i = 0; name && i < sizeof profiles / sizeof profiles[0]; i++)
        if (!strcmp(name, profiles[i].name)) {
            *out = (iof_synth_profile)i;
            return IOF_OK;
        }
    return IOF_E_INVAL;
}

iof_err iof_synth_parse_time(const char *text, int64_t *us)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (!text || !us)
        return IOF_E_INVAL;
    const char *p = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!p)
        return IOF_E_INVAL;
    long frac = 0;
    if (*p == '.') {
        int digits = 0;
        p++;
        while (*p >= '0' && *p <= '9') {
            if (digits < 6) {
                frac = frac * 10 + (*p - '0');
                digits++;
            }
            p++;
        }
        if (!digits)
            return IOF_E_INVAL;
        while (digits++ < 6)
            frac *= 10;
    }
    if (strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0)
        return IOF_E_INVAL;
    time_t t = timegm(&tm);
    if (t < 0 || t > 4000000000LL)
        return IOF_E_INVAL;
    *us = (int64_t)t * SEC + frac;
    return IOF_OK;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* mkdir -p: creates the missing parents too. */
static int mkdir_p(const char *dir)
{
    char p[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof p) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(p, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != 0)
            continue;
        char c = p[i];
        p[i] = 0;
        if (mkdir(p, 0777) < 0 && errno != EEXIST)
            return -1;
        p[i] = c;
    }
    struct stat st;
    if (stat(dir, &st) < 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

static void gen_free(gen *g)
{
    for (size_t i = 0; i < g->nheap; i++) {
        ev *e = g->heap[i].e;
        if (e->fire == conv_fire)
            free(e);
        else if (e->fire == delayed_fire)
            free(e);
    }
    while (g->free_convs) {
        conv *c = g->free_convs;
        g->free_convs = c->next_free;
        free(c);
    }
    free(g->heap);
    free(g->tab);
    free(g->grp);
    free(g->evs);
}

iof_err iof_synth_run(const iof_synth_config *cfg, char *errbuf, size_t errlen)
{
    if (!cfg || !cfg->output_dir || !*cfg->output_dir)
        return iof__fail(errbuf, errlen, IOF_E_INVAL, "synth: an output directory is required");
    if (!(cfg->duration_s >= 10 && cfg->duration_s <= 30 * 86400.0))
        return iof__fail(errbuf, errlen, IOF_E_INVAL, "synth: duration must be 10 s .. 30 days");
    if (cfg->devices > MAX_DEV)
        return iof__fail(errbuf, errlen, IOF_E_INVAL, "synth: --devices must be 1..%d", MAX_DEV);
    if ((unsigned)cfg->profile >= sizeof profiles / sizeof profiles[0])
        return iof__fail(errbuf, errlen, IOF_E_INVAL, "synth: unknown profile");
    if (!(cfg->attack_ratio >= 0 && cfg->attack_ratio <= 0.5))
        return iof__fail(errbuf, errlen, IOF_E_INVAL, "synth: --attack-ratio must be 0..0.5");
    if (!(cfg->scale >= 0.1 && cfg->scale <= 10000))
        return iof__fail(errbuf, errlen, IOF_E_INVAL, "synth: --scale must be 0.1..10000");
    if (cfg->start_us < 0 || cfg->start_us / SEC + (int64_t)cfg->duration_s >= 4294967295LL)
        return iof__fail(errbuf, errlen, IOF_E_INVAL, "synth: start time out of pcap range");

    double t_begin = now_s();
    if (mkdir_p(cfg->output_dir) < 0)
        return iof__fail(errbuf, errlen, IOF_E_OUTPUT, "synth: cannot create %s: %s",
                         cfg->output_dir, strerror(errno));
    const char *slash = cfg->stats_json ? strrchr(cfg->stats_json, '/') : NULL;
    if (slash && slash > cfg->stats_json) { /* the --stats file's directory */
        char dir[4096];
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - cfg->stats_json), cfg->stats_json);
        if (mkdir_p(dir) < 0)
            return iof__fail(errbuf, errlen, IOF_E_OUTPUT, "synth: cannot create %s: %s", dir,
                             strerror(errno));
    }
    gen *g = calloc(1, sizeof *g);
    if (!g)
        return iof__fail(errbuf, errlen, IOF_E_NOMEM, "synth: out of memory");
    g->cfg = cfg;
    g->prof = &profiles[cfg->profile];
    g->errbuf = errbuf;
    g->errlen = errlen;
    g->t0 = cfg->start_us - cfg->start_us % SEC;
    g->tend = g->t0 + (int64_t)(cfg->duration_s * SEC);
    g->now = g->t0;
    g->scale = cfg->scale;

    FILE *fps[F_N] = {0};
    char path[4096], path2[4096];
    int rc = 0;
    for (int f = 0; f < F_N; f++) {
        if (!path_of(path, sizeof path, cfg, f, 1))
            continue;
        fps[f] = fopen(path, "wb");
        if (!fps[f]) {
            rc = iof__fail(errbuf, errlen, IOF_E_OUTPUT, "synth: cannot create %s: %s", path,
                           strerror(errno));
            goto cleanup;
        }
    }
    static char iobuf[1 << 20];
    setvbuf(fps[F_PCAP], iobuf, _IOFBF, sizeof iobuf);
    g->fpcap = fps[F_PCAP];
    g->fsens = fps[F_SENS];
    g->fev = fps[F_EV];
    g->ftruth = fps[F_TRUTH];
    iof__pcapw_opts po = {.pcapng = false, .nanosecond = false, .big_endian = false,
                          .linktype = 1, .snaplen = 262144};
    rc = iof__pcapw_open(&g->pw, g->fpcap, &po);
    if (rc < 0) {
        iof__fail(errbuf, errlen, rc, "synth: cannot start the capture file");
        goto cleanup;
    }
    g->bytes = 24;
    fprintf(g->fsens, "timestamp,device_id,temperature,humidity,power,motion,alert_flag\n");
    fprintf(g->ftruth, "device,first_seen,remote_ip,proto,device_port,remote_port,label\n");
    rc = setup(g);
    if (rc < 0) {
        iof__fail(errbuf, errlen, rc, "synth: out of memory");
        goto cleanup;
    }
    write_devices(g, fps[F_DEV]);
    for (int i = 0; i < g->ndev; i++)
        device_boot(g, &g->dev[i]);

    run_events(g);
    flush_rows(g);
    write_events(g);
    if (g->err) {
        rc = g->err;
        iof__fail(errbuf, errlen, rc, "synth: generation failed (%s)", iof_strerror(rc));
        goto cleanup;
    }
    rc = iof__pcapw_close(g->pw);
    g->pw = NULL;
    if (rc < 0) {
        iof__fail(errbuf, errlen, IOF_E_OUTPUT, "synth: writing %s/capture.pcap failed",
                  cfg->output_dir);
        goto cleanup;
    }
    iof_synth_stats st;
    fill_stats(g, &st, now_s() - t_begin);
    if (fps[F_STATS])
        write_stats_json(g, &st, fps[F_STATS]);
    for (int f = 0; f < F_N; f++) {
        if (!fps[f])
            continue;
        int bad = ferror(fps[f]) != 0;
        bad |= fclose(fps[f]) != 0;
        fps[f] = NULL;
        if (bad) {
            path_of(path, sizeof path, cfg, f, 0);
            rc = iof__fail(errbuf, errlen, IOF_E_OUTPUT, "synth: writing %s failed", path);
            goto cleanup;
        }
    }
    for (int f = 0; f < F_N; f++) {
        if (!path_of(path, sizeof path, cfg, f, 1))
            continue;
        path_of(path2, sizeof path2, cfg, f, 0);
        if (rename(path, path2) < 0) {
            rc = iof__fail(errbuf, errlen, IOF_E_OUTPUT, "synth: rename %s: %s", path,
                           strerror(errno));
            goto cleanup;
        }
    }
    if (cfg->stats)
        fill_stats(g, cfg->stats, now_s() - t_begin);
    rc = 0;
cleanup:
    if (g->pw)
        iof__pcapw_close(g->pw);
    for (int f = 0; f < F_N; f++) {
        if (fps[f])
            fclose(fps[f]);
        if ((fps[f] || rc < 0) && path_of(path, sizeof path, cfg, f, 1))
            unlink(path);
    }
    gen_free(g);
    free(g);
    return (iof_err)rc;
}
