/* Unit tests for src/decode: hand-built frames for every link type and decoder path, every drop
 * reason and note, snaplen truncation at every byte, caplen > wirelen.
 *
 * Each frame is copied into an exactly-sized heap block before decoding so ASan reports any
 * read past the captured bytes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "decode/frag.h"
#include "test.h"

/* ---------------------------------------------------------------- frame builder */

typedef struct {
    uint8_t b[4096];
    uint32_t n;
} fb_t;

static void fb_u8(fb_t *f, unsigned v) { f->b[f->n++] = (uint8_t)v; }
static void fb_be16(fb_t *f, unsigned v) { fb_u8(f, v >> 8 & 0xff); fb_u8(f, v & 0xff); }
static void fb_be32(fb_t *f, uint32_t v) { fb_be16(f, v >> 16); fb_be16(f, v & 0xffff); }
static void fb_le32(fb_t *f, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        fb_u8(f, v >> (8 * i) & 0xff);
}
static void fb_fill(fb_t *f, uint32_t n, unsigned v)
{
    for (uint32_t i = 0; i < n; i++)
        fb_u8(f, v);
}
static void fb_put16at(fb_t *f, uint32_t at, unsigned v)
{
    f->b[at] = (uint8_t)(v >> 8);
    f->b[at + 1] = (uint8_t)v;
}

static const uint8_t MAC_DST[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t MAC_SRC[6] = { 0x02, 0, 0, 0, 0, 0x01 };

static void fb_eth(fb_t *f, unsigned type)
{
    for (int i = 0; i < 6; i++)
        fb_u8(f, MAC_DST[i]);
    for (int i = 0; i < 6; i++)
        fb_u8(f, MAC_SRC[i]);
    fb_be16(f, type);
}

static void fb_vlan(fb_t *f, unsigned tci, unsigned next_type)
{
    fb_be16(f, tci);
    fb_be16(f, next_type);
}

/* IPv4 header; total length = 20 + optlen + l4len. Returns the header offset. */
static uint32_t fb_ipv4(fb_t *f, unsigned proto, uint32_t l4len, uint32_t optlen, unsigned fragw,
                        unsigned id)
{
    uint32_t at = f->n;
    fb_u8(f, 0x40 | ((20 + optlen) / 4));
    fb_u8(f, 0);
    fb_be16(f, 20 + optlen + l4len);
    fb_be16(f, id);
    fb_be16(f, fragw);
    fb_u8(f, 64);
    fb_u8(f, proto);
    fb_be16(f, 0);
    fb_be32(f, 0xc0a80102); /* 192.168.1.2 */
    fb_be32(f, 0x08080808); /* 8.8.8.8 */
    fb_fill(f, optlen, 1);  /* NOP options */
    return at;
}

static const uint8_t IP6_SRC[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t IP6_DST[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };

static uint32_t fb_ipv6(fb_t *f, unsigned nh, uint32_t plen)
{
    uint32_t at = f->n;
    fb_be32(f, 0x60000000);
    fb_be16(f, plen);
    fb_u8(f, nh);
    fb_u8(f, 255);
    for (int i = 0; i < 16; i++)
        fb_u8(f, IP6_SRC[i]);
    for (int i = 0; i < 16; i++)
        fb_u8(f, IP6_DST[i]);
    return at;
}

/* Generic extension header of (len+1)*8 bytes. */
static void fb_ext(fb_t *f, unsigned nh, unsigned len)
{
    fb_u8(f, nh);
    fb_u8(f, len);
    fb_fill(f, (len + 1) * 8 - 2, 0);
}

static void fb_tcp(fb_t *f, unsigned sp, unsigned dp, uint32_t optlen, unsigned flags, uint32_t datalen)
{
    fb_be16(f, sp);
    fb_be16(f, dp);
    fb_be32(f, 1000);
    fb_be32(f, 2000);
    fb_u8(f, ((20 + optlen) / 4) << 4);
    fb_u8(f, flags);
    fb_be16(f, 65535);
    fb_be16(f, 0);
    fb_be16(f, 0);
    fb_fill(f, optlen, 1);
    fb_fill(f, datalen, 'A');
}

static void fb_udp(fb_t *f, unsigned sp, unsigned dp, unsigned ulen, uint32_t datalen)
{
    fb_be16(f, sp);
    fb_be16(f, dp);
    fb_be16(f, ulen);
    fb_be16(f, 0);
    fb_fill(f, datalen, 'U');
}

static void fb_icmp(fb_t *f, unsigned type, unsigned code, uint32_t datalen)
{
    fb_u8(f, type);
    fb_u8(f, code);
    fb_be16(f, 0);
    fb_be32(f, 0x00010001);
    fb_fill(f, datalen, 'I');
}

/* ---------------------------------------------------------------- decode helpers */

static uint64_t seen_drops; /* bit per iof__drop seen by any test */
static uint32_t seen_notes;

static void check_invariants(const iof__pkt *p, iof__drop d)
{
    ASSERT_TRUE((unsigned)d < IOF_DROP__COUNT);
    ASSERT_TRUE(p->caplen <= p->wirelen);
    ASSERT_TRUE((uint64_t)p->payload_off + p->payload_caplen <= p->caplen);
    ASSERT_TRUE(p->payload_caplen <= p->payload_len || d != IOF_DROP_OK);
    ASSERT_TRUE(p->l3_off <= p->caplen);
    ASSERT_TRUE(p->l4_off <= p->caplen);
    ASSERT_TRUE(p->vlan_depth <= IOF_MAX_VLAN_DEPTH);
    ASSERT_TRUE((p->notes >> IOF_NOTE__COUNT) == 0);
    if (p->flags & IOF_PKT_HAS_PORTS)
        ASSERT_EQ_INT(d, IOF_DROP_OK);
    if (d == IOF_DROP_OK) {
        ASSERT_TRUE(p->ipver == 4 || p->ipver == 6);
        ASSERT_TRUE((uint64_t)p->l3_off + p->ip_len <= p->wirelen);
        bool later = (p->flags & IOF_PKT_FRAGMENT) && !(p->flags & IOF_PKT_FIRST_FRAG);
        if ((p->proto == 6 || p->proto == 17) && !later)
            ASSERT_TRUE(p->flags & IOF_PKT_HAS_PORTS);
        if (later)
            ASSERT_TRUE(!(p->flags & IOF_PKT_HAS_PORTS));
    }
}

/* Decodes a copy of buf[0..caplen) in an exactly-sized heap block. */
static iof__drop dec_raw(iof__pkt *p, uint32_t lt, const uint8_t *buf, uint32_t caplen, uint32_t wirelen)
{
    uint8_t *copy = malloc(caplen ? caplen : 1);
    ASSERT_TRUE(copy != NULL);
    if (caplen)
        memcpy(copy, buf, caplen);
    iof__drop d = iof__decode(p, lt, copy, caplen, wirelen, 1000);
    seen_drops |= 1ull << d;
    seen_notes |= p->notes;
    /* check before free: payload offsets are relative to the copy */
    int failed = 0;
    if ((uint64_t)p->payload_off + p->payload_caplen > p->caplen)
        failed = 1;
    p->data = NULL; /* never used after the block is freed */
    free(copy);
    ASSERT_TRUE(!failed);
    check_invariants(p, d);
    return d;
}

static iof__drop dec(iof__pkt *p, uint32_t lt, const fb_t *f)
{
    return dec_raw(p, lt, f->b, f->n, f->n);
}

static iof__drop dec_cut(iof__pkt *p, uint32_t lt, const fb_t *f, uint32_t caplen)
{
    return dec_raw(p, lt, f->b, caplen, f->n);
}

/* ---------------------------------------------------------------- Ethernet / IPv4 / TCP */

static void test_eth_ipv4_tcp(void)
{
    fb_t f = { .n = 0 };
    fb_eth(&f, 0x0800);
    fb_ipv4(&f, 6, 20 + 5, 0, 0x4000, 0x1234);
    fb_tcp(&f, 40000, 443, 0, 0x18, 5);
    iof__pkt p;
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_ETHERNET, &f), IOF_DROP_OK);
    ASSERT_EQ_INT(p.flags, IOF_PKT_HAS_SRC_MAC | IOF_PKT_HAS_DST_MAC | IOF_PKT_HAS_PORTS);
    ASSERT_EQ_MEM(p.src_mac, MAC_SRC, 6);
    ASSERT_EQ_MEM(p.dst_mac, MAC_DST, 6);
    ASSERT_EQ_INT(p.notes, 0);
    ASSERT_EQ_INT(p.ipver, 4);
    ASSERT_EQ_INT(p.proto, 6);
    ASSERT_EQ_INT(p.ttl, 64);
    ASSERT_EQ_INT(p.ip_id, 0x1234);
    const uint8_t s4[16] = { 192, 168, 1, 2 }, d4[16] = { 8, 8, 8, 8 };
    ASSERT_EQ_MEM(p.src_ip, s4, 16);
    ASSERT_EQ_MEM(p.dst_ip, d4, 16);
    ASSERT_EQ_INT(p.ip_len, 45);
    ASSERT_EQ_INT(p.l3_off, 14);
    ASSERT_EQ_INT(p.l4_off, 34);
    ASSERT_EQ_INT(p.l4_hlen, 20);
    ASSERT_EQ_INT(p.sport, 40000);
    ASSERT_EQ_INT(p.dport, 443);
    ASSERT_EQ_INT(p.tcp_seq, 1000);
    ASSERT_EQ_INT(p.tcp_ack, 2000);
    ASSERT_EQ_INT(p.tcp_flags, 0x18);
    ASSERT_EQ_INT(p.tcp_win, 65535);
    ASSERT_EQ_INT(p.payload_off, 54);
    ASSERT_EQ_INT(p.payload_len, 5);
    ASSERT_EQ_INT(p.payload_caplen, 5);
    ASSERT_EQ_INT(p.vlan_depth, 0);
    ASSERT_EQ_INT(p.caplen, f.n);
    ASSERT_EQ_INT(p.wirelen, f.n);
    ASSERT_EQ_INT(p.ts_ns, 1000);
    ASSERT_EQ_INT(p.linktype, 1);
}

static void test_eth_padding_not_payload(void)
{
    fb_t f = { .n = 0 };
    fb_eth(&f, 0x0800);
    fb_ipv4(&f, 17, 8 + 2, 0, 0, 1);
    fb_udp(&f, 5353, 5353, 10, 2);
    fb_fill(&f, 60 - f.n, 0xee); /* padding to the Ethernet minimum */
    iof__pkt p;
    ASSERT_EQ_INT(dec(&p, 1, &f), IOF_DROP_OK);
    ASSERT_EQ_INT(p.ip_len, 30);
    ASSERT_EQ_INT(p.payload_len, 2);
    ASSERT_EQ_INT(p.payload_caplen, 2);
    ASSERT_EQ_INT(p.notes, 0);

    /* TCP with no data, padded: payload 0 */
    fb_t g = { .n = 0 };
    fb_eth(&g, 0x0800);
    fb_ipv4(&g, 6, 20, 0, 0, 1);
    fb_tcp(&g, 1, 2, 0, 0x10, 0);
    fb_fill(&g, 6, 0);
    ASSERT_EQ_INT(dec(&p, 1, &g), IOF_DROP_OK);
    ASSERT_EQ_INT(p.payload_len, 0);
    ASSERT_EQ_INT(p.payload_caplen, 0);
}

static void test_tcp_options_and_offsets(void)
{
    fb_t f = { .n = 0 };
    fb_eth(&f, 0x0800);
    fb_ipv4(&f, 6, 32 + 7, 0, 0, 1);
    fb_tcp(&f, 1, 2, 12, 0x02, 7);
    iof__pkt p;
    ASSERT_EQ_INT(dec(&p, 1, &f), IOF_DROP_OK);
    ASSERT_EQ_INT(p.l4_hlen, 32);
    ASSERT_EQ_INT(p.payload_off, 14 + 20 + 32);
    ASSERT_EQ_INT(p.payload_len, 7);
    ASSERT_EQ_INT(p.payload_caplen, 7);

    /* data offset 4 */
    f.b[14 + 20 + 12] = 4 << 4;
    ASSERT_EQ_INT(dec(&p, 1, &f), IOF_DROP_TCP_HLEN_TOO_SMALL);
    /* data offset 15 (60 bytes) past the 59-byte datagram payload */
    f.b[14 + 20 + 12] = 15 << 4;
    ASSERT_EQ_INT(dec(&p, 1, &f), IOF_DROP_L4_BEYOND_DATAGRAM);

    /* IP payload shorter than a minimal TCP header */
    fb_t g = { .n = 0 };
    fb_eth(&g, 0x0800);
    fb_ipv4(&g, 6, 10, 0, 0, 1);
    fb_fill(&g, 10, 0);
    ASSERT_EQ_INT(dec(&p, 1, &g), IOF_DROP_L4_BEYOND_DATAGRAM);
}

