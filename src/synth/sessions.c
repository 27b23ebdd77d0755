/* Protocol sessions built from conversations (conv.c): DNS lookups through the router, TLS,
 * HTTP, MQTT, CoAP (and over DTLS), DHCP, NTP, NetBIOS + SMB2, mDNS, SSDP, IGMP, ICMP; and the
 * cloud remotes they talk to. */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "synth/synth_int.h"

static const char *const host_names[] = {
    "fw.ota.homesmart.ikea.net", "api.homesmart.ikea.net", "www.myedimax.com", "google.com",
    "www.google.com", "clients4.google.com", "play.googleapis.com", "mtalk.google.com",
    "connectivitycheck.gstatic.com", "time.google.com", "frontdoor.nest.com",
    "transport.home.nest.com", "mqtt.plugcloud.net", "pool.ntp.org", "heartbeat.myedimax.com",
    "lwm2m.iotcloud.net"};
static const uint8_t cloud_octets[] = {34, 35, 52, 54, 104, 142, 151, 203};

static int is_cloud_octet(uint8_t o)
{
    for (size_t i = 0; i < sizeof cloud_octets; i++)
        if (cloud_octets[i] == o)
            return 1;
    return 0;
}

/* A random public IPv4 address outside the benign cloud prefixes and reserved ranges. */
void iof__sy_random_public(iof__rng *r, uint8_t ip[4])
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

void iof__sy_remotes_init(gen *g)
{
    g->nhosts = (int)(sizeof host_names / sizeof host_names[0]);
    for (int i = 0; i < g->nhosts; i++) {
        g->hosts[i].name = host_names[i];
        uint64_t h = 0xcbf29ce484222325ull ^ g->cfg->seed;
        for (const char *p = host_names[i]; *p; p++)
            h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
        g->hosts[i].ip[0] = cloud_octets[h % sizeof cloud_octets];
        g->hosts[i].ip[1] = (uint8_t)(h >> 8);
        g->hosts[i].ip[2] = (uint8_t)(h >> 16);
        g->hosts[i].ip[3] = (uint8_t)(1 + (h >> 24) % 250);
    }
}

int64_t iof__sy_lan_rtt(gen *g) { return 200 + (int64_t)iof__rng_below(&g->rng, 800); }
int64_t iof__sy_wan_rtt(gen *g) { return 15 * MS + (int64_t)iof__rng_below(&g->rng, 60 * MS); }

/* A conversation from device d to a cloud host (through the router). */
conv *iof__sy_conv_cloud(gen *g, host *d, int hid, uint8_t proto, uint16_t dport, int label)
{
    conv *c = iof__sy_conv_new(g, d, label, proto, 4);
    if (!c)
        return NULL;
    iof__sy_ep_host(&c->side[0], d, proto == 6 || proto == 17 ? iof__sy_eph_port(d) : 0, 4);
    iof__sy_ep_raw(g, &c->side[1], g->router_mac, g->hosts[hid].ip, dport,
                   (uint8_t)(44 + iof__rng_below(&g->rng, 12)));
    c->side[0].seq = (uint32_t)iof__rng_next(&g->rng);
    c->side[1].seq = (uint32_t)iof__rng_next(&g->rng);
    c->host_name = g->hosts[hid].name;
    return c;
}

/* A conversation between two LAN hosts given by MAC/IP. */
conv *iof__sy_conv_lan(gen *g, host *d, const uint8_t *cmac, const uint8_t *cip, uint16_t cport,
                       uint8_t cttl, const uint8_t *smac, const uint8_t *sip, uint16_t sport,
                       uint8_t sttl, uint8_t proto, int label)
{
    conv *c = iof__sy_conv_new(g, d, label, proto, 4);
    if (!c)
        return NULL;
    iof__sy_ep_raw(g, &c->side[0], cmac, cip, cport, cttl);
    iof__sy_ep_raw(g, &c->side[1], smac, sip, sport, sttl);
    c->side[0].seq = (uint32_t)iof__rng_next(&g->rng);
    c->side[1].seq = (uint32_t)iof__rng_next(&g->rng);
    c->half_rtt = iof__sy_lan_rtt(g) / 2;
    return c;
}

