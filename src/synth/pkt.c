/* Packet builder (see pkt.h). Writes headers field by field (no struct overlays) and computes
 * checksums with a 64-bit accumulator over native words, folded once. */
#include "synth/pkt.h"

#include <string.h>

static inline void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

uint64_t iof__csum_partial(const uint8_t *p, size_t n, uint64_t sum)
{
    uint64_t acc = 0, x0, x1, x2, x3;
    while (n >= 32) {
        memcpy(&x0, p, 8);
        memcpy(&x1, p + 8, 8);
        memcpy(&x2, p + 16, 8);
        memcpy(&x3, p + 24, 8);
        acc += (x0 & 0xffffffffu) + (x0 >> 32) + (x1 & 0xffffffffu) + (x1 >> 32) +
               (x2 & 0xffffffffu) + (x2 >> 32) + (x3 & 0xffffffffu) + (x3 >> 32);
        p += 32;
        n -= 32;
    }
    while (n >= 8) {
        memcpy(&x0, p, 8);
        acc += (x0 & 0xffffffffu) + (x0 >> 32);
        p += 8;
        n -= 8;
    }
    while (acc >> 16)
        acc = (acc & 0xffffu) + (acc >> 16);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    acc = ((acc & 0xffu) << 8) | (acc >> 8); /* native words -> big-endian words */
#endif
    while (n >= 2) {
        acc += (uint64_t)p[0] << 8 | p[1];
        p += 2;
        n -= 2;
    }
    if (n)
        acc += (uint64_t)p[0] << 8;
    return sum + acc;
}

uint16_t iof__csum_fold(uint64_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffffu) + (sum >> 16);
    return (uint16_t)~sum;
}

static size_t put_eth(uint8_t *b, const iof__pktspec *s, uint16_t ethertype)
{
    size_t o = 12;
    memcpy(b, s->dst_mac, 6);
    memcpy(b + 6, s->src_mac, 6);
    if (s->n_vlan == 2) {
        put16(b + o, 0x88a8);
        put16(b + o + 2, s->vlan[0]);
        put16(b + o + 4, 0x8100);
        put16(b + o + 6, s->vlan[1]);
        o += 8;
    } else if (s->n_vlan == 1) {
        put16(b + o, 0x8100);
        put16(b + o + 2, s->vlan[0]);
        o += 4;
    }
    put16(b + o, ethertype);
    return o + 2;
}