static void test_tcp_header_truncated(void)
{
    fb_t f = { .n = 0 };
    fb_eth(&f, 0x0800);
    fb_ipv4(&f, 6, 32 + 100, 0, 0, 1);
    fb_tcp(&f, 1, 2, 12, 0x11, 100);
    iof__pkt p;
    /* 3 bytes of TCP: ports not captured */
    ASSERT_EQ_INT(dec_cut(&p, 1, &f, 34 + 3), IOF_DROP_L4_NOT_CAPTURED);
    ASSERT_TRUE(!(p.flags & IOF_PKT_HAS_PORTS));
    ASSERT_TRUE(p.notes & IOF_NOTE(IP_TRUNCATED));
    /* ports only */
    ASSERT_EQ_INT(dec_cut(&p, 1, &f, 34 + 4), IOF_DROP_OK);
    ASSERT_TRUE(p.flags & IOF_PKT_HAS_PORTS);
    ASSERT_TRUE(p.notes & IOF_NOTE(TCP_HDR_TRUNCATED));
    ASSERT_EQ_INT(p.sport, 1);
    ASSERT_EQ_INT(p.dport, 2);
    ASSERT_EQ_INT(p.payload_caplen, 0);
    ASSERT_EQ_INT(p.ip_len, 20 + 132);
    /* data offset captured, options not */
    ASSERT_EQ_INT(dec_cut(&p, 1, &f, 34 + 24), IOF_DROP_OK);
    ASSERT_TRUE(p.notes & IOF_NOTE(TCP_HDR_TRUNCATED));
    ASSERT_EQ_INT(p.tcp_flags, 0x11);
    ASSERT_EQ_INT(p.l4_hlen, 32);
    ASSERT_EQ_INT(p.payload_len, 100);
    ASSERT_EQ_INT(p.payload_caplen, 0);
    /* header complete, payload cut */
    ASSERT_EQ_INT(dec_cut(&p, 1, &f, 34 + 32 + 10), IOF_DROP_OK);
    ASSERT_TRUE(!(p.notes & IOF_NOTE(TCP_HDR_TRUNCATED)));
    ASSERT_TRUE(p.notes & IOF_NOTE(IP_TRUNCATED));
    ASSERT_EQ_INT(p.payload_len, 100);
    ASSERT_EQ_INT(p.payload_caplen, 10);
    ASSERT_EQ_INT(p.wirelen, f.n);
}

static void test_udp_lengths(void)
{
    iof__pkt p;
    fb_t f = { .n = 0 };
    fb_eth(&f, 0x0800);
    fb_ipv4(&f, 17, 8 + 20, 0, 0, 1);
    fb_udp(&f, 53, 5000, 8 + 20, 20);
    ASSERT_EQ_INT(dec(&p, 1, &f), IOF_DROP_OK);
    ASSERT_EQ_INT(p.l4_hlen, 8);
    ASSERT_EQ_INT(p.payload_len, 20);
    ASSERT_EQ_INT(p.payload_caplen, 20);
    ASSERT_EQ_INT(p.payload_off, 42);

    fb_put16at(&f, 34 + 4, 7); /* < 8 */
    ASSERT_EQ_INT(dec(&p, 1, &f), IOF_DROP_UDP_LEN_INVALID);
    fb_put16at(&f, 34 + 4, 29); /* > IP payload */
    ASSERT_EQ_INT(dec(&p, 1, &f), IOF_DROP_UDP_LEN_INVALID);
    fb_put16at(&f, 34 + 4, 0); /* 0 without jumbo/TSO */
    ASSERT_EQ_INT(dec(&p, 1, &f), IOF_DROP_UDP_LEN_INVALID);
    fb_put16at(&f, 34 + 4, 8 + 5); /* shorter than the IP payload: trailing bytes not payload */
    ASSERT_EQ_INT(dec(&p, 1, &f), IOF_DROP_OK);
    ASSERT_EQ_INT(p.payload_len, 5);
    ASSERT_EQ_INT(p.payload_caplen, 5);

    /* header cut after the ports / after the length */
    fb_put16at(&f, 34 + 4, 28);
    ASSERT_EQ_INT(dec_cut(&p, 1, &f, 34 + 5), IOF_DROP_OK);
    ASSERT_TRUE(p.notes & IOF_NOTE(UDP_HDR_TRUNCATED));
    ASSERT_EQ_INT(p.payload_len, 20);
    ASSERT_EQ_INT(p.payload_caplen, 0);
    ASSERT_EQ_INT(dec_cut(&p, 1, &f, 34 + 7), IOF_DROP_OK);
    ASSERT_TRUE(p.notes & IOF_NOTE(UDP_HDR_TRUNCATED));
    ASSERT_EQ_INT(dec_cut(&p, 1, &f, 34 + 3), IOF_DROP_L4_NOT_CAPTURED);

    /* IP payload shorter than a UDP header */
    fb_t g = { .n = 0 };
    fb_eth(&g, 0x0800);
    fb_ipv4(&g, 17, 6, 0, 0, 1);
    fb_fill(&g, 6, 0);
    ASSERT_EQ_INT(dec(&p, 1, &g), IOF_DROP_L4_BEYOND_DATAGRAM);
}

static void test_icmp_and_other(void)
{
    iof__pkt p;
    fb_t f = { .n = 0 };
    fb_eth(&f, 0x0800);
    fb_ipv4(&f, 1, 8 + 32, 0, 0, 1);
    fb_icmp(&f, 8, 0, 32);
    ASSERT_EQ_INT(dec(&p, 1, &f), IOF_DROP_OK);
    ASSERT_EQ_INT(p.icmp_type, 8);
    ASSERT_EQ_INT(p.icmp_code, 0);
    ASSERT_EQ_INT(p.sport, 0);
    ASSERT_EQ_INT(p.dport, 0);
    ASSERT_TRUE(!(p.flags & IOF_PKT_HAS_PORTS));
    ASSERT_EQ_INT(p.l4_hlen, 8);
    ASSERT_EQ_INT(p.payload_len, 32);
    ASSERT_EQ_INT(p.payload_caplen, 32);
    ASSERT_EQ_INT(p.payload_off, 42);
    /* ICMP cut after the type */
    ASSERT_EQ_INT(dec_cut(&p, 1, &f, 35), IOF_DROP_OK);
    ASSERT_EQ_INT(p.icmp_type, 8);
    ASSERT_EQ_INT(p.payload_caplen, 0);
    ASSERT_EQ_INT(p.payload_len, 32);

    /* ICMPv6 echo reply */
    fb_t g = { .n = 0 };
    fb_eth(&g, 0x86dd);
    fb_ipv6(&g, 58, 8 + 4);
    fb_icmp(&g, 129, 0, 4);
    ASSERT_EQ_INT(dec(&p, 1, &g), IOF_DROP_OK);
    ASSERT_EQ_INT(p.proto, 58);
    ASSERT_EQ_INT(p.icmp_type, 129);
    ASSERT_EQ_INT(p.payload_len, 4);
    ASSERT_EQ_INT(p.ip_len, 52);

    /* GRE (47): other protocol, whole IP payload is payload */
    fb_t h = { .n = 0 };
    fb_eth(&h, 0x0800);
    fb_ipv4(&h, 47, 24, 0, 0, 1);
    fb_fill(&h, 24, 0x47);
    ASSERT_EQ_INT(dec(&p, 1, &h), IOF_DROP_OK);
    ASSERT_EQ_INT(p.proto, 47);
    ASSERT_EQ_INT(p.l4_hlen, 0);
    ASSERT_EQ_INT(p.payload_off, 34);
    ASSERT_EQ_INT(p.payload_len, 24);
    ASSERT_EQ_INT(p.payload_caplen, 24);
    ASSERT_TRUE(!(p.flags & IOF_PKT_HAS_PORTS));
}

static void test_ipv4_errors(void)
{
    iof__pkt p;
    fb_t f = { .n = 0 };
    fb_eth(&f, 0x0800);
    fb_ipv4(&f, 17, 8, 0, 0, 1);
    fb_udp(&f, 1, 2, 8, 0);
    fb_t g = f;
    g.b[14] = 0x65; /* version 6 under ethertype IPv4 */
    ASSERT_EQ_INT(dec(&p, 1, &g), IOF_DROP_IP_BAD_VERSION);
    g = f;
    g.b[14] = 0x44; /* IHL 4 */
    ASSERT_EQ_INT(dec(&p, 1, &g), IOF_DROP_IPV4_HLEN_TOO_SMALL);
    ASSERT_EQ_INT(dec_cut(&p, 1, &f, 14 + 19), IOF_DROP_IPV4_TRUNCATED);
    ASSERT_EQ_INT(dec_cut(&p, 1, &f, 14), IOF_DROP_IPV4_TRUNCATED);
    g = f;
    fb_put16at(&g, 16, 19); /* total length < header */
    ASSERT_EQ_INT(dec(&p, 1, &g), IOF_DROP_IPV4_TOTLEN_TOO_SMALL);
    g = f;
    fb_put16at(&g, 16, 500); /* total length > wire */
    ASSERT_EQ_INT(dec(&p, 1, &g), IOF_DROP_OK);
    ASSERT_TRUE(p.notes & IOF_NOTE(IP_LEN_GT_WIRE));
    ASSERT_TRUE(!(p.notes & IOF_NOTE(IP_TRUNCATED)));
    ASSERT_EQ_INT(p.ip_len, 28);

    /* options: IHL 6 */
    fb_t o = { .n = 0 };
    fb_eth(&o, 0x0800);
    fb_ipv4(&o, 17, 8 + 3, 4, 0, 1);
    fb_udp(&o, 1, 2, 11, 3);
    ASSERT_EQ_INT(dec(&p, 1, &o), IOF_DROP_OK);
    ASSERT_TRUE(p.notes & IOF_NOTE(IPV4_OPTIONS));
    ASSERT_EQ_INT(p.l4_off, 38);
    ASSERT_EQ_INT(p.payload_len, 3);
    /* options not captured */
    ASSERT_EQ_INT(dec_cut(&p, 1, &o, 14 + 22), IOF_DROP_IPV4_TRUNCATED);
}

static void test_ipv4_tso(void)
{
    iof__pkt p;
    fb_t f = { .n = 0 };
    fb_eth(&f, 0x0800);
    fb_ipv4(&f, 6, 20 + 2000, 0, 0x4000, 1);
    fb_tcp(&f, 1, 2, 0, 0x10, 2000);
    fb_put16at(&f, 16, 0); /* total length 0: TSO capture */
    ASSERT_EQ_INT(dec(&p, 1, &f), IOF_DROP_OK);
    ASSERT_TRUE(p.notes & IOF_NOTE(IP_LEN_FROM_WIRE));
    ASSERT_EQ_INT(p.ip_len, 2040);
    ASSERT_EQ_INT(p.payload_len, 2000);
    ASSERT_EQ_INT(p.payload_caplen, 2000);
    /* snaplen-cut TSO record: wire length still used */
    ASSERT_EQ_INT(dec_cut(&p, 1, &f, 80), IOF_DROP_OK);
    ASSERT_EQ_INT(p.ip_len, 2040);
    ASSERT_EQ_INT(p.payload_caplen, 80 - 54);
    ASSERT_TRUE(p.notes & IOF_NOTE(IP_TRUNCATED));

    /* total length 0, header only on the wire: impossible */
    fb_t g = { .n = 0 };
    fb_eth(&g, 0x0800);
    fb_ipv4(&g, 6, 0, 0, 0, 1);
    fb_put16at(&g, 16, 0);
    ASSERT_EQ_INT(dec(&p, 1, &g), IOF_DROP_IPV4_TOTLEN_TOO_SMALL);

    /* UDP GSO: UDP length 0 accepted when IP length came from the wire */
    fb_t u = { .n = 0 };
    fb_eth(&u, 0x0800);
    fb_ipv4(&u, 17, 8 + 3000, 0, 0, 1);
    fb_udp(&u, 1, 2, 0, 3000);
    fb_put16at(&u, 16, 0);
    ASSERT_EQ_INT(dec(&p, 1, &u), IOF_DROP_OK);
    ASSERT_EQ_INT(p.payload_len, 3000);
}

/* ---------------------------------------------------------------- IPv6 */