void iof__sy_use_host_ipid(conv *c, int side, host *h)
{
    c->side[side].ipid = &h->ipid;
    c->side[side].win = 64240;
}

/* DNS lookup through the router when d's cache entry for hid has expired; returns the delay
 * after which the real connection may start. */
int64_t iof__sy_dns_lookup(gen *g, host *d, int hid)
{
    if (d->dns_exp[hid] > g->now)
        return 0;
    d->dns_exp[hid] = g->now + 60 * SEC; /* short TTLs of cloud names (CDN answers) */
    conv *c = iof__sy_conv_lan(g, d, d->mac, d->ip, iof__sy_eph_port(d), d->ttl, g->router_mac,
                               g->router_ip, 53, 64, 17, LBL_BENIGN);
    if (!c)
        return 0;
    iof__sy_use_host_ipid(c, 0, d);
    c->host_name = g->hosts[hid].name;
    uint16_t id = (uint16_t)iof__rng_next(&g->rng);
    iof__sy_add_step(c, S_UDP, 0, P_DNSQ, 0, 0);
    c->st[0].aux = id;
    int64_t lat = 2 * MS + (int64_t)iof__rng_below(&g->rng, 30 * MS);
    iof__sy_add_step(c, S_UDP, 1, P_DNSA, 0, lat);
    c->st[1].aux = (uint32_t)hid << 16 | id;
    iof__sy_start(g, c, g->now);
    return lat + 500;
}

/* A complete TLS session: ClientHello, ServerHello + encrypted handshake, request/response
 * application data of heavy-tailed sizes, close. */
void iof__sy_tls_session(gen *g, host *d, int hid, uint16_t port, uint32_t up, uint32_t down,
                         int64_t delay)
{
    conv *c = iof__sy_conv_cloud(g, d, hid, 6, port, LBL_BENIGN);
    if (!c)
        return;
    iof__sy_use_host_ipid(c, 0, d);
    iof__sy_tcp_open(c, iof__sy_wan_rtt(g));
    iof__sy_add_step(c, S_DATA, 0, P_CH, 0, 200);
    iof__sy_add_step(c, S_DATA, 1, P_SH, 2500 + (uint32_t)iof__rng_below(&g->rng, 2000),
                     c->half_rtt);
    c->st[c->nst - 1].ptype = P_SH; /* head = ServerHello+CCS; bulk = encrypted handshake */
    iof__sy_add_step(c, S_DATA, 0, P_TLSAPP, 80, 300);
    iof__sy_add_step(c, S_DATA, 0, P_TLSAPP, up, 2 * MS);
    iof__sy_add_step(c, S_DATA, 1, P_TLSAPP, down, c->half_rtt + 5 * MS);
    iof__sy_tcp_close(c, 50 * MS + (int64_t)iof__rng_below(&g->rng, 2 * SEC));
    iof__sy_start(g, c, g->now + delay);
}

void iof__sy_tls_heavy(gen *g, host *d, int hid, uint16_t port, const double up[3],
                       const double down[3], int64_t delay)
{
    /* the download size first: the order the generator has always had (as two call arguments
     * of tls_session the order was the compiler's: gcc's right to left, clang's left to right) */
    uint32_t dn = iof__sy_heavy(&d->rng, down[0], down[1], (uint32_t)down[2]);
    uint32_t un = iof__sy_heavy(&d->rng, up[0], up[1], (uint32_t)up[2]);
    iof__sy_tls_session(g, d, hid, port, un, dn, delay);
}

