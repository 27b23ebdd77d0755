/* Conversations: a script of steps (TCP handshake, messages segmented at the MSS with delayed
 * ACKs, FIN/RST teardown, UDP datagrams, ICMP, IGMP, ARP) that emits one frame per firing.
 * Message heads come from proto.c, encrypted/compressed content from an endless keyed stream;
 * every frame goes to the capture and through truth.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "output/textbuf.h"
#include "synth/synth_int.h"

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

static void emit_arp(gen *g, conv *c, const uint8_t *eth_dst, uint16_t op, const uint8_t *sha,
                     const uint8_t *spa, const uint8_t *tha, const uint8_t *tpa)
{
    size_t n = iof__pkt_build_arp(g->frame, sizeof g->frame, eth_dst, op, sha, spa, tha, tpa);
    write_frame(g, g->now, n);
    iof__sy_truth_arp(g, c->label, n, eth_dst, sha);
}

static void conv_fire(gen *g, ev *e);

conv *iof__sy_conv_new(gen *g, host *dev, int label, uint8_t proto, int ipver)
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

bool iof__sy_is_conv(const ev *e) { return e->fire == conv_fire; }

void iof__sy_convs_free(gen *g)
{
    while (g->free_convs) {
        conv *c = g->free_convs;
        g->free_convs = c->next_free;
        free(c);
    }
}

void iof__sy_ep_host(ep *e, host *h, uint16_t port, int ipver)
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

void iof__sy_ep_raw(gen *g, ep *e, const uint8_t *mac, const uint8_t *ip, uint16_t port,
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

uint16_t iof__sy_eph_port(host *h)
{
    uint16_t p = h->eph++;
    if (h->eph < 32768 || h->eph > 60999)
        h->eph = 32768;
    return p;
}

void iof__sy_add_step(conv *c, int type, int dir, int ptype, uint32_t bulk, int64_t gap)
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

void iof__sy_tcp_open(conv *c, int64_t rtt)
{
    c->half_rtt = rtt / 2 > 0 ? rtt / 2 : 1;
    iof__sy_add_step(c, S_SYN, 0, P_NONE, 0, 0);
    iof__sy_add_step(c, S_SYNACK, 1, P_NONE, 0, c->half_rtt);
    iof__sy_add_step(c, S_ACK3, 0, P_NONE, 0, c->half_rtt);
}

void iof__sy_tcp_close(conv *c, int64_t gap)
{
    iof__sy_add_step(c, S_FIN, 0, P_NONE, 0, gap);
    iof__sy_add_step(c, S_FIN, 1, P_NONE, 0, c->half_rtt);
    iof__sy_add_step(c, S_ACK, 0, P_NONE, 0, c->half_rtt);
}

void iof__sy_start(gen *g, conv *c, int64_t t)
{
    if (c)
        iof__sy_push(g, &c->e, t);
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
            p = iof__fmt_fixed(iof__put_str(p, "{\"power\":"), d->power, 1);
            p = iof__put_int(iof__put_str(p, ",\"on\":"), d->appliance);
        } else if (d->type == T_MOTION) {
            p = iof__put_int(iof__put_str(p, "{\"motion\":"), d->motion);
            p = iof__fmt_fixed(iof__put_str(p, ",\"temperature\":"), d->temp, 2);
        } else {
            p = iof__fmt_fixed(iof__put_str(p, "{\"temperature\":"), d->temp, 2);
            p = iof__fmt_fixed(iof__put_str(p, ",\"humidity\":"), d->hum, 1);
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
    case P_MQTT_PUB: { /* hand-formatted (see iof__fmt_fixed): long-lived sessions publish often */
        char *p = txt, topic[64];
        if (d && d->type == T_PLUG) {
            p = iof__fmt_fixed(iof__put_str(p, "{\"power\":"), d->power, 1);
            p = iof__put_int(iof__put_str(p, ",\"on\":"), d->appliance);
            p = iof__put_int(iof__put_str(p, ",\"ts\":"), g->now / SEC);
        } else if (d) {
            p = iof__fmt_fixed(iof__put_str(p, "{\"temperature\":"), d->temp, 2);
            p = iof__fmt_fixed(iof__put_str(p, ",\"humidity\":"), d->hum, 1);
            p = iof__fmt_fixed(iof__put_str(p, ",\"setpoint\":"), d->setpoint, 1);
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
            b, d->type == T_GATEWAY ? "_coap._udp.local" : "_googlecast._tcp.local", d->name, txt,
            d->ip);
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
        int n =
            snprintf((char *)b, HDR_MAX, "%s %08x %s", s->ptype == P_HEARTBEAT ? "HB" : "HB-ACK",
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
    iof__pktspec s = {0};
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
    size_t n = iof__pkt_build(g->frame, sizeof g->frame, &s);
    write_frame(g, g->now, n);
    iof__sy_truth_frame(g, c, dir, n);
    if (c->atk) /* attack traffic: where its time window ends (labels.rules) */
        g->atk[c->atk - 1].last_frame = g->now;
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
        iof__sy_push(g, &c->e, g->now + c->st[0].gap);
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
                iof__sy_push(g, &c->e, g->now + c->seg_gap);
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
                iof__sy_push(g, &c->e, g->now + c->half_rtt);
            } else {
                iof__sy_push(g, &c->e, g->now + c->seg_gap);
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
        static const uint8_t z[6] = {0};
        if (s->dir == 0)
            emit_arp(g, c, bcast_mac, 1, a->mac, a->ip, z, b->ip);
        else
            emit_arp(g, c, b->mac, 2, a->mac, a->ip, b->mac, b->ip);
        break;
    }
    }
    (void)b;
    if (advance) {
        c->off = 0;
        c->cur++;
        int64_t gap = c->cur < c->nst ? c->st[c->cur].gap : 0;
        iof__sy_push(g, &c->e, g->now + gap);
    }
}