static void test_ipv6_basic_and_ext(void)
{
    iof__pkt p;
    fb_t f = { .n = 0 };
    fb_eth(&f, 0x86dd);
    fb_ipv6(&f, 6, 20 + 3);
    fb_tcp(&f, 5683, 80, 0, 0x02, 3);
    ASSERT_EQ_INT(dec(&p, 1, &f), IOF_DROP_OK);
    ASSERT_EQ_INT(p.ipver, 6);
    ASSERT_EQ_MEM(p.src_ip, IP6_SRC, 16);
    ASSERT_EQ_MEM(p.dst_ip, IP6_DST, 16);
    ASSERT_EQ_INT(p.ttl, 255);
    ASSERT_EQ_INT(p.ip_len, 63);
    ASSERT_EQ_INT(p.l4_off, 54);
    ASSERT_EQ_INT(p.payload_len, 3);
    ASSERT_EQ_INT(p.notes, 0);

    /* HBH(8) -> DSTOPTS(16) -> ROUTING(8) -> AH(12 = (1+2)*4) -> MH? no: -> UDP */
    fb_t g = { .n = 0 };
    fb_eth(&g, 0x86dd);
    fb_ipv6(&g, 0, 8 + 16 + 8 + 12 + 8 + 4);
    fb_ext(&g, 60, 0);
    fb_ext(&g, 43, 1);
    fb_ext(&g, 51, 0);
    fb_u8(&g, 17); /* AH: next header */
    fb_u8(&g, 1);  /* (1+2)*4 = 12 bytes */
    fb_fill(&g, 10, 0);
    fb_udp(&g, 1000, 2000, 12, 4);
    ASSERT_EQ_INT(dec(&p, 1, &g), IOF_DROP_OK);
    ASSERT_TRUE(p.notes & IOF_NOTE(IPV6_EXT));
    ASSERT_EQ_INT(p.proto, 17);
    ASSERT_EQ_INT(p.l4_off, 14 + 40 + 8 + 16 + 8 + 12);
    ASSERT_EQ_INT(p.sport, 1000);
    ASSERT_EQ_INT(p.payload_len, 4);

    /* mobility(135), HIP(139), shim6(140) are followed too */
    const unsigned more[3] = { 135, 139, 140 };
    for (int i = 0; i < 3; i++) {
        fb_t m = { .n = 0 };
        fb_eth(&m, 0x86dd);
        fb_ipv6(&m, more[i], 8 + 8);
        fb_ext(&m, 17, 0);
        fb_udp(&m, 7, 8, 8, 0);
        ASSERT_EQ_INT(dec(&p, 1, &m), IOF_DROP_OK);
        ASSERT_EQ_INT(p.proto, 17);
        ASSERT_EQ_INT(p.dport, 8);
    }

    /* ESP ends the chain */
    fb_t e = { .n = 0 };
    fb_eth(&e, 0x86dd);
    fb_ipv6(&e, 0, 8 + 24);
    fb_ext(&e, 50, 0);
    fb_fill(&e, 24, 0xe5);
    ASSERT_EQ_INT(dec(&p, 1, &e), IOF_DROP_OK);
    ASSERT_EQ_INT(p.proto, 50);
    ASSERT_EQ_INT(p.sport, 0);
    ASSERT_EQ_INT(p.payload_len, 24);
    ASSERT_EQ_INT(p.payload_off, 14 + 48);

    /* No Next Header, payload length 0, Ethernet padding after it: ip_len 40 */
    fb_t n = { .n = 0 };
    fb_eth(&n, 0x86dd);
    fb_ipv6(&n, 59, 0);
    fb_fill(&n, 8, 0);
    ASSERT_EQ_INT(dec(&p, 1, &n), IOF_DROP_OK);
    ASSERT_EQ_INT(p.proto, 59);
    ASSERT_EQ_INT(p.ip_len, 40);
    ASSERT_EQ_INT(p.payload_len, 0);
    ASSERT_EQ_INT(p.payload_caplen, 0);
}

static void test_ipv6_errors(void)
{
    iof__pkt p;
    /* too many extension headers */
    fb_t f = { .n = 0 };
    fb_eth(&f, 0x86dd);
    fb_ipv6(&f, 60, 8 * (IOF_MAX_IP6_EXT + 1) + 8);
    for (int i = 0; i < IOF_MAX_IP6_EXT + 1; i++)
        fb_ext(&f, i == IOF_MAX_IP6_EXT ? 17 : 60, 0);
    fb_udp(&f, 1, 2, 8, 0);
    ASSERT_EQ_INT(dec(&p, 1, &f), IOF_DROP_IPV6_EXT_TOO_MANY);
    /* exactly IOF_MAX_IP6_EXT is fine */
    fb_t g = { .n = 0 };
    fb_eth(&g, 0x86dd);
    fb_ipv6(&g, 60, 8 * IOF_MAX_IP6_EXT + 8);
    for (int i = 0; i < IOF_MAX_IP6_EXT; i++)
        fb_ext(&g, i == IOF_MAX_IP6_EXT - 1 ? 17 : 60, 0);
    fb_udp(&g, 1, 2, 8, 0);
    ASSERT_EQ_INT(dec(&p, 1, &g), IOF_DROP_OK);

    /* ext header cut by snaplen */
    ASSERT_EQ_INT(dec_cut(&p, 1, &g, 14 + 40 + 1), IOF_DROP_IPV6_EXT_TRUNCATED);
    ASSERT_EQ_INT(dec_cut(&p, 1, &g, 14 + 40 + 5), IOF_DROP_IPV6_EXT_TRUNCATED);
    /* ext header longer than the datagram */
    fb_t h = { .n = 0 };
    fb_eth(&h, 0x86dd);
    fb_ipv6(&h, 0, 8);
    fb_u8(&h, 17);
    fb_u8(&h, 3); /* 32 bytes claimed, 8 in the datagram */
    fb_fill(&h, 6 + 24, 0);
    ASSERT_EQ_INT(dec(&p, 1, &h), IOF_DROP_IPV6_EXT_INVALID);
    /* payload length 1: not even the 2 bytes of an ext header */
    fb_t k = { .n = 0 };
    fb_eth(&k, 0x86dd);
    fb_ipv6(&k, 0, 1);
    fb_fill(&k, 8, 0);
    ASSERT_EQ_INT(dec(&p, 1, &k), IOF_DROP_IPV6_EXT_INVALID);

    /* truncated fixed header, wrong version under 0x86dd */
    ASSERT_EQ_INT(dec_cut(&p, 1, &g, 14 + 39), IOF_DROP_IPV6_TRUNCATED);
    ASSERT_EQ_INT(dec_cut(&p, 1, &g, 14), IOF_DROP_IPV6_TRUNCATED);
    fb_t v = g;
    v.b[14] = 0x45;
    ASSERT_EQ_INT(dec(&p, 1, &v), IOF_DROP_IP_BAD_VERSION);

    /* payload length > wire */
    fb_t w = { .n = 0 };
    fb_eth(&w, 0x86dd);
    fb_ipv6(&w, 17, 1000);
    fb_udp(&w, 1, 2, 12, 4);
    ASSERT_EQ_INT(dec(&p, 1, &w), IOF_DROP_OK);
    ASSERT_TRUE(p.notes & IOF_NOTE(IP_LEN_GT_WIRE));
    ASSERT_EQ_INT(p.ip_len, 52);
}

static void test_ipv6_jumbo_and_tso(void)
{
    iof__pkt p;
    /* HBH with Jumbo Payload option: 8 (HBH) + 8 (UDP) + 70000 */
    static fb_t f;
    f.n = 0;
    fb_eth(&f, 0x86dd);
    fb_ipv6(&f, 0, 0);
    fb_u8(&f, 17);
    fb_u8(&f, 0);
    fb_u8(&f, 0xc2);
    fb_u8(&f, 4);
    fb_be32(&f, 8 + 8 + 70000);
    fb_udp(&f, 1, 2, 0, 100); /* UDP length 0 (RFC 2675) */
    /* the capture holds only the first 100 data bytes of a 70,070-byte IPv6 packet */
    ASSERT_EQ_INT(dec_raw(&p, 1, f.b, f.n, 14 + 40 + 16 + 70000), IOF_DROP_OK);
    ASSERT_TRUE(p.notes & IOF_NOTE(IPV6_JUMBO));
    ASSERT_TRUE(p.notes & IOF_NOTE(IP_TRUNCATED));
    ASSERT_EQ_INT(p.ip_len, 40 + 16 + 70000);
    ASSERT_EQ_INT(p.payload_len, 70000);
    ASSERT_EQ_INT(p.payload_caplen, 100);

    /* Pad1 + PadN before the Jumbo option; UDP length set */
    fb_t j = { .n = 0 };
    fb_eth(&j, 0x86dd);
    fb_ipv6(&j, 0, 0);
    fb_u8(&j, 17);
    fb_u8(&j, 1); /* 16 bytes */
    fb_u8(&j, 0); /* Pad1 */
    fb_u8(&j, 1); /* PadN, 2 bytes */
    fb_u8(&j, 2);
    fb_fill(&j, 2, 0);
    fb_u8(&j, 0xc2);
    fb_u8(&j, 4);
    fb_be32(&j, 16 + 8 + 66000);
    fb_fill(&j, 3, 0); /* Pad1 x3 */
    fb_udp(&j, 1, 2, 0, 10);
    ASSERT_EQ_INT(dec_raw(&p, 1, j.b, j.n, 14 + 40 + 16 + 8 + 66000), IOF_DROP_OK);
    ASSERT_TRUE(p.notes & IOF_NOTE(IPV6_JUMBO));
    ASSERT_EQ_INT(p.ip_len, 40 + 16 + 8 + 66000);
    ASSERT_EQ_INT(p.payload_len, 66000);
    /* hop-by-hop without a Jumbo option (and a bad option length) falls back to the wire */
    fb_t nj = { .n = 0 };
    fb_eth(&nj, 0x86dd);
    fb_ipv6(&nj, 0, 0);
    fb_u8(&nj, 17);
    fb_u8(&nj, 0);
    fb_u8(&nj, 1);
    fb_u8(&nj, 4);
    fb_fill(&nj, 4, 0);
    fb_udp(&nj, 1, 2, 8 + 4, 4);
    ASSERT_EQ_INT(dec(&p, 1, &nj), IOF_DROP_OK);
    ASSERT_TRUE(p.notes & IOF_NOTE(IP_LEN_FROM_WIRE));
    ASSERT_EQ_INT(p.ip_len, 40 + 8 + 12);
    nj.b[14 + 40 + 3] = 9; /* PadN running past the header */
    ASSERT_EQ_INT(dec(&p, 1, &nj), IOF_DROP_OK);
    ASSERT_EQ_INT(p.ip_len, 40 + 8 + 12);
    ASSERT_EQ_INT(dec_cut(&p, 1, &nj, 14 + 40 + 4), IOF_DROP_IPV6_EXT_TRUNCATED);

    /* ICMP (1) inside IPv6 / ICMPv6 (58) inside IPv4: "other" protocols */
    fb_t o6 = { .n = 0 };
    fb_eth(&o6, 0x86dd);
    fb_ipv6(&o6, 1, 12);
    fb_icmp(&o6, 8, 0, 4);
    ASSERT_EQ_INT(dec(&p, 1, &o6), IOF_DROP_OK);
    ASSERT_EQ_INT(p.l4_hlen, 0);
    ASSERT_EQ_INT(p.payload_len, 12);
    fb_t o4 = { .n = 0 };
    fb_eth(&o4, 0x0800);
    fb_ipv4(&o4, 58, 12, 0, 0, 1);
    fb_icmp(&o4, 128, 0, 4);
    ASSERT_EQ_INT(dec(&p, 1, &o4), IOF_DROP_OK);
    ASSERT_EQ_INT(p.payload_len, 12);

    /* payload length 0 without jumbo, more wire bytes: TSO/GRO */
    fb_t g = { .n = 0 };
    fb_eth(&g, 0x86dd);
    fb_ipv6(&g, 6, 0);
    fb_tcp(&g, 1, 2, 0, 0x10, 1000);
    ASSERT_EQ_INT(dec(&p, 1, &g), IOF_DROP_OK);
    ASSERT_TRUE(p.notes & IOF_NOTE(IP_LEN_FROM_WIRE));
    ASSERT_EQ_INT(p.ip_len, 40 + 20 + 1000);
    ASSERT_EQ_INT(p.payload_len, 1000);
}

/* ---------------------------------------------------------------- fragments */