void iof__sy_http_session(gen *g, host *d, int hid, const char *path, int code, uint32_t body,
                          int64_t delay)
{
    conv *c = iof__sy_conv_cloud(g, d, hid, 6, 80, LBL_BENIGN);
    if (!c)
        return;
    iof__sy_use_host_ipid(c, 0, d);
    iof__sy_tcp_open(c, iof__sy_wan_rtt(g));
    iof__sy_add_step(c, S_DATA, 0, P_HTTPGET, 0, 200);
    c->st[c->nst - 1].text = path;
    iof__sy_add_step(c, S_DATA, 1, P_HTTPRESP, code == 204 ? 0 : body, c->half_rtt + 3 * MS);
    c->st[c->nst - 1].aux = (uint32_t)code;
    iof__sy_tcp_close(c, 2 * MS);
    iof__sy_start(g, c, g->now + delay);
}

void iof__sy_udp_exchange(gen *g, host *d, int hid, uint16_t sport, uint16_t dport, int pq,
                          int pa, int64_t delay)
{
    conv *c = iof__sy_conv_cloud(g, d, hid, 17, dport, LBL_BENIGN);
    if (!c)
        return;
    iof__sy_use_host_ipid(c, 0, d);
    if (sport)
        c->side[0].port = sport;
    c->half_rtt = iof__sy_wan_rtt(g) / 2;
    iof__sy_add_step(c, S_UDP, 0, pq, 0, 0);
    iof__sy_add_step(c, S_UDP, 1, pa, 0, 2 * c->half_rtt);
    iof__sy_start(g, c, g->now + delay);
}

void iof__sy_multicast(gen *g, host *d, const uint8_t gmac[6], const uint8_t gip[4],
                       uint16_t sport, uint16_t dport, int ptype, uint8_t ttl)
{
    conv *c = iof__sy_conv_new(g, d, LBL_BENIGN, 17, 4);
    if (!c)
        return;
    iof__sy_ep_host(&c->side[0], d, sport, 4);
    c->side[0].ttl = ttl;
    iof__sy_ep_raw(g, &c->side[1], gmac, gip, dport, 1);
    iof__sy_add_step(c, S_UDP, 0, ptype, 0, 0);
    iof__sy_start(g, c, g->now);
}

static const uint8_t zero_ip[4] = {0, 0, 0, 0};

void iof__sy_mdns6(gen *g, host *d)
{
    static const uint8_t m6mac[6] = {0x33, 0x33, 0, 0, 0, 0xfb};
    static const uint8_t m6ip[16] = {0xff, 0x02, [15] = 0xfb};
    conv *c = iof__sy_conv_new(g, d, LBL_BENIGN, 17, 6);
    if (!c)
        return;
    iof__sy_ep_host(&c->side[0], d, 5353, 6);
    c->side[0].ttl = 255;
    c->side[1].mac = m6mac;
    memcpy(c->side[1].ip, m6ip, 16);
    c->side[1].port = 5353;
    c->side[1].ipid = &c->side[1].ipid_own;
    iof__sy_add_step(c, S_UDP, 0, P_MDNS_Q, 0, 0);
    iof__sy_start(g, c, g->now);
}

void iof__sy_igmp_report(gen *g, host *d, const uint8_t gmac[6], const uint8_t gip[4])
{
    conv *c = iof__sy_conv_new(g, d, LBL_BENIGN, 2, 4);
    if (!c)
        return;
    iof__sy_ep_host(&c->side[0], d, 0, 4);
    c->side[0].ttl = 1;
    iof__sy_ep_raw(g, &c->side[1], gmac, gip, 0, 1);
    iof__sy_add_step(c, S_IGMP, 0, P_IGMP, 0, 0);
    iof__sy_start(g, c, g->now);
}

static int smb_refill(gen *g, conv *c);