size_t iof__pkt_build_sum(uint8_t *buf, size_t cap, const iof__pktspec *s, uint64_t payload_sum)
{
    if (!s || !buf || (s->ipver != 4 && s->ipver != 6) || s->n_vlan < 0 || s->n_vlan > 2)
        return 0;
    size_t l4hdr;
    switch (s->proto) {
    case 6: l4hdr = 20; break;
    case 17: case 1: case 58: l4hdr = 8; break;
    case 2: l4hdr = 0; if (s->payload_len < 4) return 0; break;
    default: l4hdr = 0; break;
    }
    size_t l2 = 14 + 4 * (size_t)s->n_vlan;
    size_t iphl = s->ipver == 4 ? 20 : 40;
    size_t l4len = l4hdr + s->payload_len;
    if (l4len + (s->ipver == 4 ? iphl : 0) > 65535)
        return 0;
    size_t flen = l2 + iphl + l4len;
    size_t total = flen < 60 ? 60 : flen;
    if (total > cap)
        return 0;

    uint8_t *b = buf;
    put_eth(b, s, s->ipver == 4 ? 0x0800 : 0x86dd);
    uint8_t *ip = b + l2;
    uint8_t *l4 = ip + iphl;
    uint64_t pseudo;
    size_t alen = s->ipver == 4 ? 4 : 16;
    if (s->ipver == 4) {
        ip[0] = 0x45;
        ip[1] = 0;
        put16(ip + 2, (uint16_t)(iphl + l4len));
        put16(ip + 4, s->ip_id);
        put16(ip + 6, s->proto == 6 ? 0x4000 : 0);
        ip[8] = s->ttl;
        ip[9] = s->proto;
        ip[10] = ip[11] = 0;
        memcpy(ip + 12, s->src_ip, 4);
        memcpy(ip + 16, s->dst_ip, 4);
        put16(ip + 10, iof__csum_fold(iof__csum_partial(ip, 20, 0)));
    } else {
        put32(ip, 0x60000000u);
        put16(ip + 4, (uint16_t)l4len);
        ip[6] = s->proto;
        ip[7] = s->ttl;
        memcpy(ip + 8, s->src_ip, 16);
        memcpy(ip + 24, s->dst_ip, 16);
    }
    /* pseudo-header: addresses + protocol + L4 length (v6: 32-bit length, same sum) */
    pseudo = iof__csum_partial(ip + (s->ipver == 4 ? 12 : 8), 2 * alen, 0) + s->proto + l4len;

    if (s->payload_len)
        memcpy(l4 + l4hdr, s->payload, s->payload_len);

    switch (s->proto) {
    case 6:
        put16(l4, s->sport);
        put16(l4 + 2, s->dport);
        put32(l4 + 4, s->seq);
        put32(l4 + 8, s->ack);
        l4[12] = 0x50;
        l4[13] = s->tcp_flags;
        put16(l4 + 14, s->win);
        l4[16] = l4[17] = l4[18] = l4[19] = 0;
        put16(l4 + 16, iof__csum_fold(iof__csum_partial(l4, 20, pseudo + payload_sum)));
        break;
    case 17: {
        put16(l4, s->sport);
        put16(l4 + 2, s->dport);
        put16(l4 + 4, (uint16_t)l4len);
        l4[6] = l4[7] = 0;
        uint16_t c = iof__csum_fold(iof__csum_partial(l4, 8, pseudo + payload_sum));
        put16(l4 + 6, c ? c : 0xffff);
        break;
    }
    case 1:
    case 58:
        l4[0] = s->icmp_type;
        l4[1] = s->icmp_code;
        l4[2] = l4[3] = 0;
        put16(l4 + 4, s->sport);
        put16(l4 + 6, s->dport);
        put16(l4 + 2, iof__csum_fold(iof__csum_partial(
                          l4, 8, (s->proto == 58 ? pseudo : 0) + payload_sum)));
        break;
    case 2:
        l4[2] = l4[3] = 0; /* payload_sum is not usable: the caller's checksum bytes differ */
        put16(l4 + 2, iof__csum_fold(iof__csum_partial(l4, l4len, 0)));
        break;
    default:
        break;
    }
    if (flen < total)
        memset(b + flen, 0, total - flen);
    return total;
}

size_t iof__pkt_build(uint8_t *buf, size_t cap, const iof__pktspec *s)
{
    if (!s)
        return 0;
    return iof__pkt_build_sum(buf, cap, s, iof__csum_partial(s->payload, s->payload_len, 0));
}

size_t iof__pkt_build_arp(uint8_t *buf, size_t cap, const uint8_t *eth_dst, uint16_t op,
                          const uint8_t sha[6], const uint8_t spa[4], const uint8_t tha[6],
                          const uint8_t tpa[4])
{
    if (!buf || cap < 60)
        return 0;
    memcpy(buf, eth_dst, 6);
    memcpy(buf + 6, sha, 6);
    put16(buf + 12, 0x0806);
    uint8_t *a = buf + 14;
    put16(a, 1);      /* Ethernet */
    put16(a + 2, 0x0800);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, op);
    memcpy(a + 8, sha, 6);
    memcpy(a + 14, spa, 4);
    memcpy(a + 18, tha, 6);
    memcpy(a + 24, tpa, 4);
    memset(buf + 42, 0, 18);
    return 60;
}