static void test_ipv4_fragments(void)
{
    iof__pkt p;
    /* first fragment: UDP header + 1472 data bytes of a 3000-byte datagram */
    fb_t f = { .n = 0 };
    fb_eth(&f, 0x0800);
    fb_ipv4(&f, 17, 1480, 0, 0x2000, 0xbeef);
    fb_udp(&f, 4000, 53, 3000, 1472);
    ASSERT_EQ_INT(dec(&p, 1, &f), IOF_DROP_OK);
    ASSERT_EQ_INT(p.flags & (IOF_PKT_FRAGMENT | IOF_PKT_FIRST_FRAG | IOF_PKT_MORE_FRAGS | IOF_PKT_HAS_PORTS),
                  IOF_PKT_FRAGMENT | IOF_PKT_FIRST_FRAG | IOF_PKT_MORE_FRAGS | IOF_PKT_HAS_PORTS);
    ASSERT_TRUE(p.notes & IOF_NOTE(FRAGMENT));
    ASSERT_EQ_INT(p.ip_id, 0xbeef);
    ASSERT_EQ_INT(p.frag_offset, 0);
    ASSERT_EQ_INT(p.sport, 4000);
    ASSERT_EQ_INT(p.payload_len, 1472);
    ASSERT_EQ_INT(p.payload_caplen, 1472);

    /* last fragment at offset 1480 */
    fb_t g = { .n = 0 };
    fb_eth(&g, 0x0800);
    fb_ipv4(&g, 17, 1520, 0, 1480 / 8, 0xbeef);
    fb_fill(&g, 1520, 'x');
    ASSERT_EQ_INT(dec(&p, 1, &g), IOF_DROP_OK);
    ASSERT_EQ_INT(p.flags & (IOF_PKT_FRAGMENT | IOF_PKT_FIRST_FRAG | IOF_PKT_MORE_FRAGS | IOF_PKT_HAS_PORTS),
                  IOF_PKT_FRAGMENT);
    ASSERT_EQ_INT(p.frag_offset, 1480);
    ASSERT_EQ_INT(p.proto, 17);
    ASSERT_EQ_INT(p.sport, 0);
    ASSERT_EQ_INT(p.l4_off, 34);
    ASSERT_EQ_INT(p.payload_off, 34);
    ASSERT_EQ_INT(p.payload_len, 1520);
    ASSERT_EQ_INT(p.payload_caplen, 1520);
    ASSERT_EQ_INT(p.l4_hlen, 0);
    /* later fragment cut by snaplen */
    ASSERT_EQ_INT(dec_cut(&p, 1, &g, 64), IOF_DROP_OK);
    ASSERT_EQ_INT(p.payload_len, 1520);
    ASSERT_EQ_INT(p.payload_caplen, 30);

    /* impossible: offset + length > 65535 */
    fb_t h = { .n = 0 };
    fb_eth(&h, 0x0800);
    fb_ipv4(&h, 17, 100, 0, 0x1fff, 1);
    fb_fill(&h, 100, 0);
    ASSERT_EQ_INT(dec(&p, 1, &h), IOF_DROP_FRAG_INVALID);
    /* MF with no data */
    fb_t k = { .n = 0 };
    fb_eth(&k, 0x0800);
    fb_ipv4(&k, 17, 0, 0, 0x2000 | 10, 1);
    ASSERT_EQ_INT(dec(&p, 1, &k), IOF_DROP_FRAG_INVALID);
}

static void test_ipv6_fragments(void)
{
    iof__pkt p;
    fb_t f = { .n = 0 };
    fb_eth(&f, 0x86dd);
    fb_ipv6(&f, 44, 8 + 20 + 100);
    fb_u8(&f, 6);
    fb_u8(&f, 0);
    fb_be16(&f, 0 | 1); /* offset 0, M */
    fb_be32(&f, 0xdeadbeef);
    fb_tcp(&f, 1883, 50000, 0, 0x18, 100);
    ASSERT_EQ_INT(dec(&p, 1, &f), IOF_DROP_OK);
    ASSERT_EQ_INT(p.flags & (IOF_PKT_FRAGMENT | IOF_PKT_FIRST_FRAG | IOF_PKT_MORE_FRAGS | IOF_PKT_HAS_PORTS),
                  IOF_PKT_FRAGMENT | IOF_PKT_FIRST_FRAG | IOF_PKT_MORE_FRAGS | IOF_PKT_HAS_PORTS);
    ASSERT_EQ_INT(p.ip_id, 0xdeadbeef);
    ASSERT_EQ_INT(p.proto, 6);
    ASSERT_EQ_INT(p.sport, 1883);
    ASSERT_TRUE(p.notes & IOF_NOTE(IPV6_EXT));
    ASSERT_TRUE(p.notes & IOF_NOTE(FRAGMENT));

    fb_t g = { .n = 0 };
    fb_eth(&g, 0x86dd);
    fb_ipv6(&g, 44, 8 + 50);
    fb_u8(&g, 6);
    fb_u8(&g, 0);
    fb_be16(&g, 120); /* offset 120, last */
    fb_be32(&g, 0xdeadbeef);
    fb_fill(&g, 50, 'y');
    ASSERT_EQ_INT(dec(&p, 1, &g), IOF_DROP_OK);
    ASSERT_EQ_INT(p.flags & (IOF_PKT_FRAGMENT | IOF_PKT_FIRST_FRAG | IOF_PKT_MORE_FRAGS | IOF_PKT_HAS_PORTS),
                  IOF_PKT_FRAGMENT);
    ASSERT_EQ_INT(p.frag_offset, 120);
    ASSERT_EQ_INT(p.proto, 6);
    ASSERT_EQ_INT(p.payload_off, 14 + 48);
    ASSERT_EQ_INT(p.payload_len, 50);

    /* atomic fragment (offset 0, M 0): a whole datagram */
    fb_t a = f;
    fb_put16at(&a, 14 + 40 + 2, 0);
    ASSERT_EQ_INT(dec(&p, 1, &a), IOF_DROP_OK);
    ASSERT_TRUE(!(p.flags & IOF_PKT_FRAGMENT));
    ASSERT_EQ_INT(p.ip_id, 0xdeadbeef);
    ASSERT_TRUE(p.flags & IOF_PKT_HAS_PORTS);

    /* two fragment headers */
    fb_t d = { .n = 0 };
    fb_eth(&d, 0x86dd);
    fb_ipv6(&d, 44, 8 + 8 + 8);
    fb_u8(&d, 44);
    fb_u8(&d, 0);
    fb_be16(&d, 1);
    fb_be32(&d, 1);
    fb_u8(&d, 17);
    fb_u8(&d, 0);
    fb_be16(&d, 1);
    fb_be32(&d, 1);
    fb_udp(&d, 1, 2, 8, 0);
    ASSERT_EQ_INT(dec(&p, 1, &d), IOF_DROP_FRAG_INVALID);

    /* offset + length beyond 65535 */
    fb_t big = { .n = 0 };
    fb_eth(&big, 0x86dd);
    fb_ipv6(&big, 44, 8 + 16);
    fb_u8(&big, 17);
    fb_u8(&big, 0);
    fb_be16(&big, 65528);
    fb_be32(&big, 1);
    fb_fill(&big, 16, 0);
    ASSERT_EQ_INT(dec(&p, 1, &big), IOF_DROP_FRAG_INVALID);

    /* two atomic fragment headers (libpcap's ipv6_ext_headers test file has this): fine */
    fb_t at = { .n = 0 };
    fb_eth(&at, 0x86dd);
    fb_ipv6(&at, 44, 8 + 8 + 8);
    fb_u8(&at, 44);
    fb_u8(&at, 0);
    fb_be16(&at, 0);
    fb_be32(&at, 5);
    fb_u8(&at, 17);
    fb_u8(&at, 0);
    fb_be16(&at, 0);
    fb_be32(&at, 6);
    fb_udp(&at, 1, 2, 8, 0);
    ASSERT_EQ_INT(dec(&p, 1, &at), IOF_DROP_OK);
    ASSERT_TRUE(!(p.flags & IOF_PKT_FRAGMENT));
    ASSERT_EQ_INT(p.ip_id, 5);
    ASSERT_EQ_INT(p.dport, 2);
}

/* ---------------------------------------------------------------- L2 variants */

static void build_udp4(fb_t *f)
{
    fb_ipv4(f, 17, 8 + 4, 0, 0, 7);
    fb_udp(f, 1111, 2222, 12, 4);
}

static void build_udp6(fb_t *f)
{
    fb_ipv6(f, 17, 8 + 4);
    fb_udp(f, 1111, 2222, 12, 4);
}

static void test_vlan(void)
{
    iof__pkt p;
    fb_t f = { .n = 0 };
    fb_eth(&f, 0x8100);
    fb_vlan(&f, 0x2064, 0x0800); /* PCP 1, VID 100 */
    build_udp4(&f);
    ASSERT_EQ_INT(dec(&p, 1, &f), IOF_DROP_OK);
    ASSERT_EQ_INT(p.vlan_depth, 1);
    ASSERT_EQ_INT(p.vlan_outer, 100);
    ASSERT_TRUE(p.notes & IOF_NOTE(VLAN));
    ASSERT_EQ_INT(p.l3_off, 18);
    ASSERT_EQ_INT(p.sport, 1111);

    /* QinQ 802.1ad + 802.1Q, IPv6 inside */
    fb_t q = { .n = 0 };
    fb_eth(&q, 0x88a8);
    fb_vlan(&q, 200, 0x8100);
    fb_vlan(&q, 300, 0x86dd);
    build_udp6(&q);
    ASSERT_EQ_INT(dec(&p, 1, &q), IOF_DROP_OK);
    ASSERT_EQ_INT(p.vlan_depth, 2);
    ASSERT_EQ_INT(p.vlan_outer, 200);
    ASSERT_EQ_INT(p.l3_off, 22);
    ASSERT_EQ_INT(p.ipver, 6);

    /* 0x9100 */
    fb_t o = { .n = 0 };
    fb_eth(&o, 0x9100);
    fb_vlan(&o, 5, 0x0800);
    build_udp4(&o);
    ASSERT_EQ_INT(dec(&p, 1, &o), IOF_DROP_OK);
    ASSERT_EQ_INT(p.vlan_outer, 5);

    /* tag cut */
    ASSERT_EQ_INT(dec_cut(&p, 1, &q, 14 + 6), IOF_DROP_VLAN_TRUNCATED);
    /* too deep */
    fb_t d = { .n = 0 };
    fb_eth(&d, 0x8100);
    for (int i = 0; i < IOF_MAX_VLAN_DEPTH; i++)
        fb_vlan(&d, 1, 0x8100);
    fb_vlan(&d, 1, 0x0800);
    build_udp4(&d);
    ASSERT_EQ_INT(dec(&p, 1, &d), IOF_DROP_VLAN_TOO_DEEP);
    /* exactly the limit is fine */
    fb_t e = { .n = 0 };
    fb_eth(&e, 0x8100);
    for (int i = 0; i < IOF_MAX_VLAN_DEPTH - 1; i++)
        fb_vlan(&e, 1, 0x8100);
    fb_vlan(&e, 1, 0x0800);
    build_udp4(&e);
    ASSERT_EQ_INT(dec(&p, 1, &e), IOF_DROP_OK);
    ASSERT_EQ_INT(p.vlan_depth, IOF_MAX_VLAN_DEPTH);
}

static void test_pppoe(void)
{
    iof__pkt p;
    fb_t f = { .n = 0 };
    fb_eth(&f, 0x8864);
    fb_u8(&f, 0x11);
    fb_u8(&f, 0);
    fb_be16(&f, 0x0042);
    fb_be16(&f, 2 + 32);
    fb_be16(&f, 0x0021);
    build_udp4(&f);
    ASSERT_EQ_INT(dec(&p, 1, &f), IOF_DROP_OK);
    ASSERT_EQ_INT(p.l3_off, 22);
    ASSERT_EQ_INT(p.dport, 2222);

    fb_t g = { .n = 0 };
    fb_eth(&g, 0x8864);
    fb_u8(&g, 0x11);
    fb_u8(&g, 0);
    fb_be16(&g, 0x0042);
    fb_be16(&g, 2 + 52);
    fb_be16(&g, 0x0057);
    build_udp6(&g);
    ASSERT_EQ_INT(dec(&p, 1, &g), IOF_DROP_OK);
    ASSERT_EQ_INT(p.ipver, 6);

    fb_t l = { .n = 0 };
    fb_eth(&l, 0x8864);
    fb_u8(&l, 0x11);
    fb_u8(&l, 0);
    fb_be16(&l, 0x0042);
    fb_be16(&l, 6);
    fb_be16(&l, 0xc021); /* LCP */
    fb_fill(&l, 4, 0);
    ASSERT_EQ_INT(dec(&p, 1, &l), IOF_DROP_PPP_NOT_IP);
    ASSERT_EQ_INT(dec_cut(&p, 1, &f, 14 + 7), IOF_DROP_PPPOE_TRUNCATED);

    fb_t d = { .n = 0 };
    fb_eth(&d, 0x8863);
    fb_u8(&d, 0x11);
    fb_u8(&d, 0x09); /* PADI */
    fb_be16(&d, 0);
    fb_be16(&d, 0);
    ASSERT_EQ_INT(dec(&p, 1, &d), IOF_DROP_PPPOE_NOT_SESSION);
}