void iof__sy_dhcp_exchange(gen *g, host *d, int full)
{
    conv *c;
    if (full) {
        c = iof__sy_conv_lan(g, d, d->mac, zero_ip, 68, 64, bcast_mac, bcast_ip, 67, 64, 17,
                             LBL_BENIGN);
        if (!c)
            return;
        c->aux64 = (uint32_t)iof__rng_next(&g->rng);
        /* router answers to the broadcast address: no record for the answers (the
         * destination MAC is not a device's) */
        memcpy(c->side[1].ip, bcast_ip, 4);
        iof__sy_add_step(c, S_UDP, 0, P_DHCP, 0, 0);
        c->st[0].aux = 1;
        iof__sy_start(g, c, g->now);
        conv *o = iof__sy_conv_lan(g, d, g->router_mac, g->router_ip, 67, 64, bcast_mac, bcast_ip,
                                   68, 64, 17, LBL_BENIGN);
        if (!o)
            return;
        o->aux64 = c->aux64;
        iof__sy_add_step(o, S_UDP, 0, P_DHCP, 0, 0);
        o->st[0].aux = 2;
        iof__sy_add_step(o, S_UDP, 0, P_DHCP, 0, 4 * MS);
        o->st[1].aux = 5;
        iof__sy_start(g, o, g->now + 2 * MS);
        conv *r = iof__sy_conv_lan(g, d, d->mac, zero_ip, 68, 64, bcast_mac, bcast_ip, 67, 64, 17,
                                   LBL_BENIGN);
        if (!r)
            return;
        r->aux64 = c->aux64;
        iof__sy_add_step(r, S_UDP, 0, P_DHCP, 0, 0);
        r->st[0].aux = 3;
        iof__sy_start(g, r, g->now + 4 * MS);
        return;
    }
    /* renewal: unicast request and ack (RENEWING state) */
    c = iof__sy_conv_lan(g, d, d->mac, d->ip, 68, 64, g->router_mac, g->router_ip, 67, 64, 17,
                         LBL_BENIGN);
    if (!c)
        return;
    iof__sy_use_host_ipid(c, 0, d);
    c->aux64 = (uint32_t)iof__rng_next(&g->rng);
    iof__sy_add_step(c, S_UDP, 0, P_DHCP, 0, 0);
    c->st[0].aux = 3 | 1u << 8;
    iof__sy_add_step(c, S_UDP, 1, P_DHCP, 0, 3 * MS);
    c->st[1].aux = 5 | 1u << 8;
    iof__sy_start(g, c, g->now);
}

void iof__sy_smb_stream(gen *g, host *cam, int64_t dur, int64_t delay)
{
    host *nas = g->nas;
    if (!nas)
        return;
    /* NetBIOS 139 session request first (accepted, then closed), then SMB2 writes on 445 */
    conv *n = iof__sy_conv_lan(g, cam, cam->mac, cam->ip, iof__sy_eph_port(cam), cam->ttl, nas->mac,
                               nas->ip, 139, nas->ttl, 6, LBL_BENIGN);
    if (!n)
        return;
    iof__sy_use_host_ipid(n, 0, cam);
    iof__sy_use_host_ipid(n, 1, nas);
    iof__sy_tcp_open(n, 2 * n->half_rtt);
    iof__sy_add_step(n, S_DATA, 0, P_NBSS_REQ, 0, 100);
    iof__sy_add_step(n, S_DATA, 1, P_NBSS_POS, 0, 400);
    iof__sy_tcp_close(n, 1 * MS);
    iof__sy_start(g, n, g->now + delay);
    conv *c = iof__sy_conv_lan(g, cam, cam->mac, cam->ip, iof__sy_eph_port(cam), cam->ttl, nas->mac,
                               nas->ip, 445, nas->ttl, 6, LBL_BENIGN);
    if (!c)
        return;
    iof__sy_use_host_ipid(c, 0, cam);
    iof__sy_use_host_ipid(c, 1, nas);
    c->aux64 = 1;
    iof__sy_tcp_open(c, 2 * c->half_rtt);
    c->until = g->now + delay + dur;
    c->seg_gap = 20; /* the writes go out at line rate; chunks are spaced by the bitrate */
    c->refill = smb_refill;
    iof__sy_start(g, c, g->now + delay + 10 * MS);
}