static void test_non_ip_ethernet(void)
{
    iof__pkt p;
    const unsigned types[] = { 0x0806, 0x8035 };
    for (int i = 0; i < 2; i++) {
        fb_t f = { .n = 0 };
        fb_eth(&f, types[i]);
        fb_fill(&f, 28, 0);
        ASSERT_EQ_INT(dec(&p, 1, &f), IOF_DROP_ARP);
        ASSERT_TRUE(p.flags & IOF_PKT_HAS_SRC_MAC);
        ASSERT_EQ_MEM(p.src_mac, MAC_SRC, 6);
    }
    const unsigned other[] = { 0x05dc, 0x0026, 0x888e, 0x88cc, 0x0600 };
    for (int i = 0; i < 5; i++) {
        fb_t f = { .n = 0 };
        fb_eth(&f, other[i]);
        fb_fill(&f, 40, 0xaa);
        ASSERT_EQ_INT(dec(&p, 1, &f), IOF_DROP_NOT_IP);
    }
    fb_t t = { .n = 0 };
    fb_eth(&t, 0x0800);
    ASSERT_EQ_INT(dec_cut(&p, 1, &t, 13), IOF_DROP_ETH_TRUNCATED);
    ASSERT_TRUE(!(p.flags & (IOF_PKT_HAS_SRC_MAC | IOF_PKT_HAS_DST_MAC)));
    ASSERT_EQ_INT(dec_cut(&p, 1, &t, 1), IOF_DROP_ETH_TRUNCATED);
}

static void fb_sll(fb_t *f, unsigned pkttype, unsigned hatype, unsigned halen, unsigned proto)
{
    fb_be16(f, pkttype);
    fb_be16(f, hatype);
    fb_be16(f, halen);
    for (int i = 0; i < 6; i++)
        fb_u8(f, MAC_SRC[i]);
    fb_be16(f, 0);
    fb_be16(f, proto);
}

static void fb_sll2(fb_t *f, unsigned pkttype, unsigned hatype, unsigned halen, unsigned proto)
{
    fb_be16(f, proto);
    fb_be16(f, 0);
    fb_be32(f, 3);
    fb_be16(f, hatype);
    fb_u8(f, pkttype);
    fb_u8(f, halen);
    for (int i = 0; i < 6; i++)
        fb_u8(f, MAC_SRC[i]);
    fb_be16(f, 0);
}

static void test_sll(void)
{
    iof__pkt p;
    fb_t f = { .n = 0 };
    fb_sll(&f, 0, 1, 6, 0x0800); /* incoming, to us */
    build_udp4(&f);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_LINUX_SLL, &f), IOF_DROP_OK);
    ASSERT_EQ_INT(p.flags & (IOF_PKT_HAS_SRC_MAC | IOF_PKT_HAS_DST_MAC), IOF_PKT_HAS_SRC_MAC);
    ASSERT_EQ_MEM(p.src_mac, MAC_SRC, 6);
    ASSERT_EQ_INT(p.l3_off, 16);
    ASSERT_EQ_INT(p.sport, 1111);

    fb_t b = { .n = 0 };
    fb_sll(&b, 1, 1, 6, 0x86dd); /* broadcast */
    build_udp6(&b);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_LINUX_SLL, &b), IOF_DROP_OK);
    ASSERT_TRUE(p.flags & IOF_PKT_HAS_DST_MAC);
    const uint8_t bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    ASSERT_EQ_MEM(p.dst_mac, bc, 6);

    fb_t n = { .n = 0 };
    fb_sll(&n, 4, 772, 0, 0x0800); /* outgoing on loopback, no address */
    build_udp4(&n);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_LINUX_SLL, &n), IOF_DROP_OK);
    ASSERT_EQ_INT(p.flags & (IOF_PKT_HAS_SRC_MAC | IOF_PKT_HAS_DST_MAC), 0);

    fb_t v = { .n = 0 };
    fb_sll(&v, 0, 1, 6, 0x8100); /* tag left in the payload */
    fb_vlan(&v, 7, 0x0800);
    build_udp4(&v);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_LINUX_SLL, &v), IOF_DROP_OK);
    ASSERT_EQ_INT(p.vlan_outer, 7);

    fb_t nl = { .n = 0 };
    fb_sll(&nl, 4, 824, 0, 0x0800);
    build_udp4(&nl);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_LINUX_SLL, &nl), IOF_DROP_NOT_IP);

    fb_t a = { .n = 0 };
    fb_sll(&a, 0, 1, 6, 0x0806);
    fb_fill(&a, 28, 0);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_LINUX_SLL, &a), IOF_DROP_ARP);
    fb_t l = { .n = 0 };
    fb_sll(&l, 0, 1, 6, 0x0004); /* 802.2 LLC */
    fb_fill(&l, 20, 0);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_LINUX_SLL, &l), IOF_DROP_NOT_IP);

    ASSERT_EQ_INT(dec_cut(&p, IOF_LINKTYPE_LINUX_SLL, &f, 15), IOF_DROP_SLL_TRUNCATED);
    ASSERT_EQ_INT(dec_cut(&p, IOF_LINKTYPE_LINUX_SLL, &f, 16), IOF_DROP_IPV4_TRUNCATED);
}

static void test_sll2(void)
{
    iof__pkt p;
    fb_t f = { .n = 0 };
    fb_sll2(&f, 0, 1, 6, 0x86dd);
    build_udp6(&f);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_LINUX_SLL2, &f), IOF_DROP_OK);
    ASSERT_EQ_INT(p.flags & (IOF_PKT_HAS_SRC_MAC | IOF_PKT_HAS_DST_MAC), IOF_PKT_HAS_SRC_MAC);
    ASSERT_EQ_MEM(p.src_mac, MAC_SRC, 6);
    ASSERT_EQ_INT(p.l3_off, 20);
    ASSERT_EQ_INT(p.ipver, 6);

    fb_t b = { .n = 0 };
    fb_sll2(&b, 1, 1, 6, 0x0800);
    build_udp4(&b);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_LINUX_SLL2, &b), IOF_DROP_OK);
    ASSERT_TRUE(p.flags & IOF_PKT_HAS_DST_MAC);

    fb_t n = { .n = 0 };
    fb_sll2(&n, 4, 65534, 0, 0x0800); /* tun device: no address */
    build_udp4(&n);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_LINUX_SLL2, &n), IOF_DROP_OK);
    ASSERT_EQ_INT(p.flags & (IOF_PKT_HAS_SRC_MAC | IOF_PKT_HAS_DST_MAC), 0);

    ASSERT_EQ_INT(dec_cut(&p, IOF_LINKTYPE_LINUX_SLL2, &f, 19), IOF_DROP_SLL_TRUNCATED);
}

static void test_null_loop(void)
{
    iof__pkt p;
    const uint32_t v6fams[3] = { 24, 28, 30 };
    /* NULL little-endian and big-endian families */
    for (int be = 0; be < 2; be++) {
        fb_t f = { .n = 0 };
        if (be)
            fb_be32(&f, 2);
        else
            fb_le32(&f, 2);
        build_udp4(&f);
        ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_NULL, &f), IOF_DROP_OK);
        ASSERT_EQ_INT(p.ipver, 4);
        ASSERT_EQ_INT(p.l3_off, 4);
        ASSERT_EQ_INT(p.flags & (IOF_PKT_HAS_SRC_MAC | IOF_PKT_HAS_DST_MAC), 0);
        for (int i = 0; i < 3; i++) {
            fb_t g = { .n = 0 };
            if (be)
                fb_be32(&g, v6fams[i]);
            else
                fb_le32(&g, v6fams[i]);
            build_udp6(&g);
            ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_NULL, &g), IOF_DROP_OK);
            ASSERT_EQ_INT(p.ipver, 6);
        }
    }
    fb_t u = { .n = 0 };
    fb_le32(&u, 7);
    build_udp4(&u);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_NULL, &u), IOF_DROP_NULL_UNKNOWN_FAMILY);
    ASSERT_EQ_INT(dec_cut(&p, IOF_LINKTYPE_NULL, &u, 3), IOF_DROP_NULL_TRUNCATED);
    /* family says IPv6, packet is IPv4 */
    fb_t m = { .n = 0 };
    fb_le32(&m, 30);
    build_udp4(&m);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_NULL, &m), IOF_DROP_IP_BAD_VERSION);
    /* old captures with an ethertype in the last two bytes */
    fb_t et = { .n = 0 };
    fb_be32(&et, 0x0f000800);
    build_udp4(&et);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_NULL, &et), IOF_DROP_OK);
    fb_t et6 = { .n = 0 };
    fb_be32(&et6, 0x000086dd);
    build_udp6(&et6);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_NULL, &et6), IOF_DROP_OK);
    ASSERT_EQ_INT(p.ipver, 6);

    /* LOOP: network order only */
    fb_t l = { .n = 0 };
    fb_be32(&l, 24);
    build_udp6(&l);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_LOOP, &l), IOF_DROP_OK);
    fb_t le = { .n = 0 };
    fb_le32(&le, 2);
    build_udp4(&le);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_LOOP, &le), IOF_DROP_NULL_UNKNOWN_FAMILY);
    ASSERT_EQ_INT(dec_cut(&p, IOF_LINKTYPE_LOOP, &l, 2), IOF_DROP_NULL_TRUNCATED);
}

static void test_raw(void)
{
    iof__pkt p;
    fb_t v4 = { .n = 0 }, v6 = { .n = 0 };
    build_udp4(&v4);
    build_udp6(&v6);
    const uint32_t raws[3] = { IOF_LINKTYPE_RAW, 12, 14 };
    for (int i = 0; i < 3; i++) {
        ASSERT_EQ_INT(dec(&p, raws[i], &v4), IOF_DROP_OK);
        ASSERT_EQ_INT(p.ipver, 4);
        ASSERT_EQ_INT(p.l3_off, 0);
        ASSERT_EQ_INT(dec(&p, raws[i], &v6), IOF_DROP_OK);
        ASSERT_EQ_INT(p.ipver, 6);
        ASSERT_EQ_INT(p.flags & (IOF_PKT_HAS_SRC_MAC | IOF_PKT_HAS_DST_MAC), 0);
    }
    fb_t bad = v4;
    bad.b[0] = 0x55;
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_RAW, &bad), IOF_DROP_IP_BAD_VERSION);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_IPV4, &v4), IOF_DROP_OK);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_IPV4, &v6), IOF_DROP_IP_BAD_VERSION);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_IPV6, &v6), IOF_DROP_OK);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_IPV6, &v4), IOF_DROP_IP_BAD_VERSION);
    ASSERT_EQ_INT(dec_cut(&p, IOF_LINKTYPE_RAW, &v4, 1), IOF_DROP_IPV4_TRUNCATED);
    ASSERT_EQ_INT(dec_cut(&p, IOF_LINKTYPE_RAW, &v6, 1), IOF_DROP_IPV6_TRUNCATED);
}

static void test_ppp(void)
{
    iof__pkt p;
    /* ff 03 00 21 */
    fb_t f = { .n = 0 };
    fb_u8(&f, 0xff);
    fb_u8(&f, 0x03);
    fb_be16(&f, 0x0021);
    build_udp4(&f);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_PPP, &f), IOF_DROP_OK);
    ASSERT_EQ_INT(p.l3_off, 4);
    ASSERT_EQ_INT(dec(&p, 50, &f), IOF_DROP_OK);
    /* no address/control, 2-byte protocol, IPv6 */
    fb_t g = { .n = 0 };
    fb_be16(&g, 0x0057);
    build_udp6(&g);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_PPP, &g), IOF_DROP_OK);
    ASSERT_EQ_INT(p.l3_off, 2);
    /* protocol-field compression: 1-byte 0x21 */
    fb_t c = { .n = 0 };
    fb_u8(&c, 0x21);
    build_udp4(&c);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_PPP, &c), IOF_DROP_OK);
    ASSERT_EQ_INT(p.l3_off, 1);
    /* LCP */
    fb_t l = { .n = 0 };
    fb_u8(&l, 0xff);
    fb_u8(&l, 0x03);
    fb_be16(&l, 0xc021);
    fb_fill(&l, 8, 0);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_PPP, &l), IOF_DROP_PPP_NOT_IP);
    /* ff with a bad control byte */
    fb_t b = f;
    b.b[1] = 0x13;
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_PPP, &b), IOF_DROP_PPP_NOT_IP);
    ASSERT_EQ_INT(dec_cut(&p, IOF_LINKTYPE_PPP, &f, 3), IOF_DROP_PPPOE_TRUNCATED);
    ASSERT_EQ_INT(dec_cut(&p, IOF_LINKTYPE_PPP, &g, 1), IOF_DROP_PPPOE_TRUNCATED);
}

static void test_record_level(void)
{
    iof__pkt p;
    fb_t f = { .n = 0 };
    fb_eth(&f, 0x0800);
    build_udp4(&f);
    ASSERT_EQ_INT(dec_raw(&p, 1, f.b, 0, f.n), IOF_DROP_CAPLEN_ZERO);
    ASSERT_EQ_INT(p.caplen, 0);
    ASSERT_EQ_INT(iof__decode(&p, 1, NULL, 0, 0, 0), IOF_DROP_CAPLEN_ZERO);
    ASSERT_EQ_INT(dec(&p, 147, &f), IOF_DROP_LINKTYPE_UNSUPPORTED);
    ASSERT_EQ_INT(dec(&p, 0xffffffffu, &f), IOF_DROP_LINKTYPE_UNSUPPORTED);

    /* caplen > wirelen: clamped; the wire length decides */
    ASSERT_EQ_INT(dec_raw(&p, 1, f.b, f.n, f.n - 4), IOF_DROP_OK);
    ASSERT_TRUE(p.notes & IOF_NOTE(CAPLEN_GT_LEN));
    ASSERT_EQ_INT(p.caplen, f.n - 4);
    ASSERT_EQ_INT(p.wirelen, f.n - 4);
    ASSERT_TRUE(p.notes & IOF_NOTE(IP_LEN_GT_WIRE));
    ASSERT_EQ_INT(p.ip_len, f.n - 4 - 14);
    ASSERT_EQ_INT(dec_raw(&p, 1, f.b, f.n, 0), IOF_DROP_CAPLEN_ZERO);
    ASSERT_TRUE(p.notes & IOF_NOTE(CAPLEN_GT_LEN));

    /* every field defined even when nothing decodes: poison, then check zeros */
    memset(&p, 0xa5, sizeof p);
    ASSERT_EQ_INT(dec_raw(&p, 1, f.b, 5, f.n), IOF_DROP_ETH_TRUNCATED);
    ASSERT_EQ_INT(p.flags, 0);
    ASSERT_EQ_INT(p.sport, 0);
    ASSERT_EQ_INT(p.ip_len, 0);
    ASSERT_EQ_INT(p.payload_off, 0);
    ASSERT_EQ_INT(p.vlan_depth, 0);
}

static void test_decode_ip_direct(void)
{
    fb_t f = { .n = 0 };
    fb_eth(&f, 0x0800);
    build_udp4(&f);
    iof__pkt p;
    ASSERT_EQ_INT(iof__decode(&p, 1, f.b, f.n, f.n, 0), IOF_DROP_OK);
    iof__pkt q = { .data = f.b, .caplen = f.n, .wirelen = f.n };
    ASSERT_EQ_INT(iof__decode_ip(&q, 14), IOF_DROP_OK);
    ASSERT_EQ_INT(q.sport, p.sport);
    ASSERT_EQ_INT(q.payload_len, p.payload_len);
    ASSERT_EQ_INT(iof__decode_ip(&q, f.n), IOF_DROP_IPV4_TRUNCATED);
    ASSERT_EQ_INT(iof__decode_ip(&q, 0), IOF_DROP_IP_BAD_VERSION);
}

/* ---------------------------------------------------------------- snaplen sweep */

static void sweep(uint32_t lt, const fb_t *f, uint32_t ports_at)
{
    iof__pkt full, p;
    ASSERT_EQ_INT(dec(&full, lt, f), IOF_DROP_OK);
    ASSERT_TRUE(full.flags & IOF_PKT_HAS_PORTS);
    for (uint32_t c = 0; c <= f->n; c++) {
        iof__drop d = dec_cut(&p, lt, f, c);
        if (p.flags & IOF_PKT_HAS_PORTS)
            ASSERT_EQ_INT(d, IOF_DROP_OK);
        if (c >= ports_at + 4) {
            ASSERT_EQ_INT(d, IOF_DROP_OK);
            ASSERT_EQ_INT(p.sport, full.sport);
            ASSERT_EQ_INT(p.dport, full.dport);
            ASSERT_EQ_INT(p.ip_len, full.ip_len);
            ASSERT_EQ_INT(p.wirelen, full.wirelen);
            /* TCP payload length needs the data offset byte (a 20-byte header is assumed) */
            if (full.proto != 6 || c >= ports_at + 13)
                ASSERT_EQ_INT(p.payload_len, full.payload_len);
            ASSERT_EQ_MEM(p.src_ip, full.src_ip, 16);
            ASSERT_EQ_INT(p.payload_caplen, c > full.payload_off ? c - full.payload_off : 0);
        } else {
            ASSERT_TRUE(d != IOF_DROP_OK);
        }
        if (c < f->n && d == IOF_DROP_OK)
            ASSERT_TRUE(p.notes & IOF_NOTE(IP_TRUNCATED));
    }
}

static void test_snaplen_sweep(void)
{
    /* TCP/IPv6 with an extension header, VLAN tag and TCP options */
    fb_t f = { .n = 0 };
    fb_eth(&f, 0x8100);
    fb_vlan(&f, 10, 0x86dd);
    fb_ipv6(&f, 60, 8 + 32 + 40);
    fb_ext(&f, 6, 0);
    fb_tcp(&f, 8883, 40001, 12, 0x18, 40);
    sweep(IOF_LINKTYPE_ETHERNET, &f, 18 + 40 + 8);

    fb_t g = { .n = 0 };
    fb_eth(&g, 0x0800);
    fb_ipv4(&g, 17, 8 + 30, 8, 0, 3);
    fb_udp(&g, 123, 123, 38, 30);
    sweep(IOF_LINKTYPE_ETHERNET, &g, 14 + 28);

    fb_t h = { .n = 0 };
    fb_sll2(&h, 0, 1, 6, 0x0800);
    fb_ipv4(&h, 6, 20 + 10, 0, 0, 3);
    fb_tcp(&h, 1, 2, 0, 0x10, 10);
    sweep(IOF_LINKTYPE_LINUX_SLL2, &h, 20 + 20);
}

/* ---------------------------------------------------------------- MPLS */

/* One label stack entry: label(20) TC(3) S(1) TTL(8). */
static void fb_mpls(fb_t *f, uint32_t label, bool bottom)
{
    fb_be32(f, label << 12 | (bottom ? 0x100u : 0) | 64);
}

static void test_mpls(void)
{
    iof__pkt p;
    /* one label, IPv4 */
    fb_t f = { .n = 0 };
    fb_eth(&f, 0x8847);
    fb_mpls(&f, 16106, true);
    build_udp4(&f);
    ASSERT_EQ_INT(dec(&p, 1, &f), IOF_DROP_OK);
    ASSERT_EQ_INT(p.l3_off, 18);
    ASSERT_EQ_INT(p.ipver, 4);
    ASSERT_EQ_INT(p.sport, 1111);
    ASSERT_EQ_INT(p.dport, 2222);
    ASSERT_EQ_INT(p.ip_len, 32);
    ASSERT_EQ_INT(p.payload_off, 18 + 28);
    ASSERT_EQ_INT(p.payload_caplen, 4);
    ASSERT_TRUE(p.notes & IOF_NOTE(MPLS));
    ASSERT_TRUE(!(p.notes & IOF_NOTE(VLAN)));
    ASSERT_EQ_MEM(p.src_mac, MAC_SRC, 6);

    /* three labels (multicast ethertype), IPv6 */
    fb_t s = { .n = 0 };
    fb_eth(&s, 0x8848);
    fb_mpls(&s, 1, false);
    fb_mpls(&s, 2, false);
    fb_mpls(&s, 3, true);
    build_udp6(&s);
    ASSERT_EQ_INT(dec(&p, 1, &s), IOF_DROP_OK);
    ASSERT_EQ_INT(p.l3_off, 14 + 12);
    ASSERT_EQ_INT(p.ipver, 6);
    ASSERT_EQ_MEM(p.src_ip, IP6_SRC, 16);
    ASSERT_EQ_INT(p.dport, 2222);
    ASSERT_EQ_INT(p.payload_off, 14 + 12 + 48);

    /* exactly IOF_MAX_MPLS_DEPTH labels, then one more */
    fb_t m = { .n = 0 }, d = { .n = 0 };
    fb_eth(&m, 0x8847);
    fb_eth(&d, 0x8847);
    for (int i = 0; i < IOF_MAX_MPLS_DEPTH - 1; i++) {
        fb_mpls(&m, 100 + (uint32_t)i, false);
        fb_mpls(&d, 100 + (uint32_t)i, false);
    }
    fb_mpls(&m, 999, true);
    fb_mpls(&d, 998, false);
    fb_mpls(&d, 999, true);
    build_udp4(&m);
    build_udp4(&d);
    ASSERT_EQ_INT(dec(&p, 1, &m), IOF_DROP_OK);
    ASSERT_EQ_INT(p.l3_off, 14 + 4 * IOF_MAX_MPLS_DEPTH);
    ASSERT_EQ_INT(p.sport, 1111);
    ASSERT_EQ_INT(dec(&p, 1, &d), IOF_DROP_MPLS_TOO_DEEP);
    ASSERT_TRUE(p.notes & IOF_NOTE(MPLS));

    /* inside an 802.1Q tag (the zeek mpls-in-vlan capture's shape), and under QinQ */
    fb_t v = { .n = 0 };
    fb_eth(&v, 0x8100);
    fb_vlan(&v, 3199, 0x8847);
    fb_mpls(&v, 16106, true);
    build_udp4(&v);
    ASSERT_EQ_INT(dec(&p, 1, &v), IOF_DROP_OK);
    ASSERT_EQ_INT(p.vlan_outer, 3199);
    ASSERT_EQ_INT(p.vlan_depth, 1);
    ASSERT_EQ_INT(p.l3_off, 22);
    ASSERT_TRUE((p.notes & (IOF_NOTE(MPLS) | IOF_NOTE(VLAN))) == (IOF_NOTE(MPLS) | IOF_NOTE(VLAN)));
    ASSERT_EQ_INT(p.dport, 2222);
    fb_t q = { .n = 0 };
    fb_eth(&q, 0x88a8);
    fb_vlan(&q, 20, 0x8100);
    fb_vlan(&q, 30, 0x8847);
    fb_mpls(&q, 5, false);
    fb_mpls(&q, 6, true);
    build_udp6(&q);
    ASSERT_EQ_INT(dec(&p, 1, &q), IOF_DROP_OK);
    ASSERT_EQ_INT(p.vlan_depth, 2);
    ASSERT_EQ_INT(p.l3_off, 14 + 8 + 8);
    ASSERT_EQ_INT(p.ipver, 6);

    /* not IP after the stack: a pseudowire control word, Ethernet over MPLS */
    fb_t cw = { .n = 0 };
    fb_eth(&cw, 0x8847);
    fb_mpls(&cw, 7, true);
    fb_be32(&cw, 0); /* control word */
    fb_eth(&cw, 0x0800);
    build_udp4(&cw);
    ASSERT_EQ_INT(dec(&p, 1, &cw), IOF_DROP_MPLS_NOT_IP);
    ASSERT_EQ_INT(p.ipver, 0);
    ASSERT_TRUE(!(p.flags & IOF_PKT_HAS_PORTS));
    fb_t eo = { .n = 0 };
    fb_eth(&eo, 0x8847);
    fb_mpls(&eo, 7, true);
    fb_eth(&eo, 0x0800); /* destination MAC 02:...: first nibble 0 */
    build_udp4(&eo);
    ASSERT_EQ_INT(dec(&p, 1, &eo), IOF_DROP_MPLS_NOT_IP);
    /* a nibble of 4 with a broken IPv4 header is the IP decoder's verdict */
    fb_t bad = f;
    bad.b[18] = 0x41;
    ASSERT_EQ_INT(dec(&p, 1, &bad), IOF_DROP_IPV4_HLEN_TOO_SMALL);

    /* truncation: inside the first entry, inside the second, right after the stack, and a
     * stack whose bottom bit never comes */
    ASSERT_EQ_INT(dec_cut(&p, 1, &f, 14 + 3), IOF_DROP_MPLS_TRUNCATED);
    ASSERT_EQ_INT(dec_cut(&p, 1, &s, 14 + 6), IOF_DROP_MPLS_TRUNCATED);
    ASSERT_EQ_INT(dec_cut(&p, 1, &s, 14 + 12), IOF_DROP_MPLS_TRUNCATED);
    ASSERT_EQ_INT(dec_cut(&p, 1, &s, 14 + 13), IOF_DROP_IPV6_TRUNCATED);
    fb_t nb = { .n = 0 };
    fb_eth(&nb, 0x8847);
    fb_mpls(&nb, 1, false);
    fb_mpls(&nb, 2, false);
    ASSERT_EQ_INT(dec(&p, 1, &nb), IOF_DROP_MPLS_TRUNCATED);

    /* snaplen sweep: VLAN + two labels + TCP/IPv4 */
    fb_t w = { .n = 0 };
    fb_eth(&w, 0x8100);
    fb_vlan(&w, 9, 0x8847);
    fb_mpls(&w, 300, false);
    fb_mpls(&w, 301, true);
    fb_ipv4(&w, 6, 20 + 10, 0, 0, 3);
    fb_tcp(&w, 80, 32828, 0, 0x10, 10);
    sweep(IOF_LINKTYPE_ETHERNET, &w, 14 + 4 + 8 + 20);
}