/* Refill for an SMB stream: one 64 KiB write per chunk interval until c->until. */
static int smb_refill(gen *g, conv *c)
{
    if (g->now >= c->until) {
        iof__sy_tcp_close(c, 5 * MS);
        c->refill = NULL;
        return 1;
    }
    uint32_t len = 32768 + (uint32_t)iof__rng_below(&g->rng, 32768);
    /* bitrate: the profile's (home ~1.5 Mbit/s x scale) */
    double bps = g->prof->video_bps * (g->prof->video_per_scale ? g->scale : 1.0);
    int64_t interval = (int64_t)((double)len * 8 / bps * SEC);
    iof__sy_add_step(c, S_DATA, 0, P_SMB_WREQ, len, interval);
    iof__sy_add_step(c, S_DATA, 1, P_SMB_WRESP, 0, 300);
    c->st[1].aux = len;
    return 1;
}

/* Long-lived keepalive connections (MQTT, TLS 5228, C2): periodic small exchanges. */
static int mqtt_refill(gen *g, conv *c)
{
    host *d = c->dev;
    if (g->now >= g->tend)
        return 0;
    int64_t gap = iof__sy_jitter(&d->rng, (int64_t)(30 * SEC / g->scale), 0.1);
    if (iof__rng_below(&d->rng, 4) == 0) {
        iof__sy_add_step(c, S_DATA, 0, P_MQTT_PING, 0, gap);
        iof__sy_add_step(c, S_DATA, 1, P_MQTT_PONG, 0, c->half_rtt * 2);
    } else {
        iof__sy_add_step(c, S_DATA, 0, P_MQTT_PUB, 0, gap);
    }
    return 1;
}

static int tls_keepalive_refill(gen *g, conv *c)
{
    host *d = c->dev;
    if (g->now >= g->tend)
        return 0;
    int64_t gap = iof__sy_jitter(&d->rng, (int64_t)(45 * SEC / g->scale), 0.3);
    iof__sy_add_step(c, S_DATA, 0, P_TLSAPP, 24 + (uint32_t)iof__rng_below(&d->rng, 60), gap);
    iof__sy_add_step(c, S_DATA, 1, P_TLSAPP, iof__sy_heavy(&d->rng, 40, 1.2, 60000),
                     c->half_rtt * 2);
    return 1;
}

conv *iof__sy_long_lived(gen *g, host *d, int hid, uint16_t port, int mqtt)
{
    conv *c = iof__sy_conv_cloud(g, d, hid, 6, port, LBL_BENIGN);
    if (!c)
        return NULL;
    iof__sy_use_host_ipid(c, 0, d);
    iof__sy_tcp_open(c, iof__sy_wan_rtt(g));
    if (mqtt) {
        iof__sy_add_step(c, S_DATA, 0, P_MQTT_CONN, 0, 200);
        iof__sy_add_step(c, S_DATA, 1, P_MQTT_CONNACK, 0, c->half_rtt);
        c->refill = mqtt_refill;
    } else {
        iof__sy_add_step(c, S_DATA, 0, P_CH, 0, 200);
        iof__sy_add_step(c, S_DATA, 1, P_SH, 3000 + (uint32_t)iof__rng_below(&g->rng, 1500),
                         c->half_rtt);
        c->refill = tls_keepalive_refill;
    }
    return c;
}

void iof__sy_coap_app_command(gen *g, host *gw)
{
    /* Phone app -> gateway CoAP over DTLS (UDP 5684); fixed length sequences per command */
    static const uint16_t seqs[3][4] = {{61, 45, 73, 0}, {77, 45, 45, 89}, {93, 61, 0, 0}};
    int cmd = (int)iof__rng_below(&gw->rng, 3);
    conv *c = iof__sy_conv_lan(g, gw, g->phone_mac, g->phone_ip, iof__sy_eph_port(gw), 64, gw->mac,
                               gw->ip, 5684, 255, 17, LBL_BENIGN);
    if (!c)
        return;
    iof__sy_use_host_ipid(c, 1, gw);
    for (int i = 0; i < 4 && seqs[cmd][i]; i++) {
        iof__sy_add_step(c, S_UDP, i % 2, P_DTLS, 0,
                         i ? 2 * MS + (int64_t)iof__rng_below(&gw->rng, 5 * MS) : 0);
        c->st[c->nst - 1].aux = seqs[cmd][i] - 13u;
    }
    iof__sy_start(g, c, g->now);
}

void iof__sy_icmp_ping(gen *g, host *d, const uint8_t *dmac, const uint8_t *dip, int label,
                       uint8_t reply_ttl, int64_t rtt)
{
    conv *c = iof__sy_conv_lan(g, d, d->mac, d->ip, 0, d->ttl, dmac, dip, 0, reply_ttl, 1, label);
    if (!c)
        return;
    iof__sy_use_host_ipid(c, 0, d);
    c->aux = (uint32_t)(iof__rng_below(&g->rng, 65535) + 1) | 1u << 16;
    iof__sy_add_step(c, S_ICMP, 0, P_ECHO, 0, 0);
    c->st[0].aux = 8;
    iof__sy_add_step(c, S_ICMP, 1, P_ECHO, 0, rtt);
    c->st[1].aux = 0;
    iof__sy_start(g, c, g->now);
}

/* CoAP CON from d (ptype) answered by an ACK 2.04 after rtt; message id from d's counter. */
static void coap_con_ack(gen *g, conv *c, host *d, int ptype, int64_t rtt, int64_t delay)
{
    iof__sy_add_step(c, S_UDP, 0, ptype, 0, 0);
    c->st[0].aux = d->coap_mid;
    iof__sy_add_step(c, S_UDP, 1, P_COAP_ACK, 0, rtt);
    c->st[1].aux = d->coap_mid++;
    iof__sy_start(g, c, g->now + delay);
}

/* Motion sensor -> gateway CoAP POST /motion (UDP 5683 both sides). */
void iof__sy_coap_motion(gen *g, host *d)
{
    host *gw = &g->dev[0];
    if (gw->type != T_GATEWAY)
        return;
    conv *c = iof__sy_conv_lan(g, d, d->mac, d->ip, 5683, d->ttl, gw->mac, gw->ip, 5683, gw->ttl,
                               17, LBL_BENIGN);
    if (!c)
        return;
    iof__sy_use_host_ipid(c, 0, d);
    iof__sy_use_host_ipid(c, 1, gw);
    coap_con_ack(g, c, d, P_COAP_CON, 2 * MS, 0);
}

/* LwM2M-style telemetry (small profile): CoAP POST /telemetry of the device's readings to
 * the cloud collector's 5683 from a fresh ephemeral port (one short flow per report). */
void iof__sy_coap_telemetry(gen *g, host *d)
{
    int64_t dl = iof__sy_dns_lookup(g, d, H_TELEMETRY);
    conv *c = iof__sy_conv_cloud(g, d, H_TELEMETRY, 17, 5683, LBL_BENIGN);
    if (!c)
        return;
    iof__sy_use_host_ipid(c, 0, d);
    c->half_rtt = iof__sy_wan_rtt(g) / 2;
    coap_con_ack(g, c, d, P_COAP_TELEM, 2 * c->half_rtt, dl);
}

/* When the profile's device timers are deadline-driven: the earliest pending deadline (a slot
 * a device type does not use stays in the past and is skipped). */

void iof__sy_mqtt_burst(gen *g, host *d, int hid)
{
    /* A short MQTT session publishing one state report (device -> broker 1883). */
    conv *c = iof__sy_conv_cloud(g, d, hid, 6, 1883, LBL_BENIGN);
    if (!c)
        return;
    iof__sy_use_host_ipid(c, 0, d);
    iof__sy_tcp_open(c, iof__sy_wan_rtt(g));
    iof__sy_add_step(c, S_DATA, 0, P_MQTT_CONN, 0, 200);
    iof__sy_add_step(c, S_DATA, 1, P_MQTT_CONNACK, 0, c->half_rtt);
    iof__sy_add_step(c, S_DATA, 0, P_MQTT_PUB, 0, 300);
    iof__sy_tcp_close(c, 20 * MS);
    iof__sy_start(g, c, g->now);
}