static void test_mpls_other_links(void)
{
    iof__pkt p;
    /* SLL protocol 0x8847 */
    fb_t s = { .n = 0 };
    fb_sll(&s, 0, 1, 6, 0x8847);
    fb_mpls(&s, 42, true);
    build_udp4(&s);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_LINUX_SLL, &s), IOF_DROP_OK);
    ASSERT_EQ_INT(p.l3_off, 20);
    ASSERT_EQ_INT(p.flags & (IOF_PKT_HAS_SRC_MAC | IOF_PKT_HAS_DST_MAC), IOF_PKT_HAS_SRC_MAC);
    ASSERT_EQ_INT(p.sport, 1111);
    fb_t s2 = { .n = 0 };
    fb_sll2(&s2, 0, 1, 6, 0x8847);
    fb_mpls(&s2, 42, true);
    build_udp6(&s2);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_LINUX_SLL2, &s2), IOF_DROP_OK);
    ASSERT_EQ_INT(p.l3_off, 24);
    ASSERT_EQ_INT(p.ipver, 6);

    /* PPPoE session carrying PPP protocol 0x0281 (MPLS unicast) */
    fb_t e = { .n = 0 };
    fb_eth(&e, 0x8864);
    fb_u8(&e, 0x11);
    fb_u8(&e, 0);
    fb_be16(&e, 0x0042);
    fb_be16(&e, 2 + 4 + 32);
    fb_be16(&e, 0x0281);
    fb_mpls(&e, 77, true);
    build_udp4(&e);
    ASSERT_EQ_INT(dec(&p, 1, &e), IOF_DROP_OK);
    ASSERT_EQ_INT(p.l3_off, 22 + 4);
    ASSERT_EQ_INT(p.dport, 2222);
    ASSERT_TRUE(p.notes & IOF_NOTE(MPLS));

    /* PPP link with 0x0283 (MPLS multicast) */
    fb_t g = { .n = 0 };
    fb_u8(&g, 0xff);
    fb_u8(&g, 0x03);
    fb_be16(&g, 0x0283);
    fb_mpls(&g, 77, true);
    build_udp6(&g);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_PPP, &g), IOF_DROP_OK);
    ASSERT_EQ_INT(p.l3_off, 8);
    ASSERT_EQ_INT(p.ipver, 6);
}

/* ---------------------------------------------------------------- NFLOG */

enum { NFULA_PACKET_HDR_ = 1, NFULA_HWADDR_ = 8, NFULA_PAYLOAD_ = 9, NFULA_PREFIX_ = 10,
       NFULA_SEQ_ = 12 };

static void fb_le16(fb_t *f, unsigned v)
{
    fb_u8(f, v & 0xff);
    fb_u8(f, v >> 8 & 0xff);
}

static void fb_pad4(fb_t *f)
{
    while (f->n % 4)
        fb_u8(f, 0);
}

/* TLV header in the capturing host's byte order. */
static void fb_tlv(fb_t *f, bool be, unsigned len, unsigned type)
{
    if (be) {
        fb_be16(f, len);
        fb_be16(f, type);
    } else {
        fb_le16(f, len);
        fb_le16(f, type);
    }
}

static void fb_bytes(fb_t *f, const uint8_t *b, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        fb_u8(f, b[i]);
}

/* An NFLOG message as the kernel writes it: header, PACKET_HDR (8), PREFIX "ab" (7 + 1 byte of
 * padding), optionally HWADDR with a 6-byte MAC_SRC (16), then PAYLOAD = `ip` (`ip_n` of its
 * bytes), padded unless `pad` is false. The payload value starts at 20 (no HWADDR) or 36. */
static void fb_nflog(fb_t *f, bool be, unsigned family, bool hwaddr, const fb_t *ip, uint32_t ip_n,
                     bool pad)
{
    fb_u8(f, family);
    fb_u8(f, 0);
    fb_be16(f, 20); /* resource id (group) */
    fb_tlv(f, be, 8, NFULA_PACKET_HDR_);
    fb_be16(f, family == 10 ? 0x86dd : 0x0800);
    fb_u8(f, 1); /* hook: LOCAL_IN */
    fb_u8(f, 0);
    fb_tlv(f, be, 4 + 3, NFULA_PREFIX_);
    fb_u8(f, 'a');
    fb_u8(f, 'b');
    fb_u8(f, 0);
    fb_pad4(f);
    if (hwaddr) {
        fb_tlv(f, be, 16, NFULA_HWADDR_);
        fb_be16(f, 6);
        fb_be16(f, 0);
        fb_bytes(f, MAC_SRC, 6);
        fb_fill(f, 2, 0);
    }
    fb_tlv(f, be, 4 + ip_n, NFULA_PAYLOAD_);
    fb_bytes(f, ip->b, ip_n);
    if (pad)
        fb_pad4(f);
}

/* IPv4/UDP of 33 bytes (5 payload bytes: the payload TLV needs 3 bytes of padding). */
static void build_udp4_odd(fb_t *f)
{
    fb_ipv4(f, 17, 8 + 5, 0, 0, 7);
    fb_udp(f, 1111, 2222, 13, 5);
}

static void test_nflog(void)
{
    iof__pkt p;
    fb_t ip4 = { .n = 0 }, ip6 = { .n = 0 };
    build_udp4_odd(&ip4);
    build_udp6(&ip6);
    const uint8_t v4src[4] = { 192, 168, 1, 2 }, v4dst[4] = { 8, 8, 8, 8 };

    /* IPv4 with a hardware address, both byte orders: the same summary */
    for (int be = 0; be < 2; be++) {
        fb_t f = { .n = 0 };
        fb_nflog(&f, be, 2, true, &ip4, ip4.n, true);
        ASSERT_EQ_INT(f.n, 36 + 4 + 36); /* 33 bytes of IP + 3 of padding */
        ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_NFLOG, &f), IOF_DROP_OK);
        ASSERT_EQ_INT(p.ipver, 4);
        ASSERT_EQ_INT(p.l3_off, 40);
        ASSERT_EQ_MEM(p.src_ip, v4src, 4);
        ASSERT_EQ_MEM(p.dst_ip, v4dst, 4);
        ASSERT_EQ_INT(p.proto, 17);
        ASSERT_EQ_INT(p.sport, 1111);
        ASSERT_EQ_INT(p.dport, 2222);
        ASSERT_EQ_INT(p.ip_len, 33);
        ASSERT_EQ_INT(p.l4_off, 60);
        ASSERT_EQ_INT(p.payload_off, 68);
        ASSERT_EQ_INT(p.payload_len, 5);
        ASSERT_EQ_INT(p.payload_caplen, 5);
        /* the IP packet is the TLV value: padding is not part of it */
        ASSERT_EQ_INT(p.caplen, 73);
        ASSERT_EQ_INT(p.wirelen, 73);
        ASSERT_TRUE(!(p.notes & (IOF_NOTE(IP_TRUNCATED) | IOF_NOTE(IP_LEN_GT_WIRE))));
        ASSERT_EQ_INT(p.flags & (IOF_PKT_HAS_SRC_MAC | IOF_PKT_HAS_DST_MAC), IOF_PKT_HAS_SRC_MAC);
        ASSERT_EQ_MEM(p.src_mac, MAC_SRC, 6);
        ASSERT_EQ_INT(p.vlan_depth, 0);
    }

    /* IPv6 (family 10), big-endian TLVs, no hardware address (locally sent packet) */
    fb_t g = { .n = 0 };
    fb_nflog(&g, true, 10, false, &ip6, ip6.n, true);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_NFLOG, &g), IOF_DROP_OK);
    ASSERT_EQ_INT(p.ipver, 6);
    ASSERT_EQ_INT(p.l3_off, 24);
    ASSERT_EQ_MEM(p.src_ip, IP6_SRC, 16);
    ASSERT_EQ_MEM(p.dst_ip, IP6_DST, 16);
    ASSERT_EQ_INT(p.ip_len, 52);
    ASSERT_EQ_INT(p.sport, 1111);
    ASSERT_EQ_INT(p.payload_off, 24 + 48);
    ASSERT_EQ_INT(p.payload_caplen, 4);
    ASSERT_EQ_INT(p.flags & (IOF_PKT_HAS_SRC_MAC | IOF_PKT_HAS_DST_MAC), 0);

    /* the last TLV without its padding (frame ends with the value) */
    fb_t np = { .n = 0 };
    fb_nflog(&np, false, 2, false, &ip4, ip4.n, false);
    ASSERT_EQ_INT(np.n, 24 + 33);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_NFLOG, &np), IOF_DROP_OK);
    ASSERT_EQ_INT(p.dport, 2222);
    ASSERT_EQ_INT(p.payload_caplen, 5);

    /* netlink flag bits in the type are ignored; an 8-byte address is not a MAC */
    fb_t fl = { .n = 0 };
    fb_nflog(&fl, false, 2, true, &ip4, ip4.n, true);
    fl.b[4 + 3] |= 0x40;  /* PACKET_HDR type | NLA_F_NET_BYTEORDER (LE: high byte) */
    fl.b[36 + 3] |= 0x80; /* PAYLOAD type | NLA_F_NESTED */
    fl.b[20 + 5] = 8;     /* HWADDR address length (network order) */
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_NFLOG, &fl), IOF_DROP_OK);
    ASSERT_EQ_INT(p.flags & IOF_PKT_HAS_SRC_MAC, 0);
    ASSERT_EQ_INT(p.sport, 1111);

    /* family says IPv4, payload is IPv6 */
    fb_t mm = { .n = 0 };
    fb_nflog(&mm, false, 2, false, &ip6, ip6.n, true);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_NFLOG, &mm), IOF_DROP_IP_BAD_VERSION);
    /* other families (bridge 7, ARP 3, unspecified 0) */
    const unsigned fams[3] = { 7, 3, 0 };
    for (int i = 0; i < 3; i++) {
        fb_t o = { .n = 0 };
        fb_nflog(&o, false, fams[i], true, &ip4, ip4.n, true);
        ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_NFLOG, &o), IOF_DROP_NFLOG_NOT_IP);
    }
}

static void test_nflog_errors(void)
{
    iof__pkt p;
    fb_t ip4 = { .n = 0 };
    build_udp4_odd(&ip4);

    /* no payload TLV: header only; header + TLVs without NFULA_PAYLOAD */
    fb_t h = { .n = 0 };
    fb_u8(&h, 2);
    fb_u8(&h, 0);
    fb_be16(&h, 1);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_NFLOG, &h), IOF_DROP_NFLOG_NO_PAYLOAD);
    for (int be = 0; be < 2; be++) {
        fb_t n = h;
        fb_tlv(&n, be, 8, NFULA_PACKET_HDR_);
        fb_be32(&n, 0x08000100);
        fb_tlv(&n, be, 8, NFULA_SEQ_);
        fb_be32(&n, 12345);
        ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_NFLOG, &n), IOF_DROP_NFLOG_NO_PAYLOAD);
        /* a last TLV whose length runs past the frame */
        fb_t l = n;
        fb_tlv(&l, be, 4 + 40, NFULA_PAYLOAD_);
        fb_bytes(&l, ip4.b, 20);
        ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_NFLOG, &l), IOF_DROP_NFLOG_TLV_INVALID);
        /* a TLV with a length < 4 after a valid one */
        fb_t s = h;
        fb_tlv(&s, be, 8, NFULA_PACKET_HDR_);
        fb_be32(&s, 0x08000100);
        fb_tlv(&s, be, 2, NFULA_PREFIX_);
        fb_tlv(&s, be, 4 + ip4.n, NFULA_PAYLOAD_);
        fb_bytes(&s, ip4.b, ip4.n);
        ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_NFLOG, &s), IOF_DROP_NFLOG_TLV_INVALID);
        /* the payload TLV claims more than the frame holds */
        fb_t pl = { .n = 0 };
        fb_nflog(&pl, be, 2, false, &ip4, ip4.n, true);
        fb_t big = pl;
        if (be)
            fb_put16at(&big, 20, 200);
        else
            big.b[20] = 200, big.b[21] = 0;
        ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_NFLOG, &big), IOF_DROP_NFLOG_TLV_INVALID);
        /* ... but a payload TLV cut by the snaplen is kept (wire length covers it) */
        ASSERT_EQ_INT(dec_cut(&p, IOF_LINKTYPE_NFLOG, &pl, 20 + 4 + 24), IOF_DROP_OK);
        ASSERT_EQ_INT(p.sport, 1111);
        ASSERT_EQ_INT(p.ip_len, 33);
        ASSERT_TRUE(p.notes & IOF_NOTE(IP_TRUNCATED));
        /* the unpadded last TLV without a payload: the walk ends there */
        fb_t u = h;
        fb_tlv(&u, be, 5, NFULA_PREFIX_);
        fb_u8(&u, 0);
        ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_NFLOG, &u), IOF_DROP_NFLOG_NO_PAYLOAD);
    }
    /* the corpus frame (zeek nflog-bad-tlv-len): first TLV is 256 bytes (LE) or 1 byte (BE) */
    const uint8_t zeek[12] = { 2, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0 };
    ASSERT_EQ_INT(dec_raw(&p, IOF_LINKTYPE_NFLOG, zeek, 12, 12), IOF_DROP_NFLOG_TLV_INVALID);
    ASSERT_EQ_INT(p.ipver, 0);
    /* a first TLV of length 0 (both orders) */
    fb_t z = h;
    fb_be32(&z, 0);
    fb_be32(&z, 0);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_NFLOG, &z), IOF_DROP_NFLOG_TLV_INVALID);

    /* truncation: inside the header, inside the first TLV header, inside the HWADDR TLV header
     * (before the payload) */
    fb_t f = { .n = 0 };
    fb_nflog(&f, false, 2, true, &ip4, ip4.n, true);
    ASSERT_EQ_INT(dec_cut(&p, IOF_LINKTYPE_NFLOG, &f, 3), IOF_DROP_NFLOG_TRUNCATED);
    ASSERT_EQ_INT(dec_cut(&p, IOF_LINKTYPE_NFLOG, &f, 6), IOF_DROP_NFLOG_TRUNCATED);
    ASSERT_EQ_INT(dec_cut(&p, IOF_LINKTYPE_NFLOG, &f, 22), IOF_DROP_NFLOG_TRUNCATED);
    /* HWADDR value cut: no MAC, and the payload header is not captured */
    ASSERT_EQ_INT(dec_cut(&p, IOF_LINKTYPE_NFLOG, &f, 30), IOF_DROP_NFLOG_TRUNCATED);
    ASSERT_EQ_INT(p.flags & IOF_PKT_HAS_SRC_MAC, 0);
    /* payload TLV header captured, IP header not */
    ASSERT_EQ_INT(dec_cut(&p, IOF_LINKTYPE_NFLOG, &f, 40), IOF_DROP_IPV4_TRUNCATED);
    ASSERT_EQ_INT(dec_cut(&p, IOF_LINKTYPE_NFLOG, &f, 40 + 19), IOF_DROP_IPV4_TRUNCATED);
    /* an empty payload value */
    fb_t e = { .n = 0 };
    fb_nflog(&e, false, 10, false, &ip4, 0, true);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_NFLOG, &e), IOF_DROP_IPV6_TRUNCATED);
}

static void test_nflog_lengths(void)
{
    iof__pkt p;
    /* The kernel's copy range cut the packet (the value holds 28 of 33 IP bytes; the record
     * itself is complete): kept like a snaplen cut, sizes from the IP header. */
    fb_t ip4 = { .n = 0 };
    build_udp4_odd(&ip4);
    fb_t c = { .n = 0 };
    fb_nflog(&c, false, 2, false, &ip4, 28, true);
    ASSERT_EQ_INT(c.n, 20 + 4 + 28);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_NFLOG, &c), IOF_DROP_OK);
    ASSERT_EQ_INT(p.ip_len, 33);
    ASSERT_EQ_INT(p.caplen, 52);
    ASSERT_EQ_INT(p.wirelen, 24 + 33);
    ASSERT_TRUE(p.notes & IOF_NOTE(IP_TRUNCATED));
    ASSERT_TRUE(!(p.notes & IOF_NOTE(IP_LEN_GT_WIRE)));
    ASSERT_EQ_INT(p.dport, 2222);
    ASSERT_EQ_INT(p.payload_len, 5);
    ASSERT_EQ_INT(p.payload_caplen, 0);
    /* IPv6 cut the same way */
    fb_t ip6 = { .n = 0 };
    build_udp6(&ip6);
    fb_t c6 = { .n = 0 };
    fb_nflog(&c6, true, 10, false, &ip6, 44, true);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_NFLOG, &c6), IOF_DROP_OK);
    ASSERT_EQ_INT(p.ip_len, 52);
    ASSERT_EQ_INT(p.sport, 1111);
    ASSERT_TRUE(p.notes & IOF_NOTE(IP_TRUNCATED));

    /* IPv4 total length 0 (a GRO'd packet): the length is the value's, never the bytes after
     * it (padding and a later TLV); protocol 47 makes the whole IP payload payload */
    fb_t gre = { .n = 0 };
    fb_ipv4(&gre, 47, 13, 0, 0, 1);
    fb_fill(&gre, 13, 0x47);
    fb_put16at(&gre, 2, 0);
    fb_t t = { .n = 0 };
    fb_nflog(&t, false, 2, false, &gre, gre.n, true);
    fb_tlv(&t, false, 8, NFULA_SEQ_);
    fb_be32(&t, 0xaaaaaaaa);
    ASSERT_EQ_INT(dec(&p, IOF_LINKTYPE_NFLOG, &t), IOF_DROP_OK);
    ASSERT_EQ_INT(p.ip_len, 33);
    ASSERT_TRUE(p.notes & IOF_NOTE(IP_LEN_FROM_WIRE));
    ASSERT_EQ_INT(p.payload_off, 20 + 4 + 20);
    ASSERT_EQ_INT(p.payload_len, 13);
    ASSERT_EQ_INT(p.payload_caplen, 13);
    ASSERT_EQ_INT(p.caplen, 20 + 4 + 33);

    /* snaplen sweep: TCP/IPv4 of 52 bytes (no padding), ports at 20 + 4 + 20 */
    fb_t tcp = { .n = 0 };
    fb_ipv4(&tcp, 6, 20 + 12, 0, 0, 3);
    fb_tcp(&tcp, 5683, 40000, 0, 0x18, 12);
    fb_t w = { .n = 0 };
    fb_nflog(&w, true, 2, false, &tcp, tcp.n, true);
    ASSERT_EQ_INT(w.n, 24 + 52);
    sweep(IOF_LINKTYPE_NFLOG, &w, 24 + 20);
}

/* ---------------------------------------------------------------- tables and coverage */

static void test_tables(void)
{
    const uint32_t lts[] = { 0, 1, 9, 12, 14, 50, 101, 108, 113, 228, 229, 239, 276 };
    for (size_t i = 0; i < sizeof lts / sizeof lts[0]; i++) {
        ASSERT_TRUE(iof__linktype_supported(lts[i]));
        ASSERT_TRUE(strcmp(iof__linktype_name(lts[i]), "unsupported") != 0);
        uint8_t b[64] = { 0 };
        iof__pkt p;
        ASSERT_TRUE(iof__decode(&p, lts[i], b, sizeof b, sizeof b, 0) != IOF_DROP_LINKTYPE_UNSUPPORTED);
    }
    ASSERT_TRUE(!iof__linktype_supported(127));
    ASSERT_EQ_STR(iof__linktype_name(127), "unsupported");
    ASSERT_EQ_STR(iof__drop_name(IOF_DROP_OK), "ok");
    ASSERT_EQ_STR(iof__drop_name(IOF_DROP_L4_NOT_CAPTURED), "l4.not_captured");
    ASSERT_EQ_STR(iof__drop_name(IOF_DROP__COUNT), "unknown");
    ASSERT_EQ_STR(iof__note_name(IOF_NOTEB_CAPLEN_GT_LEN), "pkt.caplen_gt_len");
    ASSERT_EQ_STR(iof__note_name(99), "unknown");
    for (int i = 0; i < IOF_DROP__COUNT; i++) {
        ASSERT_TRUE(iof__drop_name((iof__drop)i) != NULL && iof__drop_doc((iof__drop)i)[0] != 0);
        for (int j = 0; j < i; j++)
            ASSERT_TRUE(strcmp(iof__drop_name((iof__drop)i), iof__drop_name((iof__drop)j)) != 0);
    }
    for (unsigned i = 0; i < IOF_NOTE__COUNT; i++) {
        ASSERT_TRUE(iof__note_doc(i)[0] != 0);
        for (unsigned j = 0; j < i; j++)
            ASSERT_TRUE(strcmp(iof__note_name(i), iof__note_name(j)) != 0);
    }
}

static void test_orphan_via_fragtab(void)
{
    fb_t g = { .n = 0 };
    fb_eth(&g, 0x0800);
    fb_ipv4(&g, 17, 100, 0, 200, 9);
    fb_fill(&g, 100, 0);
    iof__pkt p;
    ASSERT_EQ_INT(dec(&p, 1, &g), IOF_DROP_OK);
    iof__fragtab *t = iof__fragtab_create(4, 1000000000);
    ASSERT_TRUE(t != NULL);
    iof__drop d = iof__fragtab_resolve(t, &p);
    iof__fragtab_destroy(t);
    ASSERT_EQ_INT(d, IOF_DROP_FRAG_ORPHAN);
    seen_drops |= 1ull << d;
}

/* Must run last: every drop reason and every note was produced by some test above. */
static void test_all_reasons_reached(void)
{
    int missing = 0;
    for (int i = 0; i < IOF_DROP__COUNT; i++)
        if (!(seen_drops >> i & 1)) {
            fprintf(stderr, "  drop reason never produced: %s\n", iof__drop_name((iof__drop)i));
            missing++;
        }
    for (unsigned i = 0; i < IOF_NOTE__COUNT; i++)
        if (!(seen_notes >> i & 1)) {
            fprintf(stderr, "  note never produced: %s\n", iof__note_name(i));
            missing++;
        }
    ASSERT_EQ_INT(missing, 0);
}

static const iof_test tests[] = {
    TEST(test_eth_ipv4_tcp),
    TEST(test_eth_padding_not_payload),
    TEST(test_tcp_options_and_offsets),
    TEST(test_tcp_header_truncated),
    TEST(test_udp_lengths),
    TEST(test_icmp_and_other),
    TEST(test_ipv4_errors),
    TEST(test_ipv4_tso),
    TEST(test_ipv6_basic_and_ext),
    TEST(test_ipv6_errors),
    TEST(test_ipv6_jumbo_and_tso),
    TEST(test_ipv4_fragments),
    TEST(test_ipv6_fragments),
    TEST(test_vlan),
    TEST(test_pppoe),
    TEST(test_non_ip_ethernet),
    TEST(test_sll),
    TEST(test_sll2),
    TEST(test_null_loop),
    TEST(test_raw),
    TEST(test_ppp),
    TEST(test_record_level),
    TEST(test_decode_ip_direct),
    TEST(test_snaplen_sweep),
    TEST(test_mpls),
    TEST(test_mpls_other_links),
    TEST(test_nflog),
    TEST(test_nflog_errors),
    TEST(test_nflog_lengths),
    TEST(test_tables),
    TEST(test_orphan_via_fragtab),
    TEST(test_all_reasons_reached),
    { 0 },
};

int main(void)
{
    _Static_assert(IOF_DROP__COUNT <= 64, "seen_drops is a 64-bit mask");
    return iof_test_run(tests);
}
